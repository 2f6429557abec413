//! Durability and corruption tests: what survives closing and reopening the database, and how
//! damaged values are reported.

use std::collections::BTreeSet;
use std::io;

use openraft::alias::{EntryOf, LogIdOf, SnapshotMetaOf, VoteOf};
use openraft::entry::RaftEntry;
use openraft::storage::{
    RaftLogReader, RaftLogStorage, RaftLogStorageExt, RaftSnapshotBuilder, RaftStateMachine,
};
use openraft::testing::{blank_ent, log_id, membership_ent};
use openraft::StoredMembership;
use rocksdb::WriteBatch;
use tempfile::TempDir;

use super::db::Db;
use super::keys::{log_key, CF_LOG, CF_META, CF_SM, KEY_SM_STATE, KEY_VOTE};
use super::snapshot::{load_current, SnapshotWriter};
use super::{codec, open_store, StateMachineStore, StorageError};
use miroir_meta::{CommandV1, IndexCommand, MetadataState, Request};

use crate::types::TypeConfig;

type Entry = EntryOf<TypeConfig>;

/// Log id `(term, node 1, index)`.
fn lid(term: u64, index: u64) -> LogIdOf<TypeConfig> {
    log_id::<TypeConfig>(term, 1, index)
}

/// Applies `entries` without responders, as openraft does for entries replicated from a leader.
async fn apply_all(sm: &mut StateMachineStore, entries: Vec<Entry>) {
    let stream = futures::stream::iter(entries.into_iter().map(|entry| Ok((entry, None))));
    sm.apply(stream).await.unwrap();
}

/// Writes raw `value` bytes under `key` of `cf` directly, bypassing the store's encoding.
fn write_raw(dir: &std::path::Path, cf: &'static str, key: &[u8], value: &[u8]) {
    let db = Db::open(dir).unwrap();
    let mut batch = WriteBatch::default();
    batch.put_cf(db.cf(cf).unwrap(), key, value);
    db.write(batch, true, "test write").unwrap();
}

/// Vote, committed log id, log entries and the purge point all survive a close and reopen, and
/// the log keeps no entries at or below the purge point.
#[tokio::test]
async fn restart_keeps_vote_committed_log_and_last_purged() {
    let dir = TempDir::new().unwrap();
    let vote = VoteOf::<TypeConfig>::new_committed(3, 2);
    let entries: Vec<Entry> = (0..=6)
        .map(|index| blank_ent::<TypeConfig>(3, 1, index))
        .collect();
    {
        let (mut log, _sm) = open_store(dir.path()).unwrap();
        log.save_vote(&vote).await.unwrap();
        log.blocking_append(entries.clone()).await.unwrap();
        log.save_committed(Some(lid(3, 5))).await.unwrap();
        log.purge(lid(3, 2)).await.unwrap();
    }
    let (mut log, _sm) = open_store(dir.path()).unwrap();
    assert_eq!(log.read_vote().await.unwrap(), Some(vote));
    assert_eq!(log.read_committed().await.unwrap(), Some(lid(3, 5)));
    let state = log.get_log_state().await.unwrap();
    assert_eq!(state.last_purged_log_id, Some(lid(3, 2)));
    assert_eq!(state.last_log_id, Some(lid(3, 6)));
    let read = log.try_get_log_entries(0..100).await.unwrap();
    let read_ids: Vec<_> = read.iter().map(|entry| entry.log_id()).collect();
    let expected_ids: Vec<_> = entries[3..].iter().map(|entry| entry.log_id()).collect();
    assert_eq!(read_ids, expected_ids);
}

/// Truncation survives a restart and leaves the kept prefix intact.
#[tokio::test]
async fn restart_keeps_truncation() {
    let dir = TempDir::new().unwrap();
    {
        let (mut log, _sm) = open_store(dir.path()).unwrap();
        log.blocking_append((0..10).map(|index| blank_ent::<TypeConfig>(1, 1, index)))
            .await
            .unwrap();
        log.truncate_after(Some(lid(1, 4))).await.unwrap();
    }
    let (mut log, _sm) = open_store(dir.path()).unwrap();
    assert_eq!(
        log.get_log_state().await.unwrap().last_log_id,
        Some(lid(1, 4))
    );
    assert_eq!(log.try_get_log_entries(..).await.unwrap().len(), 5);
}

