//! Vyte's teams as the fake keeps them: each team's fields, member and admin lists (user ids,
//! as sent), booked events and admins' e-mail preferences, and how team, event and
//! preferences `_id`s are made from the users' id scheme without ever meeting a user's.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use roster::vyte::types;

use super::Reject;
use super::store::Store;

/// Added to a team's number to make its `_id` (users count from 0, so no team id is ever a
/// user's, and the other way round).
const TEAM_BASE: u64 = 1 << 60;
/// Added to an event's number to make its `_id`.
const EVENT_BASE: u64 = 2 << 60;
/// Added to a team's number to make its admin preferences' `_id`.
const PREFS_BASE: u64 = 3 << 60;

/// A team: what its answers show.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct StoredTeam {
    pub extid: String,
    pub name: String,
    pub level_name: Option<String>,
    /// As sent: a boolean or a string (Vyte's examples write `"false"`).
    pub public: Option<types::TeamPublic>,
    /// User ids, in the order sent. Unlinking a user leaves these lists as they are.
    pub admins: Vec<String>,
    pub members: Vec<String>,
    pub events: Vec<StoredEvent>,
    pub prefs: Option<StoredPrefs>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl StoredTeam {
    /// Whether the team has a public view: `public` true, or the string `"true"` (any case).
    pub(super) fn is_public(&self) -> bool {
        match &self.public {
            Some(types::TeamPublic::Boolean(public)) => *public,
            Some(types::TeamPublic::String(public)) => public.trim().eq_ignore_ascii_case("true"),
            None => false,
        }
    }
}

/// A booked event: the booking as sent, its number and the member it went to.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct StoredEvent {
    pub seq: u64,
    pub booking: types::EventBooking,
    /// The user id of the member Vyte assigned.
    pub user: String,
}

/// The e-mail preferences of a team's admins.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct StoredPrefs {
    pub email: BTreeMap<String, bool>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The organization's teams, by creation number, with the counters of new ids.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Teams {
    pub by_seq: BTreeMap<u64, StoredTeam>,
    pub next: u64,
    pub next_event: u64,
}

impl Teams {
    /// The number of the team with `extid`, when there is one.
    pub(super) fn by_extid(&self, extid: &str) -> Option<u64> {
        self.by_seq
            .iter()
            .find(|(_, team)| team.extid == extid)
            .map(|(seq, _)| *seq)
    }
}

impl Store {
    /// The `_id` of team number `seq`.
    pub(super) fn team_id(&self, seq: u64) -> String {
        self.id(TEAM_BASE + seq)
    }

    /// The `_id` of event number `seq`.
    pub(super) fn event_id(&self, seq: u64) -> String {
        self.id(EVENT_BASE + seq)
    }

    /// The `_id` of team number `seq`'s admin preferences.
    pub(super) fn prefs_id(&self, seq: u64) -> String {
        self.id(PREFS_BASE + seq)
    }

    /// The number of the team with `_id` `id`: 404 for any id this organization never gave.
    pub(super) fn team_seq(&self, id: &str) -> Result<u64, Reject> {
        self.seq(id)
            .ok()
            .and_then(|n| n.checked_sub(TEAM_BASE))
            .filter(|seq| *seq < TEAM_BASE && self.teams.by_seq.contains_key(seq))
            .ok_or_else(Reject::team_not_found)
    }

    /// Whether `id` is the `_id` of a user linked to the organization now.
    pub(super) fn is_user(&self, id: &str) -> bool {
        self.seq(id).is_ok_and(|seq| self.users.contains_key(&seq))
    }

    /// `ids` when every one names a linked user. The fake's inference (Vyte documents no such
    /// check): a team lists users of its organization, so an id that is none is refused — with
    /// a 404, Vyte's status for "no such user or resource in your organization", not a 400: a
    /// list of strings is a valid body by the spec, which cannot say which ids exist.
    pub(super) fn user_ids(&self, ids: &[String], field: &str) -> Result<(), Reject> {
        match ids.iter().find(|id| !self.is_user(id)) {
            Some(unknown) => Err(Reject {
                status: axum::http::StatusCode::NOT_FOUND,
                message: format!("User not found in {field}: {unknown}"),
            }),
            None => Ok(()),
        }
    }

    /// 409 when `extid` is another team's than `seq` (the fake's inference: your id for a
    /// team names one team).
    pub(super) fn extid_free(&self, extid: &str, seq: Option<u64>) -> Result<(), Reject> {
        match self.teams.by_extid(extid) {
            Some(other) if Some(other) != seq => Err(Reject::conflict(format!(
                "extid already used by another team: {extid}"
            ))),
            _ => Ok(()),
        }
    }

    /// The team's answer.
    pub(super) fn to_team(&self, seq: u64, team: &StoredTeam) -> types::Team {
        types::Team {
            id: Some(self.team_id(seq)),
            organization: Some(super::ORG_ID.to_owned()),
            extid: Some(team.extid.clone()),
            name: Some(team.name.clone()),
            level_name: team.level_name.clone(),
            public: Some(
                team.public
                    .clone()
                    .unwrap_or(types::TeamPublic::Boolean(false)),
            ),
            admins: Some(team.admins.clone()),
            members: Some(team.members.clone()),
            created_at: Some(team.created_at),
            updated_at: Some(team.updated_at),
            v: Some(team.version),
            extra: serde_json::Map::new(),
        }
    }

    /// The admin preferences' answer of team `seq` (defaults, never stored, before any write).
    pub(super) fn to_prefs(&self, seq: u64, team: &StoredTeam) -> types::TeamAdminPreferences {
        let (email, created_at, updated_at, version) = match &team.prefs {
            Some(p) => (p.email.clone(), p.created_at, p.updated_at, p.version),
            None => (BTreeMap::new(), team.created_at, team.created_at, 0),
        };
        types::TeamAdminPreferences {
            prefs: Some(types::AdminPrefs {
                email: Some(
                    email
                        .into_iter()
                        .map(|(kind, on)| (kind, Some(on)))
                        .collect::<HashMap<_, _>>(),
                ),
                extra: serde_json::Map::new(),
            }),
            id: Some(self.prefs_id(seq)),
            belongs_to: Some(self.team_id(seq)),
            created_at: Some(created_at),
            updated_at: Some(updated_at),
            v: Some(version),
            extra: serde_json::Map::new(),
        }
    }
}
