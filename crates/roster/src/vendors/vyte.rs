//! Vyte: the whole organisation listed in one answer (no per-address look-up), users created
//! and updated one by one or through the batch endpoints — a batch's answer is not read: a
//! listing after the batches confirms what they did — and removed by unlinking them from the
//! organisation (also what deactivation does). Team membership goes through the Teams API
//! alone ([`teams`]), never through the user bodies.

use futures::StreamExt;
use roster_vyte::operations as op;
use roster_vyte::prelude::*;
use roster_vyte::types;

use super::{Diff, Plan, Progress, VendorApi, batch_failed, done, fail_all};
use crate::error::{Error, Vendor};
use crate::member::Member;
use crate::pages::Page;
use crate::plan::{Identity, Listing, Offboarding, change};
use crate::provisioner::BATCH_SIZE;
use crate::report::{Account, Outcome};
use crate::retry::Resilience;

mod team_plan;
pub(crate) mod teams;

const V: Vendor = Vendor::Vyte;

/// Whether `user` lists `email` among its addresses (`None`: it has no `emails` to say).
fn lists(user: &types::User, email: &str) -> Option<bool> {
    let email = email.trim();
    user.emails
        .as_ref()
        .map(|emails| emails.iter().any(|e| e.trim().eq_ignore_ascii_case(email)))
}

/// The error of a look-up that cannot rule a member out: some listed users came without
/// `emails` (missing or `null`), so any of them could be the member.
fn not_understood(operation: &'static str, unreadable: usize) -> Error {
    Error::unusable_answer(
        V,
        operation,
        format!(
            "{unreadable} listed user(s) have no `emails`: the look-up cannot tell whether the member is there"
        ),
    )
}

/// The user listed with `email`; fails closed when it is not found and some listed
/// users cannot be matched (no `emails`).
fn lookup(users: Vec<types::User>, email: &str) -> Result<Option<types::User>, Error> {
    let mut unreadable = 0;
    for user in users {
        match lists(&user, email) {
            Some(true) => return Ok(Some(user)),
            Some(false) => {}
            None => unreadable += 1,
        }
    }
    if unreadable > 0 {
        return Err(not_understood(op::LIST_USERS.id, unreadable));
    }
    Ok(None)
}

/// Every user of the organisation: Vyte lists them all in one answer (it has no pages and no
/// look-up by address), so every read of users is this one call.
pub(super) async fn list_users(client: &Client, r: &Resilience) -> Result<Vec<types::User>, Error> {
    Ok(r.run(V, op::LIST_USERS, || client.list_users().send())
        .await?
        .0)
}

/// The user listed with `email`.
async fn find_user(
    client: &Client,
    r: &Resilience,
    email: &str,
) -> Result<Option<types::User>, Error> {
    lookup(list_users(client, r).await?, email)
}

fn profile(m: &Member, operation: &'static str) -> Result<types::UserProfile, Error> {
    let language = m
        .vyte
        .language
        .as_deref()
        .map(str::parse::<types::LanguageCode>)
        .transpose()
        .map_err(|e| Error::invalid_request(V, operation, format!("language: {e}")))?;
    Ok(types::UserProfile {
        email: Some(m.email().to_owned()),
        first_name: Some(m.first_name.clone()),
        last_name: Some(m.last_name.clone()),
        language,
        timezone: m.vyte.timezone.clone().map(types::TimeZone::from),
        ..Default::default()
    })
}

// No `teams` in a user body. Team membership has one writer, the Teams API ([`teams`]),
// whose answer can be read back, diffed and left alone when right. The user object's `teams`
// is documented only by its shape: whether it adds, replaces, or creates a team known only by
// name (no `extid`) is not said, so both writers could fight over one list (a member moved
// out of a team by its update, put back by theirs) or make a second team of the same name. It
// was also sent only when a user's profile changed (`same` does not compare teams), so it
// never kept membership in step, and its per-team `admin` flag contradicts the team sync,
// which leaves admin lists as they are.

/// The body that creates the member's user.
fn create_body(m: &Member) -> Result<types::UserUpsert, Error> {
    Ok(types::UserUpsert {
        user: Some(profile(m, op::CREATE_USER.id)?),
        ..Default::default()
    })
}

