//! A plan: what provisioning a team would change in each vendor, found without writing
//! ([`Provisioner::plan`](crate::Provisioner::plan)) — per member and vendor create, update
//! (which fields, old → new) or unchanged, and the accounts a vendor holds that the team does
//! not name (what `prune` would take out).
//!
//! Each vendor is listed once, whole (a bounded walk), and every member is compared with the
//! listed user by the same per-vendor comparison `ensure` uses, so the plan and the run agree.
//! A listing that cannot be read, or a user that cannot be matched, makes the member's step
//! [`Step::Unknown`]: a plan never guesses "create" or "remove" from an answer it did not
//! understand.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Vendor};
use crate::member::Member;
use crate::report::Account;
use crate::retry::Resilience;
use crate::vendors::{Diff, VendorApi};

/// One field a vendor would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The field, in Roster's words (`first_name`, `admin`, `timezone`, ...).
    pub field: &'static str,
    /// What the vendor holds now (`None`: not set).
    pub old: Option<String>,
    /// What the member wants.
    pub new: Option<String>,
}

/// What provisioning would do with one member in one vendor.
#[derive(Debug, Clone)]
pub enum Step {
    /// The vendor does not hold the member: it would be created (VEO: invited).
    Create,
    /// The vendor holds the member otherwise: the fields in [`VendorStep::changes`] would be
    /// updated.
    Update,
    /// The vendor holds the member as wanted: nothing would be written.
    Unchanged,
    /// The vendor's answer could not tell (a listing failed or was not understood): nothing
    /// would be decided on it.
    Unknown(Error),
}

/// One member's step in one vendor.
#[derive(Debug, Clone)]
pub struct VendorStep {
    /// The vendor.
    pub vendor: Vendor,
    /// What would be done.
    pub step: Step,
    /// The vendor's id for the member's account, when it holds one.
    pub account_id: Option<String>,
    /// The fields an update would change (empty unless [`Step::Update`]).
    pub changes: Vec<Change>,
    /// What the vendor cannot apply for this member, in words (VEO holds no names for an
    /// invitee until they accept).
    pub notes: Vec<String>,
}

/// One member's steps, vendor by vendor (in [`Vendor::ALL`] order).
#[derive(Debug, Clone)]
pub struct MemberPlan {
    /// The member's address.
    pub email: String,
    /// One step per configured vendor.
    pub vendors: Vec<VendorStep>,
}

impl MemberPlan {
    /// The step in `vendor`, when it is configured.
    pub fn step(&self, vendor: Vendor) -> Option<&VendorStep> {
        self.vendors.iter().find(|s| s.vendor == vendor)
    }

    /// Whether some vendor would create or update the member, or could not tell.
    pub fn needs_work(&self) -> bool {
        self.vendors
            .iter()
            .any(|s| !matches!(s.step, Step::Unchanged))
    }
}

/// How a vendor takes a member out (what `prune` and `roster remove` do there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offboarding {
    /// The account is deleted (Vectera, which has no deactivation).
    Delete,
    /// The user is unlinked from the organisation, the account kept (Vyte; billing stops).
    Unlink,
    /// The account is kept but can no longer be used (VEO `IsActive` false).
    Deactivate,
}

impl Offboarding {
    /// The word for it (`delete`, `unlink`, `deactivate`).
    pub fn as_str(self) -> &'static str {
        match self {
            Offboarding::Delete => "delete",
            Offboarding::Unlink => "unlink",
            Offboarding::Deactivate => "deactivate",
        }
    }
}

/// An account a vendor holds that the team does not name.
#[derive(Debug, Clone)]
pub struct Removal {
    /// The vendor.
    pub vendor: Vendor,
    /// The account as listed.
    pub account: Account,
    /// What taking it out does there.
    pub action: Offboarding,
}

/// What provisioning a team would change, vendor by vendor.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// Every member (in input order) with its step in each configured vendor.
    pub members: Vec<MemberPlan>,
    /// Accounts the vendors hold that no member names — active ones in the token's own
    /// organisation, never the token's own account — in [`Vendor::ALL`] order.
    pub removals: Vec<Removal>,
    /// Listed accounts whose addresses the vendor did not say: never removed, and while there
    /// are any the vendor's members not found are [`Step::Unknown`]; counted per vendor.
    pub unmatched: Vec<(Vendor, usize)>,
}

impl ChangeSet {
    /// How many (member, vendor) steps are of each kind: (create, update, unchanged, unknown).
    pub fn counts(&self, vendor: Vendor) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for step in self.members.iter().filter_map(|m| m.step(vendor)) {
            match step.step {
                Step::Create => counts.0 += 1,
                Step::Update => counts.1 += 1,
                Step::Unchanged => counts.2 += 1,
                Step::Unknown(_) => counts.3 += 1,
            }
        }
        counts
    }

    /// The distinct addresses `prune` would take out (in any vendor).
    pub fn removed_people(&self) -> usize {
        self.removals
            .iter()
            .map(|r| {
                r.account
                    .email
                    .as_deref()
                    .unwrap_or_default()
                    .to_ascii_lowercase()
            })
            .collect::<HashSet<_>>()
            .len()
    }
}

/// A vendor's whole listing, for a plan.
pub(crate) struct Listing<L> {
    /// Every user listed.
    pub users: Vec<L>,
    /// The token's own account id (never a removal), when the vendor has one.
    pub own: Option<String>,
}

