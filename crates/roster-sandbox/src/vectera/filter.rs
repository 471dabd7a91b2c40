//! Vectera's `filter` grammar: a boolean expression of `field op value` comparisons joined by
//! `AND` / `OR` with parentheses, parsed, checked against a resource's fields and evaluated
//! on its rows.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// The deepest parenthesis nesting a `filter` may have.
const MAX_DEPTH: usize = 32;

/// The type of a filterable, sortable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Str,
    Bool,
    Time,
}

/// A field's value on one row.
#[derive(Debug, Clone, Copy)]
pub(super) enum Val<'a> {
    Null,
    Str(&'a str),
    Bool(bool),
    Time(DateTime<Utc>),
}

/// A row a list query runs over.
pub(super) trait Row {
    /// The field's type, `None` for a field the resource does not have.
    fn kind(field: &str) -> Option<Kind>;
    /// The field's value on this row (only asked for fields `kind` knows).
    fn get(&self, field: &str) -> Val<'_>;
    /// Whether any searched text field contains `term` (already lower-cased).
    fn matches(&self, term: &str) -> bool;
    /// The primary key, the last sort key.
    fn id(&self) -> i64;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Eq,
    Ne,
    Contains,
    NotContains,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Str(String),
    Num(f64),
    Bool(bool),
    Time(DateTime<Utc>),
    Duration(f64),
}

/// A parsed `filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    Cmp { field: String, op: Op, value: Value },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The value of an `email = "..."` comparison every match must satisfy (a top-level
    /// `AND` operand), which an index can answer.
    pub(super) fn required_eq(&self, name: &str) -> Option<&str> {
        match self {
            Expr::Cmp {
                field,
                op: Op::Eq,
                value: Value::Str(s),
            } if field == name => Some(s),
            Expr::And(a, b) => a.required_eq(name).or_else(|| b.required_eq(name)),
            _ => None,
        }
    }

    pub(super) fn eval<R: Row>(&self, row: &R) -> bool {
        match self {
            Expr::And(a, b) => a.eval(row) && b.eval(row),
            Expr::Or(a, b) => a.eval(row) || b.eval(row),
            Expr::Cmp { field, op, value } => compare(row.get(field), *op, value),
        }
    }

    /// Checks every field exists and every comparison makes sense for its type.
    pub(super) fn check<R: Row>(&self) -> Result<(), String> {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.check::<R>()?;
                b.check::<R>()
            }
            Expr::Cmp { field, op, value } => {
                // A field the fake does not model is not refused (Vectera documents no such
                // rule): it reads as null on every row.
                let Some(kind) = R::kind(field) else {
                    return Ok(());
                };
                let ordering = matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
                let text = matches!(op, Op::Contains | Op::NotContains);
                let ok = match (kind, value) {
                    (_, Value::Null) => matches!(op, Op::Eq | Op::Ne),
                    (Kind::Str, Value::Str(_)) => true,
                    (Kind::Bool, Value::Bool(_)) => matches!(op, Op::Eq | Op::Ne),
                    (Kind::Time, Value::Time(_)) => !text,
                    (Kind::Time, Value::Str(s)) => !text && parse_time(s).is_some(),
                    _ => false,
                };
                if ok {
                    Ok(())
                } else if ordering || text {
                    Err(format!(
                        "The operator {} cannot compare \"{field}\" with that value.",
                        op_text(*op)
                    ))
                } else {
                    Err(format!("\"{field}\" cannot be compared with that value."))
                }
            }
        }
    }
}

fn op_text(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "!=",
        Op::Contains => "~",
        Op::NotContains => "!~",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
    }
}

fn compare(field: Val<'_>, op: Op, value: &Value) -> bool {
    let ordering = match (field, value) {
        (Val::Null, Value::Null) => return op == Op::Eq,
        (_, Value::Null) => return op == Op::Ne,
        (Val::Null, _) => return op == Op::Ne || op == Op::NotContains,
        (Val::Str(a), Value::Str(b)) => {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            match op {
                Op::Contains => return a.contains(&b),
                Op::NotContains => return !a.contains(&b),
                _ => a.cmp(&b),
            }
        }
        (Val::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Val::Time(a), Value::Time(b)) => a.cmp(b),
        (Val::Time(a), Value::Str(s)) => match parse_time(s) {
            Some(b) => a.cmp(&b),
            None => return false,
        },
        _ => return false,
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Contains | Op::NotContains => false,
    }
}

