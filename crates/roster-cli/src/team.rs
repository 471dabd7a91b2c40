//! Reading a team from CSV: every row checked before anything is sent.
//!
//! Columns (header row required, any order, names case-insensitive):
//!
//! | column              | required | meaning                                               |
//! |---------------------|----------|-------------------------------------------------------|
//! | `email`             | yes      | the member's address                                  |
//! | `first_name`        | yes      | first name (not empty)                                |
//! | `last_name`         | yes      | last name (may be empty)                              |
//! | `admin`             | no       | `true`/`false` (also `yes`/`no`, `1`/`0`; empty: no)  |
//! | `vectera_managed`   | no       | Vectera managed user (logs in through links only)     |
//! | `vyte_timezone`     | no       | IANA time zone, e.g. `Europe/Paris`                   |
//! | `vyte_language`     | no       | two-letter language code, e.g. `fr`                   |
//! | `vyte_teams`        | no       | Vyte teams (`extid`, else name) separated by `;`      |
//! | `veo_communities`   | no       | VEO group ids separated by `;`                        |
//!
//! An unknown column is an error (a typo would otherwise be ignored silently). A line whose
//! first field starts with `#` is a comment.
//!
//! Line numbers are physical lines of the file, counted here (LF, CRLF and a lone CR each end
//! a line; blank lines and line breaks inside quoted fields count): a row is named by the line
//! it starts on. A quote that never closes is an error for the whole file, naming the line it
//! opens on (read on, it would swallow every following row into one field). A control
//! character (NUL, ESC, CR/LF, DEL, …) in any field makes the row invalid, naming the column.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use roster::Member;

/// The columns `roster provision` understands.
pub const COLUMNS: [&str; 9] = [
    "email",
    "first_name",
    "last_name",
    "admin",
    "vectera_managed",
    "vyte_timezone",
    "vyte_language",
    "vyte_teams",
    "veo_communities",
];

const REQUIRED: [&str; 3] = ["email", "first_name", "last_name"];

/// A valid row: the member and the line it came from.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// The member the row describes.
    pub member: Member,
}

/// A row that cannot be provisioned, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Invalid {
    /// 1-based line number in the file.
    pub line: u64,
    /// What is wrong, naming the column.
    pub error: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.error)
    }
}

/// The whole file, split into the rows to send and the rows reported as invalid.
#[derive(Debug, Default)]
pub struct Team {
    /// Valid rows, in file order.
    pub rows: Vec<Row>,
    /// Invalid rows, in file order; nothing is sent for them.
    pub invalid: Vec<Invalid>,
}

/// The file as a whole cannot be read (as opposed to one bad row).
#[derive(Debug)]
pub struct FileError(pub String);

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FileError {}

