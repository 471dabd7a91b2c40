//! Vyte's state: the organization's linked users, by creation number, with email and extid
//! indexes, and how their opaque `_id`s are made and read back; and its teams.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::Reject;

/// A user as the fake keeps it: only what answers show.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredUser {
    /// `None`: created without an address (nothing in the body is required).
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub picture_url: Option<String>,
    pub extid: Option<String>,
    /// Connected calendar kinds, a bit per [`CALENDARS`](super::CALENDARS) entry.
    pub calendars: u8,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The organization's linked users, by creation number, with email and extid indexes (saved
/// whole by a persistent sandbox: `crate::state`).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct Store {
    /// The first 8 hex digits of every `_id` (like an ObjectId's seconds).
    id_prefix: String,
    pub users: BTreeMap<u64, StoredUser>,
    /// Lower-cased email → user number.
    pub by_email: HashMap<String, u64>,
    pub by_extid: HashMap<String, u64>,
    pub next: u64,
    /// The organization's teams (`team_store.rs`); absent from a state file written before
    /// teams were served, which still loads.
    #[serde(default)]
    pub teams: super::team_store::Teams,
}

impl Store {
    pub(super) fn new(id_prefix: String) -> Self {
        Self {
            id_prefix,
            ..Self::default()
        }
    }

    /// The `_id` of user number `seq`.
    pub(super) fn id(&self, seq: u64) -> String {
        format!("{}{seq:016x}", self.id_prefix)
    }

    /// The number of the user with `_id` `id`: 404 for any id this organization never gave
    /// (ids are opaque strings in the spec, so no shape is refused as malformed).
    pub(super) fn seq(&self, id: &str) -> Result<u64, Reject> {
        if id.len() != 24 || !id.is_ascii() {
            return Err(Reject::not_found());
        }
        match id.split_at(8) {
            (prefix, counter) if prefix.eq_ignore_ascii_case(&self.id_prefix) => {
                u64::from_str_radix(counter, 16).map_err(|_| Reject::not_found())
            }
            _ => Err(Reject::not_found()),
        }
    }

    pub(super) fn insert(&mut self, seq: u64, user: StoredUser) {
        if let Some(email) = &user.email {
            self.by_email.insert(email.to_ascii_lowercase(), seq);
        }
        if let Some(extid) = &user.extid {
            self.by_extid.insert(extid.clone(), seq);
        }
        self.users.insert(seq, user);
    }

    pub(super) fn remove(&mut self, seq: u64) -> Option<StoredUser> {
        let user = self.users.remove(&seq)?;
        if let Some(email) = &user.email {
            self.by_email.remove(&email.to_ascii_lowercase());
        }
        if let Some(extid) = &user.extid {
            self.by_extid.remove(extid);
        }
        Some(user)
    }

    /// Undoes applied writes, newest first.
    pub(super) fn rollback(&mut self, undo: Vec<Undo>) {
        for Undo { seq, previous } in undo.into_iter().rev() {
            self.remove(seq);
            if let Some(previous) = previous {
                self.insert(seq, previous);
            }
        }
    }
}

/// How to undo one applied write: the user number and what it held before (`None`: created).
pub(super) struct Undo {
    pub seq: u64,
    pub previous: Option<StoredUser>,
}

/// What one applied item answers.
pub(super) struct Applied {
    pub seq: u64,
    /// A new user that asked to finish signing up by email.
    pub signup_link: bool,
}

pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}
