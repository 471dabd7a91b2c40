//! Vectera's state: users (with an email index), organizations with their members and
//! subscription, meeting rooms with their access permissions, and pending login tokens.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::ops::Bound;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::filter::{Kind, Row, Val};

/// How long a login token works (Vectera: "once within one minute").
pub(super) const LOGIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);

/// A user. The password is not kept: it is never answered, and nothing here logs in with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct User {
    pub first_name: Box<str>,
    pub last_name: Box<str>,
    pub email: Box<str>,
    pub organization: Option<Uuid>,
    pub managed: bool,
}

/// An organization (team).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Organization {
    pub name: String,
    pub members: BTreeSet<i64>,
    pub plan: String,
    pub seats: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum PublicAccess {
    CanAlwaysJoin,
    ShouldKnock,
}

impl PublicAccess {
    pub(super) const CHOICES: [(&'static str, PublicAccess); 2] = [
        ("can_always_join", PublicAccess::CanAlwaysJoin),
        ("should_knock", PublicAccess::ShouldKnock),
    ];

    pub(super) fn as_str(self) -> &'static str {
        match self {
            PublicAccess::CanAlwaysJoin => "can_always_join",
            PublicAccess::ShouldKnock => "should_knock",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Access {
    CanAlwaysJoin,
    IsHost,
}

impl Access {
    pub(super) const CHOICES: [(&'static str, Access); 2] = [
        ("can_always_join", Access::CanAlwaysJoin),
        ("is_host", Access::IsHost),
    ];

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Access::CanAlwaysJoin => "can_always_join",
            Access::IsHost => "is_host",
        }
    }
}

/// An access permission: its level and its 30-character key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Permission {
    pub level: Access,
    pub key: Box<str>,
}

/// A meeting room.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Meeting {
    pub key: String,
    pub owner: Option<i64>,
    pub created: DateTime<Utc>,
    pub public: PublicAccess,
    pub forward_url: String,
    pub last_opened: Option<DateTime<Utc>>,
    pub permissions: BTreeMap<i64, Permission>,
}

/// Emails, lower-cased, by domain then by the reversed local part: an exact address is two
/// look-ups, and every address containing `local@domain` (a search term with an `@`) is a
/// range per domain that starts with `domain`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct EmailIndex {
    by_domain: BTreeMap<Box<str>, BTreeMap<Box<str>, i64>>,
}

fn split(email: &str) -> Option<(String, String)> {
    let lower = email.to_lowercase();
    let (local, domain) = lower.rsplit_once('@')?;
    Some((local.chars().rev().collect(), domain.to_owned()))
}

impl EmailIndex {
    pub(super) fn get(&self, email: &str) -> Option<i64> {
        let (local, domain) = split(email)?;
        self.by_domain
            .get(domain.as_str())?
            .get(local.as_str())
            .copied()
    }

    fn insert(&mut self, email: &str, id: i64) {
        if let Some((local, domain)) = split(email) {
            self.by_domain
                .entry(domain.into_boxed_str())
                .or_default()
                .insert(local.into_boxed_str(), id);
        }
    }

    fn remove(&mut self, email: &str) {
        if let Some((local, domain)) = split(email)
            && let Some(locals) = self.by_domain.get_mut(domain.as_str())
        {
            locals.remove(local.as_str());
            if locals.is_empty() {
                self.by_domain.remove(domain.as_str());
            }
        }
    }

    /// The ids of every address containing `term` (lower-cased, with exactly one `@`), sorted.
    pub(super) fn containing(&self, term: &str) -> Vec<i64> {
        let Some((local, domain)) = term.split_once('@') else {
            return Vec::new();
        };
        if domain.contains('@') {
            return Vec::new();
        }
        let local: String = local.chars().rev().collect();
        let mut ids = Vec::new();
        let domains = self
            .by_domain
            .range::<str, _>((Bound::Included(domain), Bound::Unbounded))
            .take_while(|(d, _)| d.starts_with(domain));
        for (_, locals) in domains {
            ids.extend(
                locals
                    .range::<str, _>((Bound::Included(local.as_str()), Bound::Unbounded))
                    .take_while(|(l, _)| l.starts_with(local.as_str()))
                    .map(|(_, id)| *id),
            );
        }
        ids.sort_unstable();
        ids
    }
}

