//! What a request must be before anything is written: a JSON body of the spec's types (no
//! `null` where the spec has no `nullable`), addresses and URLs every format checker accepts,
//! the sandbox's own organization.

use axum::body::Body;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, StatusCode, header};
use roster::vyte::types;

use super::{ORG_ID, Reject};
use crate::plumbing::read_body;

/// The JSON body of a write: 400 for another content type, an unreadable or malformed body.
pub(super) async fn read_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, Reject> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json")
                || (v.len() > 5 && v[v.len() - 5..].eq_ignore_ascii_case("+json"))
        });
    if !is_json {
        return Err(Reject::bad("Content-Type must be application/json"));
    }
    let bytes = read_body(body)
        .await
        .map_err(|_| Reject::bad("The request body could not be read"))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| Reject::bad(format!("Invalid body: {e}")))?;
    let typed = serde_json::from_value(value.clone())
        .map_err(|e| Reject::bad(format!("Invalid body: {e}")))?;
    // No field of the spec's request bodies is `nullable`, but serde reads a `null` as "not
    // given". Read again with every `null` made a value no field of the spec takes: if that
    // fails, a `null` sat where the spec forbids it (one in a field the spec does not name
    // is allowed: request bodies are open to other properties).
    if serde_json::from_value::<T>(nulls_replaced(value)).is_err() {
        return Err(Reject::bad(
            "Invalid body: null where the spec has no `nullable`",
        ));
    }
    Ok(typed)
}

/// `value` with every `null` replaced by `0.5`, which no request field of the spec accepts
/// (no number field is fractional; strings, booleans, objects and arrays refuse numbers).
pub(super) fn nulls_replaced(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Null => Value::from(0.5),
        Value::Array(items) => Value::Array(items.into_iter().map(nulls_replaced).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, nulls_replaced(v)))
                .collect(),
        ),
        other => other,
    }
}

pub(super) fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, Reject> {
    path.map(|Path(id)| id).map_err(|_| Reject::not_found())
}

/// An address every email format checker accepts: `local@label.label`, ASCII, dot-atom local
/// part, letters-digits-hyphens labels, an alphabetic top-level label.
pub(super) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    local_ok && domain_ok && email.len() <= 254
}

/// An absolute `http(s)` URL of printable ASCII.
pub(super) fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:".contains(&b))
            && rest
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b))
    })
}

pub(super) fn extid(item: &types::UserUpsert) -> Option<&str> {
    item.user
        .as_ref()?
        .account
        .as_ref()?
        .organization
        .as_ref()?
        .extid
        .as_deref()
        // The spec does not forbid an empty `extid` (Vyte documents none of its bounds): the
        // fake reads one as no `extid` at all, never as a key every empty one shares.
        .filter(|extid| !extid.is_empty())
}

/// The checks that need no state: addresses, the organization.
pub(super) fn validate(item: &types::UserUpsert) -> Result<(), Reject> {
    // The spec's `minimum: 0` (the generated types read these as `i64`).
    let availability = item.availability.as_ref();
    let custom = item.vyteme.as_ref().and_then(|v| v.custom.as_ref());
    for (name, value) in [
        ("buffer_before", availability.and_then(|a| a.buffer_before)),
        ("buffer_after", availability.and_then(|a| a.buffer_after)),
        (
            "days_after_as_busy",
            availability.and_then(|a| a.days_after_as_busy),
        ),
        ("duration", custom.and_then(|c| c.duration)),
        ("min_dates", custom.and_then(|c| c.min_dates)),
    ] {
        if value.is_some_and(|v| v < 0) {
            return Err(Reject::bad(format!("{name} must not be negative")));
        }
    }
    if item.organization.as_deref().is_some_and(|o| o != ORG_ID) {
        return Err(Reject {
            status: StatusCode::FORBIDDEN,
            message: "Forbidden: not your organization".to_owned(),
        });
    }
    if let Some(user) = &item.user {
        if let Some(email) = &user.email
            && !valid_email(email)
        {
            return Err(Reject::bad(format!("Invalid email: {email}")));
        }
        if let Some(url) = &user.picture_url
            && !valid_url(url)
        {
            return Err(Reject::bad(format!("Invalid picture_url: {url}")));
        }
    }
    if let Some(url) = item
        .vyteme
        .as_ref()
        .and_then(|v| v.custom.as_ref())
        .and_then(|c| c.redirect_url.as_deref())
        && !valid_url(url)
    {
        return Err(Reject::bad(format!("Invalid redirect_url: {url}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_strictly_enough_for_any_format_checker() {
        for good in ["a@b.co", "jean.dupont+x@acme.fr", "o'neil@sub.example.org"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.co",
            "a@.co",
            "a@b.c0",
            "a..b@c.co",
            "a b@c.co",
            "é@c.co",
            "a@b@c.co",
            "a@-b.co",
            ".a@b.co",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(valid_url("https://www.example.com/picture/jean"));
        assert!(!valid_url("www.example.com"));
        assert!(!valid_url("https://"));
        assert!(!valid_url("https://a b.com"));
    }
}
