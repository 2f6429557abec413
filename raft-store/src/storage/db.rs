//! The one RocksDB database behind both the log store and the state machine.
//!
//! Every write of the store goes through this single database, so all column families share
//! one write-ahead log: writes are totally ordered, a [`WriteBatch`] is atomic across column
//! families, and crash recovery (RocksDB's default point-in-time WAL recovery) restores a prefix
//! of the write sequence. Synced writes (`sync = true`) fsync the WAL before returning, which
//! also makes every earlier unsynced write durable.

use std::path::Path;
use std::sync::Arc;

use rocksdb::{ColumnFamily, ColumnFamilyDescriptor, Options, WriteBatch, WriteOptions, DB};
use serde::de::DeserializeOwned;

use super::codec;
use super::error::StorageError;
use super::keys::ALL_CFS;

/// Shared handle to the store's RocksDB database.
#[derive(Clone)]
pub(crate) struct Db {
    inner: Arc<DB>,
}

impl Db {
    /// Opens (creating if needed) the database and its column families at `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self, StorageError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        options.set_compression_type(rocksdb::DBCompressionType::Lz4);
        let descriptors = ALL_CFS.map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
        let inner = DB::open_cf_descriptors(&options, dir, descriptors).map_err(|source| {
            StorageError::Open {
                path: dir.to_path_buf(),
                source,
            }
        })?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The raw database, for iteration.
    pub(crate) fn raw(&self) -> &DB {
        &self.inner
    }

    /// Handle of the column family `name` (one of [`ALL_CFS`]).
    pub(crate) fn cf(&self, name: &'static str) -> Result<&ColumnFamily, StorageError> {
        self.inner
            .cf_handle(name)
            .ok_or(StorageError::MissingColumnFamily(name))
    }

    /// Reads and decodes the value at `key` in column family `cf`; `what` names it in errors.
    pub(crate) fn get_decoded<T: DeserializeOwned>(
        &self,
        cf: &'static str,
        key: &[u8],
        what: &str,
    ) -> Result<Option<T>, StorageError> {
        let handle = self.cf(cf)?;
        let Some(bytes) = self
            .inner
            .get_pinned_cf(handle, key)
            .map_err(StorageError::rocks("get"))?
        else {
            return Ok(None);
        };
        codec::decode(&bytes)
            .map(Some)
            .map_err(|source| StorageError::Decode {
                what: what.to_owned(),
                source,
            })
    }

    /// Writes `batch` atomically; with `sync` the call returns only once the WAL is on disk.
    pub(crate) fn write(
        &self,
        batch: WriteBatch,
        sync: bool,
        operation: &'static str,
    ) -> Result<(), StorageError> {
        let mut options = WriteOptions::default();
        options.set_sync(sync);
        self.inner
            .write_opt(batch, &options)
            .map_err(StorageError::rocks(operation))
    }
}

/// Runs blocking RocksDB work on tokio's blocking pool, so that fsyncs and large reads or
/// writes never stall the async executor.
pub(crate) async fn run_blocking<T, F>(work: F) -> Result<T, StorageError>
where
    F: FnOnce() -> Result<T, StorageError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await?
}

/// Encodes `value` for writing, naming it `what` in errors.
pub(crate) fn encode_value<T: serde::Serialize + ?Sized>(
    value: &T,
    what: &'static str,
) -> Result<Vec<u8>, StorageError> {
    codec::encode(value).map_err(|source| StorageError::Encode { what, source })
}
