//! What `roster provision` did, as an audit record: a journal written as outcomes arrive
//! (JSON Lines; the terminal's summary of the same run is `tally.rs`).
//!
//! The journal is opened before the first vendor call — a new file, never an existing one
//! overwritten (by default `roster-report-<UTC time>.jsonl`; `--report -` is standard
//! output) — and holds, one JSON object a line:
//!
//! 1. `{"type":"start", "run_id", "roster_version", "command", "file", "started_at",
//!    "sandbox", "vendors": [{"vendor", "target"}], "prune", "max_removals"}` — `target` is
//!    the vendor's base URL (no query, no user info) or `sandbox`, `command` the command line
//!    with every configured secret redacted;
//! 2. `{"type":"invalid", "line", "error"}` for every row not sent;
//! 3. `{"type":"member", "line", "email", "vendors": {vendor: {"outcome", "account_id"?,
//!    "changes"?: [{"field", "old", "new"}], "notes"?, "error"?, "status"?}}}` for every
//!    member, as its outcomes arrive, vendors in Roster's order (vectera, vyte, veo);
//! 4. `{"type":"removal", "vendor", "email", "account_id", "action", "outcome", "error"?}`
//!    for every account `--prune` took out;
//! 5. `{"type":"team", "vendor":"vyte", ...}` for every Vyte team the run managed;
//! 6. `{"type":"summary", "run_id", "finished_at", "interrupted", "summary": {vendor: counts},
//!    "members", "invalid_rows", "failures"}` when the run ends, also after a first Ctrl-C.
//!
//! Every line is written whole as soon as it is known, so a journal cut short (a second
//! Ctrl-C, a crash) still holds every outcome before it; one without a summary line is a run
//! that did not end. Every vendor text in it (errors) comes from [`roster::Error`]'s
//! `Display`, which is redacted.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use roster::{Change, MemberPlan, MemberReport, Outcome, Vendor};
use serde::Serialize;
use serde::ser::SerializeMap as _;
use serde_json::json;

use crate::tally::{Counts, Tally};
use crate::team::Invalid;

/// One member's outcome in one vendor, as the journal writes it.
#[derive(Debug, Serialize)]
pub struct VendorOutcome {
    /// `created`, `updated`, `unchanged`, `removed`, `deactivated`, `absent` or `failed`.
    pub outcome: &'static str,
    /// The vendor's id of the account, when known before the run (a new account's id is
    /// read by the next `roster plan`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The fields an update changed, old → new.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// What the vendor cannot apply for the member.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The vendor's HTTP status, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// One changed field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl From<&Change> for FieldChange {
    fn from(c: &Change) -> Self {
        Self {
            field: c.field,
            old: c.old.clone(),
            new: c.new.clone(),
        }
    }
}

/// Outcomes by vendor, written as a JSON object in [`Vendor::ALL`] order (not sorted).
#[derive(Debug)]
pub struct ByVendor<T>(pub Vec<(Vendor, T)>);

impl<T: Serialize> Serialize for ByVendor<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (vendor, value) in &self.0 {
            map.serialize_entry(vendor.name(), value)?;
        }
        map.end()
    }
}

/// One row of the file in the journal.
#[derive(Debug, Serialize)]
pub struct MemberEntry {
    /// `member`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Line in the CSV file.
    pub line: u64,
    /// The member's address.
    pub email: String,
    /// Outcome per vendor.
    pub vendors: ByVendor<VendorOutcome>,
}

impl MemberEntry {
    /// The entry of the member on `line` whose outcomes are `report`, with what the plan
    /// found for it (account ids, the fields an update changes, notes).
    pub fn new(line: u64, report: &MemberReport, plan: Option<&MemberPlan>) -> Self {
        Self {
            kind: "member",
            line,
            email: report.email.clone(),
            vendors: ByVendor(
                report
                    .vendors
                    .iter()
                    .map(|(vendor, outcome)| {
                        let status = match outcome {
                            Outcome::Failed(e) => e.status().map(|s| s.as_u16()),
                            _ => None,
                        };
                        let step = plan.and_then(|p| p.step(*vendor));
                        let changes = match (outcome, step) {
                            (Outcome::Updated, Some(step)) => {
                                step.changes.iter().map(FieldChange::from).collect()
                            }
                            _ => Vec::new(),
                        };
                        (
                            *vendor,
                            VendorOutcome {
                                outcome: word(outcome),
                                account_id: step.and_then(|s| s.account_id.clone()),
                                changes,
                                notes: step.map(|s| s.notes.clone()).unwrap_or_default(),
                                error: error_text(outcome),
                                status,
                            },
                        )
                    })
                    .collect(),
            ),
        }
    }
}

/// The (redacted) error text of a failed outcome.
fn error_text(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Failed(e) => Some(e.to_string()),
        _ => None,
    }
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

/// Where the journal goes.
#[derive(Debug)]
enum Sink {
    File(std::fs::File),
    Stdout,
}

/// The journal, appended one line at a time.
#[derive(Debug)]
pub struct Journal {
    sink: Sink,
    path: PathBuf,
    /// The first write error, if any (the run goes on; the error is reported at the end).
    error: Option<std::io::Error>,
    run_id: String,
}

/// What the start line records of a run.
pub struct Start<'a> {
    pub file: &'a str,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub command: String,
    pub sandbox: bool,
    pub vendors: Vec<(Vendor, String)>,
    pub prune: bool,
    pub max_removals: usize,
    pub invalid: &'a [Invalid],
}

