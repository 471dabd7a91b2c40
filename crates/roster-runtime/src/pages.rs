//! The list walker behind every vendor crate's page streams, written once.
//!
//! A vendor list is read page after page until the vendor says there is no more. The vendor
//! crates only say how to fetch one page and where the next one is (a page number from a DRF
//! `next`, a `Link: <...>; rel="next"` header, a `TotalItemCount`); [`pages`] turns that into a
//! [`Stream`] of items that a server ignoring the page number (always a `next` link, the same
//! page again and again) cannot keep going forever. The walk ends with an error, [`PageStop`],
//! when:
//!
//! - a page repeats an earlier one (the same items, in the same order);
//! - more items come than the total the server itself declared;
//! - more than [`DEFAULT_MAX_PAGES`] pages (or [`Pages::max_pages`]) are read and the server
//!   still names a next page.
//!
//! An empty page ends the walk whatever its `next` says, and so does reaching a declared total.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{DefaultHasher, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;
use serde::Serialize;

/// Pages one walk reads at most by default: 1,000 pages of 100 are 100,000 items.
pub const DEFAULT_MAX_PAGES: u32 = 1_000;

/// One page of a list as a vendor crate reads it: its items, the cursor of the page after it
/// (a page number, most often), and the total the server declares over all pages, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C> {
    /// The items on this page, in the server's order.
    pub items: Vec<T>,
    /// Where the next page is; `None` on the last page.
    pub next: Option<C>,
    /// How many items the server says the whole list holds (VEO's `TotalItemCount`, a DRF
    /// page's `count`), when it says.
    pub total: Option<u64>,
}

impl<T, C> Page<T, C> {
    /// A page of `items` followed by the page at `next` (none: the last page), with no
    /// declared total.
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Self {
            items,
            next,
            total: None,
        }
    }

    /// The same page with the total the server declares over all pages.
    #[must_use]
    pub fn with_total(mut self, total: Option<u64>) -> Self {
        self.total = total;
        self
    }
}

/// Why a walk was stopped by the walker itself, not by the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageStop {
    /// Page `page` holds the same items, in the same order, as an earlier page: the server
    /// seems to ignore the page asked for. Its items are not yielded again.
    #[error(
        "stopped reading the list at page {page}: it repeats an earlier page (the server seems to ignore the page number)"
    )]
    RepeatedPage {
        /// The page (1-based, in the order read) that repeats an earlier one.
        page: u32,
    },
    /// The server declared `total` items in all, and page `page` brought more than that. Its
    /// items are not yielded.
    #[error(
        "stopped reading the list at page {page}: the server declared {total} item(s) in all, and more than that came"
    )]
    MoreThanDeclared {
        /// The page (1-based, in the order read) that went past the total.
        page: u32,
        /// The total the server declared.
        total: u64,
    },
    /// `max_pages` pages were read and the server still names a next page. The last page's
    /// items are yielded before this error.
    #[error(
        "stopped reading the list after {max_pages} pages: the page limit is reached and the server still names a next page"
    )]
    TooManyPages {
        /// The limit that was reached.
        max_pages: u32,
    },
}

/// The bounds one walk is held to, page by page: the one place that decides whether a list
/// goes on, ends, or is stopped (used by [`Pages`] and by the facade's own walker).
#[derive(Debug, Clone)]
pub struct PageBounds {
    max_pages: u32,
    pages: u32,
    count: u64,
    seen: HashSet<u64>,
}

/// What [`PageBounds::check`] says of a page that is not stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageVerdict {
    /// Its items count; the walk may go on to the page the server names.
    More,
    /// Its items count (if any), and the list ends here: an empty page, or the declared total
    /// reached, whatever the server names next.
    Last,
}

impl PageBounds {
    /// Bounds reading at most `max_pages` pages (at least 1).
    pub fn new(max_pages: u32) -> Self {
        Self {
            max_pages: max_pages.max(1),
            pages: 0,
            count: 0,
            seen: HashSet::new(),
        }
    }

