//! VEO's state: the organisation's users in creation order, with an email index, and the
//! roles they may be given.

use std::collections::HashMap;

use roster::veo::types;
use serde::{Deserialize, Serialize};

use super::{ORG_ID, ROLE_ORG_ADMIN, ROLE_SITE_ADMIN, ROLE_USER};

/// A user of the organisation, as the fake keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct VeoUser {
    /// `None` for a user created without one (VEO marks no create field required).
    pub email: Option<String>,
    /// `None` for an invitee who has not given their names.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_active: bool,
    /// Role ids in the organisation.
    pub roles: Vec<i32>,
}

/// The organisation's users (saved whole by a persistent sandbox: `crate::state`).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct Store {
    pub users: HashMap<i64, VeoUser>,
    /// Every id, ascending: ids grow with creation, so this is creation order, and a page is
    /// a slice of it.
    pub order: Vec<i64>,
    /// Lower-cased email → id.
    pub by_email: HashMap<String, i64>,
    pub next_id: i64,
}

impl Store {
    pub(super) fn add(&mut self, user: VeoUser) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        if let Some(email) = &user.email {
            self.by_email.insert(email.to_ascii_lowercase(), id);
        }
        self.users.insert(id, user);
        self.order.push(id);
        id
    }

    pub(super) fn delete(&mut self, id: i64) -> Option<VeoUser> {
        let user = self.users.remove(&id)?;
        if let Some(email) = &user.email {
            self.by_email.remove(&email.to_ascii_lowercase());
        }
        if let Ok(at) = self.order.binary_search(&id) {
            self.order.remove(at);
        }
        Some(user)
    }

    pub(super) fn summary(id: i64, user: &VeoUser) -> types::UserSummary {
        types::UserSummary {
            id: Some(types::AnyUserId::Int64(id)),
            email: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            is_active: Some(user.is_active),
            roles: Some(vec![types::UserOrganisationRoles {
                organisation_id: Some(types::AnyOrganisationId::Int64(ORG_ID)),
                roles: Some(user.roles.iter().copied().map(types::RoleId).collect()),
            }]),
        }
    }
}

/// Roles as stored: 4 always, the others once each; `Err` (answered 403: the caller may not
/// grant it) for an id VEO keeps to itself ("Some roles are reserved for VEO team members").
pub(super) fn checked_roles(roles: &[types::RoleId]) -> Result<Vec<i32>, String> {
    let mut out = vec![ROLE_USER];
    for role in roles {
        match role.0 {
            ROLE_USER | ROLE_ORG_ADMIN | ROLE_SITE_ADMIN => {
                if !out.contains(&role.0) {
                    out.push(role.0);
                }
            }
            other => return Err(format!("Role {other} cannot be granted through the API.")),
        }
    }
    Ok(out)
}

pub(super) fn set_admin(roles: &mut Vec<i32>, admin: bool) {
    roles.retain(|&r| r != ROLE_ORG_ADMIN);
    if admin {
        roles.push(ROLE_ORG_ADMIN);
    }
}
