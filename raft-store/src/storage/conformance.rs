//! openraft's storage conformance suite, run on the RocksDB store (a fresh directory per test).

use openraft::testing::log::{StoreBuilder, Suite};
use openraft::type_config::TypeConfigExt;
use tempfile::TempDir;

use super::{open_store, LogStore, StateMachineStore};
use crate::types::TypeConfig;

/// Builds each suite case's store in its own temporary directory (removed when the guard drops).
struct RocksStoreBuilder;

impl StoreBuilder<TypeConfig, LogStore, StateMachineStore, TempDir> for RocksStoreBuilder {
    async fn build(
        &self,
    ) -> Result<(TempDir, LogStore, StateMachineStore), openraft::StorageError<TypeConfig>> {
        let dir = TempDir::new()
            .map_err(|e| openraft::StorageError::read(TypeConfig::err_from_error(&e)))?;
        let (log_store, state_machine) = open_store(dir.path())
            .map_err(|e| openraft::StorageError::read(TypeConfig::err_from_error(&e)))?;
        Ok((dir, log_store, state_machine))
    }
}

/// The store satisfies every storage invariant openraft's suite checks (log reads, truncation,
/// purge, vote, committed re-apply, membership, apply, snapshot build/transfer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_storage_suite_passes() {
    Suite::test_all(RocksStoreBuilder).await.unwrap();
}