/// The low 48 bits of a public id: the row number.
const ID_ROW_MASK: u128 = (1 << 48) - 1;
/// The token's own user: the id of Vectera's filter guide (`ownerId =
/// 8d077d9b-528d-4d4c-bfe8-1a9945090b6d`), which the spec's examples use. Every public id
/// shares its upper 80 bits (a version-4 UUID's); the low 48 bits number the rows.
pub(super) const ADMIN_ID: &str = "8d077d9b-528d-4d4c-bfe8-1a9945090b6d";
/// The token's own organization: the spec's example `organizationId`.
pub(super) const ORGANIZATION_ID: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";

fn admin_uuid() -> u128 {
    Uuid::try_parse(ADMIN_ID).map_or(0, |id| id.as_u128())
}

/// The upper 80 bits of every public id (see [`Store::public_id`]).
fn id_prefix() -> u128 {
    admin_uuid() & !ID_ROW_MASK
}

/// Everything the fake holds (saved by a persistent sandbox, `crate::state`, but for the
/// one-minute login tokens, which are per process).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Store {
    pub users: BTreeMap<i64, User>,
    pub emails: EmailIndex,
    /// Users with an `@` in a name, which a search term with an `@` may match by name.
    pub at_in_name: BTreeSet<i64>,
    next_user: i64,
    /// The token's own user (`me`) and organization.
    pub me: i64,
    pub my_organization: Uuid,
    pub organizations: HashMap<Uuid, Organization>,
    pub meetings: BTreeMap<i64, Meeting>,
    /// Meeting keys, lower-cased (unique).
    pub meeting_keys: HashMap<String, i64>,
    next_meeting: i64,
    next_permission: i64,
    #[serde(skip)]
    login_tokens: HashMap<Box<str>, (i64, Instant)>,
    #[serde(skip)]
    login_order: VecDeque<(Instant, Box<str>)>,
    /// The upper 80 bits of every public id (see [`Store::public_id`]): a constant.
    #[serde(skip, default = "id_prefix")]
    id_prefix: u128,
}

impl Store {
    /// A team of one: the token's user, a team admin, in its organization.
    pub(super) fn new() -> Self {
        let my_organization = Uuid::try_parse(ORGANIZATION_ID).unwrap_or_else(|_| Uuid::new_v4());
        // Users are numbered from the admin's row, so the admin's id is `ADMIN_ID`.
        let first_user = i64::try_from(admin_uuid() & ID_ROW_MASK).unwrap_or(1001);
        let mut store = Self {
            users: BTreeMap::new(),
            emails: EmailIndex::default(),
            at_in_name: BTreeSet::new(),
            next_user: first_user,
            me: first_user,
            my_organization,
            organizations: HashMap::new(),
            meetings: BTreeMap::new(),
            meeting_keys: HashMap::new(),
            next_meeting: 501,
            next_permission: 78,
            login_tokens: HashMap::new(),
            login_order: VecDeque::new(),
            id_prefix: id_prefix(),
        };
        store.organizations.insert(
            my_organization,
            Organization {
                name: "Sandbox Team".to_owned(),
                members: BTreeSet::new(),
                plan: "business".to_owned(),
                seats: 25,
            },
        );
        store.me = store.add_user(User {
            first_name: "Ada".into(),
            last_name: "Admin".into(),
            email: "admin@sandbox.example.com".into(),
            organization: Some(my_organization),
            managed: false,
        });
        store
    }

    /// The public id of row `n` (a user, meeting or permission): a UUID string, as Vectera's
    /// ids are, whose low 48 bits are the row number (so lists stay in creation order).
    pub(super) fn public_id(&self, n: i64) -> String {
        let row = u128::from(n.unsigned_abs()) & ID_ROW_MASK;
        Uuid::from_u128(self.id_prefix | row)
            .hyphenated()
            .to_string()
    }

    /// The row number of a public id this store made (any case); `None` for anything else.
    pub(super) fn row_of(&self, id: &str) -> Option<i64> {
        if id.len() != 36 {
            return None;
        }
        let value = Uuid::try_parse(id).ok()?.as_u128();
        if value & !ID_ROW_MASK != self.id_prefix {
            return None;
        }
        i64::try_from(value & ID_ROW_MASK).ok()
    }

    pub(super) fn add_user(&mut self, user: User) -> i64 {
        let id = self.next_user;
        self.next_user += 1;
        self.index(id, &user);
        self.users.insert(id, user);
        id
    }

    fn index(&mut self, id: i64, user: &User) {
        self.emails.insert(&user.email, id);
        if user.first_name.contains('@') || user.last_name.contains('@') {
            self.at_in_name.insert(id);
        }
        if let Some(org) = user
            .organization
            .and_then(|o| self.organizations.get_mut(&o))
        {
            org.members.insert(id);
        }
    }

