//! The [`Provisioner`]: the facade's API, provisioning a [`Member`] into every configured
//! vendor (look up, then create or update), in bulk, streamed, and removing, deactivating,
//! finding and listing — each vendor reached through [`crate::vendors`].

use std::collections::HashMap;

use futures::{Stream, StreamExt};

use crate::bulk::{self, Prefetched};
use crate::config::{Config, ConfigError};
use crate::error::{Error, Vendor};
use crate::member::Member;
use crate::pages::{DEFAULT_MAX_PAGES, PageGuard};
use crate::plan::{ChangeSet, MemberPlan, Team};
#[cfg(feature = "vectera")]
use crate::report::MeetingRoom;
use crate::report::{Account, MemberReport, Outcome};
use crate::retry::Resilience;
#[cfg(feature = "vectera")]
use crate::vendors::vectera;
use crate::vendors::{Action, Side, Vendors};

/// Provisions members into the vendors of a [`Config`], with the retry layer around every
/// call. A create is never retried blindly: each `ensure` looks the member up first.
#[derive(Debug)]
pub struct Provisioner {
    resilience: Resilience,
    concurrency: usize,
    max_pages: u32,
    vendors: Vendors,
}

/// How many calls [`Provisioner::ensure_all`] has in flight per vendor by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Members per batch call of [`Provisioner::ensure_all`] (Vyte batch create/update, VEO
/// invitations). Neither vendor documents a limit; 100 keeps a request body around 20 KiB.
pub const BATCH_SIZE: usize = 100;

