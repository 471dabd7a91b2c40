//! `roster provision team.csv`: the plan first (look-ups only), then the writes it calls for —
//! members created or updated through `Provisioner::ensure_stream` (each write decided on a
//! fresh look-up, so nothing changed since the plan is overwritten blindly), members the plan
//! found unchanged everywhere reported without a call, and with `--prune` the accounts the
//! file does not name offboarded — all recorded in the audit report as it goes.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use futures::StreamExt;
use roster::{Member, MemberReport, Outcome, Vendor};

use super::plan::{PlanArgs, Shown};
use super::{TeamArgs, check_removals, load, make_plan, names_vyte_teams, team_context};
use crate::context::Context;
use crate::out::{Failure, Out, Stream, warn};
use crate::report::{self, Journal, MemberEntry};
use crate::tally::Tally;

#[derive(Debug, Args)]
pub struct ProvisionArgs {
    #[command(flatten)]
    pub team: TeamArgs,
    /// Show the plan and send nothing: the same as `roster plan`.
    #[arg(long)]
    pub dry_run: bool,
    /// Where to write the report (JSON Lines, written as outcomes arrive); `-` for standard
    /// output (the rest of the output then goes to standard error). Default: a new
    /// `roster-report-<UTC time>.jsonl` here. An existing file is never overwritten; checked
    /// before anything is sent.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Calls in flight per vendor.
    #[arg(long, default_value_t = roster::DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
}

pub async fn run(ctx: &Context, args: ProvisionArgs, command: String) -> Result<(), Failure> {
    if args.dry_run {
        let plan = PlanArgs {
            team: args.team,
            json: false,
        };
        return super::plan::run(ctx, plan).await;
    }
    let team = load(&args.team)?;
    let (vendors, provisioner) = team_context(ctx, &args.team)?;
    let started_at = chrono::Utc::now();
    // The journal exists, and can be written, before anything is sent.
    let mut journal =
        Journal::create(args.report.as_deref(), started_at).map_err(Failure::usage)?;
    let mut out = Out::to(if journal.to_stdout() {
        Stream::Stderr
    } else {
        Stream::Stdout
    });
    let (lines, members): (Vec<u64>, Vec<Member>) =
        team.rows.into_iter().map(|r| (r.line, r.member)).unzip();
    let names: Vec<&str> = vendors.iter().map(|v| v.name()).collect();
    let limit = args.team.removal_limit(members.len());
    let set = make_plan(&provisioner, &members, false).await;
    if args.team.prune
        && let Err(refused) = check_removals(&set, limit)
    {
        let shown = Shown {
            file: &args.team.file,
            lines: &lines,
            set: &set,
            vendors: &vendors,
            targets: ctx.targets(&vendors),
            prune: true,
            limit,
            teams: None,
        };
        out.print(&super::plan::as_text(&shown));
        journal.discard();
        return Err(refused);
    }
    // A vendor that refused the credentials during the plan is not asked again: its members
    // fail there with the refusal, the other vendors are still done.
    let mut refusals: Vec<(Vendor, roster::Error)> = Vec::new();
    for step in set.members.iter().flat_map(|m| &m.vendors) {
        if let roster::Step::Unknown(e) = &step.step {
            note_refusal(&mut refusals, step.vendor, e);
        }
    }
    let provisioner = if refusals.is_empty() {
        provisioner
    } else {
        let live: Vec<Vendor> = vendors
            .iter()
            .copied()
            .filter(|v| !refusals.iter().any(|(r, _)| r == v))
            .collect();
        ctx.provisioner(&live)?
    }
    .with_concurrency(usize::from(args.concurrency));
    let redactor = ctx.redactor();
    journal.start(&report::Start {
        file: &args.team.file.display().to_string(),
        started_at,
        command: redactor.clean(&command, 4_096),
        sandbox: ctx.sandbox.is_some(),
        vendors: ctx.targets(&vendors),
        prune: args.team.prune,
        max_removals: limit,
        invalid: &team.invalid,
    });
    let stop = Arc::new(AtomicBool::new(false));
    let interrupts = tokio::spawn(
        interrupts(stop.clone())
            .map_err(|e| Failure::failed(format!("cannot listen for Ctrl-C: {e}")))?,
    );
    // The members some vendor has work for (or could not decide): only they are sent.
    let work: Vec<usize> = (0..members.len())
        .filter(|&i| set.members[i].needs_work())
        .collect();
    out.line(format_args!(
        "provisioning {} member(s) into {} ({} to look at, {} unchanged); report: {}",
        members.len(),
        names.join(", "),
        work.len(),
        members.len() - work.len(),
        journal.path().display()
    ));
    let bar = progress_bar((work.len() * vendors.len()) as u64, journal.to_stdout());
    let mut tally = Tally::new(&vendors, &team.invalid);
    let refused_at_plan = refusals.clone();
    // Members before `next` are in the report.
    let mut next = 0usize;
    let mut record = |i: usize, report: &MemberReport, journal: &mut Journal| {
        let entry = MemberEntry::new(lines[i], report, Some(&set.members[i]));
        journal.member(&entry);
        tally.add(&entry);
    };
    let unchanged = |i: usize| MemberReport {
        email: members[i].email().to_owned(),
        vendors: vendors.iter().map(|v| (*v, Outcome::Unchanged)).collect(),
    };
    {
        // After a first Ctrl-C the stream ends: no member is started, those in flight finish.
        let feeding = stop.clone();
        let to_send = futures::stream::iter(
            work.iter()
                .take_while(move |_| !feeding.load(Ordering::SeqCst))
                .map(|&i| members[i].clone()),
        );
        let reports = provisioner.ensure_stream(to_send);
        futures::pin_mut!(reports);
        let mut sent = work.iter();
        while let Some(mut report) = reports.next().await {
            let Some(&i) = sent.next() else { break };
            for (vendor, e) in &refused_at_plan {
                report.vendors.push((*vendor, Outcome::Failed(e.clone())));
            }
            report.vendors.sort_by_key(|(v, _)| *v);
            while next < i {
                record(next, &unchanged(next), &mut journal);
                next += 1;
            }
            for (vendor, outcome) in &report.vendors {
                if let Outcome::Failed(e) = outcome {
                    note_refusal(&mut refusals, *vendor, e);
                }
            }
            record(i, &report, &mut journal);
            next = i + 1;
            bar.inc(vendors.len() as u64);
        }
    }
    let mut interrupted = stop.load(Ordering::SeqCst);
    if !interrupted {
        while next < members.len() {
            record(next, &unchanged(next), &mut journal);
            next += 1;
        }
    }
    bar.finish_and_clear();
    // Vyte teams, after the users (member ids come from the users listing) and before the
    // removals: one create or update per team that changes.
    let teams_named = names_vyte_teams(&vendors, &members)
        && !refused_at_plan.iter().any(|(v, _)| *v == Vendor::Vyte);
    if teams_named && !interrupted {
        for team in provisioner.sync_vyte_teams(&members, args.team.prune).await {
            journal.team(&team);
            tally.team(&team.team, &team.outcome);
        }
    }
    interrupted |= stop.load(Ordering::SeqCst);
    if args.team.prune && !interrupted {
        for removal in &set.removals {
            if stop.load(Ordering::SeqCst) {
                interrupted = true;
                break;
            }
            let email = removal.account.email.as_deref().unwrap_or_default();
            let outcome = provisioner.offboard(removal.vendor, email).await;
            journal.removal(removal, &outcome);
            tally.removal(removal.vendor, email, &outcome);
        }
    }
    interrupted |= stop.load(Ordering::SeqCst);
    journal.summary(&tally, interrupted);
    let written = journal.finish();
    interrupts.abort();

    out.print(&tally.render());
    if !journal.to_stdout() {
        out.line(format_args!("\nreport: {}", journal.path().display()));
    }
    written.map_err(Failure::failed)?;
    if interrupted {
        return Err(Failure {
            code: 130,
            message: format!(
                "interrupted: {} member(s) done, {} not started; see {}",
                tally.members(),
                members.len().saturating_sub(next),
                journal.path().display()
            ),
        });
    }
    // A vendor whose credentials were refused stopped at the first refusal: that is bad
    // configuration (exit 2), named once with the variable to check.
    let refused: Vec<String> = refusals
        .iter()
        .map(|(vendor, error)| {
            format!(
                "{vendor}: the credentials were refused ({error}); check {}",
                credential_vars(ctx, *vendor)
            )
        })
        .collect();
    if !refused.is_empty() {
        return Err(Failure::usage(refused.join("\n")));
    }
    let failures = tally.failures();
    if failures > 0 {
        return Err(Failure::failed(format!(
            "{failures} vendor call(s) failed; see {}",
            journal.path().display()
        )));
    }
    Ok(())
}

