//! `/api/userinvites/multiple`: inviting addresses into the organisation.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use roster::veo::types;
use serde_json::Value;

use super::model::{Model, is_ours, organisation_of};
use super::store::{VeoUser, set_admin};
use super::{ROLE_USER, S, forbidden_organisation};
use crate::plumbing::json;

/// What VEO takes as an email address (an invitation with anything else lands in `ErrorList`):
/// one `@` between a non-empty local part and a dotted domain, no spaces or control characters.
pub(super) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"()<>,;:\\\"[]".contains(c))
}

/// A .NET list as Json.NET sends it here: `null` when empty.
pub(super) fn dotnet_list(list: Vec<String>) -> Option<Vec<String>> {
    (!list.is_empty()).then_some(list)
}

pub(super) async fn invite_users(State(shared): S, headers: HeaderMap, body: Body) -> Response {
    let mut model = match Model::read(&headers, body).await {
        Ok(model) => model,
        Err(response) => return *response,
    };
    let organisation = organisation_of(&mut model);
    let invitees = model
        .field::<Vec<types::Invitee>>("Users", false)
        .unwrap_or_default();
    if let Err(response) = model.finish() {
        return *response;
    }
    let organisation = organisation.unwrap_or_default();
    if !is_ours(&organisation) {
        return forbidden_organisation(&organisation);
    }
    let mut success = Vec::new();
    let mut failed = Vec::new();
    let mut already = Vec::new();
    let mut store = shared.lock();
    for invitee in &invitees {
        let sent = invitee.email.clone().unwrap_or_default();
        let email = sent.trim();
        if !valid_email(email) {
            failed.push(sent);
            continue;
        }
        match store.by_email.get(&email.to_ascii_lowercase()).copied() {
            Some(id) => {
                if let (Some(user), Some(admin)) = (store.users.get_mut(&id), invitee.is_org_admin)
                {
                    set_admin(&mut user.roles, admin);
                }
                already.push(sent);
            }
            None => {
                let mut roles = vec![ROLE_USER];
                set_admin(&mut roles, invitee.is_org_admin.unwrap_or(false));
                store.add(VeoUser {
                    email: Some(email.to_owned()),
                    first_name: None,
                    last_name: None,
                    is_active: true,
                    roles,
                });
                success.push(sent);
            }
        }
    }
    drop(store);
    // Every documented property, an empty list as `null` (the generated type would leave it
    // out). The sandbox's VEO holds no users outside the organisation, so the last is null.
    json(
        StatusCode::OK,
        &serde_json::json!({
            "TotalInvites": i32::try_from(invitees.len()).unwrap_or(i32::MAX),
            "SuccessList": dotnet_list(success),
            "ErrorList": dotnet_list(failed),
            "AlreadyInOrganisationList": dotnet_list(already),
            "ExistingUserAddedMembershipToOrganisation": Value::Null,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_veo_accepts() {
        for good in ["a@b.co", "jean.dupont+x@acme.fr", "zoë@exämple.de"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in [
            "",
            "not-an-email",
            "a@b",
            "@b.co",
            "a@b@c.co",
            "a b@c.co",
            "a@.b.co",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