/// A vote written in an unknown format version is reported as invalid data naming the vote,
/// not misread and not a panic.
#[tokio::test]
async fn unknown_vote_version_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    write_raw(dir.path(), CF_META, KEY_VOTE, &[9, 1, 2, 3]);
    let (mut log, _sm) = open_store(dir.path()).unwrap();
    let error = log.read_vote().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    let message = error.to_string();
    assert!(
        message.contains("vote") && message.contains("unknown format version 9"),
        "{message}"
    );
}

/// A damaged log entry is reported as invalid data naming its index.
#[tokio::test]
async fn corrupted_log_entry_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    {
        let (mut log, _sm) = open_store(dir.path()).unwrap();
        log.blocking_append((0..3).map(|index| blank_ent::<TypeConfig>(1, 1, index)))
            .await
            .unwrap();
    }
    write_raw(
        dir.path(),
        CF_LOG,
        &log_key(1),
        &[codec::FORMAT_VERSION, 0xff],
    );
    let (mut log, _sm) = open_store(dir.path()).unwrap();
    let error = log.try_get_log_entries(0..3).await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert!(error.to_string().contains("log entry 1"), "{error}");
}

/// A hole inside the requested range is corruption, never silently skipped.
#[tokio::test]
async fn hole_in_log_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    {
        let (mut log, _sm) = open_store(dir.path()).unwrap();
        log.blocking_append([
            blank_ent::<TypeConfig>(1, 1, 1),
            blank_ent::<TypeConfig>(1, 1, 3),
        ])
        .await
        .unwrap();
    }
    let (mut log, _sm) = open_store(dir.path()).unwrap();
    let error = log.try_get_log_entries(1..4).await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert!(
        error.to_string().contains("hole between index 1 and 3"),
        "{error}"
    );
}

/// An entry stored under the wrong index key is corruption.
#[tokio::test]
async fn entry_under_wrong_key_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let misplaced = codec::encode(&blank_ent::<TypeConfig>(1, 1, 7)).unwrap();
    write_raw(dir.path(), CF_LOG, &log_key(2), &misplaced);
    let (mut log, _sm) = open_store(dir.path()).unwrap();
    let error = log.get_log_state().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert!(
        error
            .to_string()
            .contains("key 2 holds the entry of index 7"),
        "{error}"
    );
}

/// Damaged snapshot data makes `open_store` fail with a decode error, instead of starting
/// from an empty state.
#[tokio::test]
async fn corrupted_snapshot_fails_open() {
    let dir = TempDir::new().unwrap();
    {
        let (_log, mut sm) = open_store(dir.path()).unwrap();
        apply_all(
            &mut sm,
            vec![membership_ent::<TypeConfig>(
                1,
                1,
                1,
                vec![BTreeSet::from([1])],
            )],
        )
        .await;
        sm.get_snapshot_builder()
            .await
            .build_snapshot()
            .await
            .unwrap();
    }
    write_raw(dir.path(), CF_SM, KEY_SM_STATE, &[]);
    let error = open_store(dir.path()).err().unwrap();
    assert!(matches!(error, StorageError::Decode { .. }), "{error}");
    assert!(error.to_string().contains("snapshot data"), "{error}");
}

