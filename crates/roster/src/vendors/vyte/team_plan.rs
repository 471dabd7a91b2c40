//! Working out Vyte team membership from a team file, without a call: which Vyte team each
//! `vyte.teams` entry names, and for each managed team the member list wanted, what it adds,
//! removes and drops, and whether it must be created or updated (see
//! [`Provisioner::plan_vyte_teams`](crate::Provisioner::plan_vyte_teams) for the rules).

use std::collections::{HashMap, HashSet};

use roster_vyte::operations as op;
use roster_vyte::types;

use crate::error::{Error, Vendor};
use crate::member::Member;

const V: Vendor = Vendor::Vyte;

/// Vyte's users by address and by id, from one `GET /v2/users`.
pub(super) struct Users {
    by_email: HashMap<String, String>,
    /// Each user's first address, or none when Vyte lists it without one.
    by_id: HashMap<String, Option<String>>,
}

impl Users {
    /// The index of a listing; fails closed when a listed user has no `_id` or no `emails`
    /// (missing or `null`): such a user could be any member, or in any team.
    pub(super) fn new(users: Vec<types::User>) -> Result<Self, Error> {
        let mut index = Users {
            by_email: HashMap::with_capacity(users.len()),
            by_id: HashMap::with_capacity(users.len()),
        };
        let mut unreadable = 0;
        for user in users {
            let (Some(id), Some(emails)) = (user.id, user.emails) else {
                unreadable += 1;
                continue;
            };
            for email in &emails {
                index
                    .by_email
                    .entry(email.trim().to_ascii_lowercase())
                    .or_insert_with(|| id.clone());
            }
            index.by_id.insert(id, emails.into_iter().next());
        }
        if unreadable > 0 {
            return Err(Error::unusable_answer(
                V,
                op::LIST_USERS.id,
                format!(
                    "{unreadable} listed user(s) have no `_id` or no `emails`: team membership \
                     cannot be worked out"
                ),
            ));
        }
        Ok(index)
    }

    fn id_of(&self, email: &str) -> Option<&str> {
        self.by_email
            .get(&email.trim().to_ascii_lowercase())
            .map(String::as_str)
    }

    /// How a user id is shown: its first address, else the id itself.
    fn shown(&self, id: &str) -> String {
        match self.by_id.get(id) {
            Some(Some(email)) => email.clone(),
            _ => id.to_owned(),
        }
    }
}

/// One managed team, as a file and Vyte's listings make it.
#[derive(Debug)]
pub(super) struct Work<'m> {
    /// The team's name as Vyte shows it (or, for a team to create, the text of the file).
    pub team: String,
    /// Its `extid` (for a team to create, the text of the file).
    pub extid: Option<String>,
    /// Its Vyte `_id`; `None` for a team to create.
    pub vendor_id: Option<String>,
    /// The file's members naming it, first occurrence of each address, in file order.
    pub members: Vec<&'m Member>,
    /// Why it cannot be planned (an entry naming two teams, a team without `_id`).
    pub error: Option<Error>,
    /// The member list Vyte holds now (`None` for a team to create).
    pub current: Option<Vec<String>>,
}

/// What to do to one managed team.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Diff {
    /// The member list to send (current order, additions appended).
    pub wanted: Vec<String>,
    /// Addresses of the members added; in a plan, also those whose Vyte user does not exist
    /// yet (they are added once created).
    pub added: Vec<String>,
    /// Addresses (or ids, for a user listed without one) of the members removed.
    pub removed: Vec<String>,
    /// Ids in the list that are no user of the organization any more: never sent again.
    pub dropped: Vec<String>,
    /// Addresses of members naming the team who are not Vyte users.
    pub missing: Vec<String>,
    /// Whether `wanted` differs from the list Vyte holds (always, for a team to create).
    pub changes: bool,
}

