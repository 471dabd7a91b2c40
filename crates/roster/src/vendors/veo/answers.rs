//! Reading VEO's answers, apart from any call: ids that come as numbers or strings, the roles
//! a user holds in an organisation and the ones a member is to hold, whether a page has a
//! successor, a page's items (a .NET `null` list read as empty only when the total says so),
//! and what an invitation answer says of each member.

use roster_veo::{Role, types};

use super::{Found, PAGE_SIZE, V};
use crate::error::Error;
use crate::member::Member;
use crate::report::Account;
use roster_veo::operations as op;

/// An organisation id from an answer (a JSON number or a string of digits).
pub(super) fn organisation_number(id: &types::AnyOrganisationId) -> Option<i64> {
    match id {
        types::AnyOrganisationId::Int64(n) => Some(*n),
        types::AnyOrganisationId::String(s) => s.trim().parse().ok(),
    }
}

/// A user id from an answer, as the text a path or query sends back.
pub(super) fn user_id_text(id: &types::AnyUserId) -> Option<String> {
    let text = id.to_string();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The user's role ids in `org`; `None` when the answer does not say.
pub(super) fn roles_in(user: &types::UserSummary, org: i64) -> Option<Vec<Role>> {
    let mut found = None;
    for entry in user.roles.iter().flatten() {
        if entry.organisation_id.as_ref().and_then(organisation_number) == Some(org) {
            let roles: &mut Vec<Role> = found.get_or_insert_with(Vec::new);
            roles.extend(entry.roles.iter().flatten().map(Role::from));
        }
    }
    found
}

/// The roles `m` is to hold: the user's current ones in the organisation (a site admin
/// stays one), with [`Role::User`] and with [`Role::OrganisationAdmin`] exactly when `m`
/// is an admin. Sorted, without repeats.
pub(super) fn wanted_roles(current: &[Role], admin: bool) -> Vec<Role> {
    let mut roles: Vec<Role> = current
        .iter()
        .copied()
        .filter(|r| *r != Role::OrganisationAdmin)
        .collect();
    roles.push(Role::User);
    if admin {
        roles.push(Role::OrganisationAdmin);
    }
    roles.sort();
    roles.dedup();
    roles
}

/// Whether a page `number` (1-based) of `len` users has a successor: the declared total
/// says so, or (without one) the page is full.
pub(super) fn has_more(len: usize, total: Option<i64>, number: i32) -> bool {
    let seen = u64::from(number.unsigned_abs()) * PAGE_SIZE.unsigned_abs() as u64;
    len > 0
        && match total {
            Some(total) => u64::try_from(total).is_ok_and(|total| total > seen),
            None => len as u64 == PAGE_SIZE.unsigned_abs() as u64,
        }
}

/// A page's users. `Items` missing or `null` is an empty .NET list only when
/// `TotalItemCount` says 0; otherwise the answer is not understood (fail closed).
pub(super) fn page_items(
    items: Option<Vec<types::UserSummary>>,
    total: Option<i64>,
) -> Result<Vec<types::UserSummary>, Error> {
    match (items, total) {
        (Some(items), _) => Ok(items),
        (None, Some(0)) => Ok(Vec::new()),
        (None, total) => Err(Error::unusable_answer(
            V,
            op::LIST_USERS.id,
            match total {
                Some(total) => {
                    format!("VEO's user page has no Items but a TotalItemCount of {total}")
                }
                None => "VEO's user page has neither Items nor TotalItemCount".to_owned(),
            },
        )),
    }
}

/// How an invitation answer accounts for one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// In `ErrorList` (or the unconfirmed `FailedList`).
    Refused,
    /// In `AlreadyInOrganisationList`: already a member, rights now as asked.
    Updated,
    /// In `SuccessList` or `ExistingUserAddedMembershipToOrganisation`.
    Invited,
    /// In none of the lists (they may all be `null`, or `TotalInvites` 0).
    Unaccounted,
}

pub(super) fn invite_verdict(result: &types::InviteResult, m: &Member) -> Verdict {
    let listed = |list: &Option<Vec<String>>| list.iter().flatten().any(|e| m.has_email(e));
    if listed(&result.error_list) || listed(&result.failed_list) {
        Verdict::Refused
    } else if listed(&result.already_in_organisation_list) {
        Verdict::Updated
    } else if listed(&result.success_list)
        || listed(&result.existing_user_added_membership_to_organisation)
    {
        Verdict::Invited
    } else {
        Verdict::Unaccounted
    }
}

pub(super) fn account(found: Found) -> Account {
    let Found { id, user } = found;
    Account {
        vendor: V,
        id,
        email: user.email,
        first_name: user.first_name,
        last_name: user.last_name,
        active: user.is_active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(email: &str) -> Member {
        Member::new(email, "Ann", "Lee").expect("a valid member")
    }

    #[test]
    fn null_lists_and_unlisted_members_are_unaccounted() {
        let m = member("ann@example.com");
        let result: types::InviteResult = serde_json::from_value(serde_json::json!({
            "TotalInvites": 0, "SuccessList": null, "ErrorList": null,
            "AlreadyInOrganisationList": null,
            "ExistingUserAddedMembershipToOrganisation": null
        }))
        .expect("null lists read");
        assert_eq!(invite_verdict(&result, &m), Verdict::Unaccounted);
        let result: types::InviteResult = serde_json::from_value(serde_json::json!({
            "TotalInvites": 1, "SuccessList": ["other@example.com"]
        }))
        .expect("missing lists read");
        assert_eq!(invite_verdict(&result, &m), Verdict::Unaccounted);
        for (list, verdict) in [
            ("SuccessList", Verdict::Invited),
            (
                "ExistingUserAddedMembershipToOrganisation",
                Verdict::Invited,
            ),
            ("AlreadyInOrganisationList", Verdict::Updated),
            ("ErrorList", Verdict::Refused),
            ("FailedList", Verdict::Refused),
        ] {
            let result: types::InviteResult =
                serde_json::from_value(serde_json::json!({ list: ["ANN@example.com"] }))
                    .expect("one list");
            assert_eq!(invite_verdict(&result, &m), verdict, "{list}");
        }
    }

    #[test]
    fn a_page_without_items_is_empty_only_when_its_total_is_zero() {
        assert!(page_items(None, Some(0)).expect("empty").is_empty());
        assert!(page_items(None, Some(3)).is_err());
        assert!(page_items(None, None).is_err());
        assert!(
            page_items(Some(Vec::new()), Some(3))
                .expect("items")
                .is_empty()
        );
    }

    #[test]
    fn wanted_roles_keep_what_the_member_does_not_mention() {
        use Role::*;
        assert_eq!(
            wanted_roles(&[User, SiteAdmin, OrganisationAdmin], false),
            [User, SiteAdmin]
        );
        assert_eq!(wanted_roles(&[], true), [User, OrganisationAdmin]);
        assert_eq!(wanted_roles(&[Other(16), User], false), [User, Other(16)]);
    }
}
