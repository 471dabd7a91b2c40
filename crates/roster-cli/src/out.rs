//! What the commands print through, written once: [`Out`] (standard output that its reader
//! may leave), [`warn`] (standard error), [`Failure`] (why a command stopped, with its exit
//! code), and the width rules that keep every line within 80 columns.

use std::io::Write as _;

use roster::redact::terminal_safe;

/// The longest vendor string printed in a line that has room for it.
pub const MAX_SHOWN: usize = 200;

/// Why the command stopped, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad usage, configuration or file, or refused credentials: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    /// Some vendor call failed: exit code 1.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }

    /// The file was refused as a whole (`--strict`, the removal limit), nothing sent: exit
    /// code 3.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            code: 3,
            message: message.into(),
        }
    }
}

/// Where human-readable output goes: standard output, or standard error when standard output
/// carries the report (`--report -`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stream {
    #[default]
    Stdout,
    Stderr,
}

/// Output that its reader may leave (`| head -1`): once a write fails (a closed pipe),
/// nothing more is printed and the command goes on quietly.
#[derive(Debug, Default)]
pub struct Out {
    pub gone: bool,
    stream: Stream,
}

impl Out {
    /// Output to `stream`.
    pub fn to(stream: Stream) -> Self {
        Self {
            gone: false,
            stream,
        }
    }

    /// Prints `text` as is.
    pub fn print(&mut self, text: &str) {
        if self.gone {
            return;
        }
        let written = match self.stream {
            Stream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
            Stream::Stderr => {
                let mut out = std::io::stderr().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
        };
        if let Err(e) = written {
            self.gone = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                warn(&format!("roster: cannot print: {e}"));
            }
        }
    }

    /// Prints `text` and a line break.
    pub fn line(&mut self, text: impl std::fmt::Display) {
        self.print(&format!("{text}\n"));
    }
}

/// A line on standard error (never a panic when it is closed).
pub fn warn(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// `text` safe for a terminal, in exactly `width` columns: escaped, cut with `…` when longer,
/// padded when shorter (characters counted as one column each).
pub fn cell(text: &str, width: usize) -> String {
    let shown = terminal_safe(text, width);
    let shown = if shown.chars().count() > width {
        let mut cut: String = shown.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        shown
    };
    format!("{shown:<width$}")
}

/// A JSON line for a terminal: serde_json escapes the C0 controls; DEL, the C1 controls (such
/// as U+009B, a one-byte CSI) and bidirectional overrides are escaped too (`\u009b`, still
/// the same JSON string).
pub fn json_safe(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` word-wrapped to 80 columns, every line indented by `indent` spaces (the ones after
/// the first by two more), each ending with a line break. A word longer than a line (a URL, a
/// path) is never cut: it gets a line of its own.
pub fn wrap(text: &str, indent: usize) -> String {
    const WIDTH: usize = 80;
    let mut out = String::new();
    let mut line = " ".repeat(indent);
    let mut fresh = true;
    for word in text.split_whitespace() {
        let room = WIDTH.saturating_sub(line.chars().count() + usize::from(!fresh));
        if !fresh && word.chars().count() > room {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent + 2);
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_escape_every_control_character() {
        let value = serde_json::json!({"name": "a\u{1b}[2Jb\u{7f}c\u{9b}31md\u{202e}e\u{7}"});
        let line = json_safe(&value);
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        assert_eq!(
            line,
            r#"{"name":"a\u001b[2Jb\u007fc\u009b31md\u202ee\u0007"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&line).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn cells_have_exactly_their_width() {
        assert_eq!(cell("ann", 6), "ann   ");
        assert_eq!(cell("abcdefghij", 6).chars().count(), 6);
        assert!(cell("abcdefghij", 6).ends_with('…'));
        assert_eq!(cell("a\u{1b}b", 8).chars().count(), 8);
        assert!(!cell("a\u{1b}b", 8).contains('\u{1b}'));
    }

    #[test]
    fn wrapped_lines_fit_80_columns() {
        let text = "word ".repeat(60);
        let wrapped = wrap(&text, 4);
        assert!(wrapped.lines().count() > 3);
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 80),
            "{wrapped}"
        );
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("      w")),
            "{wrapped}"
        );
        // A word longer than a line is kept whole, on a line of its own.
        let long = format!("see {} now", "x".repeat(100));
        let wrapped = wrap(&long, 2);
        assert_eq!(
            wrapped,
            format!("  see\n    {}\n    now\n", "x".repeat(100))
        );
    }
}
