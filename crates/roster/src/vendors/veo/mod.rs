//! VEO through invitations: a member VEO does not know is invited
//! (`/api/userinvites/multiple`), never created with `/api/users/create`. Invitations take
//! no region (VEO takes `RegionId` only on `users/create`, which would also need a password
//! and send no invitation email). Members are looked up through VEO's fuzzy search, walked
//! page by page until the exact address is found; updates carry the roles a member keeps.

use futures::StreamExt;
use roster_veo::operations as op;
use roster_veo::prelude::*;
use roster_veo::{Role, types};

use super::{Diff, Plan, Progress, VendorApi, batch_failed, done, fail_all, settle};
use crate::error::{Error, Vendor};
use crate::member::Member;
use crate::pages::{Page, PageGuard};
use crate::plan::{Identity, Listing, Offboarding, change};
use crate::provisioner::BATCH_SIZE;
use crate::report::{Account, Outcome};

mod answers;

use answers::{
    Verdict, account, has_more, invite_verdict, organisation_number, page_items, roles_in,
    user_id_text, wanted_roles,
};
use crate::retry::Resilience;

const V: Vendor = Vendor::Veo;

/// Users per page: VEO's search is fuzzy, and one page this large holds any exact match
/// in practice; listing walks pages of this size.
const PAGE_SIZE: i32 = 100;

/// VEO's side of a provisioner.
#[derive(Debug)]
pub(crate) struct Side {
    client: roster_veo::Client,
    /// The organisation members join, and the token's own user id (never removed), looked
    /// up once.
    organisation: tokio::sync::OnceCell<(i64, Option<String>)>,
    /// The most pages one walk reads.
    max_pages: u32,
}

/// An update VEO is to get: the user's id, the organisation, and the roles the member is to
/// hold there.
pub(crate) struct Update {
    id: String,
    org: i64,
    roles: Vec<Role>,
}

/// A listed user with the id an update or delete needs.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    id: String,
    user: types::UserSummary,
}

