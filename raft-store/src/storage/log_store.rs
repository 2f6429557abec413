//! [`LogStore`]: openraft's log storage (entries, vote, committed and purged log ids) in RocksDB.
//!
//! Durability and ordering rules implemented here:
//! - `save_vote` and `append` write with `sync = true` and return (or fire the append callback)
//!   only once the WAL is on disk;
//! - the log never has holes: `truncate_after` deletes a suffix, `purge` records
//!   `last_purged` and deletes the prefix in one atomic batch;
//! - `save_committed`, `truncate_after` and `purge` are unsynced: they share the one WAL with
//!   every synced write, so RocksDB's prefix recovery makes them durable with the next synced
//!   write, and losing one in a crash is harmless (openraft re-learns the commit index; purged
//!   entries reappearing or a truncated suffix reappearing are both re-handled on restart).

use std::fmt::Debug;
use std::io;
use std::ops::{Bound, RangeBounds};

use openraft::alias::{EntryOf, LogIdOf, VoteOf};
use openraft::entry::RaftEntry;
use openraft::storage::{IOFlushed, LogState, RaftLogReader, RaftLogStorage};
use openraft::OptionalSend;
use rocksdb::{Direction, IteratorMode, WriteBatch};

use super::codec;
use super::db::{encode_value, run_blocking, Db};
use super::error::StorageError;
use super::keys::{log_index, log_key, CF_LOG, CF_META, KEY_COMMITTED, KEY_LAST_PURGED, KEY_VOTE};
use crate::types::TypeConfig;

/// A Raft log entry of Miroir's metadata group.
type Entry = EntryOf<TypeConfig>;
/// A Raft log id of Miroir's metadata group.
type LogId = LogIdOf<TypeConfig>;
/// A Raft vote of Miroir's metadata group.
type Vote = VoteOf<TypeConfig>;

/// openraft log storage backed by the store's RocksDB database. Cheap to clone: every clone
/// (including the log readers openraft asks for) shares the same database, so an appended
/// entry is visible to all of them as soon as `append` returns.
#[derive(Clone)]
pub struct LogStore {
    db: Db,
}

impl LogStore {
    /// Wraps the shared database.
    pub(crate) fn new(db: Db) -> Self {
        Self { db }
    }

    /// The log id of the last purged entry, if any entry was ever purged.
    /// Whether the store already belongs to a cluster: it holds a vote or any log entry
    /// (present or purged).
    pub fn holds_raft_state(&self) -> Result<bool, StorageError> {
        let vote: Option<Vote> = self.db.get_decoded(CF_META, KEY_VOTE, "vote")?;
        Ok(vote.is_some() || self.last_entry_log_id()?.is_some() || self.last_purged()?.is_some())
    }

    fn last_purged(&self) -> Result<Option<LogId>, StorageError> {
        self.db
            .get_decoded(CF_META, KEY_LAST_PURGED, "last purged log id")
    }

    /// The log id of the last entry present in the log column family.
    fn last_entry_log_id(&self) -> Result<Option<LogId>, StorageError> {
        let handle = self.db.cf(CF_LOG)?;
        let Some(item) = self.db.raw().iterator_cf(handle, IteratorMode::End).next() else {
            return Ok(None);
        };
        let (key, value) = item.map_err(StorageError::rocks("log scan"))?;
        let entry = decode_entry(&key, &value)?;
        Ok(Some(entry.log_id()))
    }
}

/// Decodes the entry stored under `key`, checking that the key and the entry agree.
fn decode_entry(key: &[u8], value: &[u8]) -> Result<Entry, StorageError> {
    let index = log_index(key)?;
    let entry: Entry = codec::decode(value).map_err(|source| StorageError::Decode {
        what: format!("log entry {index}"),
        source,
    })?;
    if entry.index() != index {
        return Err(StorageError::CorruptLog {
            detail: format!("key {index} holds the entry of index {}", entry.index()),
        });
    }
    Ok(entry)
}

