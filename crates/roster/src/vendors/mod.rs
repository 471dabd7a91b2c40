//! The vendors behind the facade: one module per vendor implementing [`VendorApi`], the
//! algorithms they share written once here (compare → plan → update-or-create, a refused
//! batch redone one by one, a shared failure failing every member, settling a result into an
//! [`Outcome`]), and the vendor table — one `vendors!` line per vendor — that generates the
//! feature-gated fields, the construction and the dispatch.

use futures::StreamExt;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::member::Member;
use crate::pages::Page;
use crate::plan::{Change, Identity, Listing, Offboarding};
use crate::report::{Account, Outcome};
use crate::retry::Resilience;

/// Told of each outcome as soon as it is known: (index of the member, vendor, outcome).
pub(crate) type Progress<'a> = &'a (dyn Fn(usize, Vendor, &Outcome) + Sync);

/// What `ensure` has to do for a member, once compared with what the vendor holds.
pub(crate) enum Plan<T> {
    /// The vendor holds the member as wanted: nothing to write.
    Unchanged,
    /// The vendor holds the member otherwise: update it (`T`: what the update needs).
    Update(T),
    /// The vendor does not hold the member.
    Create,
}

/// How a member differs from what a vendor holds: the fields an update would change, and what
/// the vendor cannot apply (in words).
#[derive(Debug, Default)]
pub(crate) struct Diff {
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
}

impl Diff {
    /// [`Plan::Unchanged`] when nothing differs, else an update of `target`.
    pub(crate) fn plan<T>(
        &self,
        target: impl FnOnce() -> Result<T, Error>,
    ) -> Result<Plan<T>, Error> {
        if self.changes.is_empty() {
            Ok(Plan::Unchanged)
        } else {
            target().map(Plan::Update)
        }
    }
}

/// What the facade does in one vendor. Each vendor module implements it once; the provided
/// methods are the algorithm every vendor shares.
pub(crate) trait VendorApi: Sync + Sized {
    /// The vendor.
    const VENDOR: Vendor;
    /// The vendor crate's generated client.
    type Client;
    /// What a bulk run reads once and reuses for every window (`()` when nothing).
    type Prefetch: Send + Sync;
    /// What an update of an existing user needs, as [`VendorApi::plan`] found it.
    type Target: Send;
    /// A user as the vendor's listing gives it.
    type Listed: Send + Sync;
    /// How the vendor takes a member out ([`VendorApi::deactivate`]).
    const OFFBOARDING: Offboarding;

    /// The vendor side of a provisioner over `client`, reading at most `max_pages` per walk.
    fn new(client: Self::Client, max_pages: u32) -> Self;

    /// The most pages one walk of a list reads.
    fn set_max_pages(&mut self, max_pages: u32);

    /// Looks the user with `email` up.
    async fn find(&self, r: &Resilience, email: &str) -> Result<Option<Account>, Error>;

    /// Looks `m` up and compares it with what the vendor holds.
    async fn plan(&self, r: &Resilience, m: &Member) -> Result<Plan<Self::Target>, Error>;

    /// Brings the existing user `target` in line with `m`.
    async fn update(&self, r: &Resilience, m: &Member, target: Self::Target) -> Result<(), Error>;

    /// Creates (or invites) `m`, who was not found; the outcome is usually
    /// [`Outcome::Created`].
    async fn create(&self, r: &Resilience, m: &Member) -> Result<Outcome, Error>;

    /// Removes the user with `email`.
    async fn remove(&self, r: &Resilience, email: &str) -> Result<Outcome, Error>;

    /// Takes the user with `email` out of use, keeping what the vendor allows to keep.
    async fn deactivate(&self, r: &Resilience, email: &str) -> Result<Outcome, Error>;

    /// One page (1-based) of accounts, whether another follows, and the declared total;
    /// narrowed by the vendor's own search for `search` where it has one.
    async fn page(&self, r: &Resilience, page: u32, search: Option<&str>) -> Result<Page, Error>;

    /// Every user of the token's organisation (a walk bounded like every other), and the
    /// token's own account — for a plan.
    async fn list_all(&self, r: &Resilience) -> Result<Listing<Self::Listed>, Error>;

    /// What the listing says of `listed`: its account, and whether it belongs to the token's
    /// organisation.
    fn identity(&self, listed: &Self::Listed) -> Identity;

    /// How `m` differs from `listed` (the comparison `plan` makes too).
    fn diff(listed: &Self::Listed, m: &Member) -> Diff;

    /// What creating `m` cannot apply here, in words.
    fn create_notes(_m: &Member) -> Vec<String> {
        Vec::new()
    }

