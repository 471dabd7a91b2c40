//! The one page walker every list goes through: bounded, and suspicious of the server.
//!
//! A vendor list is read page after page until the vendor says there is no more. A server
//! that ignores the page number (always a `next` link, a `TotalItemCount` of 10^9) would keep
//! such a walk going forever. [`PageGuard`] stops it, with an error that says why:
//!
//! - a page that repeats an earlier one (the same accounts, in the same order);
//! - more accounts than the total the vendor itself declared;
//! - more pages than the configured maximum ([`DEFAULT_MAX_PAGES`]).
//!
//! Every walk — [`Provisioner::list`](crate::Provisioner::list) (and so the CLI's
//! `users list`) and every look-up that reads a whole list — checks each page here.

use std::hash::{DefaultHasher, Hash, Hasher};

use roster_runtime::{PageBounds, PageStop};

use crate::error::{Error, Vendor};
use crate::report::Account;

// The same bound as the vendor crates' page streams (one number for every walk).
pub use roster_runtime::DEFAULT_MAX_PAGES;

/// One page of a vendor list as the vendor modules read it.
#[derive(Debug, Default)]
pub(crate) struct Page {
    /// The accounts on the page.
    pub accounts: Vec<Account>,
    /// Whether the vendor says another page follows.
    pub more: bool,
    /// The total the vendor declares over all pages, when it declares one.
    pub total: Option<u64>,
}

/// Checks each page of one walk (see the module docs): the runtime's [`PageBounds`] decide,
/// as for the vendor crates' page streams; this names the stop in the facade's words.
#[derive(Debug)]
pub(crate) struct PageGuard {
    vendor: Vendor,
    operation: &'static str,
    bounds: PageBounds,
}

impl PageGuard {
    /// A guard for one walk of `operation` in `vendor`, reading at most `max_pages` pages.
    pub fn new(vendor: Vendor, operation: &'static str, max_pages: u32) -> Self {
        Self {
            vendor,
            operation,
            bounds: PageBounds::new(max_pages),
        }
    }

    /// Checks the next page; an error ends the walk. A page is recognised as a repeat by its
    /// accounts' ids and addresses, in order.
    pub fn check(&mut self, page: &Page) -> Result<(), Error> {
        let fingerprint = (!page.accounts.is_empty()).then(|| {
            let mut hasher = DefaultHasher::new();
            for account in &page.accounts {
                account.id.hash(&mut hasher);
                account
                    .email
                    .as_deref()
                    .map(str::to_ascii_lowercase)
                    .hash(&mut hasher);
            }
            hasher.finish()
        });
        let stop = match self
            .bounds
            .check(fingerprint, page.accounts.len(), page.more, page.total)
        {
            Ok(_) => return Ok(()),
            Err(stop) => stop,
        };
        let why = match stop {
            PageStop::RepeatedPage { .. } => {
                "it repeats an earlier page (the server seems to ignore the page number)".into()
            }
            PageStop::MoreThanDeclared { total, .. } => {
                format!("the vendor declared {total} account(s) in all, and more than that came")
            }
            PageStop::TooManyPages { max_pages } => format!(
                "the limit of {max_pages} pages is reached and the vendor still announces more"
            ),
            other => other.to_string(),
        };
        Err(Error::unusable_answer(
            self.vendor,
            self.operation,
            format!(
                "stopped reading the list after page {}: {why}",
                self.bounds.pages()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str], more: bool, total: Option<u64>) -> Page {
        Page {
            accounts: ids
                .iter()
                .map(|id| Account {
                    vendor: Vendor::Veo,
                    id: (*id).to_owned(),
                    email: Some(format!("{id}@example.com")),
                    first_name: None,
                    last_name: None,
                    active: Some(true),
                })
                .collect(),
            more,
            total,
        }
    }

    #[test]
    fn a_repeated_page_stops_the_walk() {
        let mut guard = PageGuard::new(Vendor::Vectera, "list_users", 100);
        guard.check(&page(&["a"], true, None)).expect("first");
        guard.check(&page(&["b"], true, None)).expect("second");
        let err = guard
            .check(&page(&["a"], true, None))
            .expect_err("repeats page 1");
        assert!(err.to_string().contains("repeats an earlier page"), "{err}");
    }

    #[test]
    fn more_than_the_declared_total_stops_the_walk() {
        let mut guard = PageGuard::new(Vendor::Veo, "list_users", 100);
        guard
            .check(&page(&["a", "b"], true, Some(3)))
            .expect("2 of 3");
        let err = guard
            .check(&page(&["c", "d"], true, Some(3)))
            .expect_err("4 > 3");
        assert!(err.to_string().contains("declared 3"), "{err}");
    }

    #[test]
    fn the_page_limit_stops_a_walk_that_announces_more() {
        let mut guard = PageGuard::new(Vendor::Veo, "list_users", 2);
        guard.check(&page(&["a"], true, None)).expect("1");
        let err = guard.check(&page(&["b"], true, None)).expect_err("limit");
        assert!(err.to_string().contains("limit of 2 pages"), "{err}");
        let mut guard = PageGuard::new(Vendor::Veo, "list_users", 2);
        guard.check(&page(&["a"], true, None)).expect("1");
        guard
            .check(&page(&["b"], false, None))
            .expect("the last page is fine");
    }
}
