//! What the workspace's tests share about the facade (the `test-util` feature; never on in a
//! release build): a [`Sleeper`] that records the waits the retry layer asks for instead of
//! sleeping, so a retry test runs at once and asserts the delays.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use crate::Sleeper;

/// A [`Sleeper`] that records every wait and returns at once.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use roster::Sleeper as _;
/// use roster::test_util::RecordingSleeper;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let sleeper = Arc::new(RecordingSleeper::default());
/// sleeper.sleep(Duration::from_secs(3)).await; // returns at once
/// assert_eq!(sleeper.delays(), [Duration::from_secs(3)]);
/// # }
/// ```
#[derive(Debug, Default)]
pub struct RecordingSleeper(Mutex<Vec<Duration>>);

impl Sleeper for RecordingSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().expect("not poisoned").push(delay);
        Box::pin(std::future::ready(()))
    }
}

impl RecordingSleeper {
    /// The waits asked for so far, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.0.lock().expect("not poisoned").clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_each_delay_in_order_without_sleeping() {
        let sleeper = RecordingSleeper::default();
        let started = std::time::Instant::now();
        // The futures are ready at once: polling them once completes them.
        for secs in [60, 1, 3600] {
            let mut wait = sleeper.sleep(Duration::from_secs(secs));
            let waker = std::task::Waker::noop();
            let mut cx = std::task::Context::from_waker(waker);
            assert!(wait.as_mut().poll(&mut cx).is_ready());
        }
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            sleeper.delays(),
            [60, 1, 3600].map(Duration::from_secs).to_vec()
        );
    }
}