/// What a vendor's listing says of a user.
pub(crate) struct Identity {
    /// The user in vendor-neutral terms (`id` empty when the listing gives none, `email`
    /// `None` when it gives no address, `active` `Some(false)` when already taken out).
    pub account: Account,
    /// Every address the user answers to (Vyte users may have several).
    pub emails: Vec<String>,
    /// The listing cannot say the user's addresses (Vyte `emails` missing or `null`): any
    /// member could be this user.
    pub unreadable: bool,
    /// Whether it belongs to the token's own organisation (only those can be removed).
    pub ours: bool,
}

impl Identity {
    /// A user known by (at most) the one address of its account.
    // Vyte users may have several addresses: a Vyte-only build leaves it unused.
    #[cfg_attr(not(any(feature = "vectera", feature = "veo")), allow(dead_code))]
    pub(crate) fn of(account: Account, ours: bool) -> Self {
        Self {
            emails: account.email.iter().cloned().collect(),
            account,
            unreadable: false,
            ours,
        }
    }
}

/// One vendor's part of a plan: the step of every member (by index) and the removals.
pub(crate) struct VendorPlan {
    pub steps: Vec<VendorStep>,
    pub removals: Vec<Removal>,
    pub unmatched: usize,
}

/// The team a plan compares, read once for every vendor: the members, where each address was
/// first given (`duplicate_of`, as [`first_occurrences`](crate::bulk::first_occurrences)
/// makes it for a bulk run) and every address of the team, lower-case.
pub(crate) struct Team<'m> {
    pub members: &'m [Member],
    pub duplicate_of: Vec<Option<usize>>,
    pub addresses: HashMap<String, usize>,
}

impl<'m> Team<'m> {
    pub(crate) fn new(members: &'m [Member]) -> Self {
        let mut addresses = HashMap::with_capacity(members.len());
        let (_, duplicate_of) = crate::bulk::first_occurrences(members, &mut addresses, 0);
        Self {
            members,
            duplicate_of,
            addresses,
        }
    }
}

/// Compares `team` with `vendor`'s whole listing.
pub(crate) async fn survey<V: VendorApi>(
    vendor: &V,
    r: &Resilience,
    team: &Team<'_>,
) -> VendorPlan {
    let members = team.members;
    let unknown = |e: &Error| VendorPlan {
        steps: members
            .iter()
            .map(|_| step(V::VENDOR, Step::Unknown(e.clone())))
            .collect(),
        removals: Vec::new(),
        unmatched: 0,
    };
    let listing = match vendor.list_all(r).await {
        Ok(listing) => listing,
        Err(e) => {
            tracing::warn!(vendor = %V::VENDOR, error = %e, "the plan could not list the vendor's users");
            return unknown(&e);
        }
    };
    let mut by_email: HashMap<String, usize> = HashMap::with_capacity(listing.users.len());
    let mut unmatched = 0;
    let identities: Vec<Identity> = listing.users.iter().map(|u| vendor.identity(u)).collect();
    for (at, identity) in identities.iter().enumerate() {
        if identity.unreadable {
            unmatched += 1;
        }
        for email in &identity.emails {
            by_email
                .entry(email.trim().to_ascii_lowercase())
                .or_insert(at);
        }
    }
    let mut steps = Vec::with_capacity(members.len());
    for (m, duplicate_of) in members.iter().zip(&team.duplicate_of) {
        if let Some(first) = duplicate_of {
            let e = Error::invalid_request(
                V::VENDOR,
                "plan",
                format!(
                    "{} is given twice (first as member {})",
                    m.email(),
                    first + 1
                ),
            );
            steps.push(step(V::VENDOR, Step::Unknown(e)));
            continue;
        }
        steps.push(match by_email.get(&m.email().to_ascii_lowercase()) {
            Some(&at) => {
                let Diff { changes, notes } = V::diff(&listing.users[at], m);
                VendorStep {
                    vendor: V::VENDOR,
                    step: if changes.is_empty() {
                        Step::Unchanged
                    } else {
                        Step::Update
                    },
                    account_id: Some(identities[at].account.id.clone()).filter(|id| !id.is_empty()),
                    changes,
                    notes,
                }
            }
            // Users without an address could be this member: fail closed.
            None if unmatched > 0 => step(
                V::VENDOR,
                Step::Unknown(Error::unusable_answer(
                    V::VENDOR,
                    "plan",
                    format!(
                        "{unmatched} listed user(s) have no address: the listing cannot tell whether {} is there",
                        m.email()
                    ),
                )),
            ),
            None => VendorStep {
                notes: V::create_notes(m),
                ..step(V::VENDOR, Step::Create)
            },
        });
    }
    let removals = identities
        .into_iter()
        .filter(|who| {
            let account = &who.account;
            who.ours
                && account.active != Some(false)
                && !account.id.is_empty()
                && listing.own.as_deref() != Some(account.id.as_str())
                && !who.emails.is_empty()
                && !who
                    .emails
                    .iter()
                    .any(|e| team.addresses.contains_key(&e.trim().to_ascii_lowercase()))
        })
        .map(|who| Removal {
            vendor: V::VENDOR,
            account: who.account,
            action: V::OFFBOARDING,
        })
        .collect();
    VendorPlan {
        steps,
        removals,
        unmatched,
    }
}

fn step(vendor: Vendor, step: Step) -> VendorStep {
    VendorStep {
        vendor,
        step,
        account_id: None,
        changes: Vec::new(),
        notes: Vec::new(),
    }
}

/// A [`Change`] when `old` and `new` differ.
pub(crate) fn change(
    changes: &mut Vec<Change>,
    field: &'static str,
    old: Option<&str>,
    new: Option<&str>,
) {
    if old != new {
        changes.push(Change {
            field,
            old: old.map(str::to_owned),
            new: new.map(str::to_owned),
        });
    }
}
