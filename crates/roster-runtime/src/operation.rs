//! What a generated client says about each of its operations, for the layers above it.
//!
//! `roster-codegen` emits, in every vendor crate, a `pub mod operations` with one
//! [`Operation`] constant per spec operation (`operations::LIST_USERS`): its `operationId`
//! and whether sending it twice is harmless — read from the HTTP method (GET, HEAD, PUT,
//! DELETE and OPTIONS are; POST and PATCH are not) unless the spec overrides it with the
//! operation extension `x-roster-idempotent: true|false`. A retry layer takes the constant, so
//! no caller types an operation name or an idempotency flag by hand.

/// One operation of a vendor's spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The spec's `operationId` (`list_users`).
    pub id: &'static str,
    /// Whether sending the request twice has the effect of sending it once, so a transient
    /// failure may be retried.
    pub idempotent: bool,
}
