//! One module per command; what `plan` and `provision` share (the team file, the vendors, the
//! prune options, the plan they both make) is here.

pub mod plan;
pub mod provision;
pub mod remove;
pub mod sandbox;
pub mod users;
pub mod vectera;

use std::path::PathBuf;

use clap::Args;
use roster::{ChangeSet, Member, Provisioner, TeamChange, Vendor};

use crate::context::Context;
use crate::out::{Failure, warn};
use crate::team::{self, Team};

/// The team file and what to do with it: shared by `plan` and `provision`.
#[derive(Debug, Args)]
pub struct TeamArgs {
    /// The team CSV: columns email, first_name, last_name, and optionally admin,
    /// vectera_managed, vyte_timezone, vyte_language, vyte_teams, veo_communities (lists
    /// separated by `;`).
    pub file: PathBuf,
    /// The vendors (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = crate::vendor_parser(), default_values_t = Vendor::ALL)]
    pub vendors: Vec<Vendor>,
    /// Send nothing at all when any row is invalid (exit code 3), instead of skipping the
    /// invalid rows.
    #[arg(long)]
    pub strict: bool,
    /// Offboard the accounts a vendor holds that the file does not name (Vectera: delete,
    /// Vyte: unlink, VEO: deactivate); never the credentials' own account.
    #[arg(long)]
    pub prune: bool,
    /// With --prune: refuse the whole run (exit code 3, nothing sent) when it would take out
    /// more than this many people — a truncated file. Default: a tenth of the file's members,
    /// at least 1.
    #[arg(long, value_name = "N")]
    pub max_removals: Option<usize>,
}

impl TeamArgs {
    /// The vendors asked for, in Roster's order, each once.
    pub fn vendors(&self) -> Vec<Vendor> {
        let mut vendors = self.vendors.clone();
        vendors.sort();
        vendors.dedup();
        vendors
    }

    /// The removal limit for a team of `members`.
    pub fn removal_limit(&self, members: usize) -> usize {
        self.max_removals.unwrap_or((members / 10).max(1))
    }
}

/// The team file read and checked: invalid rows named on standard error; `--strict` refuses a
/// file with any.
pub fn load(args: &TeamArgs) -> Result<Team, Failure> {
    let file = std::fs::File::open(&args.file)
        .map_err(|e| Failure::usage(format!("cannot open {}: {e}", args.file.display())))?;
    let team = team::read(std::io::BufReader::new(file))
        .map_err(|e| Failure::usage(format!("{}: {e}", args.file.display())))?;
    for invalid in &team.invalid {
        warn(&format!("{}: {invalid}", args.file.display()));
    }
    if args.strict && !team.invalid.is_empty() {
        return Err(Failure::refused(format!(
            "{} invalid row(s) in {}; --strict: nothing was sent",
            team.invalid.len(),
            args.file.display()
        )));
    }
    Ok(team)
}

/// The plan for `members`, with a spinner on a terminal.
pub async fn make_plan(provisioner: &Provisioner, members: &[Member], quiet: bool) -> ChangeSet {
    let spinner = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.set_message("looking up what the vendors hold…");
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        spinner
    };
    let plan = provisioner.plan(members).await;
    spinner.finish_and_clear();
    plan
}

/// The Vyte teams the file names, planned (look-ups only) — `None` when Vyte is not among
/// `vendors` or no member names a team.
pub async fn plan_teams(
    provisioner: &Provisioner,
    vendors: &[Vendor],
    members: &[Member],
    prune: bool,
) -> Option<Result<Vec<TeamChange>, roster::Error>> {
    if !names_vyte_teams(vendors, members) {
        return None;
    }
    Some(provisioner.plan_vyte_teams(members, prune).await)
}

/// Whether the run manages Vyte teams: Vyte is among `vendors` and some member names a team.
pub fn names_vyte_teams(vendors: &[Vendor], members: &[Member]) -> bool {
    vendors.contains(&Vendor::Vyte) && members.iter().any(|m| !m.vyte.teams.is_empty())
}

/// `--prune`'s safety limit: a plan removing more people than `limit` is refused whole.
pub fn check_removals(plan: &ChangeSet, limit: usize) -> Result<(), Failure> {
    let people = plan.removed_people();
    if people > limit {
        return Err(Failure::refused(format!(
            "--prune would take out {people} people, more than the limit of {limit} \
             (--max-removals): is the file complete? Nothing was sent"
        )));
    }
    Ok(())
}

/// The configured sides of `ctx` a team command uses.
pub fn team_context(ctx: &Context, args: &TeamArgs) -> Result<(Vec<Vendor>, Provisioner), Failure> {
    let vendors = args.vendors();
    let provisioner = ctx.provisioner(&vendors)?;
    Ok((vendors, provisioner))
}
