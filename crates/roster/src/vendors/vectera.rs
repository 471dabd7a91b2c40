//! Vectera: users looked up through `search` (every page of matches, in either list shape
//! Vectera answers), created in the token's own organization, updated with a PATCH; no batch
//! endpoint (bulk runs go member by member) and no deactivation (a deactivated member is
//! deleted). Also the login links and meeting rooms only Vectera offers.

use roster_vectera::operations as op;
use roster_vectera::prelude::*;
use roster_vectera::types;

use super::{Diff, Plan, VendorApi};
use crate::error::{Error, Vendor};
use crate::member::Member;
use crate::pages::{Page, PageGuard};
use crate::plan::{Identity, Listing, Offboarding, change};
use crate::report::{Account, MeetingRoom, Outcome};
use crate::retry::Resilience;

const V: Vendor = Vendor::Vectera;

/// Users per page asked for (`perPage`, at most 100; a server that ignores it answers its
/// own page size).
const PER_PAGE: u32 = 100;

/// Vectera's side of a provisioner.
#[derive(Debug)]
pub(crate) struct Side {
    client: roster_vectera::Client,
    /// The token's own user, looked up once: the organization new members join, and the
    /// account that is never removed.
    me: tokio::sync::OnceCell<Me>,
    /// The most pages one walk reads.
    max_pages: u32,
}

/// The token's own user: its organization and its id.
#[derive(Debug, Clone)]
struct Me {
    organization: String,
    id: Option<String>,
}

/// One page of users as read from either list shape, and the number of the page after it.
struct UserPage {
    users: Vec<types::User>,
    next: Option<u32>,
    /// The DRF page's `count` (all pages), when the answer is a DRF page.
    total: Option<u64>,
}

impl Side {
    /// The organization new members join: the token's user's own (`GET /users/me/`).
    async fn organization(&self, r: &Resilience) -> Result<String, Error> {
        Ok(self.me(r).await?.organization)
    }