impl Journal {
    /// The journal for `--report`: `None` → a new timestamped file in the current directory
    /// (`roster-report-20261202T071500Z.jsonl`, `-2`, `-3`… when taken); `-` → standard
    /// output; a path → a new file there. An existing file is never overwritten.
    ///
    /// # Errors
    /// Why it cannot be written, naming the path.
    pub fn create(
        given: Option<&Path>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, String> {
        let run_id = uuid::Uuid::new_v4().to_string();
        match given {
            Some(path) if path == Path::new("-") => Ok(Self {
                sink: Sink::Stdout,
                path: path.to_owned(),
                error: None,
                run_id,
            }),
            Some(path) => Self::new_file(path, run_id),
            None => {
                let stamp = now.format("%Y%m%dT%H%M%SZ");
                let mut n = 1;
                loop {
                    let name = match n {
                        1 => format!("roster-report-{stamp}.jsonl"),
                        n => format!("roster-report-{stamp}-{n}.jsonl"),
                    };
                    let path = PathBuf::from(name);
                    if !path.exists() || n > 100 {
                        return Self::new_file(&path, run_id);
                    }
                    n += 1;
                }
            }
        }
    }

    fn new_file(path: &Path, run_id: String) -> Result<Self, String> {
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
            .create_new(true)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => format!(
                    "the report {shown} already exists; reports are never overwritten: move it \
                     away or name another with --report"
                ),
                _ => format!("cannot write the report to {shown}: {e}"),
            })?;
        Ok(Self {
            sink: Sink::File(file),
            path: path.to_owned(),
            error: None,
            run_id,
        })
    }

    /// Removes the journal of a run refused before it started (nothing written to it yet).
    pub fn discard(self) {
        if let Sink::File(file) = self.sink {
            drop(file);
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Whether the journal goes to standard output.
    pub fn to_stdout(&self) -> bool {
        matches!(self.sink, Sink::Stdout)
    }

    /// Appends one JSON line, whole, in one write.
    fn write(&mut self, text: String) {
        if self.error.is_some() {
            return;
        }
        let mut bytes = text.into_bytes();
        bytes.push(b'\n');
        let written = match &mut self.sink {
            Sink::File(file) => file.write_all(&bytes),
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&bytes).and_then(|()| out.flush())
            }
        };
        if let Err(e) = written {
            self.error = Some(e);
        }
    }

    fn line(&mut self, value: &serde_json::Value) {
        self.write(value.to_string());
    }

    /// The header line, then one line per invalid row.
    pub fn start(&mut self, start: &Start<'_>) {
        let vendors: Vec<_> = start
            .vendors
            .iter()
            .map(|(vendor, target)| json!({"vendor": vendor.name(), "target": target}))
            .collect();
        self.line(&json!({
            "type": "start",
            "run_id": self.run_id,
            "roster_version": env!("CARGO_PKG_VERSION"),
            "command": start.command,
            "file": start.file,
            "started_at": rfc3339(start.started_at),
            "sandbox": start.sandbox,
            "vendors": vendors,
            "prune": start.prune,
            "max_removals": start.max_removals,
        }));
        for row in start.invalid {
            self.line(&json!({"type": "invalid", "line": row.line, "error": row.error}));
        }
    }

    /// One member's line.
    pub fn member(&mut self, entry: &MemberEntry) {
        match serde_json::to_string(entry) {
            Ok(text) => self.write(text),
            Err(e) => self.error = Some(std::io::Error::other(e)),
        }
    }

    /// The line of an account `--prune` took out, with what became of it.
    pub fn removal(&mut self, removal: &roster::Removal, outcome: &Outcome) {
        self.line(&json!({
            "type": "removal",
            "vendor": removal.vendor.name(),
            "email": removal.account.email,
            "account_id": removal.account.id,
            "action": removal.action.as_str(),
            "outcome": word(outcome),
            "error": error_text(outcome),
        }));
    }

    /// The line of a Vyte team the run managed.
    pub fn team(&mut self, team: &roster::TeamReport) {
        self.line(&json!({
            "type": "team",
            "vendor": "vyte",
            "team": team.team,
            "extid": team.extid,
            "team_id": team.vendor_id,
            "outcome": word(&team.outcome),
            "added": team.added,
            "removed": team.removed,
            "dropped": team.dropped,
            "error": error_text(&team.outcome),
        }));
    }

    /// The summary line that ends a run (vendors in Roster's order).
    pub fn summary(&mut self, tally: &Tally, interrupted: bool) {
        #[derive(Serialize)]
        struct SummaryLine<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            run_id: &'a str,
            finished_at: String,
            interrupted: bool,
            summary: &'a ByVendor<Counts>,
            #[serde(skip_serializing_if = "Option::is_none")]
            vyte_teams: Option<serde_json::Value>,
            members: usize,
            invalid_rows: usize,
            failures: usize,
        }
        let line = SummaryLine {
            kind: "summary",
            run_id: &self.run_id,
            finished_at: rfc3339(chrono::Utc::now()),
            interrupted,
            summary: &tally.summary,
            vyte_teams: tally.teams.map(|(created, updated, unchanged, failed)| {
                json!({"created": created, "updated": updated, "unchanged": unchanged, "failed": failed})
            }),
            members: tally.members,
            invalid_rows: tally.invalid.len(),
            failures: tally.failures(),
        };
        match serde_json::to_string(&line) {
            Ok(text) => self.write(text),
            Err(e) => self.error = Some(std::io::Error::other(e)),
        }
    }

    /// The path, for messages (`-` for standard output).
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
        match &self.sink {
            Sink::File(file) => file
                .sync_all()
                .map_err(|e| format!("cannot write the report to {}: {e}", self.path.display())),
            Sink::Stdout => Ok(()),
        }
    }
}

fn rfc3339(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