    /// What a streamed bulk run reads once (`None`: nothing).
    async fn prefetch(&self, _r: &Resilience) -> Option<Self::Prefetch> {
        None
    }

    /// Compare → plan → update: `Some` outcome for a user that exists, `None` when `m` is to
    /// be created.
    async fn ensure_existing(&self, r: &Resilience, m: &Member) -> Result<Option<Outcome>, Error> {
        match self.plan(r, m).await? {
            Plan::Unchanged => Ok(Some(Outcome::Unchanged)),
            Plan::Update(target) => {
                self.update(r, m, target).await?;
                Ok(Some(Outcome::Updated))
            }
            Plan::Create => Ok(None),
        }
    }

    /// Makes sure `m` exists as described: created when absent, updated when different.
    async fn ensure(&self, r: &Resilience, m: &Member) -> Result<Outcome, Error> {
        match self.ensure_existing(r, m).await? {
            Some(outcome) => Ok(outcome),
            None => self.create(r, m).await,
        }
    }

    /// Ensures every member of `work` (index into the caller's slice, member); one outcome
    /// per member, in any order. By default one by one, `concurrency` at a time.
    async fn ensure_many(
        &self,
        r: &Resilience,
        concurrency: usize,
        work: &[(usize, &Member)],
        progress: Progress<'_>,
        _prefetched: Option<&Self::Prefetch>,
    ) -> Vec<(usize, Outcome)> {
        self.one_by_one(r, concurrency, work, progress).await
    }

    /// [`VendorApi::ensure`] member by member, `concurrency` at a time — also how a batch
    /// the vendor refused as a whole is redone (each member looked up again first, so
    /// nothing the batch did create is created twice).
    async fn one_by_one(
        &self,
        r: &Resilience,
        concurrency: usize,
        work: &[(usize, &Member)],
        progress: Progress<'_>,
    ) -> Vec<(usize, Outcome)> {
        futures::stream::iter(work)
            .map(|&(i, m)| async move {
                done(progress, i, Self::VENDOR, settle(self.ensure(r, m).await))
            })
            .buffer_unordered(concurrency)
            .collect()
            .await
    }
}

/// Records an outcome: tells `progress`, returns it with its index.
pub(crate) fn done(
    progress: Progress<'_>,
    i: usize,
    vendor: Vendor,
    outcome: Outcome,
) -> (usize, Outcome) {
    progress(i, vendor, &outcome);
    (i, outcome)
}

