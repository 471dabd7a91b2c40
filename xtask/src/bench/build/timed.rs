//! One timed `cargo build` of a copy: wall time, CPU time and the crates it compiled.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::copies::Bench;
use super::{Variant, cargo};

/// One timed build.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timed {
    pub(super) secs: f64,
    /// CPU time (user + system) of cargo and every process it waited for: much less
    /// sensitive than `secs` to other work on the machine.
    pub(super) cpu: Option<f64>,
    /// Crates compiled (cargo's `Compiling` lines).
    pub(super) compiled: usize,
}

impl Bench<'_> {
    /// One timed `cargo build -p package` of `variant` into `target`, output kept in a log.
    pub(super) fn build(
        &self,
        variant: Variant,
        package: &str,
        extra: &[String],
        target: &Path,
        what: &str,
    ) -> Result<Timed, String> {
        let logs = self.dir.join("logs");
        fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
        let log_path = logs.join(format!("{}.log", what.replace([' ', '/', '(', ')'], "_")));
        let log = fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
        let mut command = Command::new(cargo());
        command
            .current_dir(self.tree(variant))
            .args(["build", "--offline", "-p", package])
            .args(extra)
            .arg("--target-dir")
            .arg(target)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env("CARGO_TERM_COLOR", "never")
            .env("CARGO_TERM_PROGRESS_WHEN", "never")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        for kv in self.configs {
            command.arg("--config").arg(kv);
        }
        let cpu_before = children_cpu_secs();
        let start = Instant::now();
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let secs = start.elapsed().as_secs_f64();
        let cpu = children_cpu_secs()
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        let output = fs::read_to_string(&log_path).unwrap_or_default();
        if !status.success() {
            let tail: Vec<&str> = output.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "{what}: cargo build failed (log {}):\n{}",
                log_path.display(),
                tail.join("\n")
            ));
        }
        let compiled: Vec<&str> = output
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("Compiling "))
            .collect();
        let generator = compiled
            .iter()
            .any(|c| c.starts_with("progenitor ") || c.starts_with("roster-codegen "));
        if variant == Variant::Baseline && generator {
            return Err(format!(
                "{what}: the baseline compiled the generator stack (log {})",
                log_path.display()
            ));
        }
        Ok(Timed {
            secs,
            cpu,
            compiled: compiled.len(),
        })
    }
}

/// CPU seconds (user + system) of this process's waited-for children and their waited-for
/// descendants (`cutime` + `cstime` of `/proc/self/stat`, in USER_HZ = 100 ticks a second);
/// `None` where there is no procfs.
pub(super) fn children_cpu_secs() -> Option<f64> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces: the
    // 3rd field (state) is index 0, so cutime (16th) and cstime (17th) are 13 and 14.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(13)? + ticks(14)?) / 100.0)
}
