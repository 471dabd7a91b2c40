//! `cargo xtask bench bulk`: bulk provisioning into the three sandbox vendors, the facade's
//! `ensure_stream` (`ensure_all` a window at a time) against the naive loop of `ensure` calls,
//! side by side in one run.
//!
//! Each run gets a fresh `roster-sandbox` process (release build), so every member is new and
//! the sandbox's own memory is not counted; the driver (`tests/examples/bulk.rs`, release
//! build) reports its wall time and its own peak RSS (`VmHWM`). Medians over `--runs`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// What to measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOptions {
    /// Team sizes for `ensure_all`.
    pub sizes: Vec<usize>,
    /// Team size for the naive loop. Vyte lists its whole organisation in one unpaged answer,
    /// so the naive loop (one listing per member) grows quadratically: it is measured on a
    /// smaller team, which only flatters it.
    pub naive_members: usize,
    /// Runs per measurement (the median is reported).
    pub runs: usize,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            sizes: vec![10_000, 100_000],
            naive_members: 1_000,
            runs: 3,
        }
    }
}

/// One driver run's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Seconds of wall time.
    pub seconds: f64,
    /// Peak RSS of the driver, bytes.
    pub peak_rss: u64,
    /// Member × vendor outcomes that failed.
    pub failed: u64,
}

/// Parses `bench bulk` arguments.
///
/// # Errors
/// A message naming the bad argument.
pub fn parse(args: &[String]) -> Result<BulkOptions, String> {
    let mut options = BulkOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            let v = it.next().ok_or(format!("{name} needs a number"))?;
            v.replace('_', "")
                .parse()
                .map_err(|_| format!("{name}: `{v}` is not a number"))
        };
        match arg.as_str() {
            "--members" => {
                let v = it
                    .next()
                    .ok_or("--members needs a list, e.g. 10000,100000")?;
                options.sizes = v
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse())
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("--members: `{v}` is not a list of numbers"))?;
            }
            "--naive-members" => options.naive_members = value("--naive-members")?,
            "--runs" => options.runs = value("--runs")?.max(1),
            "--quick" => {
                options.sizes = vec![2_000];
                options.naive_members = 200;
                options.runs = 1;
            }
            other => return Err(format!("unknown argument `{other}` for bench bulk")),
        }
    }
    Ok(options)
}

/// Builds the sandbox and the driver (release), measures, and prints a table to `out`.
///
/// # Errors
/// A message saying which build or run failed.
pub fn run(root: &Path, options: &BulkOptions, out: &mut dyn Write) -> Result<(), String> {
    let status = Command::new(super::build::cargo())
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "roster-sandbox",
            "--bin",
            "roster-sandbox",
            "-p",
            "roster-tests",
            "--example",
            "bulk",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the release build of roster-sandbox and the bulk driver failed".into());
    }
    let release = root.join("target/release");
    let w = |out: &mut dyn Write, line: String| {
        writeln!(out, "{line}").map_err(|e| format!("cannot write the table: {e}"))
    };
    w(
        out,
        format!(
            "bulk provisioning into vectera, vyte and veo (sandbox in its own process), median of {} run(s)",
            options.runs
        ),
    )?;
    w(
        out,
        format!(
            "| {:<24} | {:>8} | {:>9} | {:>10} | {:>14} | {:>8} |",
            "mode", "members", "seconds", "members/s", "peak RSS (MiB)", "vs naive"
        ),
    )?;
    w(
        out,
        format!(
            "|{:-<26}|{:->10}|{:->11}|{:->12}|{:->16}|{:->10}|",
            "", "", "", "", "", ""
        ),
    )?;
    let naive = median(&release, "naive", options.naive_members, options.runs)?;
    let naive_rate = options.naive_members as f64 / naive.seconds;
    w(
        out,
        row(
            "naive loop of ensure",
            options.naive_members,
            &naive,
            naive_rate,
        ),
    )?;
    for &size in &options.sizes {
        let m = median(&release, "ensure-all", size, options.runs)?;
        w(out, row("ensure_stream", size, &m, naive_rate))?;
    }
    Ok(())
}

