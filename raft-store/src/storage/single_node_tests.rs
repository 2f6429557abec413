//! A single-voter Raft running on the RocksDB store: client writes are answered through the
//! state machine's responders, rejections arrive inside `Response`, and after a restart the
//! state is rebuilt from the persisted snapshot plus the re-applied committed log.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use openraft::alias::{SnapshotOf, VoteOf};
use openraft::async_runtime::WatchReceiver;
use openraft::errors::{RPCError, ReplicationClosed, StreamingError, Unreachable};
use openraft::network::{RPCOption, RaftNetworkFactory, RaftNetworkV2};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, SnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::{Config, OptionalSend, Raft, SnapshotPolicy};
use tempfile::TempDir;

use miroir_meta::{CommandV1, IndexCommand, MetadataState, Request, Response};

use super::{open_store, LogStore, StateMachineStore, StorageError};
use crate::types::{PeerNode, SnapshotData, TypeConfig};

/// Upper bound on every wait for Raft progress (a hang guard, not a timing assertion).
const WAIT: Option<Duration> = Some(Duration::from_secs(60));

/// Network of a single-voter cluster: there is never anyone to talk to.
struct NoNetwork;

/// Client to a peer that does not exist.
struct NoPeer;

impl RaftNetworkFactory<TypeConfig> for NoNetwork {
    type Network = NoPeer;

    async fn new_client(&mut self, _target: u64, _node: &PeerNode) -> NoPeer {
        NoPeer
    }
}

impl RaftNetworkV2<TypeConfig> for NoPeer {
    type SnapshotData = SnapshotData;

    async fn append_entries(
        &mut self,
        _rpc: AppendEntriesRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse<TypeConfig>, RPCError<TypeConfig>> {
        Err(RPCError::Unreachable(Unreachable::from_string(
            "single-voter test cluster",
        )))
    }

    async fn vote(
        &mut self,
        _rpc: VoteRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<VoteResponse<TypeConfig>, RPCError<TypeConfig>> {
        Err(RPCError::Unreachable(Unreachable::from_string(
            "single-voter test cluster",
        )))
    }

    async fn full_snapshot(
        &mut self,
        _vote: VoteOf<TypeConfig>,
        _snapshot: SnapshotOf<TypeConfig, SnapshotData>,
        _cancel: impl Future<Output = ReplicationClosed> + OptionalSend + 'static,
        _option: RPCOption,
    ) -> Result<SnapshotResponse<TypeConfig>, StreamingError<TypeConfig>> {
        Err(StreamingError::Unreachable(Unreachable::from_string(
            "single-voter test cluster",
        )))
    }
}

/// A request creating index `uid`.
fn create_index(uid: &str, issued_at_ms: u64) -> Request {
    Request::v1(
        issued_at_ms,
        CommandV1::Index(IndexCommand::Create {
            uid: uid.to_owned(),
            shards: 2,
            primary_key: None,
        }),
    )
}

/// Starts node 1 on an opened store; snapshots only on demand, purging everything they cover.
async fn start(log: LogStore, sm: StateMachineStore) -> Raft<TypeConfig, StateMachineStore> {
    let config = Config {
        cluster_name: "storage-test".to_owned(),
        snapshot_policy: SnapshotPolicy::Never,
        max_in_snapshot_log_to_keep: 0,
        purge_batch_size: 1,
        ..Default::default()
    }
    .validate()
    .unwrap();
    Raft::new(1, Arc::new(config), NoNetwork, log, sm)
        .await
        .unwrap()
}

/// Opens the store in `dir`.
fn open(dir: &Path) -> (LogStore, StateMachineStore) {
    open_store(dir).unwrap()
}

/// Reopens the store in `dir` once the previous instance has let go of it: openraft drops its
/// storage handles from background tasks that may still be finishing when `shutdown` returns,
/// and RocksDB refuses a second open while any handle lives. Waits on that state, bounded.
async fn reopen(dir: &Path) -> (LogStore, StateMachineStore) {
    for _ in 0..600 {
        match open_store(dir) {
            Ok(pair) => return pair,
            Err(StorageError::Open { .. }) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(other) => panic!("reopen failed: {other}"),
        }
    }
    panic!("the previous store instance never released the database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_voter_writes_snapshots_and_recovers_after_restart() {
    let dir = TempDir::new().unwrap();
    let (log, sm) = open(dir.path());
    let reader = sm.reader();
    let raft = start(log, sm).await;
    raft.initialize(BTreeMap::from([(1, PeerNode::default())]))
        .await
        .unwrap();
    raft.wait(WAIT).current_leader(1, "elected").await.unwrap();

    let created = raft.client_write(create_index("movies", 1)).await.unwrap();
    assert_eq!(created.data, Response::Applied);
    let duplicate = raft.client_write(create_index("movies", 2)).await.unwrap();
    assert!(
        matches!(duplicate.data, Response::Rejected(_)),
        "{:?}",
        duplicate.data
    );

    raft.trigger().snapshot().await.unwrap();
    raft.wait(WAIT)
        .snapshot(duplicate.log_id, "snapshot built")
        .await
        .unwrap();
    raft.wait(WAIT)
        .purged(Some(duplicate.log_id), "log purged")
        .await
        .unwrap();
    let after_snapshot = raft.client_write(create_index("books", 3)).await.unwrap();
    assert_eq!(after_snapshot.data, Response::Applied);
    let digest = reader.read(MetadataState::digest).await;
    raft.shutdown().await.unwrap();
    drop(raft);

    let (log, sm) = reopen(dir.path()).await;
    let reader = sm.reader();
    // Before openraft runs: exactly the snapshot, without the entry written after it.
    assert_eq!(reader.last_applied().await, Some(duplicate.log_id));
    assert!(reader.read(|state| state.index("books").is_none()).await);

    let raft = start(log, sm).await;
    raft.wait(WAIT)
        .applied_index_at_least(
            Some(after_snapshot.log_id.index()),
            "committed log re-applied",
        )
        .await
        .unwrap();
    assert_eq!(reader.read(MetadataState::digest).await, digest);
    let metrics = raft.metrics().borrow_watched().clone();
    assert_eq!(metrics.snapshot, Some(duplicate.log_id));
    assert_eq!(metrics.purged, Some(duplicate.log_id));
    raft.wait(WAIT)
        .current_leader(1, "re-elected")
        .await
        .unwrap();
    let again = raft.client_write(create_index("books", 4)).await.unwrap();
    assert!(
        matches!(again.data, Response::Rejected(_)),
        "{:?}",
        again.data
    );
    raft.shutdown().await.unwrap();
}
