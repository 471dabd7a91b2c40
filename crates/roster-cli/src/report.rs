//! What `roster provision` did: a per-vendor summary table and a JSON report.
//!
//! Error texts come from [`roster::Error`]'s `Display`, which never holds a secret.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use roster::{MemberReport, Outcome, Vendor};
use serde::Serialize;

use crate::team::Invalid;

/// One member's outcome in one vendor, as the JSON report writes it.
#[derive(Debug, Serialize)]
pub struct VendorOutcome {
    /// `created`, `updated`, `unchanged`, `removed`, `deactivated`, `absent` or `failed`.
    pub outcome: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The vendor's HTTP status, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// One row of the file in the JSON report.
#[derive(Debug, Serialize)]
pub struct MemberEntry {
    /// Line in the CSV file.
    pub line: u64,
    /// The member's address.
    pub email: String,
    /// Outcome per vendor.
    pub vendors: BTreeMap<&'static str, VendorOutcome>,
}

/// Counts of one vendor's outcomes.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Members created (VEO: invited).
    pub created: usize,
    /// Members updated.
    pub updated: usize,
    /// Members already as wanted.
    pub unchanged: usize,
    /// Members whose call failed.
    pub failed: usize,
}

/// The JSON report of one `roster provision` run.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The CSV file.
    pub file: String,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// Whether nothing was sent (`--dry-run`).
    pub dry_run: bool,
    /// The vendors worked on.
    pub vendors: Vec<&'static str>,
    /// Outcome counts per vendor.
    pub summary: BTreeMap<&'static str, Counts>,
    /// Rows not sent, with why.
    pub invalid_rows: Vec<Invalid>,
    /// Every valid row's outcomes, in file order.
    pub members: Vec<MemberEntry>,
}

/// The word for an outcome.
pub fn word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Created => "created",
        Outcome::Updated => "updated",
        Outcome::Unchanged => "unchanged",
        Outcome::Removed => "removed",
        Outcome::Deactivated => "deactivated",
        Outcome::Absent => "absent",
        Outcome::Failed(_) => "failed",
    }
}

impl Report {
    /// The report of a run over the members on `lines` of the file (whose outcomes are
    /// `reports`, same order).
    pub fn new(
        file: &str,
        started_at: chrono::DateTime<chrono::Utc>,
        vendors: &[Vendor],
        lines: &[u64],
        reports: &[MemberReport],
        invalid: &[Invalid],
    ) -> Self {
        let mut summary: BTreeMap<&'static str, Counts> = vendors
            .iter()
            .map(|v| (v.name(), Counts::default()))
            .collect();
        let members = lines
            .iter()
            .zip(reports)
            .map(|(&line, report)| MemberEntry {
                line,
                email: report.email.clone(),
                vendors: report
                    .vendors
                    .iter()
                    .map(|(vendor, outcome)| {
                        let counts = summary.entry(vendor.name()).or_default();
                        match outcome {
                            Outcome::Created => counts.created += 1,
                            Outcome::Updated => counts.updated += 1,
                            Outcome::Unchanged => counts.unchanged += 1,
                            Outcome::Failed(_) => counts.failed += 1,
                            _ => {}
                        }
                        let (error, status) = match outcome {
                            Outcome::Failed(e) => {
                                (Some(e.to_string()), e.status().map(|s| s.as_u16()))
                            }
                            _ => (None, None),
                        };
                        (
                            vendor.name(),
                            VendorOutcome {
                                outcome: word(outcome),
                                error,
                                status,
                            },
                        )
                    })
                    .collect(),
            })
            .collect();
        Self {
            file: file.to_owned(),
            started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            dry_run: false,
            vendors: vendors.iter().map(|v| v.name()).collect(),
            summary,
            invalid_rows: invalid.to_vec(),
            members,
        }
    }

    /// How many member × vendor outcomes failed.
    pub fn failures(&self) -> usize {
        self.summary.values().map(|c| c.failed).sum()
    }

    /// The per-vendor summary table, then every failure and invalid row, for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<10} {:>8} {:>8} {:>10} {:>7}",
            "vendor", "created", "updated", "unchanged", "failed"
        );
        for (vendor, c) in &self.summary {
            let _ = writeln!(
                out,
                "{:<10} {:>8} {:>8} {:>10} {:>7}",
                vendor, c.created, c.updated, c.unchanged, c.failed
            );
        }
        let failures: Vec<String> = self
            .members
            .iter()
            .flat_map(|m| {
                m.vendors.iter().filter_map(move |(vendor, o)| {
                    o.error
                        .as_ref()
                        .map(|e| format!("  line {} {} in {vendor}: {e}", m.line, m.email))
                })
            })
            .collect();
        if !failures.is_empty() {
            let _ = writeln!(out, "\nfailed ({}):", failures.len());
            for line in failures {
                let _ = writeln!(out, "{line}");
            }
        }
        if !self.invalid_rows.is_empty() {
            let _ = writeln!(
                out,
                "\nskipped {} invalid row(s), nothing sent for them:",
                self.invalid_rows.len()
            );
            for invalid in &self.invalid_rows {
                let _ = writeln!(out, "  {invalid}");
            }
        }
        out
    }
}
