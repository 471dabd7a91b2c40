//! What `roster provision` did: a journal written as outcomes arrive (JSON Lines), and a
//! per-vendor summary table for the terminal.
//!
//! The journal is opened before the first vendor call and holds, one JSON object a line:
//!
//! 1. `{"type":"start", "file", "started_at", "vendors"}`;
//! 2. `{"type":"invalid", "line", "error"}` for every row not sent;
//! 3. `{"type":"member", "line", "email", "vendors": {vendor: {"outcome", "error"?, "status"?}}}`
//!    for every member, as its outcomes arrive;
//! 4. `{"type":"summary", "finished_at", "interrupted", "summary": {vendor: counts},
//!    "members", "invalid_rows", "failures"}` when the run ends, also after a first Ctrl-C.
//!
//! Every line is written whole as soon as it is known, so a journal cut short (a second
//! Ctrl-C, a crash) still holds every outcome before it; one without a summary line is a run
//! that did not end. Error texts come from [`roster::Error`]'s `Display`, which is redacted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use roster::{MemberReport, Outcome, Vendor};
use serde::Serialize;
use serde_json::json;

use crate::team::Invalid;

/// One member's outcome in one vendor, as the journal writes it.
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

/// One row of the file in the journal.
#[derive(Debug, Serialize)]
pub struct MemberEntry {
    /// Line in the CSV file.
    pub line: u64,
    /// The member's address.
    pub email: String,
    /// Outcome per vendor.
    pub vendors: BTreeMap<&'static str, VendorOutcome>,
}

