//! Provisioning a [`Member`] into every configured vendor: look up, then create or update.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use futures::{Stream, StreamExt};

use crate::config::Config;
use crate::error::{Error, Vendor};
use crate::member::Member;
use crate::pages::{DEFAULT_MAX_PAGES, Page, PageGuard};
#[cfg(any(feature = "vectera", feature = "vyte", feature = "veo"))]
use crate::retry::Idempotency;
use crate::retry::Resilience;

/// What provisioning did in one vendor.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The member did not exist and was created (VEO: invited).
    Created,
    /// The member existed with other details and was updated.
    Updated,
    /// The member existed as wanted; nothing was written.
    Unchanged,
    /// The member was removed (Vectera: deleted, Vyte: unlinked, VEO: deleted).
    Removed,
    /// The member can no longer use the vendor but keeps their account (VEO: `IsActive`
    /// false, Vyte: unlinked from the organisation).
    Deactivated,
    /// There was nothing to remove.
    Absent,
    /// The vendor call failed; the other vendors were still done.
    Failed(Error),
}

impl Outcome {
    /// Whether this is [`Outcome::Failed`].
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
}

/// What happened to one member, vendor by vendor (in [`Vendor::ALL`] order).
#[derive(Debug, Clone)]
pub struct MemberReport {
    /// The member's email address.
    pub email: String,
    /// One outcome per configured vendor.
    pub vendors: Vec<(Vendor, Outcome)>,
}

impl MemberReport {
    /// Whether any vendor failed.
    pub fn has_failures(&self) -> bool {
        self.vendors.iter().any(|(_, o)| o.is_failure())
    }

    /// The outcome in one vendor, when it is configured.
    pub fn outcome(&self, vendor: Vendor) -> Option<&Outcome> {
        self.vendors
            .iter()
            .find(|(v, _)| *v == vendor)
            .map(|(_, o)| o)
    }
}

/// A user as a vendor lists it, in vendor-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The vendor holding it.
    pub vendor: Vendor,
    /// The vendor's id for the user.
    pub id: String,
    /// The email address, when the vendor gives one.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Whether the user is active, when the vendor says.
    pub active: Option<bool>,
}

/// A Vectera meeting room made for a member, with its access permission.
#[cfg(feature = "vectera")]
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingRoom {
    /// The room.
    pub meeting: roster_vectera::types::Meeting,
    /// The access permission; its `access_key` is a secret (never printed).
    pub permission: roster_vectera::types::Permission,
}

/// Provisions members into the vendors of a [`Config`], with the retry layer around every
/// call. A create is never retried blindly: each `ensure` looks the member up first.
#[derive(Debug)]
pub struct Provisioner {
    resilience: Resilience,
    concurrency: usize,
    max_pages: u32,
    #[cfg(feature = "vectera")]
    vectera: Option<vectera::Side>,
    #[cfg(feature = "vyte")]
    vyte: Option<roster_vyte::Client>,
    #[cfg(feature = "veo")]
    veo: Option<veo::Side>,
}

/// How many calls [`Provisioner::ensure_all`] has in flight per vendor by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Members [`Provisioner::ensure_stream`] reads and works on at a time.
pub const STREAM_WINDOW: usize = 1_000;

/// Members per batch call of [`Provisioner::ensure_all`] (Vyte batch create/update, VEO
/// invitations). Neither vendor documents a limit; 100 keeps a request body around 20 KiB.
pub const BATCH_SIZE: usize = 100;

impl Provisioner {
    /// A provisioner for every vendor in `config`, with the default retry layer.
    ///
    /// # Errors
    /// [`roster_runtime::ConfigError`] when a client cannot be built (TLS initialisation, a
    /// secret that is not a valid header value).
    pub fn new(config: &Config) -> Result<Self, roster_runtime::ConfigError> {
        Self::with_resilience(config, Resilience::default())
    }

    /// A provisioner with a retry layer of the caller's (policy, budget, sleeper).
    ///
    /// # Errors
    /// As [`Provisioner::new`].
    pub fn with_resilience(
        config: &Config,
        resilience: Resilience,
    ) -> Result<Self, roster_runtime::ConfigError> {
        // One connection pool for every vendor, with the configured timeouts.
        let timeouts = config.timeouts();
        #[allow(unused_variables)] // with every vendor feature off, no client uses it
        let http = roster_runtime::http_client_with(
            concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
            timeouts.connect,
            timeouts.attempt,
        )?;
        // Every error's vendor text is redacted against the configured secrets.
        let resilience = resilience.with_redactor(crate::redact::Redactor::new(
            Vendor::ALL
                .into_iter()
                .filter_map(|v| config.vendor(v))
                .map(|c| c.secret().expose().to_owned()),
        ));
        #[allow(unused_variables)] // with every vendor feature off, no client uses it
        let limits = config.limits();
        Ok(Self {
            resilience,
            concurrency: DEFAULT_CONCURRENCY,
            max_pages: DEFAULT_MAX_PAGES,
            #[cfg(feature = "vectera")]
            vectera: config
                .vendor(Vendor::Vectera)
                .map(|c| {
                    roster_vectera::Client::with_http_client(c.base_url(), c.secret(), http.clone())
                        .map(|client| client.with_limits(limits))
                })
                .transpose()?
                .map(vectera::Side::new),
            #[cfg(feature = "vyte")]
            vyte: config
                .vendor(Vendor::Vyte)
                .map(|c| {
                    roster_vyte::Client::with_http_client(c.base_url(), c.secret(), http.clone())
                        .map(|client| client.with_limits(limits))
                })
                .transpose()?,
            #[cfg(feature = "veo")]
            veo: config
                .vendor(Vendor::Veo)
                .map(|c| {
                    roster_veo::Client::with_http_client(c.base_url(), c.secret(), http.clone())
                        .map(|client| client.with_limits(limits))
                })
                .transpose()?
                .map(veo::Side::new),
        })
    }

    /// How many members [`Provisioner::ensure_all`] works on at once (at least 1).
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The most pages one walk of a vendor's list reads (at least 1; default
    /// [`DEFAULT_MAX_PAGES`]): a server that keeps announcing more is stopped there, with an
    /// error, instead of being read forever.
    pub fn with_max_pages(mut self, max_pages: u32) -> Self {
        self.max_pages = max_pages.max(1);
        #[cfg(feature = "vectera")]
        if let Some(side) = &mut self.vectera {
            side.max_pages = self.max_pages;
        }
        #[cfg(feature = "veo")]
        if let Some(side) = &mut self.veo {
            side.max_pages = self.max_pages;
        }
        self
    }

    /// The retry layer in use.
    pub fn resilience(&self) -> &Resilience {
        &self.resilience
    }

    /// The retry layer for one run (an `ensure`, an `ensure_all`, a whole `ensure_stream`...),
    /// with a circuit breaker of its own: within the run, a failure that concerns a whole
    /// vendor (refused credentials, no connection, the organisation look-up) fails the
    /// vendor's remaining members at once, without calls; the next run starts afresh.
    fn run_scope(&self) -> Resilience {
        self.resilience.clone().with_circuit_breaker()
    }

    /// Makes sure `member` exists as described in every configured vendor: created when
    /// absent, updated when different, left alone when equal — so running it twice writes
    /// nothing the second time. The vendors are done concurrently; one failing never stops
    /// the others.
    pub async fn ensure(&self, member: &Member) -> MemberReport {
        MemberReport {
            email: member.email().to_owned(),
            vendors: self.in_every_vendor(Action::Ensure(member)).await,
        }
    }

    /// [`Provisioner::ensure`] for many members; reports in input order.
    ///
    /// Each vendor is worked on concurrently, in the way that costs it fewest calls:
    ///
    /// - Vyte: one listing, then creates through `POST /v2/users/batch` and updates through
    ///   `PUT /v2/users/batch`, [`BATCH_SIZE`] users per call;
    /// - VEO: a look-up per member, updates one by one, and one invitation call
    ///   (`/api/userinvites/multiple`) per [`BATCH_SIZE`] new members;
    /// - Vectera (no batch endpoint): look-up then create or update, member by member;
    ///
    /// with at most `concurrency` calls in flight per vendor. A batch that fails as a whole
    /// (other than for credentials) is redone member by member — looked up again first, so
    /// nothing it did create is created twice — and one member's failure never hides or stops
    /// the others. An address given twice is done once; its later copies are reported as
    /// failed, naming the first.
    pub async fn ensure_all(&self, members: &[Member]) -> Vec<MemberReport> {
        self.ensure_all_with(members, |_, _, _| {}).await
    }

    /// [`Provisioner::ensure_all`], calling `progress(index, vendor, outcome)` as soon as a
    /// member's outcome in a vendor is known (`index` into `members`) — for a progress bar.
    pub async fn ensure_all_with<F>(&self, members: &[Member], progress: F) -> Vec<MemberReport>
    where
        F: Fn(usize, Vendor, &Outcome) + Sync,
    {
        let (work, duplicate_of) = first_occurrences(members, &mut HashMap::new(), 0);
        self.ensure_window(
            &self.run_scope(),
            members,
            &work,
            &duplicate_of,
            &progress,
            &Prefetched::default(),
        )
        .await
    }