    fn unindex(&mut self, id: i64, user: &User) {
        self.emails.remove(&user.email);
        self.at_in_name.remove(&id);
        if let Some(org) = user
            .organization
            .and_then(|o| self.organizations.get_mut(&o))
        {
            org.members.remove(&id);
        }
    }

    /// Replaces user `id` (which exists), keeping the indexes right.
    pub(super) fn replace_user(&mut self, id: i64, user: User) {
        if let Some(old) = self.users.remove(&id) {
            self.unindex(id, &old);
        }
        self.index(id, &user);
        self.users.insert(id, user);
    }

    pub(super) fn remove_user(&mut self, id: i64) -> bool {
        match self.users.remove(&id) {
            Some(user) => {
                // Its pending login tokens stay until they expire: using one checks the user.
                self.unindex(id, &user);
                true
            }
            None => false,
        }
    }

    /// Deletes an organization; its members stay, without one.
    pub(super) fn remove_organization(&mut self, id: Uuid) -> bool {
        let Some(org) = self.organizations.remove(&id) else {
            return false;
        };
        for member in org.members {
            if let Some(user) = self.users.get_mut(&member) {
                user.organization = None;
            }
        }
        true
    }

    pub(super) fn add_meeting(&mut self, meeting: Meeting) -> i64 {
        let id = self.next_meeting;
        self.next_meeting += 1;
        self.meeting_keys.insert(meeting.key.to_lowercase(), id);
        self.meetings.insert(id, meeting);
        id
    }

    pub(super) fn rekey_meeting(&mut self, id: i64, key: String) {
        if let Some(meeting) = self.meetings.get_mut(&id) {
            self.meeting_keys.remove(&meeting.key.to_lowercase());
            self.meeting_keys.insert(key.to_lowercase(), id);
            meeting.key = key;
        }
    }

    pub(super) fn remove_meeting(&mut self, id: i64) -> bool {
        match self.meetings.remove(&id) {
            Some(meeting) => {
                self.meeting_keys.remove(&meeting.key.to_lowercase());
                true
            }
            None => false,
        }
    }

    pub(super) fn next_permission_id(&mut self) -> i64 {
        let id = self.next_permission;
        self.next_permission += 1;
        id
    }

    /// A new one-time login token for `user`; expired tokens are forgotten on the way.
    pub(super) fn add_login_token(&mut self, user: i64, token: &str) {
        let now = Instant::now();
        self.expire_login_tokens(now);
        self.login_tokens.insert(token.into(), (user, now));
        self.login_order.push_back((now, token.into()));
    }

    /// Uses a login token: the user it logs in, once, within its lifetime.
    pub(super) fn use_login_token(&mut self, token: &str) -> Option<i64> {
        let now = Instant::now();
        self.expire_login_tokens(now);
        let (user, _) = self.login_tokens.remove(token)?;
        self.users.contains_key(&user).then_some(user)
    }

    fn expire_login_tokens(&mut self, now: Instant) {
        while let Some((at, _)) = self.login_order.front() {
            if now.duration_since(*at) < LOGIN_TOKEN_LIFETIME {
                break;
            }
            if let Some((_, token)) = self.login_order.pop_front() {
                self.login_tokens.remove(&token);
            }
        }
    }
}

/// A user as a list row.
pub(super) struct UserRow<'a> {
    pub id: i64,
    pub user: &'a User,
    /// The public id (a UUID string).
    public: String,
    /// The organization id as text (filters compare it as a string), made when first asked.
    organization: OnceCell<Option<String>>,
}

impl<'a> UserRow<'a> {
    pub(super) fn new(store: &Store, id: i64, user: &'a User) -> Self {
        Self {
            id,
            user,
            public: store.public_id(id),
            organization: OnceCell::new(),
        }
    }
}

