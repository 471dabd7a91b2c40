//! List queries as Vectera documents them: `search` (free text), `filter` (a boolean
//! expression), `orderBy` (comma-separated fields, `-` for descending) and DRF page-number
//! paging (`page`, a number or `last`; `perPage`, at most 100), with the
//! `count`/`next`/`previous`/`results` envelope.

use std::cmp::Ordering;

use super::filter::{Expr, Row, Val, parse_filter};

/// Users, meetings and permissions per page unless `perPage` says (DRF's `PAGE_SIZE`; Vectera
/// does not publish it).
pub(super) const PAGE_SIZE: usize = 100;

/// The largest `perPage` (the third-party client's limit, which the spec declares).
pub(super) const MAX_PER_PAGE: usize = 100;

/// Which page was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageAsk {
    Number(u64),
    Last,
}

/// A list request's query string, parsed.
#[derive(Debug, Clone)]
pub(super) struct ListQuery {
    /// `(name, value)` pairs, decoded, in order (for the `next`/`previous` links).
    pub pairs: Vec<(String, String)>,
    pub filter: Option<Expr>,
    /// Search terms, lower-cased.
    pub terms: Vec<String>,
    /// `(field, descending)`, fields the resource does not have left out (as DRF does).
    pub order: Vec<(String, bool)>,
    pub page: Option<PageAsk>,
    /// Items per page (`perPage`, 1 to [`MAX_PER_PAGE`]; [`PAGE_SIZE`] when not given).
    pub per_page: usize,
}

/// Why a list request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum QueryError {
    /// `{"filter": [message]}`.
    Filter(String),
    /// `{"perPage": [message]}`.
    PerPage(String),
    /// DRF's `Invalid page.`.
    InvalidPage,
}

impl ListQuery {
    /// Parses the raw query string for rows of type `R`.
    pub(super) fn parse<R: Row>(raw: Option<&str>) -> Result<Self, QueryError> {
        let pairs = decode_query(raw.unwrap_or_default());
        // DRF's `QueryDict.get`: the last value of a repeated parameter.
        let last = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let filter = match last("filter").map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let expr = parse_filter(text).map_err(QueryError::Filter)?;
                expr.check::<R>().map_err(QueryError::Filter)?;
                Some(expr)
            }
        };
        let terms = last("search")
            .map(|s| {
                s.replace('\0', "")
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let order = last("orderBy")
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter_map(|f| {
                        let (name, desc) = match f.strip_prefix('-') {
                            Some(name) => (name, true),
                            None => (f, false),
                        };
                        R::kind(name).map(|_| (name.to_owned(), desc))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let page = match last("page") {
            None => None,
            Some("last") => Some(PageAsk::Last),
            Some(n) => match n.parse::<u64>() {
                Ok(n) if n >= 1 => Some(PageAsk::Number(n)),
                _ => return Err(QueryError::InvalidPage),
            },
        };
        let per_page = match last("perPage") {
            None => PAGE_SIZE,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
                _ => {
                    return Err(QueryError::PerPage(format!(
                        "Ensure this is a whole number from 1 to {MAX_PER_PAGE}."
                    )));
                }
            },
        };
        Ok(Self {
            pairs,
            filter,
            terms,
            order,
            page,
            per_page,
        })
    }

    /// The first search term that holds an `@` (an index can answer it).
    pub(super) fn email_term(&self) -> Option<&str> {
        self.terms
            .iter()
            .find(|t| t.contains('@'))
            .map(String::as_str)
    }

    fn narrows(&self) -> bool {
        self.filter.is_some() || !self.terms.is_empty()
    }

    fn keep<R: Row>(&self, row: &R) -> bool {
        self.terms.iter().all(|t| row.matches(t))
            && self.filter.as_ref().is_none_or(|f| f.eval(row))
    }

    /// Runs the query over `rows` (in id order; `total` is their number when known, which
    /// lets an unfiltered, unsorted list skip to its page without collecting).
    pub(super) fn run<R: Row>(
        &self,
        rows: impl Iterator<Item = R>,
        total: Option<usize>,
    ) -> Result<Page<R>, QueryError> {
        if let (Some(count), false, true) = (total, self.narrows(), self.order.is_empty()) {
            let number = self.page_number(count)?;
            let skip = page_start(number, self.per_page);
            let results = rows.skip(skip).take(self.per_page).collect();
            return Ok(Page {
                count,
                number,
                per_page: self.per_page,
                results,
            });
        }
        let mut rows: Vec<R> = rows.filter(|r| self.keep(r)).collect();
        if !self.order.is_empty() {
            rows.sort_by(|a, b| {
                self.order
                    .iter()
                    .map(|(field, desc)| order_values(a.get(field), b.get(field), *desc))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or(Ordering::Equal)
                    .then(a.id().cmp(&b.id()))
            });
        }
        let count = rows.len();
        let number = self.page_number(count)?;
        let skip = page_start(number, self.per_page);
        let results = rows.into_iter().skip(skip).take(self.per_page).collect();
        Ok(Page {
            count,
            number,
            per_page: self.per_page,
            results,
        })
    }

    fn page_number(&self, count: usize) -> Result<u64, QueryError> {
        // DRF's `allow_empty_first_page`: page 1 of an empty list exists.
        let pages = count.div_ceil(self.per_page).max(1) as u64;
        match self.page {
            None => Ok(1),
            Some(PageAsk::Last) => Ok(pages),
            Some(PageAsk::Number(n)) if n <= pages => Ok(n),
            Some(PageAsk::Number(_)) => Err(QueryError::InvalidPage),
        }
    }

    /// The absolute URL of page `number` of this list (DRF's `replace_query_param`: the
    /// parameters sorted by name, `page` left out for page 1 of `previous`).
    pub(super) fn link(&self, origin: &str, path: &str, number: Option<u64>) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let page = number.map(|n| n.to_string());
        if let Some(page) = &page {
            pairs.push(("page", page));
        }
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        let mut url = format!("{origin}{}", encode_path(path));
        for (i, (k, v)) in pairs.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_form(k));
            url.push('=');
            url.push_str(&encode_form(v));
        }
        url
    }
}

