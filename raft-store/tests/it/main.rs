//! Integration tests of the metadata peer: real RocksDB stores in temporary directories, real
//! gRPC on 127.0.0.1 (ephemeral ports), in-process peers. Every wait is bounded polling on
//! observable state; no test asserts on elapsed time.

// Test fixtures fail loudly: an unwrap here is an assertion.
#![allow(clippy::unwrap_used)]

mod cluster;
mod explicit_init;
mod failover;
mod membership;
mod replication;
mod restart_and_membership;
mod snapshot_catch_up;
mod tls;
mod transport;
mod workload;
