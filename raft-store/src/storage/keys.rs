//! The on-disk layout: column-family names, fixed keys, and the log-index key encoding.
//!
//! ```text
//!   CF "log"       be_u64(index)  -> codec(Entry)
//!   CF "meta"      "vote"         -> codec(Vote)
//!                  "committed"    -> codec(Option<LogId>)
//!                  "last_purged"  -> codec(LogId)
//!   CF "sm"        "state"        -> codec(Vec<u8>)        MetadataState snapshot bytes
//!   CF "snapshot"  "meta"         -> codec(SnapshotMeta)   what "sm/state" is a snapshot of
//! ```
//!
//! Log keys are big-endian so RocksDB's byte order equals index order.

use super::error::StorageError;

/// Column family holding the Raft log entries.
pub(crate) const CF_LOG: &str = "log";
/// Column family holding the vote, the committed log id and the last purged log id.
pub(crate) const CF_META: &str = "meta";
/// Column family holding the durable state-machine checkpoint (the `MetadataState` bytes).
pub(crate) const CF_SM: &str = "sm";
/// Column family holding the metadata of the current snapshot.
pub(crate) const CF_SNAPSHOT: &str = "snapshot";
/// Every column family the store opens.
pub(crate) const ALL_CFS: [&str; 4] = [CF_LOG, CF_META, CF_SM, CF_SNAPSHOT];

/// `meta` key of the last saved vote.
pub(crate) const KEY_VOTE: &[u8] = b"vote";
/// `meta` key of the last saved committed log id.
pub(crate) const KEY_COMMITTED: &[u8] = b"committed";
/// `meta` key of the log id of the last purged entry.
pub(crate) const KEY_LAST_PURGED: &[u8] = b"last_purged";
/// `sm` key of the serialized `MetadataState` of the current snapshot.
pub(crate) const KEY_SM_STATE: &[u8] = b"state";
/// `snapshot` key of the current snapshot's metadata.
pub(crate) const KEY_SNAPSHOT_META: &[u8] = b"meta";

/// Key of the log entry at `index`: 8 big-endian bytes.
pub(crate) fn log_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

/// Index of a log key written by [`log_key`]; any other length is corruption.
pub(crate) fn log_index(key: &[u8]) -> Result<u64, StorageError> {
    let bytes: [u8; 8] = key.try_into().map_err(|_| StorageError::CorruptLog {
        detail: format!("log key has {} bytes, expected 8", key.len()),
    })?;
    Ok(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keys_sort_like_indexes_and_round_trip() {
        let indexes = [0u64, 1, 255, 256, 65_535, 1 << 40, u64::MAX];
        for pair in indexes.windows(2) {
            assert!(log_key(pair[0]) < log_key(pair[1]), "{pair:?}");
        }
        for index in indexes {
            assert_eq!(log_index(&log_key(index)).unwrap(), index);
        }
    }

    #[test]
    fn short_log_key_is_corruption() {
        assert!(matches!(
            log_index(b"abc"),
            Err(StorageError::CorruptLog { .. })
        ));
    }
}