fn page_start(number: u64, per_page: usize) -> usize {
    usize::try_from(number.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(per_page)
}

/// Postgres order: nulls last ascending, first descending.
fn order_values(a: Val<'_>, b: Val<'_>, desc: bool) -> Ordering {
    let o = match (a, b) {
        (Val::Null, Val::Null) => Ordering::Equal,
        (Val::Null, _) => Ordering::Greater,
        (_, Val::Null) => Ordering::Less,
        (Val::Str(a), Val::Str(b)) => a.cmp(b),
        (Val::Bool(a), Val::Bool(b)) => a.cmp(&b),
        (Val::Time(a), Val::Time(b)) => a.cmp(&b),
        _ => Ordering::Equal,
    };
    if desc { o.reverse() } else { o }
}

/// One page of a list.
#[derive(Debug)]
pub(super) struct Page<R> {
    pub count: usize,
    pub number: u64,
    pub per_page: usize,
    pub results: Vec<R>,
}

impl<R> Page<R> {
    /// Whether a page follows this one.
    pub(super) fn has_next(&self) -> bool {
        usize::try_from(self.number)
            .unwrap_or(usize::MAX)
            .saturating_mul(self.per_page)
            < self.count
    }
}

/// `application/x-www-form-urlencoded` decoding of a query string (`+` is a space; invalid
/// escapes are kept as they are; invalid UTF-8 is replaced).
pub(super) fn decode_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(h), Some(l)) => match (hex(h), hex(l)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Python's `quote_plus`: unreserved characters as they are, space as `+`, the rest escaped.
pub(super) fn encode_form(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Escapes what may not stand in a URL path (keeps `/` and the unreserved characters).
pub(super) fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode() {
        assert_eq!(
            decode_query("search=a%40b.co+x&page=2&bad=%zz"),
            vec![
                ("search".to_owned(), "a@b.co x".to_owned()),
                ("page".to_owned(), "2".to_owned()),
                ("bad".to_owned(), "%zz".to_owned()),
            ]
        );
    }
}
