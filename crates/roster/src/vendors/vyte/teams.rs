//! Vyte team membership kept in step with a team file through Vyte's Teams API: one teams
//! listing and one users listing, then one create per missing team (its members in the same
//! call) and one update per team whose member list changes (an update replaces the list), and
//! the public plan and report types ([`TeamChange`], [`TeamReport`]).

use futures::StreamExt;
use roster_vyte::operations as op;
use roster_vyte::prelude::*;
use roster_vyte::types;

use super::Side;
use super::team_plan::{self, Diff, Users, Work};
use crate::error::{Error, Vendor};
use crate::member::Member;
use crate::report::Outcome;
use crate::retry::Resilience;

const V: Vendor = Vendor::Vyte;

/// What a run would do to one Vyte team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAction {
    /// The team does not exist: it is created, with its members, in one call.
    Create,
    /// Its member list changes: one update sends the whole new list.
    Update,
    /// Its member list is as wanted: nothing is sent.
    Unchanged,
}

/// One managed Vyte team in a plan ([`Provisioner::plan_vyte_teams`](crate::Provisioner::plan_vyte_teams)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamChange {
    /// The team's name as Vyte shows it; for a team to create, the text of the file.
    pub team: String,
    /// The team's `extid` (your id for it); for a team to create, the text of the file.
    pub extid: Option<String>,
    /// The team's Vyte id (`_id`); `None` for a team to create.
    pub vendor_id: Option<String>,
    /// What the run would do.
    pub action: TeamAction,
    /// Addresses of the members it would add (including members whose Vyte user the run
    /// creates first: see [`TeamChange::not_yet_users`]).
    pub added: Vec<String>,
    /// Addresses of the members it would remove (the user id, for a user Vyte lists without
    /// an address).
    pub removed: Vec<String>,
    /// Ids in the team's list that are no longer users of the organisation: left out of the
    /// update (never sent back).
    pub dropped: Vec<String>,
    /// Of [`TeamChange::added`], the addresses that are not Vyte users yet: added once the
    /// run has created their users (a sync fails the team if they still are not).
    pub not_yet_users: Vec<String>,
}

/// What a sync did to one Vyte team ([`Provisioner::sync_vyte_teams`](crate::Provisioner::sync_vyte_teams)).
#[derive(Debug, Clone)]
pub struct TeamReport {
    /// The team's name as Vyte shows it; for a created team, the text of the file.
    pub team: String,
    /// The team's `extid` (your id for it).
    pub extid: Option<String>,
    /// The team's Vyte id (`_id`), when known (a create whose answer has none leaves it out).
    pub vendor_id: Option<String>,
    /// [`Outcome::Created`], [`Outcome::Updated`], [`Outcome::Unchanged`] or
    /// [`Outcome::Failed`] (nothing was changed in that team then).
    pub outcome: Outcome,
    /// Addresses of the members added (what would have been, for a failed team).
    pub added: Vec<String>,
    /// Addresses of the members removed (the user id, for a user listed without an address).
    pub removed: Vec<String>,
    /// Ids no longer users of the organisation, left out of the team's list.
    pub dropped: Vec<String>,
}

/// The teams and users of the organisation, each in one call (concurrently).
async fn listings(side: &Side, r: &Resilience) -> Result<(Vec<types::Team>, Users), Error> {
    let client = &side.client;
    let (teams, users) = futures::future::join(
        r.run(V, op::LIST_TEAMS, || client.list_teams().send()),
        super::list_users(client, r),
    )
    .await;
    Ok((teams?.0, Users::new(users?)?))
}

/// A team planned: its work and what changes.
type Planned<'m> = (Work<'m>, Result<Diff, Error>);

/// Every managed team of `members`, with what changes in it.
fn planned<'m>(
    members: &'m [Member],
    teams: &[types::Team],
    users: &Users,
    prune: bool,
) -> Vec<Planned<'m>> {
    let in_file = team_plan::file_ids(members, users);
    team_plan::managed(members, teams)
        .into_iter()
        .map(|mut work| {
            let diff = match work.error.take() {
                Some(error) => Err(error),
                None => Ok(team_plan::diff(&work, users, &in_file, prune)),
            };
            (work, diff)
        })
        .collect()
}