/// The managed teams: every `vyte.teams` entry of `members` (each address's first member
/// only, entries trimmed, empty ones ignored) resolved against Vyte's `teams` — by `extid`
/// first (exactly), else by name (case-insensitively) — and grouped by the team they name; an
/// entry naming no team groups with the others spelling it the same way (case-insensitively)
/// as one team to create. In order of first mention.
pub(super) fn managed<'m>(members: &'m [Member], teams: &[types::Team]) -> Vec<Work<'m>> {
    let mut out: Vec<Work<'m>> = Vec::new();
    // A resolved team's index in `teams`, or an unresolved entry's lower-case text → `out`.
    let mut slot_of_team: HashMap<usize, usize> = HashMap::new();
    let mut slot_of_new: HashMap<String, usize> = HashMap::new();
    let mut seen_members: HashSet<String> = HashSet::new();
    for m in members {
        if !seen_members.insert(m.email().to_ascii_lowercase()) {
            continue;
        }
        let mut named_here: HashSet<usize> = HashSet::new();
        for text in m.vyte.teams.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let slot = match resolve(text, teams) {
                Resolved::Team(at) => *slot_of_team.entry(at).or_insert_with(|| {
                    out.push(existing(&teams[at]));
                    out.len() - 1
                }),
                Resolved::New => *slot_of_new
                    .entry(text.to_lowercase())
                    .or_insert_with(|| {
                        out.push(Work {
                            team: text.to_owned(),
                            extid: Some(text.to_owned()),
                            vendor_id: None,
                            members: Vec::new(),
                            error: None,
                            current: None,
                        });
                        out.len() - 1
                    }),
                Resolved::Ambiguous(error) => *slot_of_new
                    .entry(format!("\u{0}{}", text.to_lowercase()))
                    .or_insert_with(|| {
                        out.push(Work {
                            team: text.to_owned(),
                            extid: None,
                            vendor_id: None,
                            members: Vec::new(),
                            error: Some(error),
                            current: None,
                        });
                        out.len() - 1
                    }),
            };
            if named_here.insert(slot) {
                out[slot].members.push(m);
            }
        }
    }
    out
}

enum Resolved {
    Team(usize),
    New,
    Ambiguous(Error),
}

/// The team `text` names: the one whose `extid` is `text`, else the one whose name is
/// `text` ignoring case; an error when two match at the same step.
fn resolve(text: &str, teams: &[types::Team]) -> Resolved {
    let by_extid: Vec<usize> = (0..teams.len())
        .filter(|&i| teams[i].extid.as_deref() == Some(text))
        .collect();
    let by_name: Vec<usize> = (0..teams.len())
        .filter(|&i| {
            teams[i]
                .name
                .as_deref()
                .is_some_and(|n| n.trim().to_lowercase() == text.to_lowercase())
        })
        .collect();
    let (found, how) = if by_extid.is_empty() {
        (by_name, "name")
    } else {
        (by_extid, "extid")
    };
    match found.as_slice() {
        [] => Resolved::New,
        [one] => Resolved::Team(*one),
        many => Resolved::Ambiguous(Error::unusable_answer(
            V,
            op::LIST_TEAMS.id,
            format!(
                "{text:?} names {} Vyte teams (by {how}): which one is meant cannot be told",
                many.len()
            ),
        )),
    }
}

/// A listed team to manage; one without `_id` cannot be written to (fail closed).
fn existing<'m>(team: &types::Team) -> Work<'m> {
    let error = team.id.is_none().then(|| {
        Error::unusable_answer(V, op::LIST_TEAMS.id, "a listed team has no `_id`")
    });
    Work {
        team: team
            .name
            .clone()
            .or_else(|| team.extid.clone())
            .unwrap_or_default(),
        extid: team.extid.clone(),
        vendor_id: team.id.clone(),
        members: Vec::new(),
        error,
        // Missing or `null`: an empty list (the tolerance policy's reading of Vyte's arrays).
        current: Some(team.members.clone().unwrap_or_default()),
    }
}

/// The addresses of `members` that Vyte knows, as user ids: every member of the file (its
/// first occurrence), so that a file member who no longer names a team can be taken out.
pub(super) fn file_ids(members: &[Member], users: &Users) -> HashSet<String> {
    members
        .iter()
        .filter_map(|m| users.id_of(m.email()))
        .map(str::to_owned)
        .collect()
}