impl Provisioner {
    /// A provisioner for every vendor in `config`, with the default retry layer.
    ///
    /// # Errors
    /// [`ConfigError::Client`] when a client cannot be built (TLS initialisation, a secret
    /// that is not a valid header value).
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        Self::with_resilience(config, Resilience::default())
    }

    /// A provisioner with a retry layer of the caller's (policy, budget, sleeper).
    ///
    /// # Errors
    /// As [`Provisioner::new`].
    pub fn with_resilience(config: &Config, resilience: Resilience) -> Result<Self, ConfigError> {
        // One connection pool for every vendor, with the configured timeouts.
        let timeouts = config.timeouts();
        let http = roster_runtime::http_client_with(
            concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
            timeouts.connect,
            timeouts.attempt,
        )?;
        // Every error's vendor text is redacted against the configured secrets, and the tokens
        // a sign-in obtains (renewed ones too) as they come.
        let resilience = resilience.with_redactor(config.redactor());
        let vendors = Vendors::new(config, &http, config.limits(), DEFAULT_MAX_PAGES)?;
        Ok(Self {
            resilience,
            concurrency: DEFAULT_CONCURRENCY,
            max_pages: DEFAULT_MAX_PAGES,
            vendors,
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
        self.vendors.set_max_pages(self.max_pages);
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
        let (work, duplicate_of) = bulk::first_occurrences(members, &mut HashMap::new(), 0);
        bulk::ensure_window(
            &self.vendors,
            &self.run_scope(),
            self.concurrency,
            members,
            &work,
            &duplicate_of,
            &progress,
            &Prefetched::default(),
        )
        .await
    }

    /// [`Provisioner::ensure_all`] for a team of any size read as it goes — a file, a
    /// database cursor — with memory that stays flat: members are taken
    /// [`STREAM_WINDOW`](crate::STREAM_WINDOW) at a time, and each window's reports (in input
    /// order) are yielded before the next is read.
    /// Vyte's organisation is listed once for the whole stream. An address seen earlier in the
    /// stream is reported as failed, naming the earlier member's position.
    pub fn ensure_stream<'a, S>(&'a self, members: S) -> impl Stream<Item = MemberReport> + 'a
    where
        S: Stream<Item = Member> + 'a,
    {
        bulk::ensure_stream(&self.vendors, self.run_scope(), self.concurrency, members)
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

    /// What [`Provisioner::ensure_all`] would do with `members`, found without writing: each
    /// configured vendor listed once, whole (concurrently), and every member compared with
    /// what the vendor holds by the same comparison `ensure` makes — create, update (which
    /// fields, old → new) or unchanged — plus the accounts the vendors hold that no member
    /// names ([`ChangeSet::removals`], what [`Provisioner::offboard`] would take out). A
    /// listing that fails or is not understood makes the vendor's steps [`Step::Unknown`].
    ///
    /// [`Step::Unknown`]: crate::Step::Unknown
    pub async fn plan(&self, members: &[Member]) -> ChangeSet {
        let r = &self.run_scope();
        let team = &Team::new(members);
        let per_vendor = futures::future::join_all(
            self.vendors
                .sides()
                .into_iter()
                .map(|side| async move { (side.vendor(), side.survey(r, team).await) }),
        )
        .await;
        let mut set = ChangeSet {
            members: members
                .iter()
                .map(|m| MemberPlan {
                    email: m.email().to_owned(),
                    vendors: Vec::with_capacity(per_vendor.len()),
                })
                .collect(),
            ..ChangeSet::default()
        };
        for (vendor, plan) in per_vendor {
            for (member, step) in set.members.iter_mut().zip(plan.steps) {
                member.vendors.push(step);
            }
            set.removals.extend(plan.removals);
            if plan.unmatched > 0 {
                set.unmatched.push((vendor, plan.unmatched));
            }
        }
        set
    }

    /// Takes the member with `email` out of one vendor the way the vendor allows
    /// ([`Offboarding`](crate::Offboarding): Vectera deletes, Vyte unlinks, VEO deactivates),
    /// looked up afresh first; [`Outcome::Absent`] when the vendor does not hold them. The
    /// token's own account is refused.
    pub async fn offboard(&self, vendor: Vendor, email: &str) -> Outcome {
        let email = email.trim();
        match self.side(vendor, "offboard") {
            Ok(side) => {
                side.run(&self.run_scope(), Action::Deactivate(email))
                    .await
                    .1
            }
            Err(error) => Outcome::Failed(error),
        }
    }

    /// The side of `vendor`; an error for `operation` when it is not configured.
    fn side(&self, vendor: Vendor, operation: &'static str) -> Result<Side<'_>, Error> {
        self.vendors.side(vendor).ok_or_else(|| {
            Error::invalid_request(vendor, operation, format!("{vendor} is not configured"))
        })
    }

    /// Looks the member with `email` up in every configured vendor.
    pub async fn find(&self, email: &str) -> Vec<(Vendor, Result<Option<Account>, Error>)> {
        let r = &self.run_scope();
        let email = email.trim();
        futures::future::join_all(
            self.vendors
                .sides()
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
        self.walk(vendor, None)
    }

    /// [`Provisioner::list`] narrowed by the vendor's own search for `text` where it has one
    /// (Vectera `search`, VEO `searchTerm`, both fuzzy; Vyte, which has none, is listed whole
    /// and filtered here by address and name). The accounts are what the vendor's search
    /// matched: check them if an exact match is wanted.
    pub fn search<'a>(
        &'a self,
        vendor: Vendor,
        text: &'a str,
    ) -> impl futures::Stream<Item = Result<Account, Error>> + 'a {
        self.walk(vendor, Some(text))
    }

    fn walk<'a>(
        &'a self,
        vendor: Vendor,
        search: Option<&'a str>,
    ) -> impl futures::Stream<Item = Result<Account, Error>> + 'a {
        let side = self.side(vendor, "list_users");
        let r = &self.resilience;
        let guard = PageGuard::new(vendor, "list_users", self.max_pages);
        futures::stream::unfold(
            (Some(side), Some(1u32), guard),
            move |(side, page, mut guard)| async move {
                let page = page?;
                let side = match side? {
                    Ok(side) => side,
                    Err(err) => return Some((Err(err), (None, None, guard))),
                };
                match side.page(r, page, search).await.and_then(|found| {
                    guard.check(&found)?;
                    Ok(found)
                }) {
                    Ok(found) => {
                        let next = if found.more {
                            page.checked_add(1)
                        } else {
                            None
                        };
                        Some((Ok(found.accounts), (Some(Ok(side)), next, guard)))
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
        self.vectera_side(roster_vectera::operations::CREATE_LOGIN_TOKEN.id)?
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
        self.vectera_side(roster_vectera::operations::CREATE_MEETING.id)?
            .meeting_room(&self.run_scope(), email, key, access)
            .await
    }

    /// What [`Provisioner::sync_vyte_teams`] would do to Vyte's teams for `members`, read
    /// only: one `GET /v2/teams` and one `GET /v2/users`, no write.
    ///
    /// The rules, for the plan and the sync alike:
    ///
    /// - Each entry of a member's `vyte.teams` names a Vyte team by its `extid` (exactly),
    ///   else by its name (ignoring case); an entry that names two teams at one of those steps
    ///   is an error for that team. An entry naming no team means a team to create, with
    ///   `extid` and `name` both the entry's text (entries spelt alike ignoring case are one
    ///   team), its members set in the same create call.
    /// - Only the teams named somewhere in `members` are managed; no other team is read
    ///   beyond the listing or ever written.
    /// - A managed team's wanted member list is its current list, in its order, with the
    ///   members of the file that name it appended (file order). A member of the file who
    ///   does not name it is removed from it (that is how a member moves between teams); a
    ///   current member who is not in the file at all is kept, unless `prune`, where they are
    ///   removed. Ids that are no longer users of the organisation are dropped (never sent
    ///   back), and an id listed twice is kept once.
    /// - Admin lists are left as they are: an update sends only `members`, so it never sends
    ///   the id of a user removed from the organisation as an admin either.
    /// - An address given twice is read once, at its first member (as in
    ///   [`Provisioner::ensure_all`]).
    ///
    /// In a plan, a member naming a team who is not a Vyte user yet (the run will create the
    /// user first) counts as added ([`TeamChange::not_yet_users`](crate::TeamChange::not_yet_users)).
    ///
    /// # Errors
    /// [`Error`] when Vyte is not configured, a listing fails, or the users listing is not
    /// understood (a listed user without `_id` or `emails`: fail closed), or an entry names
    /// two teams.
    #[cfg(feature = "vyte")]
    pub async fn plan_vyte_teams(
        &self,
        members: &[Member],
        prune: bool,
    ) -> Result<Vec<crate::TeamChange>, Error> {
        let side = self.vyte_side(roster_vyte::operations::LIST_TEAMS.id)?;
        crate::vendors::vyte::teams::plan(side, &self.run_scope(), members, prune).await
    }

    /// Keeps the membership of Vyte's teams in step with `members` (see
    /// [`Provisioner::plan_vyte_teams`] for the rules), in the fewest calls: one teams
    /// listing, one users listing, then one `POST /v2/teams` per team to create (its members
    /// in it) and one `PUT /v2/teams/{team_id}` per team whose member list changes — an update
    /// replaces the whole list, so each team gets at most one, sending only `members` — and
    /// nothing for a team already as wanted, so a second run sends no write. Writes go
    /// [`Provisioner::with_concurrency`] at a time; one report per managed team, in order of
    /// first mention.
    ///
    /// Run it after the users are ensured ([`Provisioner::ensure_all`] does not touch teams):
    /// member ids come from the users listing, and a member naming a team who is not a Vyte
    /// user (their create failed, say) fails that team — nothing is sent for it — rather than
    /// being left out silently. A listing that fails or is not understood (a listed user
    /// without `_id` or `emails`) fails every team and sends nothing.
    #[cfg(feature = "vyte")]
    pub async fn sync_vyte_teams(&self, members: &[Member], prune: bool) -> Vec<crate::TeamReport> {
        let r = self.run_scope();
        match self.vyte_side(roster_vyte::operations::LIST_TEAMS.id) {
            Ok(side) => {
                crate::vendors::vyte::teams::sync(side, &r, self.concurrency, members, prune).await
            }
            Err(error) => crate::vendors::vyte::teams::failed_everywhere(members, &error),
        }
    }

    #[cfg(feature = "vyte")]
    fn vyte_side(&self, operation: &'static str) -> Result<&crate::vendors::vyte::Side, Error> {
        self.vendors.vyte.as_ref().ok_or_else(|| {
            Error::invalid_request(Vendor::Vyte, operation, "vyte is not configured")
        })
    }

    #[cfg(feature = "vectera")]
    fn vectera_side(&self, operation: &'static str) -> Result<&vectera::Side, Error> {
        self.vendors.vectera.as_ref().ok_or_else(|| {
            Error::invalid_request(Vendor::Vectera, operation, "vectera is not configured")
        })
    }

    /// Runs `action` in every configured vendor concurrently, outcomes in [`Vendor::ALL`] order.
    async fn in_every_vendor(&self, action: Action<'_>) -> Vec<(Vendor, Outcome)> {
        let r = &self.run_scope();
        futures::future::join_all(
            self.vendors
                .sides()
                .into_iter()
                .map(|side| side.run(r, action)),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles only if these futures and streams can move between threads (a caller may
    /// `tokio::spawn` them), whichever vendor features are on. The bulk runs (`ensure_all`,
    /// `ensure_stream`) are not `Send` (`ensure_all` was not before the vendor trait either):
    /// rustc cannot prove their buffered per-member closures general enough over lifetimes.
    #[allow(dead_code)]
    fn the_single_member_api_is_send(p: &Provisioner, member: &Member) {
        fn send<T: Send>(_: T) {}
        send(p.ensure(member));
        send(p.remove("a@example.com"));
        send(p.deactivate("a@example.com"));
        send(p.find("a@example.com"));
        send(p.list(Vendor::Vyte));
        #[cfg(feature = "vectera")]
        send(p.vectera_login_link("a@example.com", None));
    }

    #[test]
    fn a_provisioner_is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Provisioner>();
    }
}
