//! VEO's user list as a [`Stream`](roster_runtime::Stream) of users.
//!
//! `GET /api/users/get-all` answers one page at a time (`pageNumber` = 1, 2, ...) in the
//! unconfirmed `{Items, Page, PageSize, TotalItemCount}` shape. [`ClientPagesExtraExt`] reads
//! each page the way `types::UserPage` says callers must (no `Items` while users match is an
//! error, never "no users"), and leaves the walking — bounded, refusing a repeated page,
//! ending at `TotalItemCount` — to [`roster_runtime::pages`].

use roster_runtime::{Page, Pages};

use crate::{Client, ClientUsersExt, Error, types};

/// Users per page asked for (`pageSize`).
pub const PAGE_SIZE: i32 = 100;

/// The stream [`ClientPagesExtraExt::users_stream`] returns: the users, page after page,
/// each an `Err` when a page cannot be had (the call's [`Error`]) or read, or when the walk
/// is stopped (`Error::Custom` naming a repeated page, `TotalItemCount` exceeded, or more
/// than [`roster_runtime::DEFAULT_MAX_PAGES`] pages; change the limit with
/// [`Pages::max_pages`]). Read it with [`Pages::try_next`] or any `StreamExt`.
pub type ListStream<'a, T> = Pages<'a, i32, T, Error<types::Error>>;

/// Streams over VEO's paged lists.
///
/// ```no_run
/// use roster_veo::prelude::*;
///
/// # async fn run(client: Client) -> Result<(), roster_veo::Error<roster_veo::types::Error>> {
/// let mut users = client.users_stream("1", None);
/// while let Some(user) = users.try_next().await? {
///     println!("{:?} {:?}", user.id, user.email);
/// }
/// # Ok(())
/// # }
/// ```
pub trait ClientPagesExtraExt {
    /// Every user of organisation `organisation_id` whose name or address matches `search`
    /// (VEO's fuzzy `searchTerm`; none: every user), 100 per page, until a page comes back
    /// empty, `TotalItemCount` users are read, or (without a `TotalItemCount`) a page is not
    /// full.
    fn users_stream(
        &self,
        organisation_id: &str,
        search: Option<&str>,
    ) -> ListStream<'_, types::UserSummary>;
}

impl ClientPagesExtraExt for Client {
    fn users_stream(
        &self,
        organisation_id: &str,
        search: Option<&str>,
    ) -> ListStream<'_, types::UserSummary> {
        let (organisation, search) = (organisation_id.to_owned(), search.map(str::to_owned));
        roster_runtime::pages(
            1,
            move |number| {
                let mut call = self
                    .list_users()
                    .organisation_id(organisation.as_str())
                    .page_size(PAGE_SIZE)
                    .page_number(number);
                if let Some(search) = &search {
                    call = call.search_term(search.as_str());
                }
                async move { read_page(number, call.send().await?.into_inner()).map_err(Error::Custom) }
            },
            |stop| Error::Custom(stop.to_string()),
        )
    }
}

/// Page `number` of users and the number of the page after it, if one may follow: with a
/// `TotalItemCount` the walker stops once that many users are read; without one, only a
/// full page has a successor. `Items` missing or `null` is an empty .NET list only when
/// `TotalItemCount` says 0.
fn read_page(number: i32, page: types::UserPage) -> Result<Page<types::UserSummary, i32>, String> {
    let total = page.total_item_count;
    let items = match (page.items, total) {
        (Some(items), _) => items,
        (None, Some(0)) => Vec::new(),
        (None, Some(total)) => {
            return Err(format!(
                "VEO's user page {number} has no Items but a TotalItemCount of {total}"
            ));
        }
        (None, None) => {
            return Err(format!(
                "VEO's user page {number} has neither Items nor TotalItemCount"
            ));
        }
    };
    // A negative total says nothing: read as none.
    let total = total.and_then(|total| u64::try_from(total).ok());
    let more = total.is_some() || i32::try_from(items.len()).is_ok_and(|len| len >= PAGE_SIZE);
    let next = if more { number.checked_add(1) } else { None };
    Ok(Page::new(items, next).with_total(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(n: usize) -> Vec<types::UserSummary> {
        (0..n)
            .map(|i| types::UserSummary {
                email: Some(format!("u{i}@example.com")),
                ..Default::default()
            })
            .collect()
    }

    fn page(items: Option<usize>, total: Option<i64>) -> types::UserPage {
        types::UserPage {
            items: items.map(users),
            total_item_count: total,
            ..Default::default()
        }
    }

    #[test]
    fn a_page_without_items_is_empty_only_when_its_total_is_zero() {
        let empty = read_page(1, page(None, Some(0))).expect("an empty list");
        assert!(empty.items.is_empty());
        for unclear in [page(None, Some(3)), page(None, None)] {
            let err = read_page(1, unclear).expect_err("not understood");
            assert!(err.contains("VEO's user page 1 has"), "{err}");
        }
    }

    #[test]
    fn without_a_total_only_a_full_page_has_a_successor() {
        assert_eq!(
            read_page(1, page(Some(100), None)).expect("full").next,
            Some(2)
        );
        assert_eq!(
            read_page(1, page(Some(99), None)).expect("short").next,
            None
        );
        let with_total = read_page(2, page(Some(3), Some(250))).expect("with a total");
        assert_eq!((with_total.next, with_total.total), (Some(3), Some(250)));
    }
}
