//! The vyte fake.
