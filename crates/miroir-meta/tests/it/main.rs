//! Behaviour of the metadata state machine, driven only through its public API.

mod aliases;
mod frozen_bytes;
mod idempotency;
mod indexes;
mod jobs;
mod leases;
mod properties;
mod settings_versions;
mod snapshots;
mod support;
mod tasks;
mod topology;
