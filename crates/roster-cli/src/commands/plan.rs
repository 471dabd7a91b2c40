//! `roster plan team.csv` (and `provision --dry-run`): what provisioning would change, per
//! vendor and member — create, update with the fields old → new, unchanged — and the accounts
//! the file does not name (what `--prune` would take out), from the vendors' real state, with
//! look-ups only. `--json` prints the same as one JSON document.

use std::fmt::Write as _;
use std::path::Path;

use clap::Args;
use roster::redact::terminal_safe;
use roster::{ChangeSet, Step, TeamAction, TeamChange, Vendor};
use serde_json::json;

use super::{TeamArgs, check_removals, load, make_plan, plan_teams, team_context};
use crate::context::Context;
use crate::out::{Failure, Out, cell, json_safe, wrap};

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub team: TeamArgs,
    /// Print the plan as one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What a plan is shown with.
pub struct Shown<'a> {
    pub file: &'a Path,
    /// The file line of each member, in plan order.
    pub lines: &'a [u64],
    pub set: &'a ChangeSet,
    pub vendors: &'a [Vendor],
    pub targets: Vec<(Vendor, String)>,
    pub prune: bool,
    pub limit: usize,
    /// The Vyte teams the file names, when it names any.
    pub teams: Option<&'a Result<Vec<TeamChange>, roster::Error>>,
}

pub async fn run(ctx: &Context, args: PlanArgs) -> Result<(), Failure> {
    let team = load(&args.team)?;
    let (vendors, provisioner) = team_context(ctx, &args.team)?;
    let (lines, members): (Vec<u64>, Vec<roster::Member>) =
        team.rows.into_iter().map(|r| (r.line, r.member)).unzip();
    let set = make_plan(&provisioner, &members, args.json).await;
    let teams = plan_teams(&provisioner, &vendors, &members, args.team.prune).await;
    let limit = args.team.removal_limit(members.len());
    let shown = Shown {
        file: &args.team.file,
        lines: &lines,
        set: &set,
        vendors: &vendors,
        targets: ctx.targets(&vendors),
        prune: args.team.prune,
        limit,
        teams: teams.as_ref(),
    };
    let mut out = Out::default();
    if args.json {
        out.line(json_safe(&as_json(&shown)));
    } else {
        out.print(&as_text(&shown));
    }
    if args.team.prune {
        check_removals(&set, limit)?;
    }
    let unknown: usize = vendors.iter().map(|v| set.counts(*v).3).sum::<usize>()
        + usize::from(matches!(teams, Some(Err(_))));
    if unknown > 0 {
        return Err(Failure::failed(format!(
            "{unknown} step(s) could not be decided: a vendor's answer was not understood"
        )));
    }
    Ok(())
}

fn action(step: &Step) -> &'static str {
    match step {
        Step::Create => "create",
        Step::Update => "update",
        Step::Unchanged => "unchanged",
        Step::Unknown(_) => "unknown",
    }
}

fn value(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("\"{}\"", terminal_safe(v, 30)),
        None => "(none)".to_owned(),
    }
}

/// The plan for a terminal, every line within 80 columns.
pub fn as_text(p: &Shown<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan for {} ({} member(s)); nothing is written",
        terminal_safe(&p.file.display().to_string(), 40),
        p.set.members.len()
    );
    for vendor in p.vendors {
        let (create, update, unchanged, unknown) = p.set.counts(*vendor);
        let removals: Vec<_> = p
            .set
            .removals
            .iter()
            .filter(|r| r.vendor == *vendor)
            .collect();
        let target = p
            .targets
            .iter()
            .find(|(v, _)| v == vendor)
            .map(|(_, t)| t.as_str())
            .unwrap_or_default();
        let _ = writeln!(out, "\n{} ({})", vendor.name(), terminal_safe(target, 60));
        let mut head = format!("{create} to create, {update} to update, {unchanged} unchanged");
        if unknown > 0 {
            let _ = write!(head, ", {unknown} unknown");
        }
        if p.prune {
            let _ = write!(head, ", {} to remove", removals.len());
        } else if !removals.is_empty() {
            let _ = write!(head, ", {} not in the file", removals.len());
        }
        let _ = write!(out, "{}", wrap(&head, 2));
        for member in &p.set.members {
            let Some(step) = member.step(*vendor) else {
                continue;
            };
            let (sign, what) = match &step.step {
                Step::Create => ("+", "create".to_owned()),
                Step::Update => ("~", "update".to_owned()),
                Step::Unchanged if !step.notes.is_empty() => ("=", "unchanged".to_owned()),
                Step::Unchanged => continue,
                Step::Unknown(e) => ("?", format!("unknown: {e}")),
            };
            let what = terminal_safe(&what, 200);
            let _ = writeln!(
                out,
                "  {sign} {} {}",
                cell(&member.email, 44),
                cell(&what, 30).trim_end()
            );
            for change in &step.changes {
                let _ = write!(
                    out,
                    "{}",
                    wrap(
                        &format!(
                            "{}: {} -> {}",
                            change.field,
                            value(&change.old),
                            value(&change.new)
                        ),
                        6
                    )
                );
            }
            for note in &step.notes {
                let _ = write!(
                    out,
                    "{}",
                    wrap(&format!("note: {}", terminal_safe(note, 300)), 6)
                );
            }
            if let Step::Unknown(e) = &step.step {
                let _ = write!(out, "{}", wrap(&e.to_string(), 6));
            }
        }
        for removal in removals {
            let email = removal.account.email.as_deref().unwrap_or_default();
            let what = if p.prune {
                format!("remove ({})", removal.action.as_str())
            } else {
                format!(
                    "not in the file; kept (--prune: {})",
                    removal.action.as_str()
                )
            };
            let sign = if p.prune { "-" } else { " " };
            let _ = writeln!(
                out,
                "  {sign} {} {}",
                cell(email, 44),
                cell(&what, 30).trim_end()
            );
        }
        if *vendor == Vendor::Vyte {
            out.push_str(&teams_text(p.teams));
        }
        if let Some((_, n)) = p.set.unmatched.iter().find(|(v, _)| v == vendor) {
            let _ = write!(
                out,
                "{}",
                wrap(
                    &format!("{n} listed account(s) without an address: never removed"),
                    2
                )
            );
        }
    }
    if p.prune {
        let people = p.set.removed_people();
        let verdict = if people > p.limit {
            "REFUSED: more than the limit"
        } else {
            "within the limit"
        };
        let _ = write!(
            out,
            "\n{}",
            wrap(
                &format!(
                    "--prune would take out {people} people ({verdict} of {}, --max-removals)",
                    p.limit
                ),
                0
            )
        );
    }
    out
}

