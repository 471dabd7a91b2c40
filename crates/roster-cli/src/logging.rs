//! Diagnostics: the facade's `tracing` events (retries, waits, fallbacks, failures) on standard
//! error, at the level `-v` (info) or `-vv` (debug, `-vvv` trace) asks for, or as `RUST_LOG`
//! says (`roster=debug`, `info`, ... — targets and levels, no regular expressions). Nothing
//! without either. The events carry the facade's redacted error texts, never a secret.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Installs the subscriber for `verbose` (`-v` count); `RUST_LOG`, when set, decides instead.
/// A `RUST_LOG` that cannot be read is named on standard error and ignored.
pub fn init(verbose: u8) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let targets = match from_env.as_deref().map(str::parse::<Targets>) {
        Some(Ok(targets)) => Some(targets),
        Some(Err(e)) => {
            crate::out::warn(&format!("roster: RUST_LOG ignored: {e}"));
            by_count(verbose)
        }
        None => by_count(verbose),
    };
    let Some(targets) = targets else {
        return;
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true)
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
}

/// `-v`: Roster's own events at info; `-vv` debug; `-vvv` trace, every crate's.
fn by_count(verbose: u8) -> Option<Targets> {
    let level = match verbose {
        0 => return None,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => return Some(Targets::new().with_default(LevelFilter::TRACE)),
    };
    Some(
        Targets::new()
            .with_target("roster", level)
            .with_target("roster_runtime", level)
            .with_target("roster_cli", level),
    )
}
