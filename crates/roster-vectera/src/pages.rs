//! Every paged list of Vectera's as a [`Stream`](roster_runtime::Stream) of items.
//!
//! Vectera does not document its list answers: a page is either a Django REST Framework page
//! (`count`, `next`, `results`) or a bare JSON array whose next page a `Link: <...>;
//! rel="next"` header names. [`ClientPagesExtraExt`] reads both, asks for the page each link
//! names (which must be the page after the current one), and leaves the walking — bounded,
//! refusing a repeated page — to [`roster_runtime::pages`].

use std::future::Future;
use std::num::NonZeroU32;

use roster_runtime::{Page, Pages};

use crate::{
    Client, ClientMeetingsExt, ClientOrganizationsExt, ClientPermissionsExt, ClientUsersExt, Error,
    ResponseValue, types,
};

/// Items per page asked for (`perPage`); a server that ignores it answers its own page size.
pub const PER_PAGE: u32 = 100;

/// The stream every `*_stream` method returns: the list's items, page after page, each an
/// `Err` when a page cannot be had (the call's [`Error`]) or read, or when the walk is
/// stopped (`Error::Custom` naming a repeated page, a declared `count` exceeded, or more
/// than [`roster_runtime::DEFAULT_MAX_PAGES`] pages; change the limit with
/// [`Pages::max_pages`]). Read it with [`Pages::try_next`] or any `StreamExt`.
pub type ListStream<'a, T> = Pages<'a, NonZeroU32, T, Error<types::Error>>;

/// Streams over Vectera's paged lists, `perPage=100` at a time, in either list shape.
///
/// ```no_run
/// use roster_vectera::prelude::*;
///
/// # async fn run(client: Client) -> Result<(), roster_vectera::Error<roster_vectera::types::Error>> {
/// let mut users = client.users_stream(Some("ann"));
/// while let Some(user) = users.try_next().await? {
///     println!("{:?} <{:?}>", user.first_name, user.email);
/// }
/// # Ok(())
/// # }
/// ```
pub trait ClientPagesExtraExt {
    /// Every user `GET /users/` lists (`search` narrowing it), page by page.
    fn users_stream(&self, search: Option<&str>) -> ListStream<'_, types::User>;

    /// Every member of organization `organization_id` (`GET /organizations/{id}/members/`,
    /// `search` narrowing it), page by page.
    fn organization_members_stream(
        &self,
        organization_id: &str,
        search: Option<&str>,
    ) -> ListStream<'_, types::User>;

    /// Every meeting room `GET /meetings/` lists (`search` narrowing it), page by page.
    fn meetings_stream(&self, search: Option<&str>) -> ListStream<'_, types::Meeting>;

    /// Every access permission of meeting room `meeting_id`
    /// (`GET /meetings/{id}/permissions/`), page by page.
    fn permissions_stream(&self, meeting_id: &str) -> ListStream<'_, types::Permission>;
}

impl ClientPagesExtraExt for Client {
    fn users_stream(&self, search: Option<&str>) -> ListStream<'_, types::User> {
        let search = search.map(str::to_owned);
        walk(move |page| {
            let mut call = self.list_users().page(page).per_page(PER_PAGE);
            if let Some(search) = &search {
                call = call.search(search.as_str());
            }
            call.send()
        })
    }

    fn organization_members_stream(
        &self,
        organization_id: &str,
        search: Option<&str>,
    ) -> ListStream<'_, types::User> {
        let (id, search) = (organization_id.to_owned(), search.map(str::to_owned));
        walk(move |page| {
            let mut call = self
                .list_organization_members()
                .id(id.as_str())
                .page(page)
                .per_page(PER_PAGE);
            if let Some(search) = &search {
                call = call.search(search.as_str());
            }
            call.send()
        })
    }

    fn meetings_stream(&self, search: Option<&str>) -> ListStream<'_, types::Meeting> {
        let search = search.map(str::to_owned);
        walk(move |page| {
            let mut call = self.list_meetings().page(page).per_page(PER_PAGE);
            if let Some(search) = &search {
                call = call.search(search.as_str());
            }
            call.send()
        })
    }

    fn permissions_stream(&self, meeting_id: &str) -> ListStream<'_, types::Permission> {
        let id = meeting_id.to_owned();
        walk(move |page| {
            self.list_permissions()
                .id(id.as_str())
                .page(page)
                .per_page(PER_PAGE)
                .send()
        })
    }
}

