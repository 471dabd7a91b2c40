//! A vendor-level circuit: one cause that fails a whole vendor is met once, not per member.
//!
//! Some failures say nothing about the member at hand and everything about the vendor: the
//! credentials were refused (401/403), the connection was refused, the call every member
//! depends on (Vectera's organisation look-up) failed. Repeating them for each remaining member
//! multiplies calls and waits (a hanging organisation look-up once cost 181 s for 2 members)
//! and buries the one cause under a thousand copies. The provisioner keeps one [`Circuits`]:
//! the first such failure trips its vendor's circuit, and every later member of that vendor
//! fails at once with that same error, without a call.

use std::sync::OnceLock;

use crate::error::{Error, ErrorKind, Vendor};

/// One circuit per vendor, tripped at most once for the provisioner's life.
#[derive(Debug, Default)]
pub(crate) struct Circuits {
    tripped: [OnceLock<Error>; Vendor::ALL.len()],
}

fn slot(vendor: Vendor) -> usize {
    vendor.index()
}

impl Circuits {
    /// The error that tripped `vendor`'s circuit, if one did.
    pub fn tripped(&self, vendor: Vendor) -> Option<&Error> {
        self.tripped[slot(vendor)].get()
    }

    /// Trips the error's vendor circuit when `error` concerns the whole vendor (see
    /// [`Error::is_vendor_wide`]); other errors pass.
    pub fn observe(&self, error: &Error) {
        if error.is_vendor_wide()
            && self.tripped[slot(error.vendor())]
                .set(error.clone())
                .is_ok()
        {
            tracing::warn!(
                vendor = %error.vendor(),
                error = %error,
                "stopping work with this vendor: the failure concerns every member"
            );
        }
    }

    /// Trips `vendor`'s circuit with `error` whatever it is: a call every member of the vendor
    /// depends on failed.
    #[cfg_attr(not(any(feature = "vectera", feature = "veo")), allow(dead_code))]
    pub fn trip(&self, error: &Error) {
        let _ = self.tripped[slot(error.vendor())].set(error.clone());
    }
}

impl Error {
    /// Whether this failure concerns the vendor as a whole rather than one member: the
    /// credentials were refused (401, 403), the client could not sign in, or no connection
    /// could be made. Such an error ends the work with that vendor (see the provisioner's
    /// circuit).
    pub fn is_vendor_wide(&self) -> bool {
        matches!(self.kind(), ErrorKind::Connect | ErrorKind::SignIn)
            || matches!(self.status().map(|s| s.as_u16()), Some(401 | 403))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_vendor_wide_failures_trip_and_only_once() {
        let circuits = Circuits::default();
        let per_member = Error::invalid_request(Vendor::Vyte, "create_user", "bad language");
        circuits.observe(&per_member);
        assert!(circuits.tripped(Vendor::Vyte).is_none());
        let org = Error::unusable_answer(Vendor::Vectera, "get_user", "no organization");
        circuits.trip(&org);
        circuits.trip(&per_member);
        assert_eq!(
            circuits.tripped(Vendor::Vectera).map(Error::operation),
            Some("get_user")
        );
        assert_eq!(
            circuits.tripped(Vendor::Vyte).map(Error::operation),
            Some("create_user")
        );
        assert!(circuits.tripped(Vendor::Veo).is_none());
    }
}
