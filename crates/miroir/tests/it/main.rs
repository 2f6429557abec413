//! End-to-end checks of the `miroir` binary as a process.

// Test fixtures fail loudly: an unwrap here is an assertion.
#![allow(clippy::unwrap_used)]

mod api;
mod check;
mod cluster;
mod degraded;
mod peer_process;
mod process;
mod sdk_python;