/// ISO-8601 date-times as the filter takes them: `2021-01-01T10:00:00Z`, `2021-01-01T00:00`
/// (UTC when no offset is given), `2021-01-01`.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Parses a `filter` expression.
pub(super) fn parse_filter(text: &str) -> Result<Expr, String> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    parser.ws();
    if parser.at < parser.chars.len() {
        return Err(format!(
            "Unexpected \"{}\" at position {}.",
            parser.chars[parser.at],
            parser.at + 1
        ));
    }
    Ok(expr)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// `AND` / `OR` after whitespace, followed by whitespace or `(`.
    fn keyword(&mut self, word: &str) -> bool {
        let start = self.at;
        self.ws();
        if self.at == start && start > 0 && self.chars[start - 1] != ')' {
            return false;
        }
        let end = self.at + word.len();
        let matches = end <= self.chars.len()
            && self.chars[self.at..end].iter().copied().eq(word.chars())
            && self
                .chars
                .get(end)
                .is_some_and(|&c| c.is_whitespace() || c == '(');
        if matches {
            self.at = end;
        } else {
            self.at = start;
        }
        matches
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut expr = self.and()?;
        while self.keyword("OR") {
            expr = Expr::Or(Box::new(expr), Box::new(self.and()?));
        }
        Ok(expr)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut expr = self.primary()?;
        while self.keyword("AND") {
            expr = Expr::And(Box::new(expr), Box::new(self.primary()?));
        }
        Ok(expr)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        self.ws();
        if self.peek() == Some('(') {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err("The expression is nested too deeply.".to_owned());
            }
            self.at += 1;
            let expr = self.or()?;
            self.ws();
            if self.peek() != Some(')') {
                return Err("A parenthesis is not closed.".to_owned());
            }
            self.at += 1;
            self.depth -= 1;
            return Ok(expr);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.at += 1;
        }
        let field: String = self.chars[start..self.at].iter().collect();
        if field.is_empty() || field.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(match self.peek() {
                Some(c) => format!(
                    "Expected a field name at position {}, got \"{c}\".",
                    start + 1
                ),
                None => "Expected a field name at the end of the expression.".to_owned(),
            });
        }
        self.ws();
        let two: String = self.chars[self.at..].iter().take(2).collect();
        let (op, len) = match two.as_str() {
            "!=" => (Op::Ne, 2),
            "!~" => (Op::NotContains, 2),
            ">=" => (Op::Ge, 2),
            "<=" => (Op::Le, 2),
            _ => match self.peek() {
                Some('=') => (Op::Eq, 1),
                Some('~') => (Op::Contains, 1),
                Some('>') => (Op::Gt, 1),
                Some('<') => (Op::Lt, 1),
                _ => {
                    return Err(format!(
                        "Expected an operator (=, !=, ~, !~, >, >=, <, <=) after \"{field}\"."
                    ));
                }
            },
        };
        self.at += len;
        self.ws();
        let value = self.value()?;
        Ok(Expr::Cmp { field, op, value })
    }

    fn value(&mut self) -> Result<Value, String> {
        if self.peek() == Some('"') {
            self.at += 1;
            let mut text = String::new();
            loop {
                match self.peek() {
                    None => return Err("A quoted string is not closed.".to_owned()),
                    Some('"') => {
                        self.at += 1;
                        return Ok(Value::Str(text));
                    }
                    Some('\\') => {
                        self.at += 1;
                        match self.peek() {
                            Some(c) => text.push(c),
                            None => return Err("A quoted string is not closed.".to_owned()),
                        }
                        self.at += 1;
                    }
                    Some(c) => {
                        text.push(c);
                        self.at += 1;
                    }
                }
            }
        }
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| !c.is_whitespace() && c != '(' && c != ')')
        {
            self.at += 1;
        }
        let word: String = self.chars[start..self.at].iter().collect();
        classify(&word)
    }
}

fn classify(word: &str) -> Result<Value, String> {
    match word {
        "" => return Err("Expected a value at the end of the expression.".to_owned()),
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        "null" => return Ok(Value::Null),
        _ => {}
    }
    let digits = word.strip_prefix('-').unwrap_or(word);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    if !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        && let Ok(n) = word.parse::<f64>()
        && n.is_finite()
    {
        return Ok(Value::Num(n));
    }
    if let Some(seconds) = duration(word) {
        return Ok(Value::Duration(seconds));
    }
    // Ids unquoted, as Vectera's guide writes them: `ownerId = 8d077d9b-528d-...`.
    if word.len() == 36 && uuid::Uuid::try_parse(word).is_ok() {
        return Ok(Value::Str(word.to_owned()));
    }
    if let Some(t) = parse_time(word) {
        return Ok(Value::Time(t));
    }
    Err(format!(
        "\"{word}\" is not a value: strings must be double-quoted."
    ))
}

/// `hh:mm:ss` (hours may have more digits, seconds a fraction).
fn duration(word: &str) -> Option<f64> {
    let mut parts = word.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || h.is_empty()
        || !h.bytes().all(|b| b.is_ascii_digit())
        || m.len() != 2
        || !m.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
    if whole.len() != 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let h: f64 = h.parse().ok()?;
    let m: f64 = m.parse().ok()?;
    let s: f64 = s.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse() {
        let e = parse_filter(r#"isManaged=true AND (lastName ~ "jobs" OR email ~ "@example.com")"#)
            .expect("parses");
        assert!(matches!(e, Expr::And(..)));
        assert_eq!(
            parse_filter(r#"email = "a@b.co" AND id > 3"#)
                .expect("parses")
                .required_eq("email"),
            Some("a@b.co")
        );
        assert!(parse_filter("lastOpened < 2021-01-01T00:00").is_ok());
        assert!(parse_filter("x = 01:00:00").is_ok());
        assert!(parse_filter("email = a@b.co").is_err());
        assert_eq!(
            parse_filter("ownerId != 8d077d9b-528d-4d4c-bfe8-1a9945090b6d")
                .expect("an unquoted id, as Vectera's guide writes it"),
            Expr::Cmp {
                field: "ownerId".to_owned(),
                op: Op::Ne,
                value: Value::Str("8d077d9b-528d-4d4c-bfe8-1a9945090b6d".to_owned()),
            }
        );
        assert!(parse_filter("(a = 1").is_err());
        assert!(parse_filter("a = 1 b = 2").is_err());
        assert!(parse_filter(&"(".repeat(1000)).is_err());
        assert!(parse_filter("a = \"x").is_err());
        assert!(parse_filter("= 3").is_err());
    }
}
