//! The veo fake.
