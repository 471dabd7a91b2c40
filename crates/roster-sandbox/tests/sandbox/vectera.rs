//! The vectera fake.
