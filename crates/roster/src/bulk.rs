//! Bulk runs: de-duplication of the members given ([`first_occurrences`]), one window of
//! work done in every vendor at once ([`ensure_window`]), and a stream of members taken
//! [`STREAM_WINDOW`] at a time ([`ensure_stream`]), with what the run
//! reads once ([`Prefetched`]).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use futures::{Stream, StreamExt};

use crate::error::Error;
use crate::member::Member;
use crate::report::{MemberReport, Outcome};
use crate::retry::Resilience;
pub(crate) use crate::vendors::Prefetched;
use crate::vendors::{Progress, Vendors};

/// Members [`Provisioner::ensure_stream`](crate::Provisioner::ensure_stream) reads and works
/// on at a time.
pub const STREAM_WINDOW: usize = 1_000;

/// Splits `members` into the first member of each address (index, member: the work to do) and,
/// for each member, the position of an earlier one with the same address (`seen` maps
/// lower-case addresses to positions; `offset` is the position of `members[0]`).
pub(crate) fn first_occurrences<'m>(
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

/// One window of a bulk run: `work` holds the members to do (see [`first_occurrences`]),
/// `duplicate_of` where each other member's address was first given; with what was
/// prefetched for the run. Reports in input order.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn ensure_window(
    vendors: &Vendors,
    r: &Resilience,
    concurrency: usize,
    members: &[Member],
    work: &[(usize, &Member)],
    duplicate_of: &[Option<usize>],
    progress: Progress<'_>,
    prefetched: &Prefetched,
) -> Vec<MemberReport> {
    let sides = vendors.sides();
    let columns = futures::future::join_all(
        sides
            .iter()
            .map(|side| side.ensure_many(r, concurrency, work, progress, prefetched)),
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
                let outcome = Outcome::Failed(Error::invalid_request(vendor, "ensure_all", why));
                progress(i, vendor, &outcome);
                outcome
            });
            report.vendors.push((vendor, outcome));
        }
    }
    reports
}

/// Members of `members` taken [`STREAM_WINDOW`] at a time, each window's reports (in input
/// order) yielded before the next is read; one run `r` for the whole stream, and what the run
/// reads once read before the first window. An address seen earlier in the stream is
/// reported as failed, naming the earlier member's position.
pub(crate) fn ensure_stream<'a, S>(
    vendors: &'a Vendors,
    r: Resilience,
    concurrency: usize,
    members: S,
) -> impl Stream<Item = MemberReport> + 'a
where
    S: Stream<Item = Member> + 'a,
{
    struct State<'a, W> {
        windows: std::pin::Pin<Box<W>>,
        prefetched: Option<Prefetched>,
        /// Lower-case address → position in the stream of its first member.
        seen: HashMap<String, usize>,
        position: usize,
        vendors: &'a Vendors,
        /// One run for the whole stream: a vendor-wide failure stops that vendor's rest.
        r: Resilience,
    }
    let state = State {
        windows: Box::pin(members.chunks(STREAM_WINDOW)),
        prefetched: None,
        seen: HashMap::new(),
        position: 0,
        vendors,
        r,
    };
    futures::stream::unfold(state, move |mut state| async move {
        let window = state.windows.next().await?;
        let prefetched = match state.prefetched.take() {
            Some(prefetched) => prefetched,
            None => state.vendors.prefetch(&state.r).await,
        };
        let prefetched = &*state.prefetched.insert(prefetched);
        // An address done in an earlier window counts as given twice, like one in this one.
        let (work, duplicate_of) = first_occurrences(&window, &mut state.seen, state.position);
        state.position += window.len();
        let reports = ensure_window(
            state.vendors,
            &state.r,
            concurrency,
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