/// Every member of `work` failed with `error` (a call they all depended on failed).
// Used by the vendors with batch calls; a build without them leaves it unused.
#[allow(dead_code)]
pub(crate) fn fail_all(
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
// Used by the vendors with batch calls; a build without them leaves it unused.
#[allow(dead_code)]
pub(crate) fn redo_one_by_one(error: &Error) -> bool {
    error.kind() == ErrorKind::Status
        && error
            .status()
            .is_some_and(|s| s.is_client_error() && !matches!(s.as_u16(), 401 | 403 | 408 | 429))
}

/// A batch of `work` failed as a whole with `error`: redone member by member when the vendor's
/// answer may concern single members ([`redo_one_by_one`]), else every member fails with it.
// Used by the vendors with batch calls; a build without them leaves it unused.
#[allow(dead_code)]
pub(crate) async fn batch_failed<V: VendorApi>(
    vendor: &V,
    r: &Resilience,
    concurrency: usize,
    work: &[(usize, &Member)],
    error: &Error,
    progress: Progress<'_>,
) -> Vec<(usize, Outcome)> {
    if work.len() > 1 && redo_one_by_one(error) {
        tracing::warn!(vendor = %V::VENDOR, operation = error.operation(), members = work.len(), error = %error, "a batch was refused; redoing it member by member");
        vendor.one_by_one(r, concurrency, work, progress).await
    } else {
        fail_all(work, error, progress)
    }
}

/// The outcome of a result: its error logged and reported as [`Outcome::Failed`].
pub(crate) fn settle(result: Result<Outcome, Error>) -> Outcome {
    result.unwrap_or_else(|e| {
        tracing::warn!(vendor = %e.vendor(), operation = e.operation(), error = %e, "provisioning failed");
        Outcome::Failed(e)
    })
}

/// What to do with a member in every vendor.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action<'a> {
    Ensure(&'a Member),
    Remove(&'a str),
    Deactivate(&'a str),
}

impl Action<'_> {
    /// Does it in `vendor`.
    async fn on<V: VendorApi>(self, vendor: &V, r: &Resilience) -> Result<Outcome, Error> {
        match self {
            Action::Ensure(m) => vendor.ensure(r, m).await,
            Action::Remove(email) => vendor.remove(r, email).await,
            Action::Deactivate(email) => vendor.deactivate(r, email).await,
        }
    }
}

/// The vendor table: `(Vendor variant, module, cargo feature and name, vendor crate, what the
/// vendor is)` once per vendor. It emits [`Vendor`] (every vendor, compiled in or not), and
/// declares the modules and emits, each entry behind its feature: [`default_base_url`],
/// [`Vendors`] (the configured vendors' sides) with its construction, [`Side`] (one configured
/// vendor) with its dispatch, and [`Prefetched`].
macro_rules! vendors {
    ($( ($variant:ident, $module:ident, $feature:literal, $krate:ident, $what:literal) ),* $(,)?) => {
        /// The vendors Roster talks to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Vendor {
            $(
                #[doc = $what]
                $variant,
            )*
        }

        impl Vendor {
            /// Every vendor, in a stable order.
            pub const ALL: [Vendor; [$(Vendor::$variant),*].len()] = [$(Vendor::$variant),*];

            /// The lower-case name (`vectera`), as in crate names, cargo features and
            /// environment variables.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Vendor::$variant => $feature,)*
                }
            }

            /// The vendor's position in [`Vendor::ALL`].
            pub(crate) const fn index(self) -> usize {
                self as usize
            }
        }

        $(
            #[cfg(feature = $feature)]
            pub(crate) mod $module;
        )*

        /// The production base URL of `vendor`'s client (its spec's first server), when the
        /// client is compiled in.
        pub(crate) fn default_base_url(vendor: Vendor) -> Option<&'static str> {
            match vendor {
                $(
                    #[cfg(feature = $feature)]
                    Vendor::$variant => Some($krate::DEFAULT_BASE_URL),
                )*
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }

        /// The configured vendors, one field per compiled-in vendor.
        #[derive(Debug)]
        pub(crate) struct Vendors {
            $(
                #[cfg(feature = $feature)]
                pub(crate) $module: Option<$module::Side>,
            )*
        }

        impl Vendors {
            /// A side for every vendor `config` configures, its client on the shared `http`
            /// client, reading answers within `limits`.
            pub(crate) fn new(
                config: &Config,
                http: &reqwest::Client,
                limits: roster_runtime::Limits,
                max_pages: u32,
            ) -> Result<Self, roster_runtime::ConfigError> {
                Ok(Self {
                    $(
                        #[cfg(feature = $feature)]
                        $module: config
                            .vendor(Vendor::$variant)
                            .map(|c| {
                                $krate::Client::with_credential(
                                    c.base_url(),
                                    c.client_credential(http)?,
                                    http.clone(),
                                )
                                .map(|client| client.with_limits(limits))
                            })
                            .transpose()?
                            .map(|client| <$module::Side as VendorApi>::new(client, max_pages)),
                    )*
                })
            }

            /// The most pages one walk reads, in every vendor.
            pub(crate) fn set_max_pages(&mut self, max_pages: u32) {
                $(
                    #[cfg(feature = $feature)]
                    if let Some(side) = &mut self.$module {
                        side.set_max_pages(max_pages);
                    }
                )*
            }

            /// The configured vendors, in [`Vendor::ALL`] order.
            pub(crate) fn sides(&self) -> Vec<Side<'_>> {
                #[allow(unused_mut)] // with every vendor feature off, nothing is added
                let mut sides = Vec::with_capacity(Vendor::ALL.len());
                $(
                    #[cfg(feature = $feature)]
                    sides.extend(self.$module.as_ref().map(Side::$variant));
                )*
                sides
            }

            /// The side of `vendor`, when it is configured.
            pub(crate) fn side(&self, vendor: Vendor) -> Option<Side<'_>> {
                self.sides().into_iter().find(|side| side.vendor() == vendor)
            }

            /// What a streamed run reads once, in each vendor that needs it.
            pub(crate) async fn prefetch(
                &self,
                #[allow(unused_variables)] r: &Resilience,
            ) -> Prefetched {
                Prefetched {
                    $(
                        #[cfg(feature = $feature)]
                        $module: match &self.$module {
                            Some(side) => side.prefetch(r).await,
                            None => None,
                        },
                    )*
                }
            }
        }

        /// What a streamed bulk run reads once and reuses for every window, per vendor.
        #[derive(Default)]
        pub(crate) struct Prefetched {
            $(
                #[cfg(feature = $feature)]
                $module: Option<<$module::Side as VendorApi>::Prefetch>,
            )*
        }

        /// One configured vendor.
        #[derive(Clone, Copy)]
        pub(crate) enum Side<'a> {
            $(
                #[cfg(feature = $feature)]
                $variant(&'a $module::Side),
            )*
            /// Uninhabited; keeps the lifetime used when every vendor feature is off.
            #[allow(dead_code)]
            None(std::convert::Infallible, std::marker::PhantomData<&'a ()>),
        }

        impl Side<'_> {
            pub(crate) fn vendor(self) -> Vendor {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Side::$variant(_) => Vendor::$variant,
                    )*
                    Side::None(never, _) => match never {},
                }
            }

            /// Does `action` here; the outcome, failures settled.
            pub(crate) async fn run(self, r: &Resilience, action: Action<'_>) -> (Vendor, Outcome) {
                let result = match self {
                    $(
                        #[cfg(feature = $feature)]
                        Side::$variant(side) => action.on(side, r).await,
                    )*
                    Side::None(never, _) => match never {},
                };
                (self.vendor(), settle(result))
            }

            /// [`VendorApi::ensure_many`] with what was prefetched for this vendor.
            pub(crate) async fn ensure_many(
                self,
                r: &Resilience,
                concurrency: usize,
                work: &[(usize, &Member)],
                progress: Progress<'_>,
                #[allow(unused_variables)] prefetched: &Prefetched,
            ) -> Vec<(usize, Outcome)> {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Side::$variant(side) => {
                            let prefetched = prefetched.$module.as_ref();
                            side.ensure_many(r, concurrency, work, progress, prefetched).await
                        }
                    )*
                    Side::None(never, _) => match never {},
                }
            }

            /// Compares `team` with this vendor's whole listing ([`crate::plan::survey`]).
            pub(crate) async fn survey(
                self,
                r: &Resilience,
                team: &crate::plan::Team<'_>,
            ) -> crate::plan::VendorPlan {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Side::$variant(side) => crate::plan::survey(side, r, team).await,
                    )*
                    Side::None(never, _) => match never {},
                }
            }

            /// [`VendorApi::find`].
            pub(crate) async fn find(
                self,
                r: &Resilience,
                email: &str,
            ) -> Result<Option<Account>, Error> {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Side::$variant(side) => side.find(r, email).await,
                    )*
                    Side::None(never, _) => match never {},
                }
            }

            /// [`VendorApi::page`].
            pub(crate) async fn page(
                self,
                r: &Resilience,
                page: u32,
                search: Option<&str>,
            ) -> Result<Page, Error> {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Side::$variant(side) => side.page(r, page, search).await,
                    )*
                    Side::None(never, _) => match never {},
                }
            }
        }
    };
}

