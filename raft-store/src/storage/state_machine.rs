//! [`StateMachineStore`]: openraft's state machine, holding `MetadataState` in memory.
//!
//! ```text
//!   start-up:  sm/state + snapshot/meta ──► MetadataState, last_applied = snapshot.last_log_id
//!              openraft then re-applies committed log entries (last_applied, committed]
//!   apply:     entry ──► MetadataState::apply ──► Response ──► responder (every one answered)
//!   snapshot:  read lock ──► (bytes, meta) ──► snapshot/meta + sm/state (synced)
//! ```
//!
//! Applying an entry does no I/O: durability comes from the synced Raft log plus snapshots.
//! Application-level rejections travel inside [`Response`]; only storage failures are errors.

use std::io;
use std::sync::Arc;

use futures::{Stream, TryStreamExt};
use openraft::alias::{LogIdOf, StoredMembershipOf};
use openraft::storage::{EntryResponder, RaftStateMachine};
use openraft::{EntryPayload, OptionalSend, StoredMembership};
use tokio::sync::RwLock;

use miroir_meta::{MetadataState, Response};

use super::db::{run_blocking, Db};
use super::error::StorageError;
use super::snapshot::{self, Snapshot, SnapshotBuilder, SnapshotMeta, SnapshotWriter};
use crate::types::{SnapshotData, TypeConfig};

/// A Raft log id of Miroir's metadata group.
type LogId = LogIdOf<TypeConfig>;
/// The membership config as last applied.
type StoredMembershipConfig = StoredMembershipOf<TypeConfig>;

/// The state machine's in-memory state and the log position it reflects.
pub(crate) struct AppliedState {
    /// The replicated metadata.
    state: MetadataState,
    /// Log id of the last applied entry (blank and membership entries included).
    last_applied: Option<LogId>,
    /// The last applied membership config.
    last_membership: StoredMembershipConfig,
}

impl AppliedState {
    /// The state described by a persisted snapshot, or the empty state if there is none.
    fn from_snapshot(snapshot: Option<&Snapshot>) -> Result<Self, StorageError> {
        let Some(snapshot) = snapshot else {
            return Ok(Self {
                state: MetadataState::default(),
                last_applied: None,
                last_membership: StoredMembershipConfig::default(),
            });
        };
        Ok(Self {
            state: decode_state(&snapshot.snapshot)?,
            last_applied: snapshot.meta.last_log_id,
            last_membership: snapshot.meta.last_membership.clone(),
        })
    }

    /// Metadata of a snapshot taken of this state right now.
    pub(crate) fn snapshot_meta(&self) -> SnapshotMeta {
        SnapshotMeta {
            last_log_id: self.last_applied,
            last_membership: self.last_membership.clone(),
        }
    }

    /// The state serialized as snapshot data.
    pub(crate) fn state_bytes(&self) -> Result<Vec<u8>, StorageError> {
        self.state
            .to_snapshot_bytes()
            .map_err(|error| StorageError::StateSnapshot(error.to_string()))
    }
}

/// Restores a `MetadataState` from snapshot data.
fn decode_state(bytes: &[u8]) -> Result<MetadataState, StorageError> {
    MetadataState::from_snapshot_bytes(bytes)
        .map_err(|error| StorageError::StateSnapshot(error.to_string()))
}

/// openraft state machine over the in-memory `MetadataState`, with snapshots in RocksDB.
/// Cloning shares the same state; hand one clone to `Raft::new` and read through
/// [`StateMachineStore::reader`].
#[derive(Clone)]
pub struct StateMachineStore {
    /// The applied state, shared with readers and snapshot builders.
    applied: Arc<RwLock<AppliedState>>,
    /// The store's database (snapshots only).
    db: Db,
    /// Serializes snapshot persistence between builds and installs.
    writer: SnapshotWriter,
}

/// Read-only handle on the applied metadata state, for serving reads locally.
///
/// A plain read reflects what this peer has applied, which may lag the leader: for a
/// linearizable read, first obtain a read log id (`Raft::ensure_linearizable` on the leader, or
/// the leader's read index on a follower), wait until `last_applied_index() >= read index`
/// (e.g. `raft.wait(..).applied_index_at_least(..)`), then read.
#[derive(Clone)]
pub struct StateReader {
    /// The applied state shared with the state machine.
    applied: Arc<RwLock<AppliedState>>,
}

