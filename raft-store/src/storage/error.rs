//! The storage layer's error type and its mapping onto the `io::Error` openraft expects.

use std::io;
use std::path::PathBuf;

use super::codec::CodecError;

/// A failure of the RocksDB-backed Raft storage. Every variant means the local store cannot be
/// trusted or reached; once handed to openraft (as an `io::Error`) it makes the node `Fatal`.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The RocksDB database could not be opened.
    #[error("cannot open raft store at {path}: {source}")]
    Open {
        /// Directory of the database.
        path: PathBuf,
        /// RocksDB's reason.
        #[source]
        source: rocksdb::Error,
    },
    /// A column family the layout requires is missing from the opened database.
    #[error("column family {0:?} is missing")]
    MissingColumnFamily(&'static str),
    /// A RocksDB read or write failed.
    #[error("rocksdb {operation} failed: {source}")]
    Rocks {
        /// What the store was doing, e.g. `"append"`.
        operation: &'static str,
        /// RocksDB's reason.
        #[source]
        source: rocksdb::Error,
    },
    /// A stored value could not be decoded (corrupted, or written by an unknown format version).
    #[error("stored {what} is unreadable: {source}")]
    Decode {
        /// Which value, e.g. `"vote"` or `"log entry 42"`.
        what: String,
        /// The codec's reason.
        #[source]
        source: CodecError,
    },
    /// A value could not be encoded for writing.
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// Which value.
        what: &'static str,
        /// The codec's reason.
        #[source]
        source: CodecError,
    },
    /// The log column family is inconsistent (a hole, or a key that disagrees with its entry).
    #[error("raft log is corrupt: {detail}")]
    CorruptLog {
        /// What is wrong.
        detail: String,
    },
    /// The metadata state machine could not be serialized or restored from snapshot bytes.
    #[error("metadata state snapshot failed: {0}")]
    StateSnapshot(String),
    /// A blocking storage task panicked or was cancelled.
    #[error("storage task did not complete: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl StorageError {
    /// Wraps a RocksDB error with the operation that produced it.
    pub(crate) fn rocks(operation: &'static str) -> impl FnOnce(rocksdb::Error) -> Self {
        move |source| Self::Rocks { operation, source }
    }

    /// Whether the error means "the stored bytes are bad" (as opposed to "the disk failed").
    fn is_invalid_data(&self) -> bool {
        matches!(
            self,
            Self::Decode { .. } | Self::CorruptLog { .. } | Self::StateSnapshot(_)
        )
    }
}

impl From<StorageError> for io::Error {
    fn from(error: StorageError) -> Self {
        let kind = if error.is_invalid_data() {
            io::ErrorKind::InvalidData
        } else {
            io::ErrorKind::Other
        };
        io::Error::new(kind, error)
    }
}