    /// Pages checked so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Items counted so far (those of stopped pages excluded).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Checks the next page: `fingerprint` identifies its content (`None` for an empty page),
    /// `len` is its number of items, `next` whether the server names a page after it, `total`
    /// what the server declares over all pages.
    ///
    /// # Errors
    /// [`PageStop::RepeatedPage`] and [`PageStop::MoreThanDeclared`]: the page's items are not
    /// to be used; [`PageStop::TooManyPages`]: they are, and the walk ends after them.
    pub fn check(
        &mut self,
        fingerprint: Option<u64>,
        len: usize,
        next: bool,
        total: Option<u64>,
    ) -> Result<PageVerdict, PageStop> {
        self.pages = self.pages.saturating_add(1);
        let Some(fingerprint) = fingerprint.filter(|_| len > 0) else {
            return Ok(PageVerdict::Last);
        };
        if !self.seen.insert(fingerprint) {
            return Err(PageStop::RepeatedPage { page: self.pages });
        }
        self.count = self.count.saturating_add(len as u64);
        match total {
            Some(total) if self.count > total => Err(PageStop::MoreThanDeclared {
                page: self.pages,
                total,
            }),
            Some(total) if self.count == total => Ok(PageVerdict::Last),
            _ if next && self.pages >= self.max_pages => Err(PageStop::TooManyPages {
                max_pages: self.max_pages,
            }),
            _ if next => Ok(PageVerdict::More),
            _ => Ok(PageVerdict::Last),
        }
    }
}

type BoxFuture<'a, O> = Pin<Box<dyn Future<Output = O> + Send + 'a>>;
type Fetch<'a, C, T, E> = Box<dyn FnMut(C) -> BoxFuture<'a, Result<Page<T, C>, E>> + Send + 'a>;

/// Walks a paged list: starting at `first`, `fetch` reads one page and says where the next
/// one is, until a page names none. The walk is bounded (see the module docs); when the
/// walker stops it, `stopped` turns the reason into the caller's error type (a vendor crate
/// passes `|stop| Error::Custom(stop.to_string())`).
///
/// The [`Stream`] yields each item, then ends; after an error (from `fetch` or the walker) it
/// ends too. Items must be `Serialize`: a page is recognised as a repeat by its serialized
/// items. Nothing is sent until the stream is first polled.
///
/// ```
/// use roster_runtime::{Page, PageStop, pages};
///
/// # async fn example() -> Result<(), String> {
/// // Three pages of numbers; the cursor is the page number.
/// let mut numbers = pages(
///     1_u32,
///     |page| async move {
///         let items = vec![page * 10, page * 10 + 1];
///         Ok(Page::new(items, (page < 3).then_some(page + 1)))
///     },
///     |stop: PageStop| stop.to_string(),
/// );
/// while let Some(n) = numbers.try_next().await? {
///     println!("{n}");
/// }
/// # Ok(())
/// # }
/// ```
pub fn pages<'a, C, T, E, F, Fut>(
    first: C,
    mut fetch: F,
    stopped: fn(PageStop) -> E,
) -> Pages<'a, C, T, E>
where
    F: FnMut(C) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T, C>, E>> + Send + 'a,
{
    Pages {
        fetch: Box::new(move |cursor| Box::pin(fetch(cursor))),
        stopped,
        next: Some(first),
        pending: None,
        items: Vec::new().into_iter(),
        after_items: None,
        bounds: PageBounds::new(DEFAULT_MAX_PAGES),
    }
}

