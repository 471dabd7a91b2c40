//! Bulk provisioning driver for `cargo xtask bench bulk`: provisions N generated members into
//! the vendors named by `ROSTER_*` (the `roster-sandbox` binary, in another process so that its
//! memory is not counted here) and prints one JSON line: members/s and this process's peak RSS.
//!
//! ```sh
//! cargo run --release -p roster-tests --example bulk -- --members 10000 --mode ensure-all
//! ```
//!
//! Modes: `ensure-all` (the facade's batched bulk path, `ensure_stream`: `ensure_all` a window
//! at a time, so memory stays flat however long the team is) and `naive` (`ensure` one member
//! after the other — what a caller writes without it).

use std::time::Instant;

use futures::StreamExt;
use roster::{Config, Member, Outcome, Provisioner};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    EnsureAll,
    Naive,
}

struct Args {
    members: usize,
    mode: Mode,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        members: 10_000,
        mode: Mode::EnsureAll,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--members" => out.members = value()?.parse().map_err(|e| format!("--members: {e}"))?,
            "--mode" => {
                out.mode = match value()?.as_str() {
                    "ensure-all" => Mode::EnsureAll,
                    "naive" => Mode::Naive,
                    other => return Err(format!("--mode {other}: ensure-all or naive")),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(out)
}

/// The `i`th generated member: realistic field sizes, one in ten an admin.
fn member(i: usize) -> Member {
    let mut m = Member::new(
        &format!("member{i:06}@bulk.example"),
        format!("First{i}"),
        format!("Last{i}"),
    )
    .expect("generated members are valid")
    .admin(i.is_multiple_of(10));
    m.vyte.timezone = Some("Europe/Paris".to_owned());
    m.vyte.language = Some("fr".to_owned());
    m
}

#[derive(Debug, Default)]
struct Counts {
    created: usize,
    updated: usize,
    unchanged: usize,
    failed: usize,
    first_failure: Option<String>,
}

impl Counts {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Failed(e) => {
                self.failed += 1;
                self.first_failure.get_or_insert_with(|| e.to_string());
            }
            _ => {}
        }
    }
}

/// This process's peak resident set size in bytes (Linux `VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let config = Config::from_env()?;
    let vendors: Vec<_> = config.vendors().collect();
    config.require(&roster::Vendor::ALL)?;
    let provisioner = Provisioner::new(&config)?;
    let mut counts = Counts::default();
    let start = Instant::now();
    match args.mode {
        Mode::EnsureAll => {
            // Members are made as the stream is read: nothing holds the whole team.
            let members = futures::stream::iter((0..args.members).map(member));
            let reports = provisioner.ensure_stream(members);
            futures::pin_mut!(reports);
            while let Some(report) = reports.next().await {
                report.vendors.iter().for_each(|(_, o)| counts.add(o));
            }
        }
        Mode::Naive => {
            for i in 0..args.members {
                let report = provisioner.ensure(&member(i)).await;
                report.vendors.iter().for_each(|(_, o)| counts.add(o));
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let line = serde_json::json!({
        "mode": match args.mode { Mode::EnsureAll => "ensure-all", Mode::Naive => "naive" },
        "members": args.members,
        "window": roster::STREAM_WINDOW,
        "vendors": vendors.len(),
        "seconds": seconds,
        "members_per_s": args.members as f64 / seconds,
        "peak_rss_bytes": peak_rss(),
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "failed": counts.failed,
        "first_failure": counts.first_failure,
    });
    println!("{line}");
    Ok(())
}
