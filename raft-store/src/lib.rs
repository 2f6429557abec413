//! Miroir's metadata replication: an openraft group whose log and state machine live in
//! RocksDB, with peers talking gRPC.
//!
//! ```text
//!   client write ─► peer ─(Forward RPC if not leader)─► leader ─► openraft log (RocksDB, fsync)
//!                                                          │ replicate (AppendEntries over gRPC)
//!                                                          ▼
//!                  every peer: apply committed entries ─► miroir_meta::MetadataState
//! ```

pub mod network;
pub mod peer;
pub mod storage;
pub mod types;
