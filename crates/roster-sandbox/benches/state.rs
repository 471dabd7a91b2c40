//! What remembering costs: the same work against an in-memory and a persistent sandbox.
//!
//! For each vendor alone, both sandboxes (the persistent one on a fresh temporary directory)
//! get the same N generated members through the facade's bulk path (`ensure_all`: Vyte and VEO
//! in batches of 100, Vectera one create per member, 8 in flight), then R sequential
//! `ensure`s that each change one member (one look-up, one update: exactly one save in the
//! persistent sandbox, of a store holding N users). The difference per update is what a save
//! of an N-user store costs; the fill shows what saving after every write costs a bulk run.
//!
//! ```sh
//! cargo bench -p roster-sandbox --bench state                      # 10,000 members, 200 updates
//! cargo bench -p roster-sandbox --bench state -- --members 2000 --rounds 50 --vendor vyte
//! ```
//!
//! Prints a Markdown table (docs/performance.md keeps the figures). Timing is only reported.

use std::time::{Duration, Instant};

use roster::{Config, Member, Outcome, Provisioner, Vendor};
use roster_sandbox::Sandbox;

struct Args {
    members: usize,
    rounds: usize,
    vendors: Vec<Vendor>,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        members: 10_000,
        rounds: 200,
        vendors: Vendor::ALL.to_vec(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--members" => out.members = value()?.parse().map_err(|e| format!("--members: {e}"))?,
            "--rounds" => out.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--vendor" => {
                let name = value()?;
                let vendor = Vendor::ALL
                    .into_iter()
                    .find(|v| v.name() == name)
                    .ok_or(format!("--vendor {name}: vectera, vyte or veo"))?;
                out.vendors = vec![vendor];
            }
            // What `cargo bench` passes to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(out)
}

fn member(i: usize, last: &str) -> Member {
    Member::new(
        &format!("member{i:06}@state.example"),
        format!("First{i}"),
        last.to_owned(),
    )
    .expect("generated members are valid")
    .admin(i.is_multiple_of(10))
}

/// One vendor in one sandbox: the fill's time and the updates' times.
struct Run {
    fill: Duration,
    updates: Vec<Duration>,
    file_bytes: Option<u64>,
}

async fn run(vendor: Vendor, dir: Option<&std::path::Path>, args: &Args) -> Run {
    let sandbox = match dir {
        Some(dir) => Sandbox::start_persistent(dir).await,
        None => Sandbox::start().await,
    }
    .expect("a sandbox");
    let config = Config::default()
        .with(
            vendor,
            Some(&sandbox.base_url(vendor)),
            sandbox.token(vendor),
        )
        .expect("a loopback config");
    let provisioner = Provisioner::new(&config).expect("a provisioner");
    let team: Vec<Member> = (0..args.members).map(|i| member(i, "Bulk")).collect();
    let started = Instant::now();
    let reports = provisioner.ensure_all(&team).await;
    let fill = started.elapsed();
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(vendor), Some(Outcome::Created))),
        "{vendor}: every member created"
    );
    drop(reports);
    let mut updates = Vec::with_capacity(args.rounds);
    for round in 0..args.rounds {
        // Renamed, and the admin flag flipped (VEO keeps no names for an invitee).
        let at = round * 7919 % args.members;
        let renamed = member(at, &format!("Renamed{round}")).admin(!at.is_multiple_of(10));
        let started = Instant::now();
        let report = provisioner.ensure(&renamed).await;
        updates.push(started.elapsed());
        assert!(
            matches!(report.outcome(vendor), Some(Outcome::Updated)),
            "{vendor}: {report:?}"
        );
    }
    let file_bytes = dir.and_then(|d| {
        std::fs::metadata(d.join(format!("{}.json", vendor.name())))
            .ok()
            .map(|m| m.len())
    });
    Run {
        fill,
        updates,
        file_bytes,
    }
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("state bench: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    println!(
        "{} members, {} updates each; times in ms (fill in s)\n",
        args.members, args.rounds
    );
    println!(
        "| vendor | sandbox | fill {} (s) | update p50 | update p90 | update p99 | state file |",
        args.members
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for &vendor in &args.vendors {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for persistent in [false, true] {
            let mut run = run(vendor, persistent.then_some(dir.path()), &args).await;
            run.updates.sort();
            println!(
                "| {vendor} | {} | {:.2} | {} | {} | {} | {} |",
                if persistent { "persistent" } else { "memory" },
                run.fill.as_secs_f64(),
                ms(quantile(&run.updates, 0.5)),
                ms(quantile(&run.updates, 0.9)),
                ms(quantile(&run.updates, 0.99)),
                run.file_bytes.map_or("-".to_owned(), |b| format!(
                    "{:.1} MiB",
                    b as f64 / 1048576.0
                )),
            );
        }
    }
    std::process::ExitCode::SUCCESS
}