fn row(label: &str, members: usize, run: &Run, naive_rate: f64) -> String {
    let rate = members as f64 / run.seconds;
    format!(
        "| {label:<24} | {members:>8} | {:>9.2} | {rate:>10.0} | {:>14.1} | {:>7.1}× |{}",
        run.seconds,
        run.peak_rss as f64 / (1024.0 * 1024.0),
        rate / naive_rate,
        if run.failed > 0 {
            format!(" {} FAILED outcomes", run.failed)
        } else {
            String::new()
        }
    )
}

fn median(release: &Path, mode: &str, members: usize, runs: usize) -> Result<Run, String> {
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs {
        all.push(once(release, mode, members)?);
    }
    all.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mid = all.len() / 2;
    let mut m = all[mid].clone();
    m.peak_rss = all.iter().map(|r| r.peak_rss).max().unwrap_or(0);
    Ok(m)
}

/// A sandbox process that is killed when dropped.
struct SandboxProcess(Child);

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn once(release: &Path, mode: &str, members: usize) -> Result<Run, String> {
    let mut child = Command::new(release.join("roster-sandbox"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start roster-sandbox: {e}"))?;
    let stdout = child.stdout.take();
    let sandbox = SandboxProcess(child);
    let mut env = Vec::new();
    if let Some(stdout) = stdout {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("reading roster-sandbox: {e}"))?;
            if let Some((name, value)) =
                line.strip_prefix("export ").and_then(|l| l.split_once('='))
            {
                env.push((name.to_owned(), value.to_owned()));
            }
            if env.len() == 6 {
                break;
            }
        }
    }
    if env.len() != 6 {
        return Err("roster-sandbox did not print its six ROSTER_* variables".into());
    }
    let output = Command::new(release.join("examples/bulk"))
        .args(["--members", &members.to_string(), "--mode", mode])
        .envs(env)
        .output()
        .map_err(|e| format!("cannot run the bulk driver: {e}"))?;
    drop(sandbox);
    if !output.status.success() {
        return Err(format!(
            "the bulk driver failed ({mode}, {members} members): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let line: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the bulk driver printed no JSON line: {e}"))?;
    let failed = line["failed"].as_u64().unwrap_or(0);
    if failed > 0 {
        eprintln!(
            "bench bulk: {failed} failed outcomes ({mode}, {members}); first: {}",
            line["first_failure"]
        );
    }
    Ok(Run {
        seconds: line["seconds"]
            .as_f64()
            .ok_or("no `seconds` in the driver's line")?,
        peak_rss: line["peak_rss_bytes"].as_u64().unwrap_or(0),
        failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_sizes_and_flags() {
        let o = parse(&strings(&["--members", "10_000,100000", "--runs", "5"])).expect("parses");
        assert_eq!(o.sizes, [10_000, 100_000]);
        assert_eq!((o.runs, o.naive_members), (5, 1_000));
        let quick = parse(&strings(&["--quick"])).expect("parses");
        assert_eq!((quick.sizes.as_slice(), quick.runs), (&[2_000][..], 1));
        assert_eq!(
            parse(&strings(&["--members", "ten"])),
            Err("--members: `ten` is not a list of numbers".to_owned())
        );
        assert_eq!(
            parse(&strings(&["--fast"])),
            Err("unknown argument `--fast` for bench bulk".to_owned())
        );
    }

    #[test]
    fn a_row_shows_rate_memory_and_ratio() {
        let run = Run {
            seconds: 2.0,
            peak_rss: 30 * 1024 * 1024,
            failed: 0,
        };
        let line = row("ensure_all", 10_000, &run, 250.0);
        assert!(line.contains("|       5000 |"), "{line}");
        assert!(line.contains("30.0"), "{line}");
        assert!(line.contains("20.0×"), "{line}");
    }
}
