//! The terminal's account of a `roster provision` run: counts per vendor (and for the Vyte
//! teams) in Roster's vendor order, every distinct failure named once with the members it
//! failed, and the rows skipped — what the journal's summary line holds, for a person.

use std::fmt::Write as _;

use roster::{Outcome, Vendor};
use serde::Serialize;

use crate::report::{ByVendor, MemberEntry};
use crate::team::Invalid;

/// Counts of one vendor's outcomes.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Members created (VEO: invited).
    pub created: usize,
    /// Members updated.
    pub updated: usize,
    /// Members already as wanted.
    pub unchanged: usize,
    /// Accounts taken out (`--prune`): deleted, unlinked or deactivated.
    pub removed: usize,
    /// Members (or removals) whose call failed.
    pub failed: usize,
}

/// A failure's cause: the vendor and the error text.
type Cause = (Vendor, String);

/// What the terminal summary needs: counts per vendor, the failures and the invalid rows.
#[derive(Debug)]
pub struct Tally {
    pub(crate) summary: ByVendor<Counts>,
    /// Each distinct (vendor, error) once, in the order first met, with the members it failed
    /// (line, email): a cause shared by a thousand members is named once.
    failures: Vec<(Cause, Vec<(u64, String)>)>,
    pub(crate) invalid: Vec<Invalid>,
    pub(crate) members: usize,
    /// Vyte teams: created, updated, unchanged, failed.
    pub(crate) teams: Option<(usize, usize, usize, usize)>,
}

impl Tally {
    /// An empty tally of a run into `vendors`, with the rows not sent.
    pub fn new(vendors: &[Vendor], invalid: &[Invalid]) -> Self {
        Self {
            summary: ByVendor(vendors.iter().map(|v| (*v, Counts::default())).collect()),
            failures: Vec::new(),
            invalid: invalid.to_vec(),
            members: 0,
            teams: None,
        }
    }

    /// Counts one Vyte team's outcome.
    pub fn team(&mut self, team: &str, outcome: &Outcome) {
        let counts = self.teams.get_or_insert((0, 0, 0, 0));
        match outcome {
            Outcome::Created => counts.0 += 1,
            Outcome::Updated => counts.1 += 1,
            Outcome::Failed(e) => {
                counts.3 += 1;
                let text = e.to_string();
                self.failure(Vendor::Vyte, &text, 0, &format!("team {team}"));
            }
            _ => counts.2 += 1,
        }
    }

    fn counts(&mut self, vendor: Vendor) -> &mut Counts {
        if !self.summary.0.iter().any(|(v, _)| *v == vendor) {
            self.summary.0.push((vendor, Counts::default()));
            self.summary.0.sort_by_key(|(v, _)| *v);
        }
        let at = self
            .summary
            .0
            .iter()
            .position(|(v, _)| *v == vendor)
            .unwrap_or_default();
        &mut self.summary.0[at].1
    }

    fn failure(&mut self, vendor: Vendor, error: &str, line: u64, email: &str) {
        let key = (vendor, error.to_owned());
        let member = (line, email.to_owned());
        match self.failures.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(member),
            None => self.failures.push((key, vec![member])),
        }
    }

    /// Counts one member's outcomes.
    pub fn add(&mut self, entry: &MemberEntry) {
        self.members += 1;
        for (vendor, o) in &entry.vendors.0 {
            let counts = self.counts(*vendor);
            match o.outcome {
                "created" => counts.created += 1,
                "updated" => counts.updated += 1,
                "unchanged" => counts.unchanged += 1,
                "failed" => counts.failed += 1,
                _ => {}
            }
            if let Some(e) = &o.error {
                self.failure(*vendor, e, entry.line, &entry.email);
            }
        }
    }

    /// Counts one removal's outcome.
    pub fn removal(&mut self, vendor: Vendor, email: &str, outcome: &Outcome) {
        let counts = self.counts(vendor);
        match outcome {
            Outcome::Removed | Outcome::Deactivated => counts.removed += 1,
            Outcome::Failed(e) => {
                counts.failed += 1;
                let text = e.to_string();
                self.failure(vendor, &text, 0, email);
            }
            _ => {}
        }
    }

    /// How many members have their outcomes.
    pub fn members(&self) -> usize {
        self.members
    }

    /// How many member × vendor outcomes, removals and teams failed.
    pub fn failures(&self) -> usize {
        self.summary.0.iter().map(|(_, c)| c.failed).sum::<usize>() + self.teams.map_or(0, |t| t.3)
    }

    /// The per-vendor summary table, then every failure and invalid row, for a terminal
    /// (80 columns).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<8} {:>8} {:>8} {:>10} {:>8} {:>7}",
            "vendor", "created", "updated", "unchanged", "removed", "failed"
        );
        for (vendor, c) in &self.summary.0 {
            let _ = writeln!(
                out,
                "{:<8} {:>8} {:>8} {:>10} {:>8} {:>7}",
                vendor.name(),
                c.created,
                c.updated,
                c.unchanged,
                c.removed,
                c.failed
            );
        }
        if let Some((created, updated, unchanged, failed)) = self.teams {
            let _ = writeln!(
                out,
                "vyte teams: {created} created, {updated} updated, {unchanged} unchanged, {failed} failed"
            );
        }
        if !self.failures.is_empty() {
            let _ = writeln!(out, "\nfailed ({}):", self.failures());
            for ((vendor, error), members) in &self.failures {
                let head = match members.as_slice() {
                    [(0, what)] if what.starts_with("team ") => format!("{what} in {vendor}"),
                    [(0, email)] => format!("{email} in {vendor} (removal)"),
                    many if many.iter().all(|(line, _)| *line == 0) => {
                        let names: Vec<&str> = many.iter().map(|(_, n)| n.as_str()).collect();
                        format!("{} in {vendor}", names.join(", "))
                    }
                    [(line, email)] => format!("line {line} {email} in {vendor}"),
                    many => {
                        const SHOWN: usize = 5;
                        let lines: Vec<String> = many
                            .iter()
                            .take(SHOWN)
                            .map(|(l, _)| l.to_string())
                            .collect();
                        let more = if many.len() > SHOWN { ", …" } else { "" };
                        format!(
                            "{} members in {vendor} (lines {}{more})",
                            many.len(),
                            lines.join(", ")
                        )
                    }
                };
                let _ = write!(out, "{}", crate::out::wrap(&format!("{head}: {error}"), 2));
            }
        }
        if !self.invalid.is_empty() {
            let _ = writeln!(
                out,
                "\nskipped {} invalid row(s), nothing sent for them:",
                self.invalid.len()
            );
            for invalid in &self.invalid {
                let _ = write!(out, "{}", crate::out::wrap(&invalid.to_string(), 2));
            }
        }
        out
    }
}