/// The body that updates the member's user: exactly what the member's profile sets; `id` is
/// set in a batch, where no path says it.
fn update_body(m: &Member, id: Option<String>) -> Result<types::UserUpsert, Error> {
    Ok(types::UserUpsert {
        id,
        user: Some(profile(m, op::UPDATE_USER.id)?),
        ..Default::default()
    })
}

/// Whether the listed `user` holds what the member sets.
fn same(user: &types::User, m: &Member) -> bool {
    diff(user, m).changes.is_empty()
}

/// How the listed `user` differs from what the member sets: names, and the time zone and
/// language when the member sets them.
fn diff(user: &types::User, m: &Member) -> Diff {
    let mut diff = Diff::default();
    let c = &mut diff.changes;
    change(c, "first_name", user.first_name.as_deref(), Some(&m.first_name));
    change(
        c,
        "last_name",
        Some(user.last_name.as_deref().unwrap_or_default()),
        Some(&m.last_name),
    );
    if let Some(timezone) = m.vyte.timezone.as_deref() {
        change(c, "timezone", user.timezone.as_deref(), Some(timezone));
    }
    if let Some(language) = m.vyte.language.as_deref() {
        change(c, "language", user.language.as_deref(), Some(language));
    }
    diff
}

/// What `ensure` has to do for a member, given the user found for its address (an update
/// names the user's `_id`).
fn compare(existing: Option<&types::User>, m: &Member) -> Result<Plan<String>, Error> {
    let Some(user) = existing else {
        return Ok(Plan::Create);
    };
    diff(user, m).plan(|| {
        user.id
            .clone()
            .ok_or_else(|| Error::unusable_answer(V, op::LIST_USERS.id, "a listed user has no `_id`"))
    })
}

/// Vyte's users by lower-case address (Vyte lists the whole organisation in one answer).
pub(crate) struct Index {
    users: Vec<types::User>,
    by_email: std::collections::HashMap<String, usize>,
    /// Listed users without `emails` (missing or `null`): an address not in `by_email`
    /// may still be one of them, so it cannot be read as absent.
    unreadable: usize,
}

impl Index {
    /// The user listed with `email`; `Err` when it is not found and the listing had
    /// users without `emails` (fail closed: never read as absent).
    fn get(&self, email: &str, operation: &'static str) -> Result<Option<&types::User>, Error> {
        match self.by_email.get(&email.trim().to_ascii_lowercase()) {
            Some(&at) => Ok(Some(&self.users[at])),
            None if self.unreadable > 0 => Err(not_understood(operation, self.unreadable)),
            None => Ok(None),
        }
    }
}

/// The one listing a bulk run needs.
async fn index(client: &Client, r: &Resilience) -> Result<Index, Error> {
    let users = list_users(client, r).await?;
    let mut by_email = std::collections::HashMap::with_capacity(users.len());
    let mut unreadable = 0;
    for (at, user) in users.iter().enumerate() {
        let Some(emails) = &user.emails else {
            unreadable += 1;
            continue;
        };
        for email in emails {
            by_email
                .entry(email.trim().to_ascii_lowercase())
                .or_insert(at);
        }
    }
    Ok(Index {
        users,
        by_email,
        unreadable,
    })
}

/// A member whose batch call succeeded: its outcome is known only once a listing shows it.
type Sent<'m> = (usize, &'m Member, Outcome);

/// What one batch settled, and whom it sent (settled by [`confirm`]).
type BatchDone<'m> = (Vec<(usize, Outcome)>, Vec<Sent<'m>>);