/// Reads the entries with an index in `[start, end)`, failing on a hole inside the range.
/// Entries may be missing only before the first present one (purged) or after the last one.
fn read_range(db: &Db, start: u64, end: Bound<u64>) -> Result<Vec<Entry>, StorageError> {
    let handle = db.cf(CF_LOG)?;
    let from = log_key(start);
    let mode = IteratorMode::From(&from, Direction::Forward);
    let mut entries: Vec<Entry> = Vec::new();
    for item in db.raw().iterator_cf(handle, mode) {
        let (key, value) = item.map_err(StorageError::rocks("log read"))?;
        let index = log_index(&key)?;
        let in_range = match end {
            Bound::Included(last) => index <= last,
            Bound::Excluded(past) => index < past,
            Bound::Unbounded => true,
        };
        if !in_range {
            break;
        }
        if let Some(previous) = entries.last() {
            if previous.index().checked_add(1) != Some(index) {
                return Err(StorageError::CorruptLog {
                    detail: format!("hole between index {} and {index}", previous.index()),
                });
            }
        }
        entries.push(decode_entry(&key, &value)?);
    }
    Ok(entries)
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, io::Error> {
        let start = match range.start_bound() {
            Bound::Included(&first) => first,
            Bound::Excluded(&before) => match before.checked_add(1) {
                Some(first) => first,
                None => return Ok(Vec::new()),
            },
            Bound::Unbounded => 0,
        };
        let end = range.end_bound().cloned();
        let db = self.db.clone();
        Ok(run_blocking(move || read_range(&db, start, end)).await?)
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, io::Error> {
        Ok(self.db.get_decoded(CF_META, KEY_VOTE, "vote")?)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, io::Error> {
        let last_purged_log_id = self.last_purged()?;
        let last_log_id = self.last_entry_log_id()?.or(last_purged_log_id);
        Ok(LogState {
            last_purged_log_id,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), io::Error> {
        let bytes = encode_value(vote, "vote")?;
        let db = self.db.clone();
        run_blocking(move || {
            let mut batch = WriteBatch::default();
            batch.put_cf(db.cf(CF_META)?, KEY_VOTE, bytes);
            db.write(batch, true, "save vote")
        })
        .await?;
        Ok(())
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), io::Error> {
        let bytes = encode_value(&committed, "committed log id")?;
        let mut batch = WriteBatch::default();
        batch.put_cf(self.db.cf(CF_META)?, KEY_COMMITTED, bytes);
        self.db.write(batch, false, "save committed")?;
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, io::Error> {
        let committed: Option<Option<LogId>> =
            self.db
                .get_decoded(CF_META, KEY_COMMITTED, "committed log id")?;
        Ok(committed.flatten())
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: IOFlushed<TypeConfig>,
    ) -> Result<(), io::Error>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let entries: Vec<Entry> = entries.into_iter().collect();
        let db = self.db.clone();
        let written = run_blocking(move || {
            let handle = db.cf(CF_LOG)?;
            let mut batch = WriteBatch::default();
            for entry in &entries {
                batch.put_cf(
                    handle,
                    log_key(entry.index()),
                    encode_value(entry, "log entry")?,
                );
            }
            db.write(batch, true, "append")
        })
        .await;
        match written {
            Ok(()) => {
                callback.io_completed(Ok(()));
                Ok(())
            }
            Err(error) => {
                let error = io::Error::from(error);
                callback.io_completed(Err(io::Error::new(error.kind(), error.to_string())));
                Err(error)
            }
        }
    }

    async fn truncate_after(&mut self, last_log_id: Option<LogId>) -> Result<(), io::Error> {
        let first_removed = match last_log_id {
            Some(kept) => match kept.index().checked_add(1) {
                Some(first) => first,
                None => return Ok(()),
            },
            None => 0,
        };
        let db = self.db.clone();
        run_blocking(move || {
            let handle = db.cf(CF_LOG)?;
            let mut batch = WriteBatch::default();
            // `delete_range` excludes its end, so the entry at u64::MAX is deleted separately.
            if first_removed < u64::MAX {
                batch.delete_range_cf(handle, log_key(first_removed), log_key(u64::MAX));
            }
            batch.delete_cf(handle, log_key(u64::MAX));
            db.write(batch, false, "truncate log")
        })
        .await?;
        Ok(())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), io::Error> {
        let bytes = encode_value(&log_id, "last purged log id")?;
        let db = self.db.clone();
        run_blocking(move || {
            let mut batch = WriteBatch::default();
            // Same batch: the log can never lose its prefix without recording `last_purged`.
            batch.put_cf(db.cf(CF_META)?, KEY_LAST_PURGED, bytes);
            let handle = db.cf(CF_LOG)?;
            match log_id.index().checked_add(1) {
                Some(end) => batch.delete_range_cf(handle, log_key(0), log_key(end)),
                None => {
                    batch.delete_range_cf(handle, log_key(0), log_key(u64::MAX));
                    batch.delete_cf(handle, log_key(u64::MAX));
                }
            }
            db.write(batch, false, "purge log")
        })
        .await?;
        Ok(())
    }
}