/// The [`Stream`] [`pages`] returns: every item of a paged list, one page fetched at a time,
/// each page fetched only when the items before it are consumed.
///
/// Read it with [`Pages::try_next`] (no other crate needed), or with any `StreamExt` /
/// `TryStreamExt` (`futures`, `tokio-stream`).
pub struct Pages<'a, C, T, E> {
    fetch: Fetch<'a, C, T, E>,
    stopped: fn(PageStop) -> E,
    /// The cursor of the next page to fetch; `None` once the walk is over.
    next: Option<C>,
    pending: Option<BoxFuture<'a, Result<Page<T, C>, E>>>,
    items: std::vec::IntoIter<T>,
    /// The error that ends the walk once the current page's items are consumed.
    after_items: Option<E>,
    bounds: PageBounds,
}

// No field is ever pinned in place: the page future is boxed.
impl<C, T, E> Unpin for Pages<'_, C, T, E> {}

impl<C, T, E> fmt::Debug for Pages<'_, C, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("pages_read", &self.bounds.pages)
            .field("max_pages", &self.bounds.max_pages)
            .field("items_read", &self.bounds.count)
            .field("done", &self.is_done())
            .finish_non_exhaustive()
    }
}

impl<C, T, E> Pages<'_, C, T, E> {
    /// Reads at most `max_pages` pages (at least 1; default [`DEFAULT_MAX_PAGES`]).
    #[must_use]
    pub fn max_pages(mut self, max_pages: u32) -> Self {
        self.bounds.max_pages = max_pages.max(1);
        self
    }

    /// How many pages have been read so far.
    pub fn pages_read(&self) -> u32 {
        self.bounds.pages()
    }

    fn is_done(&self) -> bool {
        self.next.is_none()
            && self.pending.is_none()
            && self.items.len() == 0
            && self.after_items.is_none()
    }
}

impl<C, T: Serialize, E> Pages<'_, C, T, E> {
    /// The next item; `Ok(None)` once the list is read to its end.
    ///
    /// # Errors
    /// The error of the page fetch that failed, or the walker's [`PageStop`] (through the
    /// `stopped` function given to [`pages`]); the walk is over after it.
    pub async fn try_next(&mut self) -> Result<Option<T>, E> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }

    /// Every remaining item, in order.
    ///
    /// # Errors
    /// As [`Pages::try_next`]: the first error ends the walk and is returned.
    pub async fn try_collect(mut self) -> Result<Vec<T>, E> {
        let mut all = Vec::new();
        while let Some(item) = self.try_next().await? {
            all.push(item);
        }
        Ok(all)
    }

    /// Takes a page in: its items become the ones to yield, and where the walk goes next is
    /// decided (on, over, or stopped after these items or instead of them).
    fn accept(&mut self, page: Page<T, C>) {
        let Page { items, next, total } = page;
        let print = (!items.is_empty()).then(|| fingerprint(&items));
        match self.bounds.check(print, items.len(), next.is_some(), total) {
            Ok(PageVerdict::More) => self.next = next,
            Ok(PageVerdict::Last) => {}
            Err(stop @ PageStop::TooManyPages { .. }) => {
                self.after_items = Some((self.stopped)(stop));
            }
            Err(stop) => {
                self.after_items = Some((self.stopped)(stop));
                return;
            }
        }
        self.items = items.into_iter();
    }
}