    /// [`Provisioner::ensure_all`] for a team of any size read as it goes — a file, a
    /// database cursor — with memory that stays flat: members are taken [`STREAM_WINDOW`] at a
    /// time, and each window's reports (in input order) are yielded before the next is read.
    /// Vyte's organisation is listed once for the whole stream. An address seen earlier in the
    /// stream is reported as failed, naming the earlier member's position.
    pub fn ensure_stream<'a, S>(&'a self, members: S) -> impl Stream<Item = MemberReport> + 'a
    where
        S: Stream<Item = Member> + 'a,
    {
        struct State<'a, W> {
            windows: std::pin::Pin<Box<W>>,
            prefetched: Option<Prefetched>,
            /// Lower-case address → position in the stream of its first member.
            seen: HashMap<String, usize>,
            position: usize,
            provisioner: &'a Provisioner,
            /// One run for the whole stream: a vendor-wide failure stops that vendor's rest.
            r: Resilience,
        }
        let state = State {
            windows: Box::pin(members.chunks(STREAM_WINDOW)),
            prefetched: None,
            seen: HashMap::new(),
            position: 0,
            provisioner: self,
            r: self.run_scope(),
        };
        futures::stream::unfold(state, |mut state| async move {
            let window = state.windows.next().await?;
            let p = state.provisioner;
            let prefetched = match state.prefetched.take() {
                Some(prefetched) => prefetched,
                None => p.prefetch(&state.r).await,
            };
            let prefetched = &*state.prefetched.insert(prefetched);
            // An address done in an earlier window counts as given twice, like one in this one.
            let (work, duplicate_of) = first_occurrences(&window, &mut state.seen, state.position);
            state.position += window.len();
            let reports = p
                .ensure_window(
                    &state.r,
                    &window,
                    &work,
                    &duplicate_of,
                    &|_, _, _| {},
                    prefetched,
                )
                .await;
            Some((futures::stream::iter(reports), state))
        })
        .flatten()
    }

    /// What a streamed run reads once: Vyte's listing.
    async fn prefetch(&self, #[allow(unused_variables)] r: &Resilience) -> Prefetched {
        Prefetched {
            #[cfg(feature = "vyte")]
            vyte: match &self.vyte {
                Some(client) => Some(vyte::index(client, r).await),
                None => None,
            },
        }
    }

    /// One window of a bulk run: `work` holds the members to do (see [`first_occurrences`]),
    /// `duplicate_of` where each other member's address was first given; with what was
    /// prefetched for the run.
    async fn ensure_window(
        &self,
        r: &Resilience,
        members: &[Member],
        work: &[(usize, &Member)],
        duplicate_of: &[Option<usize>],
        progress: Progress<'_>,
        prefetched: &Prefetched,
    ) -> Vec<MemberReport> {
        let sides = self.sides();
        let columns = futures::future::join_all(
            sides
                .iter()
                .map(|side| side.ensure_many(r, self.concurrency, work, progress, prefetched)),
        )
        .await;
        let mut reports: Vec<MemberReport> = members
            .iter()
            .map(|m| MemberReport {
                email: m.email().to_owned(),
                vendors: Vec::with_capacity(sides.len()),
            })
            .collect();
        for (side, column) in sides.iter().zip(columns) {
            let vendor = side.vendor();
            let mut outcomes: Vec<Option<Outcome>> = vec![None; members.len()];
            for (i, outcome) in column {
                outcomes[i] = Some(outcome);
            }
            for (i, (report, outcome)) in reports.iter_mut().zip(outcomes).enumerate() {
                let outcome = outcome.unwrap_or_else(|| {
                    let why = match duplicate_of[i] {
                        Some(first) => format!(
                            "{} is given twice; done once, for member #{}",
                            report.email,
                            first + 1
                        ),
                        None => "no outcome was recorded".to_owned(),
                    };
                    let outcome =
                        Outcome::Failed(Error::invalid_request(vendor, "ensure_all", why));
                    progress(i, vendor, &outcome);
                    outcome
                });
                report.vendors.push((vendor, outcome));
            }
        }
        reports
    }

    /// Removes the member with `email` from every configured vendor (Vectera: delete, Vyte:
    /// unlink from the organisation, VEO: delete); [`Outcome::Absent`] where there was none.
    pub async fn remove(&self, email: &str) -> MemberReport {
        let email = email.trim();
        MemberReport {
            email: email.to_owned(),
            vendors: self.in_every_vendor(Action::Remove(email)).await,
        }
    }

    /// Takes the member with `email` out of use in every configured vendor while keeping what
    /// the vendor allows to keep: VEO sets `IsActive` false, Vyte unlinks the user from the
    /// organisation (billing stops), Vectera — which has no deactivation — deletes the user
    /// ([`Outcome::Removed`]).
    pub async fn deactivate(&self, email: &str) -> MemberReport {
        let email = email.trim();
        MemberReport {
            email: email.to_owned(),
            vendors: self.in_every_vendor(Action::Deactivate(email)).await,
        }
    }

    /// Looks the member with `email` up in every configured vendor.
    pub async fn find(&self, email: &str) -> Vec<(Vendor, Result<Option<Account>, Error>)> {
        let r = &self.run_scope();
        let email = email.trim();
        futures::future::join_all(
            self.sides()
                .into_iter()
                .map(|side| async move { (side.vendor(), side.find(r, email).await) }),
        )
        .await
    }

    /// Every user of `vendor`, page by page as the caller reads: one page is held in memory at
    /// a time and the next is fetched only when the stream is polled past the current one.
    /// Ends after the last page, or after yielding the first error — among them a server that
    /// will not stop: a page repeating an earlier one, more users than the vendor's declared
    /// total, or more pages than [`Provisioner::with_max_pages`] allows.
    pub fn list(&self, vendor: Vendor) -> impl futures::Stream<Item = Result<Account, Error>> + '_ {
        let side = self.sides().into_iter().find(|s| s.vendor() == vendor);
        let r = &self.resilience;
        let guard = PageGuard::new(vendor, "list_users", self.max_pages);
        futures::stream::unfold(
            (side, Some(1u32), guard),
            move |(side, page, mut guard)| async move {
                let page = page?;
                let Some(side) = side else {
                    let err = Error::invalid_request(
                        vendor,
                        "list_users",
                        format!("{vendor} is not configured"),
                    );
                    return Some((Err(err), (None, None, guard)));
                };
                match side.page(r, page).await.and_then(|found| {
                    guard.check(&found)?;
                    Ok(found)
                }) {
                    Ok(found) => {
                        let next = if found.more {
                            page.checked_add(1)
                        } else {
                            None
                        };
                        Some((Ok(found.accounts), (Some(side), next, guard)))
                    }
                    Err(e) => Some((Err(e), (None, None, guard))),
                }
            },
        )
        .flat_map(|page| match page {
            Ok(accounts) => futures::stream::iter(accounts.into_iter().map(Ok)).left_stream(),
            Err(e) => futures::stream::iter([Err(e)]).right_stream(),
        })
    }

    /// A one-time Vectera login link for the member with `email`, forwarding to `next` after
    /// login (`/scheduling/`; only same-site paths are accepted, checked before anything is
    /// sent). The link is a credential: it stays a [`Secret`](crate::Secret).
    ///
    /// # Errors
    /// [`Error`] when Vectera is not configured, the member is not found, `next` is unsafe, or
    /// a call fails.
    #[cfg(feature = "vectera")]
    pub async fn vectera_login_link(
        &self,
        email: &str,
        next: Option<&str>,
    ) -> Result<roster_runtime::Secret, Error> {
        self.vectera_side("create_login_token")?
            .login_link(&self.run_scope(), email, next)
            .await
    }

    /// Creates a Vectera meeting room owned by the member with `email` (named `key`, or a
    /// random name) and an access key for it with `access` (`can_always_join` or `is_host`).
    ///
    /// # Errors
    /// [`Error`] when Vectera is not configured, the member is not found, or a call fails.
    #[cfg(feature = "vectera")]
    pub async fn vectera_meeting_room(
        &self,
        email: &str,
        key: Option<&str>,
        access: roster_vectera::types::AccessLevel,
    ) -> Result<MeetingRoom, Error> {
        self.vectera_side("create_meeting")?
            .meeting_room(&self.run_scope(), email, key, access)
            .await
    }

    #[cfg(feature = "vectera")]
    fn vectera_side(&self, operation: &'static str) -> Result<&vectera::Side, Error> {
        self.vectera.as_ref().ok_or_else(|| {
            Error::invalid_request(Vendor::Vectera, operation, "vectera is not configured")
        })
    }

    fn sides(&self) -> Vec<Side<'_>> {
        #[allow(unused_mut)] // with every vendor feature off, nothing is added
        let mut sides: Vec<Side<'_>> = Vec::with_capacity(3);
        #[cfg(feature = "vectera")]
        sides.extend(self.vectera.as_ref().map(Side::Vectera));
        #[cfg(feature = "vyte")]
        sides.extend(self.vyte.as_ref().map(Side::Vyte));
        #[cfg(feature = "veo")]
        sides.extend(self.veo.as_ref().map(Side::Veo));
        sides
    }

    /// Runs `action` in every configured vendor concurrently, outcomes in [`Vendor::ALL`] order.
    async fn in_every_vendor(&self, action: Action<'_>) -> Vec<(Vendor, Outcome)> {
        let r = &self.run_scope();
        futures::future::join_all(self.sides().into_iter().map(|side| side.run(r, action))).await
    }
}

