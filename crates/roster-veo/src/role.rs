//! VEO role ids as a typed enum that still accepts ids VEO adds later.

use std::fmt;

use crate::types::RoleId;

/// A user's role in an organisation.
///
/// The wire format is the bare role id (`RoleId`); this enum names the documented ones and
/// keeps any other id (VEO reserves several for its own staff) as [`Role::Other`], so reading a
/// user never fails on a role this crate does not know.
///
/// ```
/// use roster_veo::{Role, types::RoleId};
///
/// assert_eq!(Role::from(RoleId(2)), Role::OrganisationAdmin);
/// assert_eq!(Role::from(RoleId(99)), Role::Other(99));
/// assert_eq!(RoleId::from(Role::User), RoleId(4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 4: most users; may upload, share and tag video, join groups, comment. Every user has it.
    User,
    /// 2: everything a user may do, plus inviting people and managing accounts in the
    /// organisation.
    OrganisationAdmin,
    /// 8: may share video across the sites of an organisation split into sites.
    SiteAdmin,
    /// A role id this crate does not name (reserved for VEO staff, or added later).
    Other(i32),
}

impl Role {
    /// The role's id on the wire.
    pub const fn id(self) -> i32 {
        match self {
            Role::User => 4,
            Role::OrganisationAdmin => 2,
            Role::SiteAdmin => 8,
            Role::Other(id) => id,
        }
    }

    /// The role for a wire id.
    pub const fn from_id(id: i32) -> Self {
        match id {
            4 => Role::User,
            2 => Role::OrganisationAdmin,
            8 => Role::SiteAdmin,
            other => Role::Other(other),
        }
    }

    /// The roles a member gets: always [`Role::User`], plus [`Role::OrganisationAdmin`] for an
    /// admin (VEO: "All users should have the role ID of 4, optionally ... 2").
    pub fn for_member(admin: bool) -> Vec<RoleId> {
        let mut roles = vec![Role::User.into()];
        if admin {
            roles.push(Role::OrganisationAdmin.into());
        }
        roles
    }
}

impl From<RoleId> for Role {
    fn from(id: RoleId) -> Self {
        Role::from_id(id.0)
    }
}

impl From<&RoleId> for Role {
    fn from(id: &RoleId) -> Self {
        Role::from_id(id.0)
    }
}

impl From<Role> for RoleId {
    fn from(role: Role) -> Self {
        RoleId(role.id())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::User => f.write_str("User"),
            Role::OrganisationAdmin => f.write_str("Organisation Admin"),
            Role::SiteAdmin => f.write_str("Site admin"),
            Role::Other(id) => write!(f, "role {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_including_unknown_ones() {
        for id in [4, 2, 8, 1, 16, -3, i32::MAX] {
            assert_eq!(Role::from_id(id).id(), id);
        }
        assert_eq!(Role::for_member(false), [RoleId(4)]);
        assert_eq!(Role::for_member(true), [RoleId(4), RoleId(2)]);
        assert_eq!(Role::OrganisationAdmin.to_string(), "Organisation Admin");
        assert_eq!(Role::Other(16).to_string(), "role 16");
    }

    #[test]
    fn unknown_role_ids_deserialize() {
        let ids: Vec<RoleId> = serde_json::from_str("[4, 2, 64]").expect("integers");
        let roles: Vec<Role> = ids.into_iter().map(Role::from).collect();
        assert_eq!(
            roles,
            [Role::User, Role::OrganisationAdmin, Role::Other(64)]
        );
    }
}