impl<C, T: Serialize, E> Stream for Pages<'_, C, T, E> {
    type Item = Result<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(error) = this.after_items.take() {
                return Poll::Ready(Some(Err(error)));
            }
            let pending = match &mut this.pending {
                Some(pending) => pending,
                None => match this.next.take() {
                    Some(cursor) => this.pending.insert((this.fetch)(cursor)),
                    None => return Poll::Ready(None),
                },
            };
            let Poll::Ready(page) = pending.as_mut().poll(cx) else {
                return Poll::Pending;
            };
            this.pending = None;
            match page {
                Ok(page) => this.accept(page),
                Err(error) => return Poll::Ready(Some(Err(error))),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.items.len() + usize::from(self.after_items.is_some());
        if self.next.is_none() && self.pending.is_none() {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}

/// What identifies a page's content: a hash of its items' JSON, in order.
fn fingerprint<T: Serialize>(items: &[T]) -> u64 {
    struct HashWriter(DefaultHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = HashWriter(DefaultHasher::new());
    // Serializing a generated type does not fail; if it ever did, what was written so far
    // still identifies the page.
    let _ = serde_json::to_writer(&mut writer, items);
    writer.0.finish()
}

/// The target of the `rel="next"` link among a response's `Link` headers (RFC 8288), as
/// written (absolute or relative); `None` when no link is marked `next`.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::LINK};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(LINK, HeaderValue::from_static(
///     r#"<https://x.example/users/?page=1>; rel="prev", <https://x.example/users/?page=3>; rel="next""#,
/// ));
/// assert_eq!(
///     roster_runtime::next_link(&headers).as_deref(),
///     Some("https://x.example/users/?page=3")
/// );
/// ```
pub fn next_link(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(next_in_link_value)
}

/// The target of a `Link` header value's `rel="next"` link, if it has one.
fn next_in_link_value(value: &str) -> Option<String> {
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
        let is_next = after[..params_end].split(';').any(|param| {
            param.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return Some(target.to_owned());
        }
        rest = &after[params_end..];
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::task::Waker;

    use super::*;

    /// Polls `stream` to its end; every page future here is ready at once.
    fn drain<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
        let mut cx = Context::from_waker(Waker::noop());
        let mut out = Vec::new();
        while let Poll::Ready(Some(item)) = Pin::new(&mut stream).poll_next(&mut cx) {
            out.push(item);
        }
        out
    }

    type Walk = Pages<'static, u32, &'static str, String>;

    /// A walk over `book` (page number → page), recording which pages were fetched.
    fn walk(book: Vec<Page<&'static str, u32>>) -> (Walk, Arc<Mutex<Vec<u32>>>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&asked);
        let stream = pages(
            1_u32,
            move |n| {
                record.lock().expect("not poisoned").push(n);
                let page = book.get(n as usize - 1).cloned();
                async move { page.ok_or_else(|| format!("no page {n}")) }
            },
            |stop: PageStop| stop.to_string(),
        );
        (stream, asked)
    }

    fn asked(asked: &Arc<Mutex<Vec<u32>>>) -> Vec<u32> {
        asked.lock().expect("not poisoned").clone()
    }

    #[test]
    fn every_page_is_walked_in_order_until_none_is_named() {
        let (stream, fetched) = walk(vec![
            Page::new(vec!["a", "b"], Some(2)),
            Page::new(vec!["c"], Some(3)),
            Page::new(vec!["d"], None),
        ]);
        let items = drain(stream);
        assert_eq!(items, vec![Ok("a"), Ok("b"), Ok("c"), Ok("d")]);
        assert_eq!(asked(&fetched), [1, 2, 3]);
    }

    #[test]
    fn a_repeated_page_stops_the_walk_without_its_items() {
        let (stream, fetched) = walk(vec![
            Page::new(vec!["a"], Some(2)),
            Page::new(vec!["b"], Some(3)),
            Page::new(vec!["a"], Some(4)),
            Page::new(vec!["z"], None),
        ]);
        let items = drain(stream);
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(items[..2], [Ok("a"), Ok("b")]);
        let err = items[2].clone().expect_err("a repeat");
        assert!(err.contains("page 3: it repeats an earlier page"), "{err}");
        assert_eq!(asked(&fetched), [1, 2, 3], "nothing after the repeat");
    }

    #[test]
    fn the_page_limit_stops_a_walk_that_still_names_a_next_page() {
        let (stream, fetched) = walk(vec![
            Page::new(vec!["a"], Some(2)),
            Page::new(vec!["b"], Some(3)),
            Page::new(vec!["c"], None),
        ]);
        let items = drain(stream.max_pages(2));
        assert_eq!(items[..2], [Ok("a"), Ok("b")]);
        let err = items[2].clone().expect_err("the limit");
        assert!(err.contains("after 2 pages"), "{err}");
        assert_eq!(asked(&fetched), [1, 2]);
        // A last page at the limit is fine.
        let (stream, _) = walk(vec![
            Page::new(vec!["a"], Some(2)),
            Page::new(vec!["b"], None),
        ]);
        assert_eq!(drain(stream.max_pages(2)), [Ok("a"), Ok("b")]);
    }

    #[test]
    fn an_empty_page_or_a_reached_total_ends_the_walk_whatever_next_says() {
        let (stream, fetched) = walk(vec![
            Page::new(vec!["a"], Some(2)),
            Page::new(vec![], Some(3)),
        ]);
        assert_eq!(drain(stream), [Ok("a")]);
        assert_eq!(asked(&fetched), [1, 2]);
        let (stream, fetched) = walk(vec![
            Page::new(vec!["a", "b"], Some(2)).with_total(Some(3)),
            Page::new(vec!["c"], Some(3)).with_total(Some(3)),
        ]);
        assert_eq!(drain(stream), [Ok("a"), Ok("b"), Ok("c")]);
        assert_eq!(asked(&fetched), [1, 2]);
    }

    #[test]
    fn more_items_than_the_declared_total_stop_the_walk() {
        let (stream, _) = walk(vec![
            Page::new(vec!["a", "b"], Some(2)).with_total(Some(3)),
            Page::new(vec!["c", "d"], Some(3)).with_total(Some(3)),
        ]);
        let items = drain(stream);
        assert_eq!(items[..2], [Ok("a"), Ok("b")]);
        let err = items[2].clone().expect_err("4 > 3");
        assert!(err.contains("declared 3 item(s)"), "{err}");
        assert_eq!(items.len(), 3);
    }

    #[test]
    fn a_failed_fetch_is_yielded_once_and_ends_the_walk() {
        let (stream, fetched) = walk(vec![Page::new(vec!["a"], Some(2))]);
        assert_eq!(drain(stream), [Ok("a"), Err("no page 2".to_owned())]);
        assert_eq!(asked(&fetched), [1, 2]);
    }

    #[test]
    fn try_next_reads_like_an_iterator_and_nothing_is_sent_before_it() {
        let (mut stream, fetched) = walk(vec![Page::new(vec!["a"], None)]);
        assert!(asked(&fetched).is_empty(), "lazy");
        let now = |stream: &mut Walk| {
            let mut cx = Context::from_waker(Waker::noop());
            match std::pin::pin!(stream.try_next()).poll(&mut cx) {
                Poll::Ready(next) => next,
                Poll::Pending => panic!("every page here is ready at once"),
            }
        };
        assert_eq!(now(&mut stream), Ok(Some("a")));
        assert_eq!(now(&mut stream), Ok(None));
        assert_eq!(now(&mut stream), Ok(None), "over stays over");
        assert_eq!(stream.pages_read(), 1);
        assert_eq!(asked(&fetched), [1]);
    }

    #[test]
    fn the_next_link_is_found_among_others() {
        let header = r#"<https://www.vectera.com/api/v1/users/?page=1&perPage=100>; rel="first", <https://www.vectera.com/api/v1/users/?page=3&perPage=100>; rel="next", <https://www.vectera.com/api/v1/users/?page=9&perPage=100>; rel="last""#;
        assert_eq!(
            next_in_link_value(header).as_deref(),
            Some("https://www.vectera.com/api/v1/users/?page=3&perPage=100")
        );
        assert_eq!(
            next_in_link_value(r#"</users/?page=2>; title="a, b"; rel=next"#).as_deref(),
            Some("/users/?page=2")
        );
        assert_eq!(
            next_in_link_value(r#"<https://x/?page=1>; rel="prev""#),
            None
        );
        assert_eq!(next_in_link_value("garbage"), None);
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_static(r#"<https://x/?page=1>; rel="prev""#),
        );
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_static(r#"<https://x/?page=3>; rel="next""#),
        );
        assert_eq!(next_link(&headers).as_deref(), Some("https://x/?page=3"));
    }
}