/// Reads and checks every row of a team CSV.
///
/// # Errors
/// [`FileError`] when the file cannot be read as CSV at all: not readable, no header, a
/// missing required column, an unknown or repeated column, a quote that never closes.
pub fn read(mut input: impl Read) -> Result<Team, FileError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| FileError(format!("cannot read: {e}")))?;
    let lines = Lines::new(&bytes);
    if let Some(line) = unterminated_quote(&bytes, &lines) {
        return Err(FileError(format!(
            "line {line}: a quoted field opens here and never closes (a missing '\"')"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(&bytes[..]);
    let headers = reader
        .headers()
        .map_err(|e| FileError(format!("cannot read the header row: {e}")))?
        .clone();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in headers.iter().enumerate() {
        let lower = name.to_ascii_lowercase();
        let Some(known) = COLUMNS.iter().find(|c| **c == lower) else {
            return Err(FileError(format!(
                "unknown column {name:?} in the header row; known columns: {}",
                COLUMNS.join(", ")
            )));
        };
        if index.insert(known, i).is_some() {
            return Err(FileError(format!("column {known:?} appears twice")));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(FileError(format!(
            "the header row lacks the required column(s) {}; it must name at least {}",
            missing.join(", "),
            REQUIRED.join(", ")
        )));
    }

    let mut team = Team::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.of(p.byte()));
                team.invalid.push(Invalid {
                    line,
                    error: format!("not readable as CSV: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.of(p.byte()));
        // A comment line. (csv's own comment support would skip it from the line count.)
        if record.get(0).is_some_and(|f| f.starts_with('#')) {
            continue;
        }
        if record.len() != headers.len() {
            team.invalid.push(Invalid {
                line,
                error: format!(
                    "has {} fields where the header has {}",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        if let Some(error) = headers
            .iter()
            .zip(record.iter())
            .find_map(|(column, value)| {
                roster::Member::control_character(value).map(|c| {
                    format!(
                        "{} contains the control character {c}",
                        column.to_ascii_lowercase()
                    )
                })
            })
        {
            team.invalid.push(Invalid { line, error });
            continue;
        }
        let get = |column: &str| {
            index
                .get(column)
                .and_then(|i| record.get(*i))
                .unwrap_or_default()
        };
        match member(&get) {
            Ok(member) => {
                let key = member.email().to_ascii_lowercase();
                if let Some(first) = seen.get(&key) {
                    team.invalid.push(Invalid {
                        line,
                        error: format!("{} is already on line {first}", member.email()),
                    });
                } else {
                    seen.insert(key, line);
                    team.rows.push(Row { line, member });
                }
            }
            Err(error) => team.invalid.push(Invalid { line, error }),
        }
    }
    Ok(team)
}

/// One row's member, or what is wrong with it.
fn member<'r>(get: &impl Fn(&str) -> &'r str) -> Result<Member, String> {
    let email = get("email");
    if email.is_empty() {
        return Err("email is empty".to_owned());
    }
    let mut member = Member::new(email, get("first_name"), get("last_name"))
        .map_err(|e| e.to_string())?
        .admin(flag(get("admin"), "admin")?);
    member.vectera.managed = flag(get("vectera_managed"), "vectera_managed")?;
    member.vyte.timezone = text(get("vyte_timezone"));
    if let Some(tz) = &member.vyte.timezone
        && !is_plausible_timezone(tz)
    {
        return Err(format!(
            "vyte_timezone {tz:?} is not an IANA time zone such as Europe/Paris or UTC"
        ));
    }
    member.vyte.language = text(get("vyte_language"));
    if let Some(lang) = &member.vyte.language
        && !(lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(format!(
            "vyte_language {lang:?} is not a two-letter lower-case code such as fr"
        ));
    }
    member.vyte.teams = list(get("vyte_teams"))
        .map(str::to_owned)
        .collect::<Vec<_>>();
    member.veo.communities = list(get("veo_communities"))
        .map(|v| {
            v.parse()
                .map_err(|_| format!("veo_communities: {v:?} is not an integer group id"))
        })
        .collect::<Result<_, _>>()?;
    Ok(member)
}

/// Where the physical lines of a file start: LF, CRLF and a lone CR each end one.
struct Lines {
    /// Byte offset of the start of line 2, 3, ….
    starts: Vec<u64>,
    bytes_len: u64,
    /// Whether the byte at an offset is a line break (to skip blank lines before a record).
    breaks: Vec<bool>,
}

impl Lines {
    fn new(bytes: &[u8]) -> Self {
        let mut starts = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i as u64 + 2);
                    i += 2;
                }
                b'\r' | b'\n' => {
                    starts.push(i as u64 + 1);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        Self {
            starts,
            bytes_len: bytes.len() as u64,
            breaks: bytes.iter().map(|b| matches!(b, b'\r' | b'\n')).collect(),
        }
    }

    /// The 1-based line of the byte at `offset`, after any line breaks there (the csv crate
    /// reports a record's position before the blank lines it skipped).
    fn of(&self, offset: u64) -> u64 {
        let mut offset = offset.min(self.bytes_len);
        while self
            .breaks
            .get(usize::try_from(offset).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or(false)
        {
            offset += 1;
        }
        self.starts.partition_point(|&start| start <= offset) as u64 + 1
    }
}

/// The line of a quote that opens a field and never closes, if any (the csv crate reads on
/// to the end of the file as one field, silently). As in the csv crate, only a quote that is
/// a field's first byte opens a quoted field.
fn unterminated_quote(bytes: &[u8], lines: &Lines) -> Option<u64> {
    let mut field_start = true;
    let mut open_at: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match open_at {
            Some(_) if b == b'"' => {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open_at = None;
                    field_start = false;
                }
            }
            Some(_) => {}
            None => match b {
                b'"' if field_start => open_at = Some(i),
                b',' | b'\r' | b'\n' => {
                    field_start = true;
                    i += 1;
                    continue;
                }
                _ => field_start = false,
            },
        }
        i += 1;
    }
    open_at.map(|at| lines.of(at as u64))
}

fn text(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(';').map(str::trim).filter(|v| !v.is_empty())
}

fn flag(value: &str, column: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "n" | "0" => Ok(false),
        "true" | "yes" | "y" | "1" => Ok(true),
        _ => Err(format!("{column} {value:?} is not true or false")),
    }
}

/// `Area/Location` (letters, `_`, `-`, `+`, digits, up to three parts) or `UTC`/`GMT`.
fn is_plausible_timezone(tz: &str) -> bool {
    if matches!(tz, "UTC" | "GMT") {
        return true;
    }
    let parts: Vec<&str> = tz.split('/').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_uppercase())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Team {
        read(text.as_bytes()).expect("readable")
    }

    #[test]
    fn reads_every_column_and_keeps_line_numbers() {
        let team = parse(
            "email,first_name,last_name,admin,vectera_managed,vyte_timezone,vyte_language,vyte_teams,veo_communities\n\
             ann@example.com,Ann,Smith,yes,true,Europe/Paris,fr,Sales; Support,11;12\n\
             bob@example.com,Bob,,,,,,,\n",
        );
        assert!(team.invalid.is_empty(), "{:?}", team.invalid);
        let [ann, bob] = &team.rows[..] else {
            panic!("two rows expected: {:?}", team.rows)
        };
        assert_eq!((ann.line, bob.line), (2, 3));
        let m = &ann.member;
        assert_eq!(m.email(), "ann@example.com");
        assert!(m.admin && m.vectera.managed);
        assert_eq!(m.vyte.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(m.vyte.language.as_deref(), Some("fr"));
        assert_eq!(m.vyte.teams, ["Sales", "Support"]);
        assert_eq!(m.veo.communities, [11, 12]);
        assert!(!bob.member.admin);
        assert_eq!(bob.member.last_name, "");
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_and_column() {
        let team = parse(
            "Email,First_Name,Last_Name,Admin\n\
             ok@example.com,Ok,Row,no\n\
             not-an-address,Bad,Email,no\n\
             # a comment line is skipped\n\
             x@example.com,,Nofirst,no\n\
             y@example.com,Y,Z,maybe\n\
             OK@example.com,Dup,Row,no\n\
             short@example.com,Short\n",
        );
        assert_eq!(team.rows.len(), 1);
        let lines: Vec<(u64, &str)> = team
            .invalid
            .iter()
            .map(|i| (i.line, i.error.as_str()))
            .collect();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[0].0, 3);
        assert!(lines[0].1.contains("invalid email address"), "{lines:?}");
        assert_eq!(lines[1].0, 5);
        assert!(lines[1].1.contains("first name"), "{lines:?}");
        assert_eq!(lines[2], (6, "admin \"maybe\" is not true or false"));
        assert_eq!(lines[3], (7, "OK@example.com is already on line 2"));
        assert_eq!(lines[4], (8, "has 2 fields where the header has 4"));
    }

    #[test]
    fn vendor_columns_are_checked() {
        let team = parse(
            "email,first_name,last_name,vyte_timezone,vyte_language,veo_communities\n\
             a@example.com,A,A,Paris,,\n\
             b@example.com,B,B,,french,\n\
             c@example.com,C,C,,,three\n\
             d@example.com,D,D,,,1;x\n\
             e@example.com,E,E,America/Argentina/Buenos_Aires,pt,7\n",
        );
        let errors: Vec<&str> = team.invalid.iter().map(|i| i.error.as_str()).collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("vyte_timezone \"Paris\""));
        assert!(errors[1].starts_with("vyte_language \"french\""));
        assert!(errors[2].starts_with("veo_communities: \"three\""));
        assert!(errors[3].starts_with("veo_communities: \"x\""));
        assert_eq!(team.rows.len(), 1);
        assert_eq!(team.rows[0].line, 6);
    }

    fn lines_of(team: &Team) -> (Vec<u64>, Vec<u64>) {
        (
            team.rows.iter().map(|r| r.line).collect(),
            team.invalid.iter().map(|i| i.line).collect(),
        )
    }

    #[test]
    fn line_numbers_are_physical_lines_whatever_the_line_breaks() {
        let header = "email,first_name,last_name";
        for eol in ["\n", "\r\n", "\r"] {
            let text = [
                header,
                "a@example.com,A,A",
                "",
                "bad,B,B",
                "",
                "",
                "c@example.com,C,C",
                "",
            ]
            .join(eol);
            let team = parse(&text);
            assert_eq!(lines_of(&team), (vec![2, 7], vec![4]), "{eol:?}");
        }
    }

    #[test]
    fn line_numbers_count_line_breaks_inside_quoted_fields() {
        let team = parse(
            "email,first_name,last_name\r\n\
             a@example.com,\"A\",\"Smith\r\n\r\nJones\"\r\n\
             \r\n\
             bad,B,B\r\n\
             c@example.com,C,\"C\nC\"\n\
             d@example.com,D,D\n",
        );
        // Line 2's row spans three lines (its name has line breaks: refused), line 5 is blank,
        // line 7's row spans two.
        assert_eq!(lines_of(&team), (vec![9], vec![2, 6, 7]));
    }

    #[test]
    fn an_unterminated_quote_is_an_error_naming_its_line() {
        let err = read(
            "email,first_name,last_name\n\
             a@example.com,A,A\n\
             b@example.com,\"B,B\n\
             c@example.com,C,C\n\
             d@example.com,D,D\n"
                .as_bytes(),
        )
        .expect_err("an unterminated quote");
        assert_eq!(
            err.0,
            "line 3: a quoted field opens here and never closes (a missing '\"')"
        );
        // A closed quote with an escaped quote inside, and a quote inside an unquoted field,
        // are fine.
        let team = parse(
            "email,first_name,last_name\n\
             a@example.com,\"A \"\"Al\"\"\",A\n\
             b@example.com,B\"x,B\n",
        );
        assert_eq!(lines_of(&team), (vec![2, 3], vec![]));
        assert_eq!(team.rows[0].member.first_name, "A \"Al\"");
    }

    #[test]
    fn control_characters_in_any_field_are_a_row_error_naming_the_column() {
        let team = parse(
            "email,first_name,last_name,vyte_teams,vyte_timezone\n\
             a@example.com,A\u{1b}[31m,A,,\n\
             b@example.com,B,B\u{0},,\n\
             c@example.com,C,C,Sales\u{7};Ops,\n\
             d@example.com,D,D,,Europe/Paris\u{7f}\n\
             e@example.com,\"E\rE\",E,,\n\
             f@example.com,F,\"F\u{9b}2J\",,\n\
             ok@example.com,Zoë,O'Neil,Sales,\n",
        );
        let errors: Vec<(u64, &str)> = team
            .invalid
            .iter()
            .map(|i| (i.line, i.error.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (2, "first_name contains the control character U+001B"),
                (3, "last_name contains the control character U+0000"),
                (4, "vyte_teams contains the control character U+0007"),
                (5, "vyte_timezone contains the control character U+007F"),
                (6, "first_name contains the control character U+000D"),
                (8, "last_name contains the control character U+009B"),
            ]
        );
        assert_eq!(lines_of(&team).0, [9]);
    }

    #[test]
    fn a_bad_header_is_an_error_for_the_whole_file() {
        let unknown =
            read("email,first_name,last_name,admn\n".as_bytes()).expect_err("a bad header");
        assert!(unknown.0.contains("unknown column \"admn\""), "{unknown}");
        assert!(unknown.0.contains("known columns: email"), "{unknown}");
        let missing = read("email,last_name\n".as_bytes()).expect_err("a bad header");
        assert!(
            missing
                .0
                .contains("lacks the required column(s) first_name"),
            "{missing}"
        );
        let twice =
            read("email,first_name,last_name,Email\n".as_bytes()).expect_err("a bad header");
        assert!(twice.0.contains("\"email\" appears twice"), "{twice}");
    }
}
