//! The Markdown report: the machine and settings, then the medians and ratios per case.

use std::fmt::Write as _;
use std::fs;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use super::options::BuildOptions;
use super::timed::Timed;
use super::{Variant, cargo};

/// A row of the table: a case and its timings per variant.
pub(super) struct Row {
    label: String,
    timed: [Vec<Timed>; 2],
}

impl Row {
    pub(super) fn new(label: String) -> Self {
        Row {
            label,
            timed: [Vec::new(), Vec::new()],
        }
    }

    pub(super) fn push(&mut self, variant: Variant, timed: Timed) {
        self.timed[variant as usize].push(timed);
    }
}

/// The median of `values` (the lower middle one for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
}

/// `a` / `b` as a ratio and a percentage.
pub fn ratio(a: f64, b: f64) -> String {
    if b <= 0.0 {
        return "–".to_owned();
    }
    let r = a / b;
    format!("{r:.2}× ({:+.0}%)", (r - 1.0) * 100.0)
}

/// The civil date (UTC) of a time, `YYYY-MM-DD`.
pub fn date(time: SystemTime) -> String {
    let days = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn cargo_version() -> String {
    Command::new(cargo())
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "cargo ?".to_owned())
}

/// The Markdown report: a header naming the machine and settings, then one row per case.
pub(super) fn table(options: &BuildOptions, rows: &[Row]) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n`cargo xtask bench build` — {}, {cpus} CPUs, load average {} at the end, {}, debug profile.",
        date(SystemTime::now()),
        load_average(),
        cargo_version()
    );
    let _ = writeln!(
        s,
        "Medians of {} cold and {} incremental build(s) per case; extra cargo config: {}.\n",
        options.runs,
        options.rebuild_runs,
        if options.configs.is_empty() {
            "none".to_owned()
        } else {
            options.configs.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "| build | with build.rs (codegen): wall, CPU | from snapshot (baseline): wall, CPU | \
         codegen / baseline, wall | codegen / baseline, CPU |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for row in rows {
        let cell = |timed: &[Timed]| {
            let secs: Vec<f64> = timed.iter().map(|t| t.secs).collect();
            let cpu: Vec<f64> = timed.iter().filter_map(|t| t.cpu).collect();
            let crates = timed.iter().map(|t| t.compiled).max().unwrap_or(0);
            (median(&secs).unwrap_or(0.0), median(&cpu), crates)
        };
        let (a, a_cpu, a_crates) = cell(&row.timed[0]);
        let (b, b_cpu, b_crates) = cell(&row.timed[1]);
        let cpu = |c: Option<f64>| c.map_or_else(|| "–".to_owned(), |c| format!("{c:.1} s"));
        let cpu_ratio = match (a_cpu, b_cpu) {
            (Some(a), Some(b)) => ratio(a, b),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            s,
            "| {} | {a:.1} s, {} ({a_crates} crates) | {b:.1} s, {} ({b_crates} crates) | {} | {cpu_ratio} |",
            row.label,
            cpu(a_cpu),
            cpu(b_cpu),
            ratio(a, b)
        );
    }
    s
}
