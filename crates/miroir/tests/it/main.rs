//! End-to-end checks of the `miroir` binary as a process.

// Test fixtures fail loudly: an unwrap here is an assertion.
#![allow(clippy::unwrap_used)]

mod api;
mod check;
mod cluster;
mod ctl;
mod ctl_run;
mod ctl_tls;
mod degraded;
mod deploy_artifacts;
mod deploy_rules;
mod dev_cluster;
mod fixture_replay;
mod health;
mod keys_tasks;
mod logs;
mod metrics;
mod multi_search;
mod peer_process;
mod process;
mod sdk_python;
mod sdk_rust;
mod settings_two_phase;
mod topology_ops;