/// See [`Provisioner::plan_vyte_teams`](crate::Provisioner::plan_vyte_teams).
pub(crate) async fn plan(
    side: &Side,
    r: &Resilience,
    members: &[Member],
    prune: bool,
) -> Result<Vec<TeamChange>, Error> {
    let (teams, users) = listings(side, r).await?;
    planned(members, &teams, &users, prune)
        .into_iter()
        .map(|(work, diff)| {
            let diff = diff?;
            let action = match (&work.vendor_id, diff.changes || !diff.missing.is_empty()) {
                (None, _) => TeamAction::Create,
                (Some(_), true) => TeamAction::Update,
                (Some(_), false) => TeamAction::Unchanged,
            };
            let mut added = diff.added;
            added.extend(diff.missing.iter().cloned());
            Ok(TeamChange {
                team: work.team,
                extid: work.extid,
                vendor_id: work.vendor_id,
                action,
                added,
                removed: diff.removed,
                dropped: diff.dropped,
                not_yet_users: diff.missing,
            })
        })
        .collect()
}

/// See [`Provisioner::sync_vyte_teams`](crate::Provisioner::sync_vyte_teams).
pub(crate) async fn sync(
    side: &Side,
    r: &Resilience,
    concurrency: usize,
    members: &[Member],
    prune: bool,
) -> Vec<TeamReport> {
    let (teams, users) = match listings(side, r).await {
        Ok(listed) => listed,
        Err(error) => return failed_everywhere(members, &error),
    };
    let planned = planned(members, &teams, &users, prune);
    let mut reports: Vec<(usize, TeamReport)> = futures::stream::iter(planned.into_iter().enumerate())
        .map(|(at, (work, diff))| async move { (at, apply(side, r, work, diff).await) })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    reports.sort_by_key(|(at, _)| *at);
    reports.into_iter().map(|(_, report)| report).collect()
}

/// Every team the file names failed with `error` (a listing failed: nothing was sent).
pub(crate) fn failed_everywhere(members: &[Member], error: &Error) -> Vec<TeamReport> {
    tracing::warn!(vendor = %V, operation = error.operation(), error = %error, "vyte teams not synced");
    team_plan::managed(members, &[])
        .into_iter()
        .map(|work| TeamReport {
            team: work.team,
            extid: None,
            vendor_id: None,
            outcome: Outcome::Failed(error.clone()),
            added: Vec::new(),
            removed: Vec::new(),
            dropped: Vec::new(),
        })
        .collect()
}

/// Creates or updates one team as planned: never on a plan with members missing from Vyte.
async fn apply(side: &Side, r: &Resilience, work: Work<'_>, diff: Result<Diff, Error>) -> TeamReport {
    let mut report = TeamReport {
        team: work.team,
        extid: work.extid,
        vendor_id: work.vendor_id,
        outcome: Outcome::Unchanged,
        added: Vec::new(),
        removed: Vec::new(),
        dropped: Vec::new(),
    };
    let diff = match diff {
        Ok(diff) => diff,
        Err(error) => return failed(report, error),
    };
    report.added = diff.added;
    report.removed = diff.removed;
    report.dropped = diff.dropped;
    let operation = match report.vendor_id {
        Some(_) => op::UPDATE_TEAM.id,
        None => op::CREATE_TEAM.id,
    };
    if !diff.missing.is_empty() {
        report.added.extend(diff.missing.iter().cloned());
        let error = Error::invalid_request(
            V,
            operation,
            format!(
                "not a Vyte user: {} (was the user created?); the team is left as it is",
                diff.missing.join(", ")
            ),
        );
        return failed(report, error);
    }
    if !diff.changes {
        return report;
    }
    let client = &side.client;
    let result = match &report.vendor_id {
        Some(id) => {
            // Only `members`: the admin list and every other field are left as they are.
            let body = types::TeamUpdate {
                members: Some(diff.wanted.into()),
                ..Default::default()
            };
            r.run(V, op::UPDATE_TEAM, || {
                client.update_team().team_id(id).body(body.clone()).send()
            })
            .await
            .map(|_| Outcome::Updated)
        }
        None => {
            let text = report.team.clone();
            let body = types::TeamCreate {
                extid: text.clone(),
                name: text,
                members: Some(diff.wanted.into()),
                admins: None,
                level_name: None,
                organization: None,
                public: None,
            };
            // Not idempotent: never sent twice (a failure is reported; the next run finds
            // the team by its extid if it was created after all).
            r.run(V, op::CREATE_TEAM, || {
                client.create_team().body(body.clone()).send()
            })
            .await
            .map(|answer| {
                report.vendor_id = answer.0.and_then(|team| team.id);
                Outcome::Created
            })
        }
    };
    match result {
        Ok(outcome) => {
            report.outcome = outcome;
            report
        }
        Err(error) => failed(report, error),
    }
}

fn failed(mut report: TeamReport, error: Error) -> TeamReport {
    tracing::warn!(vendor = %V, operation = error.operation(), team = %report.team, error = %error, "vyte team not synced");
    report.outcome = Outcome::Failed(error);
    report
}