impl StateReader {
    /// Runs `read` on the current applied state (under a shared lock; keep it short).
    pub async fn read<T>(&self, read: impl FnOnce(&MetadataState) -> T) -> T {
        read(&self.applied.read().await.state)
    }

    /// Runs `read` on the current applied state together with the log id it reflects, both taken
    /// under the same lock.
    pub async fn read_applied<T>(
        &self,
        read: impl FnOnce(&MetadataState, Option<LogId>) -> T,
    ) -> T {
        let view = self.applied.read().await;
        read(&view.state, view.last_applied)
    }

    /// Log id of the last applied entry (`None` before anything was applied).
    pub async fn last_applied(&self) -> Option<LogId> {
        self.applied.read().await.last_applied
    }

    /// Index of the last applied entry (`None` before anything was applied).
    pub async fn last_applied_index(&self) -> Option<u64> {
        self.last_applied().await.map(|log_id| log_id.index())
    }
}

impl StateMachineStore {
    /// Rebuilds the state machine from the persisted snapshot (or empty if there is none).
    pub(crate) fn open(db: Db) -> Result<Self, StorageError> {
        let current = snapshot::load_current(&db)?;
        let applied = AppliedState::from_snapshot(current.as_ref())?;
        Ok(Self {
            applied: Arc::new(RwLock::new(applied)),
            db,
            writer: SnapshotWriter::default(),
        })
    }

    /// A read-only handle on the applied state that stays valid after this store is moved into
    /// `Raft::new`.
    pub fn reader(&self) -> StateReader {
        StateReader {
            applied: Arc::clone(&self.applied),
        }
    }

    /// Applies one entry to the state and returns the response for its proposer.
    async fn apply_entry(&self, entry: openraft::alias::EntryOf<TypeConfig>) -> Response {
        let mut applied = self.applied.write().await;
        applied.last_applied = Some(entry.log_id);
        match entry.payload {
            EntryPayload::Blank => Response::Applied,
            EntryPayload::Normal(request) => applied.state.apply(&request),
            EntryPayload::Membership(membership) => {
                applied.last_membership = StoredMembership::new(Some(entry.log_id), membership);
                Response::Applied
            }
        }
    }
}

impl RaftStateMachine<TypeConfig> for StateMachineStore {
    type SnapshotData = SnapshotData;
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId>, StoredMembershipConfig), io::Error> {
        let applied = self.applied.read().await;
        Ok((applied.last_applied, applied.last_membership.clone()))
    }

    /// Drains the whole stream, answering every responder; never stops early.
    async fn apply<Strm>(&mut self, mut entries: Strm) -> Result<(), io::Error>
    where
        Strm: Stream<Item = Result<EntryResponder<TypeConfig>, io::Error>> + Unpin + OptionalSend,
    {
        while let Some((entry, responder)) = entries.try_next().await? {
            let response = self.apply_entry(entry).await;
            if let Some(responder) = responder {
                responder.send(response);
            }
        }
        Ok(())
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        SnapshotBuilder::new(
            Arc::clone(&self.applied),
            self.db.clone(),
            self.writer.clone(),
        )
    }

    /// Decodes (validates) the data, persists it as the current snapshot (one synced batch,
    /// skipped if an equal or newer snapshot is already stored), then swaps the in-memory state
    /// and its position in one step under the write lock.
    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: SnapshotData,
    ) -> Result<(), io::Error> {
        let meta = meta.clone();
        let db = self.db.clone();
        let writer = self.writer.clone();
        let (state, meta) = run_blocking(move || {
            let state = decode_state(&snapshot)?;
            writer.persist_if_newer(&db, &meta, &snapshot)?;
            Ok((state, meta))
        })
        .await?;
        let mut applied = self.applied.write().await;
        *applied = AppliedState {
            state,
            last_applied: meta.last_log_id,
            last_membership: meta.last_membership,
        };
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, io::Error> {
        let db = self.db.clone();
        Ok(run_blocking(move || snapshot::load_current(&db)).await?)
    }
}