impl Side {
    /// `PUT /api/v2/users/{id}` with `body` (an update and a deactivation differ only in it).
    async fn put_user(&self, r: &Resilience, id: &str, body: types::UserUpdate) -> Result<(), Error> {
        r.run(V, op::UPDATE_USER, || {
            self.client
                .update_user()
                .user_id(id.to_owned())
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    /// Page `number` (1-based) of the organisation's users (narrowed by VEO's `searchTerm`):
    /// the users with their ids, whether another page follows, and the declared total. A user
    /// without an id makes the page unusable.
    async fn organisation_page(
        &self,
        r: &Resilience,
        org: i64,
        number: i32,
        search: Option<&str>,
    ) -> Result<(Vec<Found>, bool, Option<u64>), Error> {
        let list = r
            .run(V, op::LIST_USERS, || {
                let mut call = self
                    .client
                    .list_users()
                    .organisation_id(org.to_string())
                    .page_size(PAGE_SIZE)
                    .page_number(number);
                if let Some(search) = search {
                    call = call.search_term(search);
                }
                call.send()
            })
            .await?;
        let total = list.total_item_count;
        let items = page_items(list.items, total)?;
        let more = has_more(items.len(), total, number);
        let found = items
            .into_iter()
            .map(|user| {
                let id = user.id.as_ref().and_then(user_id_text).ok_or_else(|| {
                    Error::unusable_answer(V, op::LIST_USERS.id, "VEO lists a user without an id")
                })?;
                Ok(Found { id, user })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok((found, more, total.and_then(|t| u64::try_from(t).ok())))
    }

    /// The organisation members join: the first the token's user administers
    /// (`GET /api/me`), else their first.
    /// A failure trips the run's circuit for VEO: every member depends on it, so the others
    /// fail at once with it instead of asking again.
    async fn organisation(&self, r: &Resilience) -> Result<i64, Error> {
        Ok(self.me(r).await?.0)
    }

    /// Refuses to take out the token's own user (the run would lock itself out).
    async fn not_me(&self, r: &Resilience, id: &str, operation: &'static str) -> Result<(), Error> {
        if self.me(r).await?.1.as_deref() == Some(id) {
            return Err(Error::invalid_request(
                V,
                operation,
                "this is the token's own user; Roster never removes it",
            ));
        }
        Ok(())
    }

    /// The organisation and the token's own user id (`GET /api/me`), asked once.
    async fn me(&self, r: &Resilience) -> Result<(i64, Option<String>), Error> {
        self.organisation
            .get_or_try_init(|| async {
                let org = self.look_up_organisation(r).await;
                if let Err(e) = &org {
                    r.trip(e);
                }
                org
            })
            .await
            .cloned()
    }

    async fn look_up_organisation(&self, r: &Resilience) -> Result<(i64, Option<String>), Error> {
        let me = r.run(V, op::GET_ME, || self.client.get_me().send()).await?;
        let own = me.id.as_ref().and_then(user_id_text);
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
                    op::GET_ME.id,
                    "the token's user belongs to no organisation with a numeric id",
                )
            })
            .map(|org| (org, own))
    }

    /// The user whose address is `email`, if VEO lists one. A page VEO's answer leaves
    /// unclear (no `Items` while users match) or a matching user without an id is an
    /// error, never "no such user".
    async fn find_user(
        &self,
        r: &Resilience,
        org: i64,
        email: &str,
    ) -> Result<Option<Found>, Error> {
        // VEO's search is fuzzy: walk its pages until the address is found or the
        // search is exhausted (every page read: only then is "absent" known).
        let mut guard = PageGuard::new(V, op::LIST_USERS.id, self.max_pages);
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
            let page = r.run(V, op::LIST_USERS, || call.clone().send()).await?;
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
                op::LIST_USERS.id,
                format!("VEO lists {} without an id", email.trim()),
            )
        })?;
        Ok(Some(Found { id, user }))
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
        // Idempotent by the spec's `x-roster-idempotent` (VEO documents a repeat as harmless).
        r.run(V, op::INVITE_USERS, || {
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
                op::INVITE_USERS.id,
                format!(
                    "VEO refused the invitation of {} (its ErrorList)",
                    m.email()
                ),
            )),
            Verdict::Updated => Ok(Outcome::Updated),
            Verdict::Invited => Ok(Outcome::Created),
            Verdict::Unaccounted => match self.find_user(r, org, m.email()).await? {
                Some(_) => Ok(Outcome::Created),
                None => Err(Error::unusable_answer(
                    V,
                    op::INVITE_USERS.id,
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
    async fn ensure_many_invited(
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
                match self.ensure_existing(r, m).await {
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
                        Err(e) => batch_failed(self, r, concurrency, chunk, &e, progress).await,
                    }
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
        out.extend(invited_batches.into_iter().flatten());
        out
    }
}

impl VendorApi for Side {
    const VENDOR: Vendor = V;
    type Client = roster_veo::Client;
    type Prefetch = ();
    type Target = Update;
    /// A listed user, with the organisation its roles are read in.
    type Listed = (Found, i64);
    /// VEO keeps the account, inactive (a deletion would lose its history).
    const OFFBOARDING: Offboarding = Offboarding::Deactivate;

    fn new(client: roster_veo::Client, max_pages: u32) -> Self {
        Self {
            client,
            organisation: tokio::sync::OnceCell::new(),
            max_pages,
        }
    }

    fn set_max_pages(&mut self, max_pages: u32) {
        self.max_pages = max_pages;
    }

    async fn find(&self, r: &Resilience, email: &str) -> Result<Option<Account>, Error> {
        let org = self.organisation(r).await?;
        Ok(self.find_user(r, org, email).await?.map(account))
    }

    /// Looks `m` up in the organisation. An invitee creates their own profile when accepting
    /// (VEO's docs): until then VEO holds no names, there is nothing to compare, and
    /// re-running stays Unchanged. The roles compared are the ones the member is to hold.
    async fn plan(&self, r: &Resilience, m: &Member) -> Result<Plan<Update>, Error> {
        let org = self.organisation(r).await?;
        let Some(Found { id, user }) = self.find_user(r, org, m.email()).await? else {
            return Ok(Plan::Create);
        };
        let roles = roles_in(&user, org).unwrap_or_default();
        let wanted = wanted_roles(&roles, m.admin);
        let listed = (Found { id, user }, org);
        Self::diff(&listed, m).plan(|| {
            Ok(Update {
                id: listed.0.id.clone(),
                org,
                roles: wanted,
            })
        })
    }

    /// Every user of the organisation, page by page (the walk bounded like every other),
    /// and the token's own user.
    async fn list_all(&self, r: &Resilience) -> Result<Listing<(Found, i64)>, Error> {
        let (org, own) = self.me(r).await?;
        let mut users = Vec::new();
        let mut guard = PageGuard::new(V, op::LIST_USERS.id, self.max_pages);
        let mut number: i32 = 1;
        loop {
            let (found, more, total) = self.organisation_page(r, org, number, None).await?;
            guard.check(&Page {
                accounts: found.iter().cloned().map(account).collect(),
                more,
                total,
            })?;
            users.extend(found.into_iter().map(|found| (found, org)));
            if !more {
                break;
            }
            number = number.saturating_add(1);
        }
        Ok(Listing { users, own })
    }

    /// The listing is of the organisation only.
    fn identity(&self, (found, _): &(Found, i64)) -> Identity {
        Identity::of(account(found.clone()), true)
    }

    /// Names are compared only when VEO holds some: an invitee sets their own on accepting
    /// (VEO's docs), so until then there is nothing to compare — a note says the member's
    /// are not applied — and re-running stays unchanged. `admin` is the Organisation Admin
    /// role in the organisation.
    fn diff((found, org): &(Found, i64), m: &Member) -> Diff {
        let user = &found.user;
        let mut diff = Diff::default();
        match user.first_name.as_deref().filter(|n| !n.is_empty()) {
            Some(first) => {
                change(&mut diff.changes, "first_name", Some(first), Some(&m.first_name));
                change(
                    &mut diff.changes,
                    "last_name",
                    Some(user.last_name.as_deref().unwrap_or_default()),
                    Some(&m.last_name),
                );
            }
            None => diff
                .notes
                .push("VEO holds no name until the invitee accepts: names not applied".to_owned()),
        }
        let mut roles = roles_in(user, *org).unwrap_or_default();
        let wanted = wanted_roles(&roles, m.admin);
        roles.sort();
        roles.dedup();
        if roles != wanted {
            let admin = |roles: &[Role]| {
                if roles.contains(&Role::OrganisationAdmin) {
                    "yes"
                } else {
                    "no"
                }
            };
            if admin(&roles) != admin(&wanted) {
                change(&mut diff.changes, "admin", Some(admin(&roles)), Some(admin(&wanted)));
            } else {
                let names = |roles: &[Role]| {
                    roles.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join("+")
                };
                change(&mut diff.changes, "roles", Some(&names(&roles)), Some(&names(&wanted)));
            }
        }
        diff
    }

    /// An invitation carries no names: the invitee sets them on accepting.
    fn create_notes(_m: &Member) -> Vec<String> {
        vec!["VEO invitations carry no names: the invitee sets their own".to_owned()]
    }

    /// Sends what the member sets (names, email, the admin role) and the roles it keeps;
    /// never `IsActive`, so a deactivated user stays deactivated.
    async fn update(&self, r: &Resilience, m: &Member, update: Update) -> Result<(), Error> {
        let Update { id, org, roles } = update;
        let body = types::UserUpdate {
            first_name: Some(m.first_name.clone()),
            last_name: Some(m.last_name.clone()),
            email: Some(m.email().to_owned()),
            password: None,
            is_active: None,
            roles: vec![types::OrganisationRole {
                organisation_id: Some(org),
                roles: roles.into_iter().map(types::RoleId::from).collect(),
            }],
        };
        self.put_user(r, &id, body).await
    }

    /// Invited, never created: see the module docs.
    async fn create(&self, r: &Resilience, m: &Member) -> Result<Outcome, Error> {
        let org = self.organisation(r).await?;
        let result = self.invite(r, org, &[(0, m)]).await?;
        self.invited(r, org, &result, m).await
    }

    /// Look-ups and updates `concurrency` at a time; the members VEO does not know are
    /// invited [`BATCH_SIZE`] per call.
    async fn ensure_many(
        &self,
        r: &Resilience,
        concurrency: usize,
        work: &[(usize, &Member)],
        progress: Progress<'_>,
        _prefetched: Option<&()>,
    ) -> Vec<(usize, Outcome)> {
        self.ensure_many_invited(r, work, concurrency, progress).await
    }

    async fn remove(&self, r: &Resilience, email: &str) -> Result<Outcome, Error> {
        let org = self.organisation(r).await?;
        let Some(found) = self.find_user(r, org, email).await? else {
            return Ok(Outcome::Absent);
        };
        self.not_me(r, &found.id, op::DELETE_USER.id).await?;
        r.run(V, op::DELETE_USER, || {
            self.client.delete_user().id(found.id.clone()).send()
        })
        .await?;
        Ok(Outcome::Removed)
    }

    /// `IsActive: false` with the user's roles in the organisation (VEO requires `Roles`
    /// on an update) and the names and email VEO lists, so nothing else changes.
    async fn deactivate(
        &self,
        r: &Resilience,
        email: &str,
    ) -> Result<Outcome, Error> {
        let org = self.organisation(r).await?;
        let Some(Found { id, user }) = self.find_user(r, org, email).await? else {
            return Ok(Outcome::Absent);
        };
        if user.is_active == Some(false) {
            return Ok(Outcome::Unchanged);
        }
        self.not_me(r, &id, op::UPDATE_USER.id).await?;
        // Without the current roles an update would reset them: fail closed.
        let roles = roles_in(&user, org)
            .filter(|roles| !roles.is_empty())
            .ok_or_else(|| {
                Error::unusable_answer(
                    V,
                    op::LIST_USERS.id,
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
        self.put_user(r, &id, body).await?;
        Ok(Outcome::Deactivated)
    }

    /// One page of the organisation's users; another follows until `Page * PageSize`
    /// reaches `TotalItemCount` (or a page comes back empty).
    async fn page(&self, r: &Resilience, page: u32, search: Option<&str>) -> Result<Page, Error> {
        let Ok(number) = i32::try_from(page) else {
            return Ok(Page::default());
        };
        if number == 0 {
            return Ok(Page::default());
        }
        let org = self.organisation(r).await?;
        let (found, more, total) = self.organisation_page(r, org, number, search).await?;
        Ok(Page {
            accounts: found.into_iter().map(account).collect(),
            more,
            total,
        })
    }
}
