//! Raft storage for Miroir's metadata group: one RocksDB database holding the Raft log, the
//! vote and the state-machine snapshots, plus the in-memory `MetadataState` it drives.
//!
//! ```text
//!   open_store(dir) ──► Db (one RocksDB, one WAL)
//!                        ├─ LogStore           CF log (entries), CF meta (vote, committed, purged)
//!                        └─ StateMachineStore  MetadataState in memory; CF sm + CF snapshot
//!                              └─ reader() ──► StateReader (local reads for the peer layer)
//! ```
//!
//! The state machine is rebuilt at start-up from the latest persisted snapshot, and openraft
//! re-applies the committed log entries after it (the committed log id is persisted through
//! `save_committed`). So after a restart `applied_state()` is the snapshot's last log id until
//! openraft has caught up.

mod codec;
mod db;
mod error;
mod keys;
mod log_store;
mod snapshot;
mod state_machine;

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod format_tests;
#[cfg(test)]
mod restart_tests;
#[cfg(test)]
mod single_node_tests;

use std::path::Path;

pub use codec::CodecError;
pub use error::StorageError;
pub use log_store::LogStore;
pub use snapshot::SnapshotBuilder;
pub use state_machine::{StateMachineStore, StateReader};

/// Opens (creating if needed) the RocksDB store in `dir` and returns the Raft-ready pair:
/// pass both to `openraft::Raft::new`, after taking a [`StateMachineStore::reader`] for local
/// reads. The state machine is rebuilt from the persisted snapshot, if any.
///
/// Only one store may be open per directory at a time (RocksDB holds a lock file).
pub fn open_store(dir: &Path) -> Result<(LogStore, StateMachineStore), StorageError> {
    let db = db::Db::open(dir)?;
    let state_machine = StateMachineStore::open(db.clone())?;
    Ok((LogStore::new(db), state_machine))
}