/// Membership and applied position of a built snapshot survive a restart, and the state
/// machine restarts at the snapshot's last log id.
#[tokio::test]
async fn restart_restores_snapshot_meta_and_applied_state() {
    let dir = TempDir::new().unwrap();
    let membership = membership_ent::<TypeConfig>(1, 1, 1, vec![BTreeSet::from([1, 2])]);
    let built = {
        let (_log, mut sm) = open_store(dir.path()).unwrap();
        apply_all(
            &mut sm,
            vec![
                blank_ent::<TypeConfig>(1, 1, 0),
                membership,
                blank_ent::<TypeConfig>(1, 1, 2),
            ],
        )
        .await;
        let built = sm
            .get_snapshot_builder()
            .await
            .build_snapshot()
            .await
            .unwrap();
        // Applied after the snapshot: not durable by design, re-applied from the log by openraft.
        apply_all(&mut sm, vec![blank_ent::<TypeConfig>(1, 1, 3)]).await;
        built
    };
    let (_log, mut sm) = open_store(dir.path()).unwrap();
    let current = sm.get_current_snapshot().await.unwrap().unwrap();
    assert_eq!(current.meta, built.meta);
    assert_eq!(current.snapshot, built.snapshot);
    let (applied, stored_membership) = sm.applied_state().await.unwrap();
    assert_eq!(applied, Some(lid(1, 2)));
    assert_eq!(stored_membership.log_id(), &Some(lid(1, 1)));
    assert_eq!(sm.reader().last_applied_index().await, Some(2));
}

/// Persisting a snapshot that is not newer than the stored one is refused, so a build that
/// raced with an install can never roll the checkpoint back behind purged logs.
#[tokio::test]
async fn older_snapshot_never_replaces_newer_one() {
    let dir = TempDir::new().unwrap();
    let newer = {
        let (_log, mut sm) = open_store(dir.path()).unwrap();
        apply_all(
            &mut sm,
            (0..=8)
                .map(|index| blank_ent::<TypeConfig>(2, 1, index))
                .collect(),
        )
        .await;
        sm.get_snapshot_builder()
            .await
            .build_snapshot()
            .await
            .unwrap()
    };
    let older = SnapshotMetaOf::<TypeConfig> {
        last_log_id: Some(lid(2, 3)),
        last_membership: StoredMembership::default(),
    };
    let db = Db::open(dir.path()).unwrap();
    let writer = SnapshotWriter::default();
    assert!(!writer.persist_if_newer(&db, &older, b"older").unwrap());
    assert!(!writer
        .persist_if_newer(&db, &newer.meta, b"same position")
        .unwrap());
    let current = load_current(&db).unwrap().unwrap();
    assert_eq!(current.meta, newer.meta);
    assert_eq!(current.snapshot, newer.snapshot);
}

/// A request creating index `uid`, proposed at `issued_at_ms`.
fn create_index(uid: &str, issued_at_ms: u64) -> Request {
    Request::v1(
        issued_at_ms,
        CommandV1::Index(IndexCommand::Create {
            uid: uid.to_owned(),
            shards: 4,
            primary_key: Some("id".to_owned()),
        }),
    )
}

/// Normal entries go through `MetadataState::apply`, every responder is answered (rejections
/// inside the response), and the state rebuilt from the persisted snapshot after a restart has
/// the same digest as the original.
#[tokio::test]
async fn state_rebuilt_from_snapshot_after_restart_has_same_digest() {
    let dir = TempDir::new().unwrap();
    let (digest_before, built) = {
        let (_log, mut sm) = open_store(dir.path()).unwrap();
        let requests = [
            create_index("movies", 10),
            create_index("books", 20),
            create_index("movies", 30),
        ];
        apply_all(
            &mut sm,
            requests
                .iter()
                .enumerate()
                .map(|(index, request)| {
                    Entry::new_normal(lid(1, index as u64 + 1), request.clone())
                })
                .collect(),
        )
        .await;
        let reader = sm.reader();
        assert!(
            reader
                .read(|state| state.index("movies").is_some() && state.index("books").is_some())
                .await
        );
        let built = sm
            .get_snapshot_builder()
            .await
            .build_snapshot()
            .await
            .unwrap();
        (reader.read(MetadataState::digest).await, built)
    };
    let (_log, mut sm) = open_store(dir.path()).unwrap();
    let reader = sm.reader();
    assert_eq!(reader.read(MetadataState::digest).await, digest_before);
    let (digest_at, applied) = reader
        .read_applied(|state, applied| (state.digest(), applied))
        .await;
    assert_eq!((digest_at, applied), (digest_before, Some(lid(1, 3))));
    assert_eq!(sm.applied_state().await.unwrap().0, built.meta.last_log_id);
    let rebuilt = MetadataState::from_snapshot_bytes(&built.snapshot).unwrap();
    assert_eq!(rebuilt.digest(), digest_before);
}