/// Keeps `e` when it is `vendor`'s first refusal of the credentials (a 401 or 403, or a
/// sign-in the token server refused): the vendor is stopped there, and the run ends with exit
/// code 2, naming it once.
fn note_refusal(refusals: &mut Vec<(Vendor, roster::Error)>, vendor: Vendor, e: &roster::Error) {
    if e.is_refused_credentials() && !refusals.iter().any(|(v, _)| *v == vendor) {
        refusals.push((vendor, e.clone()));
    }
}

/// The variables that hold `vendor`'s credentials as configured.
fn credential_vars(ctx: &Context, vendor: Vendor) -> String {
    match ctx.config.vendor(vendor).map(|v| v.credential()) {
        Some(roster::Credential::SignIn(_)) => format!(
            "{}, {} and {}",
            roster::username_var(vendor),
            roster::password_var(vendor),
            roster::client_id_var(vendor)
        ),
        _ => roster::token_var(vendor),
    }
}

/// The progress bar: within 80 columns, the rate in whole calls per second.
fn progress_bar(len: u64, hidden: bool) -> indicatif::ProgressBar {
    if hidden {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{bar:30}] {pos}/{len} {rate} {eta} left",
        )
        .map(|style| {
            style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                },
            )
        })
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// Listens for Ctrl-C (SIGINT), registered at once: the first sets `stop`, the second ends
/// the process with exit code 130.
fn interrupts(
    stop: Arc<AtomicBool>,
) -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        #[cfg(unix)]
        let mut next = async || sigint.recv().await.is_some();
        #[cfg(not(unix))]
        let next = async || tokio::signal::ctrl_c().await.is_ok();
        if !next().await {
            return;
        }
        stop.store(true, Ordering::SeqCst);
        warn(
            "roster: interrupted: no new member is started; the calls in flight finish and the \
             report is completed (Ctrl-C again to stop at once)",
        );
        if next().await {
            warn("roster: stopped at once; the report holds every outcome so far, no summary");
            std::process::exit(130);
        }
    })
}