/// One listing for everyone (or the one `listed` before), then batch creates and batch
/// updates, then one listing again to learn what the batches did (their answers are
/// not read).
async fn ensure_many(
    side: &Side,
    r: &Resilience,
    work: &[(usize, &Member)],
    concurrency: usize,
    progress: Progress<'_>,
    listed: Option<&Result<Index, Error>>,
) -> Vec<(usize, Outcome)> {
    let fresh = match listed {
        Some(_) => None,
        None => Some(index(&side.client, r).await),
    };
    let Some(index) = listed.or(fresh.as_ref()) else {
        return Vec::new();
    };
    let index = match index {
        Ok(index) => index,
        Err(e) => return fail_all(work, e, progress),
    };
    let mut out = Vec::with_capacity(work.len());
    // Only who and which id: each request body is built when its batch is sent, so a
    // 100,000-member run never holds 100,000 bodies.
    let (mut creates, mut updates) = (Vec::new(), Vec::new());
    for &(i, m) in work {
        match index
            .get(m.email(), op::LIST_USERS.id)
            .and_then(|existing| compare(existing, m))
        {
            Ok(Plan::Unchanged) => out.push(done(progress, i, V, Outcome::Unchanged)),
            Ok(Plan::Create) => creates.push((i, m, None)),
            Ok(Plan::Update(id)) => updates.push((i, m, Some(id))),
            Err(e) => out.push(done(progress, i, V, Outcome::Failed(e))),
        }
    }
    drop(fresh);
    let batches = creates
        .chunks(BATCH_SIZE)
        .map(|chunk| (true, chunk))
        .chain(updates.chunks(BATCH_SIZE).map(|chunk| (false, chunk)));
    let done_in_batches: Vec<BatchDone<'_>> = futures::stream::iter(batches)
        .map(|(create, chunk)| batch(side, r, create, chunk, concurrency, progress))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut sent = Vec::new();
    for (settled, unconfirmed) in done_in_batches {
        out.extend(settled);
        sent.extend(unconfirmed);
    }
    if !sent.is_empty() {
        out.extend(confirm(&side.client, r, sent, progress).await);
    }
    out
}

/// Lists the users once more and settles every member a batch call was sent for: one
/// the listing shows as sent gets its outcome; one it does not show (or shows otherwise)
/// failed, "not confirmed" — never "created" by default.
async fn confirm(
    client: &Client,
    r: &Resilience,
    sent: Vec<Sent<'_>>,
    progress: Progress<'_>,
) -> Vec<(usize, Outcome)> {
    let index = match index(client, r).await {
        Ok(index) => index,
        Err(e) => {
            let work: Vec<(usize, &Member)> = sent.iter().map(|&(i, m, _)| (i, m)).collect();
            return fail_all(&work, &e, progress);
        }
    };
    sent.into_iter()
        .map(|(i, m, outcome)| {
            let operation = if matches!(outcome, Outcome::Created) {
                op::CREATE_USERS_BATCH.id
            } else {
                op::UPDATE_USERS_BATCH.id
            };
            let settled = match index.get(m.email(), operation) {
                Ok(Some(user)) if same(user, m) => outcome,
                Ok(Some(_)) => Outcome::Failed(Error::unusable_answer(
                    V,
                    operation,
                    "not confirmed: after the batch, the listing shows the user with other details",
                )),
                Ok(None) => Outcome::Failed(Error::unusable_answer(
                    V,
                    operation,
                    "not confirmed: after the batch, the listing does not show the user",
                )),
                Err(e) => Outcome::Failed(e),
            };
            if let Outcome::Failed(e) = &settled {
                tracing::warn!(vendor = %V, operation, error = %e, "a batch write was not confirmed");
            }
            done(progress, i, V, settled)
        })
        .collect()
}