/// A list answer in either of Vectera's shapes.
enum Shape<T> {
    /// A DRF page: its `results` (absent or `null` when empty), its `next` URL, its `count`.
    Drf {
        results: Option<Vec<T>>,
        next: Option<String>,
        count: Option<i64>,
    },
    /// A bare array; the next page is in the `Link` header.
    Array(Vec<T>),
}

/// A generated list type (`UserList`, `MeetingList`, ...): a DRF page or a bare array.
trait Listed {
    type Item;
    fn shape(self) -> Shape<Self::Item>;
}

macro_rules! listed {
    ($($list:ident: $page:ident => $item:ident),* $(,)?) => {$(
        impl Listed for types::$list {
            type Item = types::$item;
            fn shape(self) -> Shape<types::$item> {
                match self {
                    types::$list::$page(page) => Shape::Drf {
                        results: page.results,
                        next: page.next,
                        count: page.count,
                    },
                    types::$list::Array(items) => Shape::Array(items),
                }
            }
        }
    )*};
}

listed!(
    UserList: UserPage => User,
    MemberList: UserPage => User,
    MeetingList: MeetingPage => Meeting,
    PermissionList: PermissionPage => Permission,
);

/// The stream over the pages `send` fetches (page 1 first).
fn walk<'a, L, F, Fut>(send: F) -> ListStream<'a, L::Item>
where
    L: Listed,
    F: Fn(NonZeroU32) -> Fut + Send + 'a,
    Fut: Future<Output = Result<ResponseValue<L>, Error<types::Error>>> + Send + 'a,
{
    roster_runtime::pages(
        NonZeroU32::MIN,
        move |page| {
            let answer = send(page);
            async move { read_page(page, answer.await?).map_err(Error::Custom) }
        },
        |stop| Error::Custom(stop.to_string()),
    )
}

/// Page `page` of a list in either shape, and the number of the page after it. A DRF page
/// without `results` (unless its `count` is 0) is an error (why, in words), never "no
/// items"; an empty page is the last whatever its links say.
fn read_page<L: Listed>(
    page: NonZeroU32,
    answer: ResponseValue<L>,
) -> Result<Page<L::Item, NonZeroU32>, String> {
    let link = roster_runtime::next_link(answer.headers());
    let (items, next, total) = match answer.into_inner().shape() {
        Shape::Drf {
            results,
            next,
            count,
        } => {
            let total = count.and_then(|count| u64::try_from(count).ok());
            let items = match results {
                Some(items) => items,
                None if total == Some(0) => Vec::new(),
                None => {
                    return Err(format!(
                        "page {page} of the list is a page without `results`"
                    ));
                }
            };
            (items, next, total)
        }
        Shape::Array(items) => (items, link, None),
    };
    let next = match next {
        Some(url) if !items.is_empty() => Some(following_page(&url, page)?),
        _ => None,
    };
    Ok(Page::new(items, next).with_total(total))
}

/// The page a next-page URL (absolute or relative) names, which must be the page after
/// `page`: pages are asked for by number, so a link that cannot be followed that way is
/// refused, not skipped. The facade's own walk checks its links with this too.
///
/// # Errors
/// A sentence naming the page the link should have named.
pub fn following_page(url: &str, page: NonZeroU32) -> Result<NonZeroU32, String> {
    let named = url::Url::parse("https://vectera.invalid/")
        .and_then(|base| base.join(url))
        .ok()
        .and_then(|url| {
            url.query_pairs()
                .filter(|(name, _)| name == "page")
                .last()
                .and_then(|(_, value)| value.parse::<NonZeroU32>().ok())
        });
    match (named, page.checked_add(1)) {
        (Some(named), Some(expected)) if named == expected => Ok(named),
        _ => Err(format!(
            "the next-page link after page {page} does not name page {}",
            u64::from(page.get()) + 1
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).expect("not 0")
    }

    #[test]
    fn a_next_link_must_name_the_following_page() {
        for (url, at) in [
            ("https://x/api/v1/users/?perPage=100&page=3", 2),
            ("/api/v1/users/?page=2", 1),
            ("?page=2&search=ann", 1),
        ] {
            assert_eq!(
                following_page(url, page(at)).ok(),
                Some(page(at + 1)),
                "{url}"
            );
        }
        for (url, at) in [
            ("https://x/users/?page=5", 2),
            ("https://x/users/?cursor=abc", 1),
            ("https://x/users/", 1),
            ("https://x/users/?page=x", 1),
            ("https://x/users/?page=0", u32::MAX),
        ] {
            let err = following_page(url, page(at)).expect_err(url);
            assert!(err.contains("does not name page"), "{url}: {err}");
        }
    }
}