impl Row for UserRow<'_> {
    fn kind(field: &str) -> Option<Kind> {
        Some(match field {
            "id" | "firstName" | "lastName" | "email" | "organizationId" => Kind::Str,
            "isManaged" => Kind::Bool,
            _ => return None,
        })
    }

    fn get(&self, field: &str) -> Val<'_> {
        match field {
            "id" => Val::Str(&self.public),
            "firstName" => Val::Str(&self.user.first_name),
            "lastName" => Val::Str(&self.user.last_name),
            "email" => Val::Str(&self.user.email),
            "organizationId" => self
                .organization
                .get_or_init(|| self.user.organization.map(|o| o.to_string()))
                .as_deref()
                .map_or(Val::Null, Val::Str),
            "isManaged" => Val::Bool(self.user.managed),
            _ => Val::Null,
        }
    }

    fn matches(&self, term: &str) -> bool {
        [
            &self.user.first_name,
            &self.user.last_name,
            &self.user.email,
        ]
        .iter()
        .any(|text| text.to_lowercase().contains(term))
    }

    fn id(&self) -> i64 {
        self.id
    }
}

/// A meeting room as a list row.
pub(super) struct MeetingRow<'a> {
    pub id: i64,
    pub meeting: &'a Meeting,
    /// The public ids of the room and of its owner (UUID strings).
    pub public: String,
    pub owner_public: Option<String>,
}

impl Row for MeetingRow<'_> {
    fn kind(field: &str) -> Option<Kind> {
        Some(match field {
            "id" | "ownerId" | "key" | "publicAccessLevel" | "forwardUrl" | "name" => Kind::Str,
            "locked" | "trashed" | "isTrashed" => Kind::Bool,
            "dateCreated" | "lastOpened" => Kind::Time,
            _ => return None,
        })
    }

    fn get(&self, field: &str) -> Val<'_> {
        let m = self.meeting;
        match field {
            "id" => Val::Str(&self.public),
            "ownerId" => self.owner_public.as_deref().map_or(Val::Null, Val::Str),
            "key" => Val::Str(&m.key),
            "publicAccessLevel" => Val::Str(m.public.as_str()),
            "forwardUrl" => Val::Str(&m.forward_url),
            "locked" => Val::Bool(m.public == PublicAccess::ShouldKnock),
            "trashed" | "isTrashed" => Val::Bool(false),
            "dateCreated" => Val::Time(m.created),
            "lastOpened" => m.last_opened.map_or(Val::Null, Val::Time),
            _ => Val::Null,
        }
    }

    fn matches(&self, term: &str) -> bool {
        self.meeting.key.to_lowercase().contains(term)
    }

    fn id(&self) -> i64 {
        self.id
    }
}

/// An access permission as a list row.
pub(super) struct PermissionRow<'a> {
    pub id: i64,
    pub permission: &'a Permission,
    /// The public id (a UUID string).
    pub public: String,
}

impl Row for PermissionRow<'_> {
    fn kind(field: &str) -> Option<Kind> {
        Some(match field {
            "id" | "accessLevel" => Kind::Str,
            _ => return None,
        })
    }

    fn get(&self, field: &str) -> Val<'_> {
        match field {
            "id" => Val::Str(&self.public),
            "accessLevel" => Val::Str(self.permission.level.as_str()),
            _ => Val::Null,
        }
    }

    fn matches(&self, term: &str) -> bool {
        self.permission.level.as_str().contains(term)
    }

    fn id(&self) -> i64 {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_index_finds_containing_addresses() {
        let mut index = EmailIndex::default();
        for (id, email) in [
            (1, "steve@example.com"),
            (2, "xsteve@example.com"),
            (3, "steve@example.com.au"),
            (4, "steve@other.org"),
            (5, "Eve@Example.com"),
        ] {
            index.insert(email, id);
        }
        assert_eq!(index.get("STEVE@example.com"), Some(1));
        assert_eq!(index.get("nobody@example.com"), None);
        assert_eq!(index.containing("steve@example.com"), vec![1, 2, 3]);
        assert_eq!(index.containing("eve@example.com"), vec![1, 2, 3, 5]);
        assert_eq!(index.containing("@other"), vec![4]);
        assert_eq!(index.containing("a@b@c"), Vec::<i64>::new());
        index.remove("steve@example.com");
        assert_eq!(index.containing("steve@example.com"), vec![2, 3]);
    }

    #[test]
    fn public_ids_are_uuid_strings_that_map_back() {
        let store = Store::new();
        let id = store.public_id(1042);
        let parsed = Uuid::try_parse(&id).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(store.row_of(&id), Some(1042));
        assert_eq!(store.row_of(&id.to_uppercase()), Some(1042));
        assert_eq!(store.row_of("ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b"), None);
        assert_eq!(store.row_of("1042"), None);
        assert_eq!(store.public_id(store.me), ADMIN_ID, "the guide's id");
        assert_eq!(store.my_organization.to_string(), ORGANIZATION_ID);
    }
}