impl MemberEntry {
    /// The entry of the member on `line` whose outcomes are `report`.
    pub fn new(line: u64, report: &MemberReport) -> Self {
        Self {
            line,
            email: report.email.clone(),
            vendors: report
                .vendors
                .iter()
                .map(|(vendor, outcome)| {
                    let (error, status) = match outcome {
                        Outcome::Failed(e) => (Some(e.to_string()), e.status().map(|s| s.as_u16())),
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
        }
    }
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

/// The journal file, appended one line at a time.
#[derive(Debug)]
pub struct Journal {
    file: std::fs::File,
    path: PathBuf,
    /// The first write error, if any (the run goes on; the error is reported at the end).
    error: Option<std::io::Error>,
}

impl Journal {
    /// Creates (or truncates) the journal at `path`, checking first that its directory
    /// exists and that it is not a directory.
    ///
    /// # Errors
    /// Why it cannot be written, naming the path.
    pub fn create(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        if path.is_dir() {
            return Err(format!(
                "cannot write the report to {shown}: it is a directory"
            ));
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !parent.is_dir() {
            return Err(format!(
                "cannot write the report to {shown}: the directory {} does not exist",
                parent.display()
            ));
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| format!("cannot write the report to {shown}: {e}"))?;
        Ok(Self {
            file,
            path: path.to_owned(),
            error: None,
        })
    }

    /// Appends one JSON line, whole, in one write.
    fn line(&mut self, value: &serde_json::Value) {
        if self.error.is_some() {
            return;
        }
        let mut bytes = value.to_string().into_bytes();
        bytes.push(b'\n');
        if let Err(e) = self.file.write_all(&bytes) {
            self.error = Some(e);
        }
    }

    /// The header line, then one line per invalid row.
    pub fn start(
        &mut self,
        file: &str,
        started_at: chrono::DateTime<chrono::Utc>,
        vendors: &[Vendor],
        invalid: &[Invalid],
    ) {
        self.line(&json!({
            "type": "start",
            "file": file,
            "started_at": rfc3339(started_at),
            "dry_run": false,
            "vendors": vendors.iter().map(|v| v.name()).collect::<Vec<_>>(),
        }));
        for row in invalid {
            self.line(&json!({"type": "invalid", "line": row.line, "error": row.error}));
        }
    }

    /// One member's line.
    pub fn member(&mut self, entry: &MemberEntry) {
        let mut value = json!({"type": "member"});
        if let (Some(map), Ok(serde_json::Value::Object(fields))) =
            (value.as_object_mut(), serde_json::to_value(entry))
        {
            map.extend(fields);
        }
        self.line(&value);
    }

    /// The summary line that ends a run.
    pub fn summary(&mut self, tally: &Tally, interrupted: bool) {
        self.line(&json!({
            "type": "summary",
            "finished_at": rfc3339(chrono::Utc::now()),
            "interrupted": interrupted,
            "summary": tally.summary,
            "members": tally.members,
            "invalid_rows": tally.invalid.len(),
            "failures": tally.failures(),
        }));
    }

    /// The path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes to disk; the first error of the whole run, if any.
    ///
    /// # Errors
    /// The first write error.
    pub fn finish(&mut self) -> Result<(), String> {
        if let Some(e) = self.error.take() {
            return Err(format!(
                "cannot write the report to {}: {e}",
                self.path.display()
            ));
        }
        self.file
            .sync_all()
            .map_err(|e| format!("cannot write the report to {}: {e}", self.path.display()))
    }
}

fn rfc3339(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A failure's cause: the vendor and the error text.
type Cause = (&'static str, String);

/// What the terminal summary needs: counts per vendor, the failures and the invalid rows.
#[derive(Debug)]
pub struct Tally {
    summary: BTreeMap<&'static str, Counts>,
    /// Each distinct (vendor, error) once, in the order first met, with the members it failed
    /// (line, email): a cause shared by a thousand members is named once.
    failures: Vec<(Cause, Vec<(u64, String)>)>,
    invalid: Vec<Invalid>,
    members: usize,
}

impl Tally {
    /// An empty tally of a run into `vendors`, with the rows not sent.
    pub fn new(vendors: &[Vendor], invalid: &[Invalid]) -> Self {
        Self {
            summary: vendors
                .iter()
                .map(|v| (v.name(), Counts::default()))
                .collect(),
            failures: Vec::new(),
            invalid: invalid.to_vec(),
            members: 0,
        }
    }

    /// Counts one member's outcomes.
    pub fn add(&mut self, entry: &MemberEntry) {
        self.members += 1;
        for (vendor, o) in &entry.vendors {
            let counts = self.summary.entry(vendor).or_default();
            match o.outcome {
                "created" => counts.created += 1,
                "updated" => counts.updated += 1,
                "unchanged" => counts.unchanged += 1,
                "failed" => counts.failed += 1,
                _ => {}
            }
            if let Some(e) = &o.error {
                let key = (*vendor, e.clone());
                let member = (entry.line, entry.email.clone());
                match self.failures.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, members)) => members.push(member),
                    None => self.failures.push((key, vec![member])),
                }
            }
        }
    }

    /// How many members have their outcomes.
    pub fn members(&self) -> usize {
        self.members
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
        if !self.failures.is_empty() {
            let _ = writeln!(out, "\nfailed ({}):", self.failures());
            for ((vendor, error), members) in &self.failures {
                match members.as_slice() {
                    [(line, email)] => {
                        let _ = writeln!(out, "  line {line} {email} in {vendor}: {error}");
                    }
                    many => {
                        const SHOWN: usize = 5;
                        let lines: Vec<String> = many
                            .iter()
                            .take(SHOWN)
                            .map(|(l, _)| l.to_string())
                            .collect();
                        let more = if many.len() > SHOWN { ", …" } else { "" };
                        let _ = writeln!(
                            out,
                            "  {} members in {vendor} (lines {}{more}): {error}",
                            many.len(),
                            lines.join(", ")
                        );
                    }
                }
            }
        }
        if !self.invalid.is_empty() {
            let _ = writeln!(
                out,
                "\nskipped {} invalid row(s), nothing sent for them:",
                self.invalid.len()
            );
            for invalid in &self.invalid {
                let _ = writeln!(out, "  {invalid}");
            }
        }
        out
    }
}