/// One batch call (a single call for a batch of one); a batch that fails as a whole is
/// redone member by member, each looked up again first. Returns the members settled
/// here, and those a successful batch call was sent for (settled by [`confirm`]).
async fn batch<'m>(
    side: &Side,
    r: &Resilience,
    create: bool,
    members: &[(usize, &'m Member, Option<String>)],
    concurrency: usize,
    progress: Progress<'_>,
) -> BatchDone<'m> {
    let client = &side.client;
    // A member whose body cannot be made (a language Vyte does not take) fails alone.
    let mut out = Vec::new();
    let mut chunk = Vec::with_capacity(members.len());
    for (i, m, id) in members {
        let body = if create {
            create_body(m)
        } else {
            update_body(m, id.clone())
        };
        match body {
            Ok(body) => chunk.push((*i, *m, body)),
            Err(e) => out.push(done(progress, *i, V, Outcome::Failed(e))),
        }
    }
    if chunk.is_empty() {
        return (out, Vec::new());
    }
    let success = if create {
        Outcome::Created
    } else {
        Outcome::Updated
    };
    // Members a failed batch create turned out to have written (seen by a listing before
    // it was sent again): settled, like any batch, by the listing after the batches.
    let mut sent: Vec<Sent<'m>> = Vec::new();
    // A single write answers for itself (its status); a batch's answer is any JSON,
    // never read: what it did is learnt from the listing after it.
    let single = chunk.len() == 1;
    let result = match (create, chunk.as_slice()) {
        (true, [(_, _, body)]) => r
            .run(V, op::CREATE_USER, || {
                client.create_user().body(body.clone()).send()
            })
            .await
            .map(drop),
        (false, [(_, _, body)]) => {
            let id = body.id.clone().unwrap_or_default();
            let body = types::UserUpsert {
                id: None,
                ..body.clone()
            };
            r.run(V, op::UPDATE_USER, || {
                client.update_user().user_id(&id).body(body.clone()).send()
            })
            .await
            .map(drop)
        }
        (true, _) => create_batch(client, r, &mut chunk, &mut sent, &success).await,
        (false, _) => {
            let body = types::UserBatch(chunk.iter().map(|(_, _, b)| b.clone()).collect());
            r.run(V, op::UPDATE_USERS_BATCH, || {
                client.update_users_batch().body(body.clone()).send()
            })
            .await
            .map(drop)
        }
    };
    match result {
        Ok(()) if single => out.extend(
            chunk
                .iter()
                .map(|&(i, _, _)| done(progress, i, V, success.clone())),
        ),
        Ok(()) => sent.extend(chunk.iter().map(|&(i, m, _)| (i, m, success.clone()))),
        Err(e) => {
            let work: Vec<(usize, &Member)> = chunk.iter().map(|&(i, m, _)| (i, m)).collect();
            out.extend(batch_failed(side, r, concurrency, &work, &e, progress).await);
        }
    }
    (out, sent)
}

/// One batch create, sent again on a transient failure — never blindly: a 429 did
/// nothing and is sent again after the wait Vyte asked for; any other transient failure
/// (a 5xx, a timeout) may have written some members, so the users are listed first and
/// only the members the listing does not show are sent again (those it shows move to
/// `sent`, to be confirmed with the rest). `chunk` ends as the members the result is about.
async fn create_batch<'m>(
    client: &Client,
    r: &Resilience,
    chunk: &mut Vec<(usize, &'m Member, types::UserUpsert)>,
    sent: &mut Vec<Sent<'m>>,
    success: &Outcome,
) -> Result<(), Error> {
    const OP: &str = op::CREATE_USERS_BATCH.id;
    let mut attempt = 1;
    loop {
        let body = types::UserBatch(chunk.iter().map(|(_, _, b)| b.clone()).collect());
        let error = match r
            // Not idempotent by the spec: retried below, only after a listing shows what
            // the failed call wrote.
            .run(V, op::CREATE_USERS_BATCH, || {
                client.create_users_batch().body(body.clone()).send()
            })
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        if !error.is_transient() || !r.pause_before_retry(&error, attempt).await {
            return Err(error);
        }
        attempt += 1;
        if error.status() == Some(reqwest::StatusCode::TOO_MANY_REQUESTS) {
            continue;
        }
        let listed = index(client, r).await?;
        let (written, rest): (Vec<_>, Vec<_>) = std::mem::take(chunk)
            .into_iter()
            .partition(|(_, m, _)| matches!(listed.get(m.email(), OP), Ok(Some(_))));
        tracing::info!(vendor = %V, operation = OP, written = written.len(), rest = rest.len(), "a batch create failed; sending again only what the listing does not show");
        sent.extend(written.into_iter().map(|(i, m, _)| (i, m, success.clone())));
        *chunk = rest;
        if chunk.is_empty() {
            return Ok(());
        }
    }
}

/// Vyte's side of a provisioner.
#[derive(Debug)]
pub(crate) struct Side {
    client: Client,
}

impl Side {
    /// Unlinks the user (the only removal Vyte offers); `done` is what to report.
    async fn unlink(&self, r: &Resilience, email: &str, done: Outcome) -> Result<Outcome, Error> {
        let Some(user) = find_user(&self.client, r, email).await? else {
            return Ok(Outcome::Absent);
        };
        let id = user.id.ok_or_else(|| {
            Error::unusable_answer(V, op::LIST_USERS.id, "a listed user has no `_id`")
        })?;
        r.run(V, op::UNLINK_USER, || {
            self.client.unlink_user().user_id(&id).send()
        })
        .await?;
        Ok(done)
    }
}

