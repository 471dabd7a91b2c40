//! What provisioning reports: the outcome in each vendor ([`Outcome`]), per member
//! ([`MemberReport`]), and the vendor-neutral views of what vendors hold ([`Account`],
//! [`MeetingRoom`]).

use crate::error::{Error, Vendor};

/// What provisioning did in one vendor.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The member did not exist and was created (VEO: invited).
    Created,
    /// The member existed with other details and was updated.
    Updated,
    /// The member existed as wanted; nothing was written.
    Unchanged,
    /// The member was removed (Vectera: deleted, Vyte: unlinked, VEO: deleted).
    Removed,
    /// The member can no longer use the vendor but keeps their account (VEO: `IsActive`
    /// false, Vyte: unlinked from the organisation).
    Deactivated,
    /// There was nothing to remove.
    Absent,
    /// The vendor call failed; the other vendors were still done.
    Failed(Error),
}

impl Outcome {
    /// Whether this is [`Outcome::Failed`].
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
}

/// What happened to one member, vendor by vendor (in [`Vendor::ALL`] order).
#[derive(Debug, Clone)]
pub struct MemberReport {
    /// The member's email address.
    pub email: String,
    /// One outcome per configured vendor.
    pub vendors: Vec<(Vendor, Outcome)>,
}

impl MemberReport {
    /// Whether any vendor failed.
    pub fn has_failures(&self) -> bool {
        self.vendors.iter().any(|(_, o)| o.is_failure())
    }

    /// The outcome in one vendor, when it is configured.
    pub fn outcome(&self, vendor: Vendor) -> Option<&Outcome> {
        self.vendors
            .iter()
            .find(|(v, _)| *v == vendor)
            .map(|(_, o)| o)
    }
}

/// A user as a vendor lists it, in vendor-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The vendor holding it.
    pub vendor: Vendor,
    /// The vendor's id for the user.
    pub id: String,
    /// The email address, when the vendor gives one.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Whether the user is active, when the vendor says.
    pub active: Option<bool>,
}

/// A Vectera meeting room made for a member, with its access permission.
#[cfg(feature = "vectera")]
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingRoom {
    /// The room.
    pub meeting: roster_vectera::types::Meeting,
    /// The access permission; its `access_key` is a secret (never printed).
    pub permission: roster_vectera::types::Permission,
}