/// The Vyte teams part of the plan, for a terminal.
fn teams_text(teams: Option<&Result<Vec<TeamChange>, roster::Error>>) -> String {
    let mut out = String::new();
    match teams {
        None => {}
        Some(Err(e)) => {
            let _ = write!(out, "{}", wrap(&format!("? teams: unknown: {e}"), 2));
        }
        Some(Ok(teams)) => {
            let (create, update) = teams.iter().fold((0, 0), |(c, u), t| match t.action {
                TeamAction::Create => (c + 1, u),
                TeamAction::Update => (c, u + 1),
                TeamAction::Unchanged => (c, u),
            });
            let _ = write!(
                out,
                "{}",
                wrap(
                    &format!(
                        "teams: {create} to create, {update} to update, {} unchanged",
                        teams.len() - create - update
                    ),
                    2
                )
            );
            for team in teams.iter().filter(|t| t.action != TeamAction::Unchanged) {
                let sign = if team.action == TeamAction::Create {
                    "+"
                } else {
                    "~"
                };
                let what = if team.action == TeamAction::Create {
                    "create"
                } else {
                    "update"
                };
                let name = format!("team {}", team.team);
                let _ = writeln!(out, "  {sign} {} {what}", cell(&name, 44));
                for (word, list) in [
                    ("add", &team.added),
                    ("remove", &team.removed),
                    ("drop (no longer users)", &team.dropped),
                ] {
                    if !list.is_empty() {
                        let _ = write!(
                            out,
                            "{}",
                            wrap(
                                &format!("{word}: {}", terminal_safe(&list.join(", "), 2_000)),
                                6
                            )
                        );
                    }
                }
            }
        }
    }
    out
}

fn team_action(action: TeamAction) -> &'static str {
    match action {
        TeamAction::Create => "create",
        TeamAction::Update => "update",
        TeamAction::Unchanged => "unchanged",
    }
}

/// The plan as one JSON document: every member in every vendor (unchanged ones included),
/// and the removals.
pub fn as_json(p: &Shown<'_>) -> serde_json::Value {
    let vendors: Vec<_> = p
        .vendors
        .iter()
        .map(|vendor| {
            let (create, update, unchanged, unknown) = p.set.counts(*vendor);
            let members: Vec<_> = p
                .set
                .members
                .iter()
                .zip(p.lines)
                .filter_map(|(m, line)| m.step(*vendor).map(|s| (m, line, s)))
                .map(|(m, line, s)| {
                    json!({
                        "line": line,
                        "email": m.email,
                        "action": action(&s.step),
                        "account_id": s.account_id,
                        "changes": s.changes.iter().map(|c| json!({"field": c.field, "old": c.old, "new": c.new})).collect::<Vec<_>>(),
                        "notes": s.notes,
                        "error": match &s.step { Step::Unknown(e) => Some(e.to_string()), _ => None },
                    })
                })
                .collect();
            let removals: Vec<_> = p
                .set
                .removals
                .iter()
                .filter(|r| r.vendor == *vendor)
                .map(|r| {
                    json!({
                        "email": r.account.email,
                        "account_id": r.account.id,
                        "action": r.action.as_str(),
                    })
                })
                .collect();
            let teams = match (vendor, p.teams) {
                (Vendor::Vyte, Some(Ok(teams))) => json!(teams
                    .iter()
                    .map(|t| json!({
                        "team": t.team,
                        "extid": t.extid,
                        "team_id": t.vendor_id,
                        "action": team_action(t.action),
                        "added": t.added,
                        "removed": t.removed,
                        "dropped": t.dropped,
                        "not_yet_users": t.not_yet_users,
                    }))
                    .collect::<Vec<_>>()),
                (Vendor::Vyte, Some(Err(e))) => json!({"error": e.to_string()}),
                _ => serde_json::Value::Null,
            };
            json!({
                "vendor": vendor.name(),
                "teams": teams,
                "target": p.targets.iter().find(|(v, _)| v == vendor).map(|(_, t)| t),
                "counts": {"create": create, "update": update, "unchanged": unchanged, "unknown": unknown, "not_in_file": removals.len()},
                "members": members,
                "not_in_file": removals,
            })
        })
        .collect();
    json!({
        "file": p.file.display().to_string(),
        "members": p.set.members.len(),
        "prune": p.prune,
        "max_removals": p.limit,
        "removals": if p.prune { p.set.removed_people() } else { 0 },
        "refused": p.prune && p.set.removed_people() > p.limit,
        "vendors": vendors,
    })
}