    /// The token's own user (`GET /users/me/`), asked once.
    /// A failure trips the run's circuit for Vectera: every member depends on it, so the
    /// others fail at once with it instead of asking again.
    async fn me(&self, r: &Resilience) -> Result<Me, Error> {
        self.me
            .get_or_try_init(|| async {
                let me = r
                    .run(V, op::GET_USER, || self.client.get_user().id("me").send())
                    .await
                    .and_then(|me| {
                        let organization = me
                            .organization_id
                            .clone()
                            .filter(|id| !id.is_empty())
                            .ok_or_else(|| {
                                Error::unusable_answer(
                                    V,
                                    op::GET_USER.id,
                                    "the token's user belongs to no organization",
                                )
                            })?;
                        Ok(Me {
                            organization,
                            id: me.id.clone().filter(|id| !id.is_empty()),
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

    /// Refuses to take out the token's own user (the run would lock itself out).
    async fn not_me(&self, r: &Resilience, id: &str, operation: &'static str) -> Result<(), Error> {
        if self.me(r).await?.id.as_deref() == Some(id) {
            return Err(Error::invalid_request(
                V,
                operation,
                "this is the token's own user; Roster never removes it",
            ));
        }
        Ok(())
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
        const OP: &str = op::LIST_USERS.id;
        let number = std::num::NonZeroU32::new(page)
            .ok_or_else(|| Error::invalid_request(V, OP, "pages are numbered from 1"))?;
        let (list, link) = r
            .run(V, op::LIST_USERS, || async {
                let mut call = self.client.list_users().page(number).per_page(PER_PAGE);
                if let Some(search) = search {
                    call = call.search(search);
                }
                let answer = call.send().await?;
                let link = roster_runtime::next_link(answer.headers());
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
    async fn find_user(
        &self,
        r: &Resilience,
        email: &str,
    ) -> Result<Option<types::User>, Error> {
        let email = email.trim();
        let mut page = 1;
        let mut guard = PageGuard::new(V, op::LIST_USERS.id, self.max_pages);
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

    /// A login URL Vectera answered is handed on only when it is an absolute http(s) URL on
    /// the API's own host (Vectera answers `https://www.vectera.com/login/?token=...` for
    /// the API at `https://www.vectera.com/api/v1`): anything else — `"nulla"`, another
    /// host — is refused, whether or not a `next` is to be added. The URL is never shown.
    fn check_login_url(&self, url: &roster_runtime::Secret) -> Result<(), Error> {
        let refuse = |why: &str| {
            Err(Error::unusable_answer(
                V,
                op::CREATE_LOGIN_TOKEN.id,
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
        let user = self.find_user(r, email).await?.ok_or_else(|| {
            Error::invalid_request(
                V,
                op::LIST_USERS.id,
                format!("no Vectera user has the email {}", email.trim()),
            )
        })?;
        Self::id(&user, op::LIST_USERS.id)
    }

    /// A one-time login link for the user with `email`, forwarding to `next` after login.
    pub(crate) async fn login_link(
        &self,
        r: &Resilience,
        email: &str,
        next: Option<&str>,
    ) -> Result<roster_runtime::Secret, Error> {
        const OP: &str = op::CREATE_LOGIN_TOKEN.id;
        if let Some(next) = next {
            roster_vectera::check_next(next)
                .map_err(|e| Error::invalid_request(V, OP, e.to_string()))?;
        }
        let id = self.existing(r, email).await?;
        // A login token is single-use; a duplicate would be harmless, but a create is
        // still never retried once sent.
        let token = r
            .run(V, op::CREATE_LOGIN_TOKEN, || {
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

    /// A meeting room owned by the user with `email`, with an access permission.
    pub(crate) async fn meeting_room(
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
            .run(V, op::CREATE_MEETING, || {
                self.client.create_meeting().body(body.clone()).send()
            })
            .await?;
        let meeting_id = meeting
            .id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                Error::unusable_answer(V, op::CREATE_MEETING.id, "a meeting room without an `id`")
            })?;
        let permission = r
            .run(V, op::CREATE_PERMISSION, || {
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
}

impl VendorApi for Side {
    const VENDOR: Vendor = V;
    type Client = roster_vectera::Client;
    type Prefetch = ();
    /// The user's id.
    type Target = String;
    type Listed = types::User;
    const OFFBOARDING: Offboarding = Offboarding::Delete;

    fn new(client: roster_vectera::Client, max_pages: u32) -> Self {
        Self {
            client,
            me: tokio::sync::OnceCell::new(),
            max_pages,
        }
    }

    fn set_max_pages(&mut self, max_pages: u32) {
        self.max_pages = max_pages;
    }

    async fn find(&self, r: &Resilience, email: &str) -> Result<Option<Account>, Error> {
        self.find_user(r, email).await?.map(account).transpose()
    }

    async fn plan(&self, r: &Resilience, m: &Member) -> Result<Plan<String>, Error> {
        let Some(user) = self.find_user(r, m.email()).await? else {
            return Ok(Plan::Create);
        };
        Self::diff(&user, m).plan(|| Self::id(&user, op::LIST_USERS.id))
    }

    /// Every user Vectera lists for the token, page by page (the walk bounded like every
    /// other), and the token's own user.
    async fn list_all(&self, r: &Resilience) -> Result<Listing<types::User>, Error> {
        let me = self.me(r).await?;
        let mut users = Vec::new();
        let mut guard = PageGuard::new(V, op::LIST_USERS.id, self.max_pages);
        let mut page = 1;
        loop {
            let found = self.users(r, None, page).await?;
            guard.check(&Page {
                accounts: found.users.iter().map(|u| self.identity(u).account).collect(),
                more: found.next.is_some(),
                total: found.total,
            })?;
            users.extend(found.users);
            match found.next {
                Some(next) => page = next,
                None => break,
            }
        }
        Ok(Listing { users, own: me.id })
    }

    /// A user of another organization (visible to the token's user) is never removed.
    fn identity(&self, user: &types::User) -> Identity {
        let ours = self.me.get().is_some_and(|me| {
            user.organization_id.as_deref() == Some(me.organization.as_str())
        });
        let account = Account {
            vendor: V,
            id: user.id.clone().unwrap_or_default(),
            email: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            active: None,
        };
        Identity::of(account, ours)
    }

    fn diff(user: &types::User, m: &Member) -> Diff {
        let mut diff = Diff::default();
        change(&mut diff.changes, "first_name", user.first_name.as_deref(), Some(&m.first_name));
        change(
            &mut diff.changes,
            "last_name",
            Some(user.last_name.as_deref().unwrap_or_default()),
            Some(&m.last_name),
        );
        let managed = |b: bool| if b { "yes" } else { "no" };
        change(
            &mut diff.changes,
            "managed",
            Some(managed(user.is_managed.unwrap_or(false))),
            Some(managed(m.vectera.managed)),
        );
        diff
    }

    async fn update(&self, r: &Resilience, m: &Member, id: String) -> Result<(), Error> {
        let update = types::UserUpdate {
            first_name: Some(m.first_name.clone()),
            last_name: Some(m.last_name.clone()).filter(|l| !l.is_empty()),
            is_managed: Some(m.vectera.managed),
            ..Default::default()
        };
        r.run(V, op::UPDATE_USER, || {
            self.client
                .update_user()
                .id(&id)
                .body(update.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    async fn create(&self, r: &Resilience, m: &Member) -> Result<Outcome, Error> {
        let organization = self.organization(r).await?;
        let create = types::UserCreate {
            first_name: m.first_name.clone(),
            last_name: Some(m.last_name.clone()).filter(|l| !l.is_empty()),
            email: m.email().to_owned(),
            organization_id: organization,
            is_managed: Some(m.vectera.managed),
            password: None,
        };
        r.run(V, op::CREATE_USER, || {
            self.client.create_user().body(create.clone()).send()
        })
        .await?;
        Ok(Outcome::Created)
    }

    async fn remove(&self, r: &Resilience, email: &str) -> Result<Outcome, Error> {
        let Some(user) = self.find_user(r, email).await? else {
            return Ok(Outcome::Absent);
        };
        let id = Self::id(&user, op::LIST_USERS.id)?;
        self.not_me(r, &id, op::DELETE_USER.id).await?;
        r.run(V, op::DELETE_USER, || self.client.delete_user().id(&id).send())
            .await?;
        Ok(Outcome::Removed)
    }

    /// Vectera has no deactivation: the user is deleted.
    async fn deactivate(&self, r: &Resilience, email: &str) -> Result<Outcome, Error> {
        self.remove(r, email).await
    }

    /// One page of accounts (narrowed by Vectera's `search`); another follows while Vectera
    /// names a next page.
    async fn page(&self, r: &Resilience, page: u32, search: Option<&str>) -> Result<Page, Error> {
        if page == 0 {
            return Ok(Page::default());
        }
        let found = self.users(r, search, page).await?;
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

/// The page number a next-page URL names, which must be the page after `page` (checked by
/// `roster_vectera::following_page`, which the client's own page streams use too).
fn following_page(url: &str, page: u32) -> Result<u32, Error> {
    std::num::NonZeroU32::new(page)
        .ok_or_else(|| "pages are numbered from 1".to_owned())
        .and_then(|page| roster_vectera::following_page(url, page))
        .map(std::num::NonZeroU32::get)
        .map_err(|why| Error::unusable_answer(V, op::LIST_USERS.id, why))
}

/// A listed user in vendor-neutral terms; a user without an id is unusable.
fn account(user: types::User) -> Result<Account, Error> {
    Ok(Account {
        vendor: V,
        id: Side::id(&user, op::LIST_USERS.id)?,
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
