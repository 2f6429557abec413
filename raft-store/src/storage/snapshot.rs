//! Snapshots: building one from the in-memory state, persisting it, and loading it back.
//!
//! The current snapshot is stored as two values written in one synced batch:
//! `snapshot/meta` (its last log id and membership) and `sm/state` (the `MetadataState`
//! snapshot bytes, which are also the snapshot data handed to openraft). Together they are
//! both what `get_current_snapshot` returns and the checkpoint the state machine is rebuilt
//! from at start-up. A snapshot is only ever replaced by a strictly newer one, so a build that
//! raced with an `install_snapshot` can never roll the checkpoint back behind purged logs.

use std::io;
use std::sync::{Arc, Mutex};

use openraft::alias::{SnapshotMetaOf, SnapshotOf};
use openraft::storage::RaftSnapshotBuilder;
use rocksdb::WriteBatch;
use tokio::sync::RwLock;

use super::db::{encode_value, run_blocking, Db};
use super::error::StorageError;
use super::keys::{CF_SM, CF_SNAPSHOT, KEY_SM_STATE, KEY_SNAPSHOT_META};
use super::state_machine::AppliedState;
use crate::types::{SnapshotData, TypeConfig};

/// Metadata of a snapshot of Miroir's metadata group.
pub(crate) type SnapshotMeta = SnapshotMetaOf<TypeConfig>;
/// A snapshot (metadata plus the serialized `MetadataState`).
pub(crate) type Snapshot = SnapshotOf<TypeConfig, SnapshotData>;

/// Serializes snapshot persistence so that "is it newer?" and "write it" happen atomically.
#[derive(Clone, Default)]
pub(crate) struct SnapshotWriter {
    lock: Arc<Mutex<()>>,
}

impl SnapshotWriter {
    /// Persists `meta` + `data` (synced) unless the stored snapshot is at least as recent.
    /// Returns whether it was written. Blocking: call from a blocking task.
    pub(crate) fn persist_if_newer(
        &self,
        db: &Db,
        meta: &SnapshotMeta,
        data: &[u8],
    ) -> Result<bool, StorageError> {
        // A poisoned lock only means another writer panicked; the guarded data is `()`.
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let stored: Option<SnapshotMeta> =
            db.get_decoded(CF_SNAPSHOT, KEY_SNAPSHOT_META, "snapshot meta")?;
        if stored.is_some_and(|stored| stored.last_log_id >= meta.last_log_id) {
            return Ok(false);
        }
        let mut batch = WriteBatch::default();
        batch.put_cf(
            db.cf(CF_SNAPSHOT)?,
            KEY_SNAPSHOT_META,
            encode_value(meta, "snapshot meta")?,
        );
        batch.put_cf(
            db.cf(CF_SM)?,
            KEY_SM_STATE,
            encode_value(data, "snapshot data")?,
        );
        db.write(batch, true, "persist snapshot")?;
        Ok(true)
    }
}

/// Loads the persisted current snapshot, if any. Blocking: call from a blocking task (or at
/// start-up).
pub(crate) fn load_current(db: &Db) -> Result<Option<Snapshot>, StorageError> {
    let meta: Option<SnapshotMeta> =
        db.get_decoded(CF_SNAPSHOT, KEY_SNAPSHOT_META, "snapshot meta")?;
    let data: Option<Vec<u8>> = db.get_decoded(CF_SM, KEY_SM_STATE, "snapshot data")?;
    match (meta, data) {
        (None, None) => Ok(None),
        (Some(meta), Some(snapshot)) => Ok(Some(Snapshot { meta, snapshot })),
        (Some(_), None) => Err(StorageError::StateSnapshot(
            "snapshot meta is stored without its data".to_owned(),
        )),
        (None, Some(_)) => Err(StorageError::StateSnapshot(
            "snapshot data is stored without its meta".to_owned(),
        )),
    }
}

/// Builds snapshots of the applied state concurrently with `apply` (openraft runs
/// `build_snapshot` in its own task).
pub struct SnapshotBuilder {
    /// The applied state shared with the state machine.
    applied: Arc<RwLock<AppliedState>>,
    /// The store's database.
    db: Db,
    /// Serializes snapshot persistence with installs.
    writer: SnapshotWriter,
}

impl SnapshotBuilder {
    /// A builder over the state machine's shared applied state.
    pub(crate) fn new(applied: Arc<RwLock<AppliedState>>, db: Db, writer: SnapshotWriter) -> Self {
        Self {
            applied,
            db,
            writer,
        }
    }
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    type SnapshotData = SnapshotData;

    /// Serializes the state and its position under one read lock (a consistent view), then
    /// persists the result (synced) unless a newer snapshot is already stored.
    async fn build_snapshot(&mut self) -> Result<Snapshot, io::Error> {
        let applied = Arc::clone(&self.applied);
        let db = self.db.clone();
        let writer = self.writer.clone();
        let snapshot = run_blocking(move || {
            let (meta, data) = {
                let view = applied.blocking_read();
                (view.snapshot_meta(), view.state_bytes()?)
            };
            writer.persist_if_newer(&db, &meta, &data)?;
            Ok(Snapshot {
                meta,
                snapshot: data,
            })
        })
        .await?;
        Ok(snapshot)
    }
}