impl VendorApi for Side {
    const VENDOR: Vendor = V;
    type Client = Client;
    /// The one listing a streamed run reads.
    type Prefetch = Result<Index, Error>;
    /// The user's `_id`.
    type Target = String;
    type Listed = types::User;
    /// Vyte offers no deletion: the user is unlinked from the organisation.
    const OFFBOARDING: Offboarding = Offboarding::Unlink;

    fn new(client: Client, _max_pages: u32) -> Self {
        Self { client }
    }

    /// Vyte lists everyone in one answer: there are no pages to bound.
    fn set_max_pages(&mut self, _max_pages: u32) {}

    async fn find(&self, r: &Resilience, email: &str) -> Result<Option<Account>, Error> {
        Ok(find_user(&self.client, r, email).await?.map(account))
    }

    async fn plan(&self, r: &Resilience, m: &Member) -> Result<Plan<String>, Error> {
        let existing = find_user(&self.client, r, m.email()).await?;
        compare(existing.as_ref(), m)
    }

    async fn update(&self, r: &Resilience, m: &Member, id: String) -> Result<(), Error> {
        let body = update_body(m, None)?;
        r.run(V, op::UPDATE_USER, || {
            self.client
                .update_user()
                .user_id(&id)
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    async fn create(&self, r: &Resilience, m: &Member) -> Result<Outcome, Error> {
        let body = create_body(m)?;
        r.run(V, op::CREATE_USER, || {
            self.client.create_user().body(body.clone()).send()
        })
        .await?;
        Ok(Outcome::Created)
    }

    async fn remove(&self, r: &Resilience, email: &str) -> Result<Outcome, Error> {
        self.unlink(r, email, Outcome::Removed).await
    }

    /// Unlinked from the organisation (billing stops).
    async fn deactivate(&self, r: &Resilience, email: &str) -> Result<Outcome, Error> {
        self.unlink(r, email, Outcome::Deactivated).await
    }

    /// Vyte lists everyone in one answer: page 1 is all of it. Vyte has no search: `search`
    /// keeps the users whose address or name holds it (ignoring case), here.
    async fn page(&self, r: &Resilience, page: u32, search: Option<&str>) -> Result<Page, Error> {
        if page != 1 {
            return Ok(Page::default());
        }
        let users = list_users(&self.client, r).await?;
        let needle = search.map(str::to_lowercase);
        let holds = |user: &types::User| {
            let Some(needle) = &needle else { return true };
            let names = [&user.first_name, &user.last_name];
            user.emails.iter().flatten().any(|e| e.to_lowercase().contains(needle))
                || names
                    .into_iter()
                    .flatten()
                    .any(|n| n.to_lowercase().contains(needle))
        };
        Ok(Page {
            accounts: users.into_iter().filter(holds).map(account).collect(),
            more: false,
            total: None,
        })
    }

    /// Vyte lists the whole organisation in one answer. Its key belongs to the organisation,
    /// not to a user: there is no own account to spare.
    async fn list_all(&self, r: &Resilience) -> Result<Listing<types::User>, Error> {
        Ok(Listing {
            users: list_users(&self.client, r).await?,
            own: None,
        })
    }

    /// Every listed user is the organisation's; one without `emails` cannot be told apart
    /// from any member (the plan fails closed for the members it does not find).
    fn identity(&self, user: &types::User) -> Identity {
        Identity {
            account: account(user.clone()),
            emails: user.emails.clone().unwrap_or_default(),
            unreadable: user.emails.is_none(),
            ours: true,
        }
    }

    fn diff(user: &types::User, m: &Member) -> Diff {
        diff(user, m)
    }

    async fn prefetch(&self, r: &Resilience) -> Option<Result<Index, Error>> {
        Some(index(&self.client, r).await)
    }

    async fn ensure_many(
        &self,
        r: &Resilience,
        concurrency: usize,
        work: &[(usize, &Member)],
        progress: Progress<'_>,
        prefetched: Option<&Result<Index, Error>>,
    ) -> Vec<(usize, Outcome)> {
        ensure_many(self, r, work, concurrency, progress, prefetched).await
    }
}

fn account(user: types::User) -> Account {
    Account {
        vendor: V,
        id: user.id.unwrap_or_default(),
        email: user.emails.and_then(|emails| emails.into_iter().next()),
        first_name: user.first_name,
        last_name: user.last_name,
        active: None,
    }
}