/// What to do with a member.
#[derive(Debug, Clone, Copy)]
enum Action<'a> {
    Ensure(&'a Member),
    Remove(&'a str),
    Deactivate(&'a str),
}

/// One configured vendor.
#[derive(Clone, Copy)]
enum Side<'a> {
    #[cfg(feature = "vectera")]
    Vectera(&'a vectera::Side),
    #[cfg(feature = "vyte")]
    Vyte(&'a roster_vyte::Client),
    #[cfg(feature = "veo")]
    Veo(&'a veo::Side),
    /// Uninhabited; keeps the lifetime used when every vendor feature is off.
    #[allow(dead_code)]
    None(std::convert::Infallible, std::marker::PhantomData<&'a ()>),
}

impl Side<'_> {
    fn vendor(self) -> Vendor {
        match self {
            #[cfg(feature = "vectera")]
            Side::Vectera(_) => Vendor::Vectera,
            #[cfg(feature = "vyte")]
            Side::Vyte(_) => Vendor::Vyte,
            #[cfg(feature = "veo")]
            Side::Veo(_) => Vendor::Veo,
            Side::None(never, _) => match never {},
        }
    }

    async fn run(self, r: &Resilience, action: Action<'_>) -> (Vendor, Outcome) {
        let result = match (self, action) {
            #[cfg(feature = "vectera")]
            (Side::Vectera(side), Action::Ensure(m)) => side.ensure(r, m).await,
            // Vectera has no deactivation: the user is deleted.
            #[cfg(feature = "vectera")]
            (Side::Vectera(side), Action::Remove(e) | Action::Deactivate(e)) => {
                side.remove(r, e).await
            }
            #[cfg(feature = "vyte")]
            (Side::Vyte(client), Action::Ensure(m)) => vyte::ensure(client, r, m).await,
            #[cfg(feature = "vyte")]
            (Side::Vyte(client), Action::Remove(e)) => {
                vyte::remove(client, r, e, Outcome::Removed).await
            }
            #[cfg(feature = "vyte")]
            (Side::Vyte(client), Action::Deactivate(e)) => {
                vyte::remove(client, r, e, Outcome::Deactivated).await
            }
            #[cfg(feature = "veo")]
            (Side::Veo(side), Action::Ensure(m)) => side.ensure(r, m).await,
            #[cfg(feature = "veo")]
            (Side::Veo(side), Action::Remove(e)) => side.remove(r, e).await,
            #[cfg(feature = "veo")]
            (Side::Veo(side), Action::Deactivate(e)) => side.deactivate(r, e).await,
            (Side::None(never, _), _) => match never {},
        };
        (self.vendor(), settle(result))
    }

    /// Ensures every member of `work` (index into the caller's slice, member) in this vendor;
    /// one outcome per member, in any order.
    async fn ensure_many(
        self,
        r: &Resilience,
        c: usize,
        work: &[(usize, &Member)],
        progress: Progress<'_>,
        #[allow(unused_variables)] prefetched: &Prefetched,
    ) -> Vec<(usize, Outcome)> {
        match self {
            #[cfg(feature = "vectera")]
            Side::Vectera(side) => {
                one_by_one(work, c, progress, Vendor::Vectera, |m| side.ensure(r, m)).await
            }
            #[cfg(feature = "vyte")]
            Side::Vyte(client) => {
                vyte::ensure_many(client, r, work, c, progress, prefetched.vyte.as_ref()).await
            }
            #[cfg(feature = "veo")]
            Side::Veo(side) => side.ensure_many(r, work, c, progress).await,
            Side::None(never, _) => match never {},
        }
    }

    async fn find(self, r: &Resilience, email: &str) -> Result<Option<Account>, Error> {
        match self {
            #[cfg(feature = "vectera")]
            Side::Vectera(side) => side.find(r, email).await?.map(vectera::account).transpose(),
            #[cfg(feature = "vyte")]
            Side::Vyte(client) => Ok(vyte::find(client, r, email).await?.map(vyte::account)),
            #[cfg(feature = "veo")]
            Side::Veo(side) => side.find_account(r, email).await,
            Side::None(never, _) => match never {},
        }
    }

    /// One page (1-based) of accounts, whether another follows, and the declared total.
    async fn page(self, r: &Resilience, page: u32) -> Result<Page, Error> {
        match self {
            #[cfg(feature = "vectera")]
            Side::Vectera(side) => side.page(r, page).await,
            #[cfg(feature = "vyte")]
            Side::Vyte(client) => vyte::page(client, r, page).await,
            #[cfg(feature = "veo")]
            Side::Veo(side) => side.page(r, page).await,
            Side::None(never, _) => match never {},
        }
    }
}

/// Splits `members` into the first member of each address (index, member: the work to do) and,
/// for each member, the position of an earlier one with the same address (`seen` maps
/// lower-case addresses to positions; `offset` is the position of `members[0]`).
fn first_occurrences<'m>(
    members: &'m [Member],
    seen: &mut HashMap<String, usize>,
    offset: usize,
) -> (Vec<(usize, &'m Member)>, Vec<Option<usize>>) {
    let mut work = Vec::with_capacity(members.len());
    let mut duplicate_of = vec![None; members.len()];
    for (i, m) in members.iter().enumerate() {
        match seen.entry(m.email().to_ascii_lowercase()) {
            Entry::Occupied(first) => duplicate_of[i] = Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(offset + i);
                work.push((i, m));
            }
        }
    }
    (work, duplicate_of)
}

/// What a streamed bulk run reads once and reuses for every window: Vyte's listing (Vyte
/// has no per-address look-up).
#[derive(Default)]
struct Prefetched {
    #[cfg(feature = "vyte")]
    vyte: Option<Result<vyte::Index, Error>>,
}

/// Told of each outcome as soon as it is known: (index of the member, vendor, outcome).
type Progress<'a> = &'a (dyn Fn(usize, Vendor, &Outcome) + Sync);

/// Records an outcome: tells `progress`, returns it with its index.
#[cfg(any(feature = "vectera", feature = "vyte", feature = "veo"))]
fn done(progress: Progress<'_>, i: usize, vendor: Vendor, outcome: Outcome) -> (usize, Outcome) {
    progress(i, vendor, &outcome);
    (i, outcome)
}

/// `ensure` member by member, `concurrency` at a time.
#[cfg(feature = "vectera")]
async fn one_by_one<'m, F, Fut>(
    work: &[(usize, &'m Member)],
    concurrency: usize,
    progress: Progress<'_>,
    vendor: Vendor,
    ensure: F,
) -> Vec<(usize, Outcome)>
where
    F: Fn(&'m Member) -> Fut,
    Fut: std::future::Future<Output = Result<Outcome, Error>>,
{
    futures::stream::iter(work)
        .map(|&(i, m)| {
            let call = ensure(m);
            async move { done(progress, i, vendor, settle(call.await)) }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await
}

/// Every member of `work` failed with `error` (a call they all depended on failed).
#[cfg(any(feature = "vyte", feature = "veo"))]
fn fail_all(
    work: &[(usize, &Member)],
    error: &Error,
    progress: Progress<'_>,
) -> Vec<(usize, Outcome)> {
    tracing::warn!(vendor = %error.vendor(), operation = error.operation(), members = work.len(), error = %error, "provisioning failed");
    work.iter()
        .map(|&(i, _)| done(progress, i, error.vendor(), Outcome::Failed(error.clone())))
        .collect()
}

/// Whether a batch that failed as a whole is worth redoing member by member: only when the
/// vendor's answer may concern individual members (a 4xx such as 400, 409, 413 or 422). Not
/// when the credentials were refused (401, 403), the vendor asked to slow down (429) or timed
/// out (408), the vendor or the network failed (5xx, timeouts, connections — those are retried
/// as a batch, see the vendor modules), or the answer could not be read.
#[cfg(any(feature = "vyte", feature = "veo"))]
fn redo_one_by_one(error: &Error) -> bool {
    error.kind() == crate::ErrorKind::Status
        && error
            .status()
            .is_some_and(|s| s.is_client_error() && !matches!(s.as_u16(), 401 | 403 | 408 | 429))
}

fn settle(result: Result<Outcome, Error>) -> Outcome {
    result.unwrap_or_else(|e| {
        tracing::warn!(vendor = %e.vendor(), operation = e.operation(), error = %e, "provisioning failed");
        Outcome::Failed(e)
    })
}

/// Shorthand for one idempotent call through the retry layer.
#[cfg(any(feature = "vectera", feature = "vyte", feature = "veo"))]
macro_rules! read {
    ($r:expr, $vendor:expr, $op:literal, $call:expr) => {
        $r.call($vendor, $op, Idempotency::Idempotent, || $call)
    };
}

#[cfg(feature = "vectera")]
mod vectera {
    use roster_vectera::prelude::*;
    use roster_vectera::types;

    use super::*;

    const V: Vendor = Vendor::Vectera;

    /// Users per page asked for (`perPage`, at most 100; a server that ignores it answers its
    /// own page size).
    const PER_PAGE: u32 = 100;

    #[derive(Debug)]
    pub(super) struct Side {
        client: roster_vectera::Client,
        /// The organization new members join, looked up once.
        organization: tokio::sync::OnceCell<String>,
        /// The most pages one walk reads.
        pub(super) max_pages: u32,
    }

    /// One page of users as read from either list shape, and the number of the page after it.
    struct UserPage {
        users: Vec<types::User>,
        next: Option<u32>,
        /// The DRF page's `count` (all pages), when the answer is a DRF page.
        total: Option<u64>,
    }

    impl Side {
        pub(super) fn new(client: roster_vectera::Client) -> Self {
            Self {
                client,
                organization: tokio::sync::OnceCell::new(),
                max_pages: crate::pages::DEFAULT_MAX_PAGES,
            }
        }

        /// The organization new members join: the token's user's own (`GET /users/me/`).
        /// A failure trips the run's circuit for Vectera: every member depends on it, so the
        /// others fail at once with it instead of asking again.
        async fn organization(&self, r: &Resilience) -> Result<String, Error> {
            self.organization
                .get_or_try_init(|| async {
                    let me = read!(r, V, "get_user", self.client.get_user().id("me").send())
                        .await
                        .and_then(|me| {
                            me.organization_id
                                .filter(|id| !id.is_empty())
                                .ok_or_else(|| {
                                    Error::unusable_answer(
                                        V,
                                        "get_user",
                                        "the token's user belongs to no organization",
                                    )
                                })
                        });
                    if let Err(e) = &me {
                        r.trip(e);
                    }
                    me
                })
                .await
                .cloned()
        }

        /// One page (1-based) of `GET /users/`, `search` narrowing it, read in either shape
        /// Vectera may answer: a DRF page (the next page from `next`) or a bare array (the next
        /// page from the `Link` header's `rel="next"`). A page that cannot be read — a DRF page
        /// without `results`, a next link that does not name the following page — is an error,
        /// never "no users".
        async fn users(
            &self,
            r: &Resilience,
            search: Option<&str>,
            page: u32,
        ) -> Result<UserPage, Error> {
            const OP: &str = "list_users";
            let number = std::num::NonZeroU32::new(page)
                .ok_or_else(|| Error::invalid_request(V, OP, "pages are numbered from 1"))?;
            let (list, link) = r
                .call(V, OP, Idempotency::Idempotent, || async {
                    let mut call = self.client.list_users().page(number).per_page(PER_PAGE);
                    if let Some(search) = search {
                        call = call.search(search);
                    }
                    let answer = call.send().await?;
                    let link = answer
                        .headers()
                        .get_all(reqwest::header::LINK)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .find_map(next_link);
                    let status = answer.status();
                    let headers = answer.headers().clone();
                    Ok::<_, progenitor_client::Error<types::Error>>(
                        progenitor_client::ResponseValue::new(
                            (answer.into_inner(), link),
                            status,
                            headers,
                        ),
                    )
                })
                .await?;
            let (users, next, total) = match list {
                types::UserList::UserPage(page) => {
                    let total = page.count.and_then(|c| u64::try_from(c).ok());
                    let users = match page.results {
                        Some(users) => users,
                        // `null` is an empty list only when the page says there are none.
                        None if total == Some(0) => Vec::new(),
                        None => {
                            return Err(Error::unusable_answer(
                                V,
                                OP,
                                "a page of users without `results`",
                            ));
                        }
                    };
                    (users, page.next, total)
                }
                types::UserList::Array(users) => (users, link, None),
            };
            // An empty page ends the walk whatever the links say (no endless loop on a server
            // that always names a next page).
            let next = match next {
                Some(url) if !users.is_empty() => Some(following_page(&url, page)?),
                _ => None,
            };
            Ok(UserPage { users, next, total })
        }

        /// The user with `email`, looked up through `search` (every page of matches).
        pub(super) async fn find(
            &self,
            r: &Resilience,
            email: &str,
        ) -> Result<Option<types::User>, Error> {
            let email = email.trim();
            let mut page = 1;
            let mut guard = PageGuard::new(V, "list_users", self.max_pages);
            loop {
                let found = self.users(r, Some(email), page).await?;
                guard.check(&Page {
                    accounts: found
                        .users
                        .iter()
                        .cloned()
                        .filter_map(|u| account(u).ok())
                        .collect(),
                    more: found.next.is_some(),
                    total: found.total,
                })?;
                if let Some(user) = found.users.into_iter().find(|u| {
                    u.email
                        .as_deref()
                        .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
                }) {
                    return Ok(Some(user));
                }
                match found.next {
                    Some(next) => page = next,
                    None => return Ok(None),
                }
            }
        }

        /// The id of a user Vectera answered: an answer without one is unusable.
        fn id(user: &types::User, op: &'static str) -> Result<String, Error> {
            user.id
                .clone()
                .filter(|id| !id.is_empty())
                .ok_or_else(|| Error::unusable_answer(V, op, "a user without an `id`"))
        }

        pub(super) async fn ensure(&self, r: &Resilience, m: &Member) -> Result<Outcome, Error> {
            let first_name = m.first_name.clone();
            let last_name = Some(m.last_name.clone()).filter(|l| !l.is_empty());
            if let Some(user) = self.find(r, m.email()).await? {
                let same = user.first_name.as_deref() == Some(m.first_name.as_str())
                    && user.last_name.as_deref().unwrap_or_default() == m.last_name
                    && user.is_managed.unwrap_or(false) == m.vectera.managed;
                if same {
                    return Ok(Outcome::Unchanged);
                }
                let id = Self::id(&user, "list_users")?;
                let update = types::UserUpdate {
                    first_name: Some(first_name),
                    last_name,
                    is_managed: Some(m.vectera.managed),
                    ..Default::default()
                };
                read!(
                    r,
                    V,
                    "update_user",
                    self.client
                        .update_user()
                        .id(&id)
                        .body(update.clone())
                        .send()
                )
                .await?;
                return Ok(Outcome::Updated);
            }
            let organization = self.organization(r).await?;
            let create = types::UserCreate {
                first_name,
                last_name,
                email: m.email().to_owned(),
                organization_id: organization,
                is_managed: Some(m.vectera.managed),
                password: None,
            };
            r.call(V, "create_user", Idempotency::NotIdempotent, || {
                self.client.create_user().body(create.clone()).send()
            })
            .await?;
            Ok(Outcome::Created)
        }

        pub(super) async fn remove(&self, r: &Resilience, email: &str) -> Result<Outcome, Error> {
            let Some(user) = self.find(r, email).await? else {
                return Ok(Outcome::Absent);
            };
            let id = Self::id(&user, "list_users")?;
            read!(
                r,
                V,
                "delete_user",
                self.client.delete_user().id(&id).send()
            )
            .await?;
            Ok(Outcome::Removed)
        }

        /// A login URL Vectera answered is handed on only when it is an absolute http(s) URL on
        /// the API's own host (Vectera answers `https://www.vectera.com/login/?token=...` for
        /// the API at `https://www.vectera.com/api/v1`): anything else — `"nulla"`, another
        /// host — is refused, whether or not a `next` is to be added. The URL is never shown.
        fn check_login_url(&self, url: &roster_runtime::Secret) -> Result<(), Error> {
            let refuse = |why: &str| {
                Err(Error::unusable_answer(
                    V,
                    "create_login_token",
                    format!("the login URL Vectera answered is {why}; it is not handed on"),
                ))
            };
            let Ok(parsed) = reqwest::Url::parse(url.expose()) else {
                return refuse("not an absolute URL");
            };
            let api = reqwest::Url::parse(self.client.base_url()).ok();
            if !matches!(parsed.scheme(), "https" | "http")
                || api
                    .as_ref()
                    .is_some_and(|api| api.scheme() == "https" && parsed.scheme() != "https")
            {
                return refuse("not an https URL");
            }
            if parsed.host_str().is_none()
                || api.as_ref().and_then(|a| a.host_str()) != parsed.host_str()
                || api.as_ref().map(|a| a.port_or_known_default())
                    != Some(parsed.port_or_known_default())
            {
                return refuse("not on the API's own host");
            }
            Ok(())
        }

        /// The id of the user with `email`, who must exist.
        async fn existing(&self, r: &Resilience, email: &str) -> Result<String, Error> {
            // The look-up is what found nobody: its error names it, not the call to follow.
            let user = self.find(r, email).await?.ok_or_else(|| {
                Error::invalid_request(
                    V,
                    "list_users",
                    format!("no Vectera user has the email {}", email.trim()),
                )
            })?;
            Self::id(&user, "list_users")
        }

        pub(super) async fn login_link(
            &self,
            r: &Resilience,
            email: &str,
            next: Option<&str>,
        ) -> Result<roster_runtime::Secret, Error> {
            const OP: &str = "create_login_token";
            if let Some(next) = next {
                roster_vectera::check_next(next)
                    .map_err(|e| Error::invalid_request(V, OP, e.to_string()))?;
            }
            let id = self.existing(r, email).await?;
            // A login token is single-use; a duplicate would be harmless, but a create is
            // still never retried once sent.
            let token = r
                .call(V, OP, Idempotency::NotIdempotent, || {
                    self.client.create_login_token().id(&id).send()
                })
                .await?;
            let url = token
                .url
                .ok_or_else(|| Error::unusable_answer(V, OP, "an answer without a login `url`"))?;
            self.check_login_url(&url)?;
            match next {
                Some(next) => roster_vectera::login_url_with_next(&url, next)
                    .map_err(|e| Error::unusable_answer(V, OP, e.to_string())),
                None => Ok(url),
            }
        }

        pub(super) async fn meeting_room(
            &self,
            r: &Resilience,
            email: &str,
            key: Option<&str>,
            access: types::AccessLevel,
        ) -> Result<MeetingRoom, Error> {
            let owner = self.existing(r, email).await?;
            let body = types::MeetingCreate {
                key: key.map(str::to_owned),
                owner_id: Some(owner),
                ..Default::default()
            };
            let meeting = r
                .call(V, "create_meeting", Idempotency::NotIdempotent, || {
                    self.client.create_meeting().body(body.clone()).send()
                })
                .await?;
            let meeting_id = meeting
                .id
                .clone()
                .filter(|id| !id.is_empty())
                .ok_or_else(|| {
                    Error::unusable_answer(V, "create_meeting", "a meeting room without an `id`")
                })?;
            let permission = r
                .call(V, "create_permission", Idempotency::NotIdempotent, || {
                    self.client
                        .create_permission()
                        .id(&meeting_id)
                        .body(types::PermissionCreate {
                            access_level: access,
                        })
                        .send()
                })
                .await?;
            Ok(MeetingRoom {
                meeting,
                permission,
            })
        }

        /// One page of accounts; another follows while Vectera names a next page.
        pub(super) async fn page(&self, r: &Resilience, page: u32) -> Result<Page, Error> {
            if page == 0 {
                return Ok(Page::default());
            }
            let found = self.users(r, None, page).await?;
            let accounts = found
                .users
                .into_iter()
                .map(account)
                .collect::<Result<_, _>>()?;
            Ok(Page {
                accounts,
                more: found.next.is_some(),
                total: found.total,
            })
        }
    }

    /// The target of an RFC 8288 `Link` header value's `rel="next"` link, if it has one.
    pub(super) fn next_link(value: &str) -> Option<String> {
        let mut rest = value;
        loop {
            let open = rest.find('<')?;
            let close = open + rest[open..].find('>')?;
            let target = &rest[open + 1..close];
            let after = &rest[close + 1..];
            // The link's parameters end at the first comma outside a quoted value.
            let mut quoted = false;
            let params_end = after
                .char_indices()
                .find(|&(_, c)| {
                    if c == '"' {
                        quoted = !quoted;
                    }
                    c == ',' && !quoted
                })
                .map_or(after.len(), |(i, _)| i);
            let params = &after[..params_end];
            let is_next = params.split(';').any(|param| {
                let Some((name, value)) = param.split_once('=') else {
                    return false;
                };
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            });
            if is_next {
                return Some(target.to_owned());
            }
            rest = &after[params_end..];
        }
    }

    /// The page number a next-page URL names, which must be the page after `page`: the walker
    /// asks for pages by number, so a link it cannot follow that way is refused, not skipped.
    pub(super) fn following_page(url: &str, page: u32) -> Result<u32, Error> {
        let named = url
            .split_once('?')
            .map(|(_, query)| query.split('#').next().unwrap_or_default())
            .into_iter()
            .flat_map(|query| query.split('&'))
            .filter_map(|pair| pair.split_once('='))
            .filter(|(name, _)| *name == "page")
            .map(|(_, value)| value.parse::<u32>().ok())
            .next_back()
            .flatten();
        match (named, page.checked_add(1)) {
            (Some(n), Some(expected)) if n == expected => Ok(n),
            _ => Err(Error::unusable_answer(
                V,
                "list_users",
                format!(
                    "the next-page link does not name page {}",
                    u64::from(page) + 1
                ),
            )),
        }
    }

    /// A listed user in vendor-neutral terms; a user without an id is unusable.
    pub(super) fn account(user: types::User) -> Result<Account, Error> {
        Ok(Account {
            vendor: V,
            id: Side::id(&user, "list_users")?,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            active: None,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_next_link_is_found_among_others() {
            let header = r#"<https://www.vectera.com/api/v1/users/?page=1&perPage=100>; rel="first", <https://www.vectera.com/api/v1/users/?page=3&perPage=100>; rel="next", <https://www.vectera.com/api/v1/users/?page=9&perPage=100>; rel="last""#;
            assert_eq!(
                next_link(header).as_deref(),
                Some("https://www.vectera.com/api/v1/users/?page=3&perPage=100")
            );
            assert_eq!(
                next_link(r#"</users/?page=2>; title="a, b"; rel=next"#).as_deref(),
                Some("/users/?page=2")
            );
            assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
            assert_eq!(next_link("garbage"), None);
        }

        #[test]
        fn a_next_link_must_name_the_following_page() {
            assert_eq!(
                following_page("https://x/api/v1/users/?perPage=100&page=3", 2).ok(),
                Some(3)
            );
            for (url, page) in [
                ("https://x/users/?page=5", 2),
                ("https://x/users/?cursor=abc", 1),
                ("https://x/users/", 1),
                ("https://x/users/?page=x", 1),
            ] {
                let err = following_page(url, page).expect_err(url);
                assert_eq!(err.kind(), crate::ErrorKind::InvalidResponse, "{url}");
            }
        }

        #[test]
        fn a_user_without_an_id_is_unusable() {
            for user in [
                serde_json::json!({"email": "a@b.co"}),
                serde_json::json!({"id": null, "email": "a@b.co"}),
                serde_json::json!({"id": "", "email": "a@b.co"}),
            ] {
                let user: types::User = serde_json::from_value(user).expect("a tolerant answer");
                let err = account(user).expect_err("no id");
                assert_eq!(err.kind(), crate::ErrorKind::InvalidResponse);
                assert!(err.to_string().contains("without an `id`"), "{err}");
            }
            let user: types::User = serde_json::from_value(
                serde_json::json!({"id": "8d077d9b-528d-4d4c-bfe8-1a9945090b6d"}),
            )
            .expect("a tolerant answer");
            let account = account(user).expect("an id is enough");
            assert_eq!(account.id, "8d077d9b-528d-4d4c-bfe8-1a9945090b6d");
            assert_eq!(account.email, None);
        }
    }
}

#[cfg(feature = "vyte")]
mod vyte {
    use roster_vyte::prelude::*;
    use roster_vyte::types;

    use super::*;

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
            return Err(not_understood("list_users", unreadable));
        }
        Ok(None)
    }

    pub(super) async fn find(
        client: &Client,
        r: &Resilience,
        email: &str,
    ) -> Result<Option<types::User>, Error> {
        let users = read!(r, V, "list_users", client.list_users().send()).await?;
        lookup(users.0, email)
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

    fn teams(m: &Member) -> Vec<types::TeamMembership> {
        m.vyte
            .teams
            .iter()
            .map(|name| types::TeamMembership {
                admin: Some(m.admin),
                name: Some(name.clone()),
                extid: None,
            })
            .collect()
    }

    /// The body that creates the member's user.
    fn create_body(m: &Member) -> Result<types::UserUpsert, Error> {
        Ok(types::UserUpsert {
            user: Some(profile(m, "create_user")?),
            teams: teams(m),
            ..Default::default()
        })
    }

    /// The body that updates the member's user: exactly what the member sets (teams
    /// included); `id` is set in a batch, where no path says it.
    fn update_body(m: &Member, id: Option<String>) -> Result<types::UserUpsert, Error> {
        Ok(types::UserUpsert {
            id,
            user: Some(profile(m, "update_user")?),
            teams: teams(m),
            ..Default::default()
        })
    }

    /// What `ensure` has to do for a member, given the user found for its address.
    enum Plan {
        Unchanged,
        /// Update the user with this `_id`.
        Update(String),
        Create,
    }

    /// Whether the listed `user` holds what the member sets (names, and the time zone and
    /// language when the member sets them).
    fn same(user: &types::User, m: &Member) -> bool {
        user.first_name.as_deref() == Some(m.first_name.as_str())
            && user.last_name.as_deref().unwrap_or_default() == m.last_name
            && (m.vyte.timezone.is_none() || user.timezone.as_deref() == m.vyte.timezone.as_deref())
            && (m.vyte.language.is_none() || user.language.as_deref() == m.vyte.language.as_deref())
    }

    fn plan(existing: Option<&types::User>, m: &Member) -> Result<Plan, Error> {
        let Some(user) = existing else {
            return Ok(Plan::Create);
        };
        if same(user, m) {
            return Ok(Plan::Unchanged);
        }
        let id = user
            .id
            .clone()
            .ok_or_else(|| Error::unusable_answer(V, "list_users", "a listed user has no `_id`"))?;
        Ok(Plan::Update(id))
    }

    pub(super) async fn ensure(
        client: &Client,
        r: &Resilience,
        m: &Member,
    ) -> Result<Outcome, Error> {
        let existing = find(client, r, m.email()).await?;
        match plan(existing.as_ref(), m)? {
            Plan::Unchanged => Ok(Outcome::Unchanged),
            Plan::Update(id) => {
                let body = update_body(m, None)?;
                read!(
                    r,
                    V,
                    "update_user",
                    client.update_user().user_id(&id).body(body.clone()).send()
                )
                .await?;
                Ok(Outcome::Updated)
            }
            Plan::Create => {
                let body = create_body(m)?;
                r.call(V, "create_user", Idempotency::NotIdempotent, || {
                    client.create_user().body(body.clone()).send()
                })
                .await?;
                Ok(Outcome::Created)
            }
        }
    }

    /// Vyte's users by lower-case address (Vyte lists the whole organisation in one answer).
    pub(super) struct Index {
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
    pub(super) async fn index(client: &Client, r: &Resilience) -> Result<Index, Error> {
        let users = read!(r, V, "list_users", client.list_users().send())
            .await?
            .0;
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
    pub(super) async fn ensure_many(
        client: &Client,
        r: &Resilience,
        work: &[(usize, &Member)],
        concurrency: usize,
        progress: Progress<'_>,
        listed: Option<&Result<Index, Error>>,
    ) -> Vec<(usize, Outcome)> {
        let fresh = match listed {
            Some(_) => None,
            None => Some(index(client, r).await),
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
                .get(m.email(), "list_users")
                .and_then(|existing| plan(existing, m))
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
            .map(|(create, chunk)| batch(client, r, create, chunk, concurrency, progress))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut sent = Vec::new();
        for (settled, unconfirmed) in done_in_batches {
            out.extend(settled);
            sent.extend(unconfirmed);
        }
        if !sent.is_empty() {
            out.extend(confirm(client, r, sent, progress).await);
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
                    "create_users_batch"
                } else {
                    "update_users_batch"
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
        client: &Client,
        r: &Resilience,
        create: bool,
        members: &[(usize, &'m Member, Option<String>)],
        concurrency: usize,
        progress: Progress<'_>,
    ) -> BatchDone<'m> {
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
                .call(V, "create_user", Idempotency::NotIdempotent, || {
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
                read!(
                    r,
                    V,
                    "update_user",
                    client.update_user().user_id(&id).body(body.clone()).send()
                )
                .await
                .map(drop)
            }
            (true, _) => create_batch(client, r, &mut chunk, &mut sent, &success).await,
            (false, _) => {
                let body = types::UserBatch(chunk.iter().map(|(_, _, b)| b.clone()).collect());
                read!(
                    r,
                    V,
                    "update_users_batch",
                    client.update_users_batch().body(body.clone()).send()
                )
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
            Err(e) if chunk.len() > 1 && redo_one_by_one(&e) => {
                tracing::warn!(vendor = %V, operation = e.operation(), members = chunk.len(), error = %e, "a batch was refused; redoing it member by member");
                let redone: Vec<(usize, Outcome)> = futures::stream::iter(&chunk)
                    .map(|&(i, m, _)| async move {
                        done(progress, i, V, settle(ensure(client, r, m).await))
                    })
                    .buffer_unordered(concurrency)
                    .collect()
                    .await;
                out.extend(redone);
            }
            Err(e) => {
                let work: Vec<(usize, &Member)> = chunk.iter().map(|&(i, m, _)| (i, m)).collect();
                out.extend(fail_all(&work, &e, progress));
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
        const OP: &str = "create_users_batch";
        let mut attempt = 1;
        loop {
            let body = types::UserBatch(chunk.iter().map(|(_, _, b)| b.clone()).collect());
            let error = match r
                .call(V, OP, Idempotency::NotIdempotent, || {
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

    /// Unlinks the user (the only removal Vyte offers); `done` is what to report.
    pub(super) async fn remove(
        client: &Client,
        r: &Resilience,
        email: &str,
        done: Outcome,
    ) -> Result<Outcome, Error> {
        let Some(user) = find(client, r, email).await? else {
            return Ok(Outcome::Absent);
        };
        let id = user
            .id
            .ok_or_else(|| Error::unusable_answer(V, "list_users", "a listed user has no `_id`"))?;
        read!(
            r,
            V,
            "unlink_user",
            client.unlink_user().user_id(&id).send()
        )
        .await?;
        Ok(done)
    }

    /// Vyte lists every user in one answer: page 1 is all of them.
    /// Vyte lists everyone in one answer: page 1 is all of it.
    pub(super) async fn page(client: &Client, r: &Resilience, page: u32) -> Result<Page, Error> {
        if page != 1 {
            return Ok(Page::default());
        }
        let users = read!(r, V, "list_users", client.list_users().send()).await?;
        Ok(Page {
            accounts: users.0.into_iter().map(account).collect(),
            more: false,
            total: None,
        })
    }

    pub(super) fn account(user: types::User) -> Account {
        Account {
            vendor: V,
            id: user.id.unwrap_or_default(),
            email: user.emails.and_then(|emails| emails.into_iter().next()),
            first_name: user.first_name,
            last_name: user.last_name,
            active: None,
        }
    }
}

#[cfg(feature = "veo")]
mod veo {
    //! VEO through invitations: a member VEO does not know is invited
    //! (`/api/userinvites/multiple`), never created with `/api/users/create`. Invitations take
    //! no region, so [`crate::VeoExtras::region_id`] is not sent: VEO takes `RegionId` only on
    //! `users/create`, which would also need a password and send no invitation email.

    use roster_veo::prelude::*;
    use roster_veo::{Role, types};

    use super::*;

    const V: Vendor = Vendor::Veo;

    /// Users per page: VEO's search is fuzzy, and one page this large holds any exact match
    /// in practice; listing walks pages of this size.
    const PAGE_SIZE: i32 = 100;

    #[derive(Debug)]
    pub(super) struct Side {
        client: roster_veo::Client,
        /// The organisation members join, looked up once.
        organisation: tokio::sync::OnceCell<i64>,
        /// The most pages one walk reads.
        pub(super) max_pages: u32,
    }

    /// A listed user with the id an update or delete needs.
    struct Found {
        id: String,
        user: types::UserSummary,
    }

    /// An organisation id from an answer (a JSON number or a string of digits).
    fn organisation_number(id: &types::AnyOrganisationId) -> Option<i64> {
        match id {
            types::AnyOrganisationId::Int64(n) => Some(*n),
            types::AnyOrganisationId::String(s) => s.trim().parse().ok(),
        }
    }

    /// A user id from an answer, as the text a path or query sends back.
    fn user_id_text(id: &types::AnyUserId) -> Option<String> {
        let text = id.to_string();
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// The user's role ids in `org`; `None` when the answer does not say.
    fn roles_in(user: &types::UserSummary, org: i64) -> Option<Vec<Role>> {
        let mut found = None;
        for entry in user.roles.iter().flatten() {
            if entry.organisation_id.as_ref().and_then(organisation_number) == Some(org) {
                let roles: &mut Vec<Role> = found.get_or_insert_with(Vec::new);
                roles.extend(entry.roles.iter().flatten().map(Role::from));
            }
        }
        found
    }

    /// The roles `m` is to hold: the user's current ones in the organisation (a site admin
    /// stays one), with [`Role::User`] and with [`Role::OrganisationAdmin`] exactly when `m`
    /// is an admin. Sorted, without repeats.
    fn wanted_roles(current: &[Role], admin: bool) -> Vec<Role> {
        let mut roles: Vec<Role> = current
            .iter()
            .copied()
            .filter(|r| *r != Role::OrganisationAdmin)
            .collect();
        roles.push(Role::User);
        if admin {
            roles.push(Role::OrganisationAdmin);
        }
        roles.sort();
        roles.dedup();
        roles
    }

    impl Side {
        pub(super) fn new(client: roster_veo::Client) -> Self {
            Self {
                client,
                organisation: tokio::sync::OnceCell::new(),
                max_pages: crate::pages::DEFAULT_MAX_PAGES,
            }
        }

        /// The organisation members join: the first the token's user administers
        /// (`GET /api/me`), else their first.
        /// A failure trips the run's circuit for VEO: every member depends on it, so the others
        /// fail at once with it instead of asking again.
        async fn organisation(&self, r: &Resilience) -> Result<i64, Error> {
            self.organisation
                .get_or_try_init(|| async {
                    let org = self.look_up_organisation(r).await;
                    if let Err(e) = &org {
                        r.trip(e);
                    }
                    org
                })
                .await
                .copied()
        }

        async fn look_up_organisation(&self, r: &Resilience) -> Result<i64, Error> {
            let me = read!(r, V, "get_me", self.client.get_me().send()).await?;
            let organisations = me.organisations.unwrap_or_default();
            let admin = organisations.iter().find(|o| {
                o.roles
                    .iter()
                    .flatten()
                    .any(|id| Role::from(id) == Role::OrganisationAdmin)
            });
            admin
                .or(organisations.first())
                .and_then(|o| o.id.as_ref())
                .and_then(organisation_number)
                .ok_or_else(|| {
                    Error::unusable_answer(
                        V,
                        "get_me",
                        "the token's user belongs to no organisation with a numeric id",
                    )
                })
        }

        /// The user whose address is `email`, if VEO lists one. A page VEO's answer leaves
        /// unclear (no `Items` while users match) or a matching user without an id is an
        /// error, never "no such user".
        async fn find(
            &self,
            r: &Resilience,
            org: i64,
            email: &str,
        ) -> Result<Option<Found>, Error> {
            // VEO's search is fuzzy: walk its pages until the address is found or the
            // search is exhausted (every page read: only then is "absent" known).
            let mut guard = PageGuard::new(V, "list_users", self.max_pages);
            let mut number = 1;
            let user = loop {
                let mut call = self
                    .client
                    .list_users()
                    .search_term(email.trim())
                    .organisation_id(org.to_string())
                    .page_size(PAGE_SIZE);
                // The first page is VEO's default: `pageNumber` is sent from the second on.
                if number > 1 {
                    call = call.page_number(number);
                }
                let page = read!(r, V, "list_users", call.clone().send()).await?;
                let total = page.total_item_count;
                let items = page_items(page.items, total)?;
                let more = has_more(items.len(), total, number);
                guard.check(&Page {
                    accounts: items
                        .iter()
                        .map(|u| Account {
                            vendor: V,
                            id: u.id.as_ref().and_then(user_id_text).unwrap_or_default(),
                            email: u.email.clone(),
                            first_name: None,
                            last_name: None,
                            active: None,
                        })
                        .collect(),
                    more,
                    total: total.and_then(|t| u64::try_from(t).ok()),
                })?;
                if let Some(user) = items.into_iter().find(|u| {
                    u.email
                        .as_deref()
                        .is_some_and(|e| e.trim().eq_ignore_ascii_case(email.trim()))
                }) {
                    break user;
                }
                if !more {
                    return Ok(None);
                }
                number += 1;
            };
            let id = user.id.as_ref().and_then(user_id_text).ok_or_else(|| {
                Error::unusable_answer(
                    V,
                    "list_users",
                    format!("VEO lists {} without an id", email.trim()),
                )
            })?;
            Ok(Some(Found { id, user }))
        }

        pub(super) async fn ensure(&self, r: &Resilience, m: &Member) -> Result<Outcome, Error> {
            let org = self.organisation(r).await?;
            match self.ensure_existing(r, org, m).await? {
                Some(outcome) => Ok(outcome),
                None => {
                    let result = self.invite(r, org, &[(0, m)]).await?;
                    self.invited(r, org, &result, m).await
                }
            }
        }

        /// Looks `m` up and brings an existing user in line (`Some` outcome); `None` when
        /// there is none and the member is to be invited. The update sends what the member
        /// sets (names, email, the admin role) and the roles it keeps; never `IsActive`, so a
        /// deactivated user stays deactivated.
        async fn ensure_existing(
            &self,
            r: &Resilience,
            org: i64,
            m: &Member,
        ) -> Result<Option<Outcome>, Error> {
            let Some(Found { id, user }) = self.find(r, org, m.email()).await? else {
                return Ok(None);
            };
            let mut roles = roles_in(&user, org).unwrap_or_default();
            let wanted = wanted_roles(&roles, m.admin);
            roles.sort();
            roles.dedup();
            // An invitee creates their own profile when accepting (VEO's docs): until then VEO
            // holds no names, there is nothing to compare, and re-running stays Unchanged.
            let names_same = match user.first_name.as_deref().filter(|n| !n.is_empty()) {
                None => true,
                Some(first) => {
                    first == m.first_name
                        && user.last_name.as_deref().unwrap_or_default() == m.last_name
                }
            };
            if names_same && roles == wanted {
                return Ok(Some(Outcome::Unchanged));
            }
            let body = types::UserUpdate {
                first_name: Some(m.first_name.clone()),
                last_name: Some(m.last_name.clone()),
                email: Some(m.email().to_owned()),
                password: None,
                is_active: None,
                roles: vec![types::OrganisationRole {
                    organisation_id: Some(org),
                    roles: wanted.into_iter().map(types::RoleId::from).collect(),
                }],
            };
            read!(
                r,
                V,
                "update_user",
                self.client
                    .update_user()
                    .user_id(id.clone())
                    .body(body.clone())
                    .send()
            )
            .await?;
            Ok(Some(Outcome::Updated))
        }

        /// One invitation call for `members`. Retried on a transient failure like a read: an
        /// invitation repeated is harmless by VEO's documentation (an address already invited
        /// or already a member is reported so, its rights set again; no second account), so a
        /// batch that met a 429 or a 503 is sent again as a batch, after the wait VEO asked for.
        async fn invite(
            &self,
            r: &Resilience,
            org: i64,
            members: &[(usize, &Member)],
        ) -> Result<types::InviteResult, Error> {
            let invite = types::InviteRequest {
                organisation_id: Some(types::OrganisationId(org.to_string())),
                users: members
                    .iter()
                    .map(|(_, m)| types::Invitee {
                        email: Some(m.email().to_owned()),
                        is_org_admin: Some(m.admin),
                        communities: m.veo.communities.clone(),
                    })
                    .collect(),
            };
            r.call(V, "invite_users", Idempotency::Idempotent, || {
                self.client.invite_users().body(invite.clone()).send()
            })
            .await
        }

        /// What became of `m` after an invitation answered `result`. An address the answer
        /// does not account for (in none of its lists) is looked up again: found, it was
        /// invited (it was not there before); not found, the invitation is unconfirmed.
        async fn invited(
            &self,
            r: &Resilience,
            org: i64,
            result: &types::InviteResult,
            m: &Member,
        ) -> Result<Outcome, Error> {
            match invite_verdict(result, m) {
                Verdict::Refused => Err(Error::unusable_answer(
                    V,
                    "invite_users",
                    format!(
                        "VEO refused the invitation of {} (its ErrorList)",
                        m.email()
                    ),
                )),
                Verdict::Updated => Ok(Outcome::Updated),
                Verdict::Invited => Ok(Outcome::Created),
                Verdict::Unaccounted => match self.find(r, org, m.email()).await? {
                    Some(_) => Ok(Outcome::Created),
                    None => Err(Error::unusable_answer(
                        V,
                        "invite_users",
                        format!(
                            "VEO's invitation answer does not account for {} and a look-up does not find them: the invitation is unconfirmed",
                            m.email()
                        ),
                    )),
                },
            }
        }

        /// Look-ups and updates `concurrency` at a time; the members VEO does not know are
        /// invited [`BATCH_SIZE`] per call.
        pub(super) async fn ensure_many(
            &self,
            r: &Resilience,
            work: &[(usize, &Member)],
            concurrency: usize,
            progress: Progress<'_>,
        ) -> Vec<(usize, Outcome)> {
            let org = match self.organisation(r).await {
                Ok(org) => org,
                Err(e) => return fail_all(work, &e, progress),
            };
            // Ok: done (unchanged, updated or failed); Err: to be invited.
            let looked_up: Vec<_> = futures::stream::iter(work)
                .map(|&(i, m)| async move {
                    match self.ensure_existing(r, org, m).await {
                        Ok(Some(outcome)) => Ok(done(progress, i, V, outcome)),
                        Ok(None) => Err((i, m)),
                        Err(e) => Ok(done(progress, i, V, settle(Err(e)))),
                    }
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
            let mut out = Vec::with_capacity(work.len());
            let mut new = Vec::new();
            for looked in looked_up {
                match looked {
                    Ok(outcome) => out.push(outcome),
                    Err(member) => new.push(member),
                }
            }
            // In input order, so each invitation call's body does not depend on timing.
            new.sort_unstable_by_key(|&(i, _)| i);
            let invited_batches: Vec<Vec<(usize, Outcome)>> =
                futures::stream::iter(new.chunks(BATCH_SIZE))
                    .map(|chunk| async move {
                        match self.invite(r, org, chunk).await {
                            Ok(result) => {
                                // Members the answer does not account for are looked up again,
                                // `concurrency` at a time.
                                let result = &result;
                                futures::stream::iter(chunk)
                                    .map(|&(i, m)| async move {
                                        let outcome = self.invited(r, org, result, m).await;
                                        done(progress, i, V, settle(outcome))
                                    })
                                    .buffer_unordered(concurrency)
                                    .collect()
                                    .await
                            }
                            Err(e) if chunk.len() > 1 && redo_one_by_one(&e) => {
                                tracing::warn!(vendor = %V, operation = e.operation(), members = chunk.len(), error = %e, "an invitation batch was refused; redoing it member by member");
                                futures::stream::iter(chunk)
                                    .map(|&(i, m)| async move {
                                        done(progress, i, V, settle(self.ensure(r, m).await))
                                    })
                                    .buffer_unordered(concurrency)
                                    .collect()
                                    .await
                            }
                            Err(e) => fail_all(chunk, &e, progress),
                        }
                    })
                    .buffer_unordered(concurrency)
                    .collect()
                    .await;
            out.extend(invited_batches.into_iter().flatten());
            out
        }

        pub(super) async fn remove(&self, r: &Resilience, email: &str) -> Result<Outcome, Error> {
            let org = self.organisation(r).await?;
            let Some(found) = self.find(r, org, email).await? else {
                return Ok(Outcome::Absent);
            };
            read!(
                r,
                V,
                "delete_user",
                self.client.delete_user().id(found.id.clone()).send()
            )
            .await?;
            Ok(Outcome::Removed)
        }

        /// `IsActive: false` with the user's roles in the organisation (VEO requires `Roles`
        /// on an update) and the names and email VEO lists, so nothing else changes.
        pub(super) async fn deactivate(
            &self,
            r: &Resilience,
            email: &str,
        ) -> Result<Outcome, Error> {
            let org = self.organisation(r).await?;
            let Some(Found { id, user }) = self.find(r, org, email).await? else {
                return Ok(Outcome::Absent);
            };
            if user.is_active == Some(false) {
                return Ok(Outcome::Unchanged);
            }
            // Without the current roles an update would reset them: fail closed.
            let roles = roles_in(&user, org)
                .filter(|roles| !roles.is_empty())
                .ok_or_else(|| {
                    Error::unusable_answer(
                        V,
                        "list_users",
                        format!(
                            "VEO lists no roles of {} in organisation {org}; an update needs them",
                            email.trim()
                        ),
                    )
                })?;
            let body = types::UserUpdate {
                first_name: user.first_name.clone(),
                last_name: user.last_name.clone(),
                email: user.email.clone(),
                password: None,
                is_active: Some(false),
                roles: vec![types::OrganisationRole {
                    organisation_id: Some(org),
                    roles: roles.into_iter().map(types::RoleId::from).collect(),
                }],
            };
            read!(
                r,
                V,
                "update_user",
                self.client
                    .update_user()
                    .user_id(id.clone())
                    .body(body.clone())
                    .send()
            )
            .await?;
            Ok(Outcome::Deactivated)
        }

        pub(super) async fn find_account(
            &self,
            r: &Resilience,
            email: &str,
        ) -> Result<Option<Account>, Error> {
            let org = self.organisation(r).await?;
            Ok(self.find(r, org, email).await?.map(account))
        }

        /// One page of the organisation's users; another follows until `Page * PageSize`
        /// reaches `TotalItemCount` (or a page comes back empty).
        pub(super) async fn page(&self, r: &Resilience, page: u32) -> Result<Page, Error> {
            let Ok(number) = i32::try_from(page) else {
                return Ok(Page::default());
            };
            if number == 0 {
                return Ok(Page::default());
            }
            let org = self.organisation(r).await?;
            let list = read!(
                r,
                V,
                "list_users",
                self.client
                    .list_users()
                    .organisation_id(org.to_string())
                    .page_size(PAGE_SIZE)
                    .page_number(number)
                    .send()
            )
            .await?;
            let total = list.total_item_count;
            let items = page_items(list.items, total)?;
            let more = has_more(items.len(), total, number);
            let accounts = items
                .into_iter()
                .map(|user| {
                    let id = user.id.as_ref().and_then(user_id_text).ok_or_else(|| {
                        Error::unusable_answer(V, "list_users", "VEO lists a user without an id")
                    })?;
                    Ok(account(Found { id, user }))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            Ok(Page {
                accounts,
                more,
                total: total.and_then(|t| u64::try_from(t).ok()),
            })
        }
    }

    /// Whether a page `number` (1-based) of `len` users has a successor: the declared total
    /// says so, or (without one) the page is full.
    fn has_more(len: usize, total: Option<i64>, number: i32) -> bool {
        let seen = u64::from(number.unsigned_abs()) * PAGE_SIZE.unsigned_abs() as u64;
        len > 0
            && match total {
                Some(total) => u64::try_from(total).is_ok_and(|total| total > seen),
                None => len as u64 == PAGE_SIZE.unsigned_abs() as u64,
            }
    }

    /// A page's users. `Items` missing or `null` is an empty .NET list only when
    /// `TotalItemCount` says 0; otherwise the answer is not understood (fail closed).
    fn page_items(
        items: Option<Vec<types::UserSummary>>,
        total: Option<i64>,
    ) -> Result<Vec<types::UserSummary>, Error> {
        match (items, total) {
            (Some(items), _) => Ok(items),
            (None, Some(0)) => Ok(Vec::new()),
            (None, total) => Err(Error::unusable_answer(
                V,
                "list_users",
                match total {
                    Some(total) => {
                        format!("VEO's user page has no Items but a TotalItemCount of {total}")
                    }
                    None => "VEO's user page has neither Items nor TotalItemCount".to_owned(),
                },
            )),
        }
    }

    /// How an invitation answer accounts for one member.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Verdict {
        /// In `ErrorList` (or the unconfirmed `FailedList`).
        Refused,
        /// In `AlreadyInOrganisationList`: already a member, rights now as asked.
        Updated,
        /// In `SuccessList` or `ExistingUserAddedMembershipToOrganisation`.
        Invited,
        /// In none of the lists (they may all be `null`, or `TotalInvites` 0).
        Unaccounted,
    }

    fn invite_verdict(result: &types::InviteResult, m: &Member) -> Verdict {
        let listed = |list: &Option<Vec<String>>| list.iter().flatten().any(|e| m.has_email(e));
        if listed(&result.error_list) || listed(&result.failed_list) {
            Verdict::Refused
        } else if listed(&result.already_in_organisation_list) {
            Verdict::Updated
        } else if listed(&result.success_list)
            || listed(&result.existing_user_added_membership_to_organisation)
        {
            Verdict::Invited
        } else {
            Verdict::Unaccounted
        }
    }

    fn account(found: Found) -> Account {
        let Found { id, user } = found;
        Account {
            vendor: V,
            id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            active: user.is_active,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn member(email: &str) -> Member {
            Member::new(email, "Ann", "Lee").expect("a valid member")
        }

        #[test]
        fn null_lists_and_unlisted_members_are_unaccounted() {
            let m = member("ann@example.com");
            let result: types::InviteResult = serde_json::from_value(serde_json::json!({
                "TotalInvites": 0, "SuccessList": null, "ErrorList": null,
                "AlreadyInOrganisationList": null,
                "ExistingUserAddedMembershipToOrganisation": null
            }))
            .expect("null lists read");
            assert_eq!(invite_verdict(&result, &m), Verdict::Unaccounted);
            let result: types::InviteResult = serde_json::from_value(serde_json::json!({
                "TotalInvites": 1, "SuccessList": ["other@example.com"]
            }))
            .expect("missing lists read");
            assert_eq!(invite_verdict(&result, &m), Verdict::Unaccounted);
            for (list, verdict) in [
                ("SuccessList", Verdict::Invited),
                (
                    "ExistingUserAddedMembershipToOrganisation",
                    Verdict::Invited,
                ),
                ("AlreadyInOrganisationList", Verdict::Updated),
                ("ErrorList", Verdict::Refused),
                ("FailedList", Verdict::Refused),
            ] {
                let result: types::InviteResult =
                    serde_json::from_value(serde_json::json!({ list: ["ANN@example.com"] }))
                        .expect("one list");
                assert_eq!(invite_verdict(&result, &m), verdict, "{list}");
            }
        }

        #[test]
        fn a_page_without_items_is_empty_only_when_its_total_is_zero() {
            assert!(page_items(None, Some(0)).expect("empty").is_empty());
            assert!(page_items(None, Some(3)).is_err());
            assert!(page_items(None, None).is_err());
            assert!(
                page_items(Some(Vec::new()), Some(3))
                    .expect("items")
                    .is_empty()
            );
        }

        #[test]
        fn wanted_roles_keep_what_the_member_does_not_mention() {
            use Role::*;
            assert_eq!(
                wanted_roles(&[User, SiteAdmin, OrganisationAdmin], false),
                [User, SiteAdmin]
            );
            assert_eq!(wanted_roles(&[], true), [User, OrganisationAdmin]);
            assert_eq!(wanted_roles(&[Other(16), User], false), [User, Other(16)]);
        }
    }
}
