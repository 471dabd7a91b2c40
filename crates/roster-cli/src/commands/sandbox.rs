//! `roster sandbox reset`: forgets what `roster --sandbox` kept between commands (the fakes'
//! state files in the state directory).

use std::path::PathBuf;

use crate::context::state_dir;
use crate::out::{Failure, Out};

pub fn reset(dir: Option<PathBuf>) -> Result<(), Failure> {
    let dir = state_dir(dir);
    let removed = roster_sandbox::reset(&dir).map_err(|e| {
        Failure::usage(format!(
            "cannot reset the sandbox in {}: {e}",
            dir.display()
        ))
    })?;
    Out::default().line(format_args!(
        "sandbox reset: {} state file(s) removed from {}",
        removed.state_files(),
        removed.dir.display()
    ));
    Ok(())
}