vendors! {
    (Vectera, vectera, "vectera", roster_vectera, "Vectera (meeting rooms)."),
    (Vyte, vyte, "vyte", roster_vyte, "Vyte (scheduling)."),
    (Veo, veo, "veo", roster_veo, "VEO (video coaching)."),
}

#[cfg(test)]
mod tests {
    /// The retry decisions the vendor modules rely on, as the specs state them.
    #[test]
    fn the_specs_say_which_calls_are_retried() {
        #[cfg(feature = "vectera")]
        {
            use roster_vectera::operations as op;
            const { assert!(op::LIST_USERS.idempotent && op::GET_USER.idempotent) };
            // A PATCH setting given values, overridden as idempotent by the spec.
            const { assert!(op::UPDATE_USER.idempotent && op::DELETE_USER.idempotent) };
            const { assert!(!op::CREATE_USER.idempotent && !op::CREATE_LOGIN_TOKEN.idempotent) };
            const { assert!(!op::CREATE_MEETING.idempotent && !op::CREATE_PERMISSION.idempotent) };
        }
        #[cfg(feature = "vyte")]
        {
            use roster_vyte::operations as op;
            const { assert!(op::LIST_USERS.idempotent && op::UPDATE_USER.idempotent) };
            const { assert!(op::UPDATE_USERS_BATCH.idempotent && op::UNLINK_USER.idempotent) };
            // Re-sent by `create_batch` only after a listing shows what it wrote.
            const { assert!(!op::CREATE_USER.idempotent && !op::CREATE_USERS_BATCH.idempotent) };
        }
        #[cfg(feature = "veo")]
        {
            use roster_veo::operations as op;
            const { assert!(op::GET_ME.idempotent && op::LIST_USERS.idempotent) };
            const { assert!(op::UPDATE_USER.idempotent && op::DELETE_USER.idempotent) };
            // A POST, overridden as idempotent by the spec (a repeat is reported, not redone).
            const { assert!(op::INVITE_USERS.idempotent) };
            const { assert!(!op::CREATE_USER.idempotent) };
            assert_eq!(op::INVITE_USERS.id, "invite_users");
        }
    }
}