/// The member list `work` should hold: its current members in their order — those that
/// named it in the file, and (without `prune`) those not in the file at all — then the
/// file's members that named it and are not there yet, in file order. File members that do
/// not name it are removed; ids of users no longer in the organisation are dropped;
/// repeated ids are kept once.
pub(super) fn diff(work: &Work<'_>, users: &Users, in_file: &HashSet<String>, prune: bool) -> Diff {
    let mut diff = Diff {
        wanted: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
        dropped: Vec::new(),
        missing: Vec::new(),
        changes: false,
    };
    let mut naming: Vec<(&str, &Member)> = Vec::with_capacity(work.members.len());
    for m in &work.members {
        match users.id_of(m.email()) {
            Some(id) => naming.push((id, m)),
            None => diff.missing.push(m.email().to_owned()),
        }
    }
    let names: HashSet<&str> = naming.iter().map(|(id, _)| *id).collect();
    let mut kept: HashSet<&str> = HashSet::new();
    let current = work.current.as_deref().unwrap_or_default();
    for id in current {
        if !kept.insert(id) {
            continue;
        }
        if !users.by_id.contains_key(id.as_str()) {
            diff.dropped.push(id.clone());
        } else if names.contains(id.as_str()) || (!prune && !in_file.contains(id)) {
            diff.wanted.push(id.clone());
        } else {
            diff.removed.push(users.shown(id));
        }
    }
    for (id, m) in naming {
        if kept.insert(id) {
            diff.wanted.push(id.to_owned());
            diff.added.push(m.email().to_owned());
        }
    }
    diff.changes = work.current.is_none() || diff.wanted.as_slice() != current;
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, email: &str) -> types::User {
        serde_json::from_value(serde_json::json!({"_id": id, "emails": [email]})).expect("a user")
    }

    fn team(id: &str, extid: &str, name: &str, members: &[&str]) -> types::Team {
        serde_json::from_value(serde_json::json!({
            "_id": id, "extid": extid, "name": name, "members": members
        }))
        .expect("a team")
    }

    fn member(email: &str, teams: &[&str]) -> Member {
        let mut m = Member::new(email, "First", "Last").expect("valid");
        m.vyte.teams = teams.iter().map(|t| (*t).to_owned()).collect();
        m
    }

    fn users() -> Users {
        Users::new(vec![
            user("u-ann", "ann@example.com"),
            user("u-bob", "Bob@Example.com"),
            user("u-cy", "cy@example.com"),
            user("u-out", "outsider@example.com"),
        ])
        .expect("readable")
    }

    #[test]
    fn entries_name_a_team_by_extid_first_then_by_name_and_group_by_team() {
        let teams = [
            team("t1", "crm-1", "Sales", &[]),
            team("t2", "Sales", "Other", &[]),
            team("t3", "x", "Support", &[]),
        ];
        let file = [
            member("ann@example.com", &["Sales", "support"]),
            member("bob@example.com", &[" crm-1 ", "SUPPORT", "Support"]),
            member("cy@example.com", &["New team", "new TEAM", ""]),
            // A later copy of an address is not read.
            member("ANN@example.com", &["Other"]),
        ];
        let work = managed(&file, &teams);
        let view: Vec<(Option<&str>, &str, Vec<&str>)> = work
            .iter()
            .map(|w| {
                (
                    w.vendor_id.as_deref(),
                    w.team.as_str(),
                    w.members.iter().map(|m| m.email()).collect(),
                )
            })
            .collect();
        assert_eq!(
            view,
            [
                // "Sales" is t2's extid: extid wins over t1's name.
                (Some("t2"), "Other", vec!["ann@example.com"]),
                (Some("t3"), "Support", vec!["ann@example.com", "bob@example.com"]),
                (Some("t1"), "Sales", vec!["bob@example.com"]),
                // Two spellings of one new team: one team to create, named as first written.
                (None, "New team", vec!["cy@example.com"]),
            ]
        );
        assert_eq!(work[3].extid.as_deref(), Some("New team"));
        assert!(work.iter().all(|w| w.error.is_none()));
    }

    #[test]
    fn an_entry_naming_two_teams_is_an_error_for_that_team_only() {
        let teams = [
            team("t1", "a", "Sales", &[]),
            team("t2", "b", "sales", &[]),
            team("t3", "c", "Support", &[]),
        ];
        let file = [member("ann@example.com", &["SALES", "Support"])];
        let work = managed(&file, &teams);
        let message = work[0].error.as_ref().expect("ambiguous").to_string();
        assert!(message.contains("\"SALES\" names 2 Vyte teams (by name)"), "{message}");
        assert!(work[1].error.is_none());
    }

    #[test]
    fn a_member_moving_teams_is_removed_from_the_one_it_no_longer_names() {
        let teams = [
            team("t1", "a", "Sales", &["u-out", "u-ann", "u-bob"]),
            team("t2", "b", "Support", &["u-cy"]),
        ];
        let file = [
            member("ann@example.com", &["Sales"]),
            member("bob@example.com", &["Support"]),
            member("cy@example.com", &["Support"]),
        ];
        let users = users();
        let in_file = file_ids(&file, &users);
        let work = managed(&file, &teams);
        let sales = diff(&work[0], &users, &in_file, false);
        assert_eq!(sales.wanted, ["u-out", "u-ann"], "the outsider is kept");
        assert_eq!(sales.removed, ["Bob@Example.com"]);
        assert!(sales.added.is_empty() && sales.changes);
        let support = diff(&work[1], &users, &in_file, false);
        // Current order kept, additions appended.
        assert_eq!(support.wanted, ["u-cy", "u-bob"]);
        assert_eq!(support.added, ["bob@example.com"]);
        // With prune, the member not in the file goes too.
        let pruned = diff(&work[0], &users, &in_file, true);
        assert_eq!(pruned.wanted, ["u-ann"]);
        assert_eq!(pruned.removed, ["outsider@example.com", "Bob@Example.com"]);
    }

    #[test]
    fn a_team_as_wanted_is_unchanged_and_stale_or_repeated_ids_are_a_change() {
        let file = [member("ann@example.com", &["Sales"])];
        let users = users();
        let in_file = file_ids(&file, &users);
        let same = managed(&file, &[team("t1", "a", "Sales", &["u-out", "u-ann"])]);
        let d = diff(&same[0], &users, &in_file, false);
        assert!(!d.changes, "{d:?}");
        let stale = managed(&file, &[team("t1", "a", "Sales", &["u-gone", "u-ann", "u-ann"])]);
        let d = diff(&stale[0], &users, &in_file, false);
        assert_eq!(d.wanted, ["u-ann"]);
        assert_eq!(d.dropped, ["u-gone"]);
        assert!(d.changes && d.removed.is_empty());
    }

    #[test]
    fn members_not_in_vyte_are_missing_and_a_new_team_is_always_a_change() {
        let file = [
            member("ann@example.com", &["New"]),
            member("zed@example.com", &["New"]),
        ];
        let users = users();
        let work = managed(&file, &[]);
        let d = diff(&work[0], &users, &file_ids(&file, &users), false);
        assert_eq!(d.wanted, ["u-ann"]);
        assert_eq!(d.added, ["ann@example.com"]);
        assert_eq!(d.missing, ["zed@example.com"]);
        assert!(d.changes);
    }

    #[test]
    fn a_listing_with_a_user_without_emails_or_id_is_not_understood() {
        for odd in [
            serde_json::json!({"_id": "u-x"}),
            serde_json::json!({"_id": "u-x", "emails": null}),
            serde_json::json!({"emails": ["x@example.com"]}),
        ] {
            let odd: types::User = serde_json::from_value(odd).expect("a user");
            let Err(e) = Users::new(vec![user("u-ann", "ann@example.com"), odd]) else {
                panic!("fail closed");
            };
            assert_eq!(e.operation(), "list_users");
            assert!(e.to_string().contains("1 listed user(s)"), "{e}");
        }
        // An empty `emails` is understood: a user with no address.
        let none: types::User =
            serde_json::from_value(serde_json::json!({"_id": "u-x", "emails": []})).expect("a user");
        assert!(Users::new(vec![none]).is_ok());
    }
}
