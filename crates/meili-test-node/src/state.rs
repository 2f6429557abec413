//! The shared state of one node: indexes, tasks, keys and faults. Locks are `parking_lot`
//! and never held across an `.await`; searches take the index lock for reading only, so they
//! run concurrently.

use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;

use crate::faults::FaultController;
use crate::index_store::IndexStore;
use crate::keys::KeyStore;
use crate::tasks::model::Task;
use crate::tasks::operation::TaskOperation;
use crate::tasks::store::TaskStore;
use crate::time_format::now;

/// Everything one node holds.
#[derive(Debug)]
pub struct NodeState {
    /// The master key (`None`: no authentication, like Meilisearch without one).
    pub master_key: Option<String>,
    /// The indexes.
    pub indexes: RwLock<IndexStore>,
    /// Tasks and batches.
    pub tasks: Mutex<TaskStore>,
    /// API keys.
    pub keys: RwLock<KeyStore>,
    /// Fault injection.
    pub faults: Arc<FaultController>,
    /// Wakes the task worker.
    pub task_wakeup: Arc<Notify>,
}

impl NodeState {
    /// A fresh node; default keys exist only with a master key.
    pub fn new(master_key: Option<String>) -> Self {
        let task_wakeup = Arc::new(Notify::new());
        let keys = if master_key.is_some() {
            KeyStore::with_default_keys(now())
        } else {
            KeyStore::default()
        };
        Self {
            master_key,
            indexes: RwLock::new(IndexStore::default()),
            tasks: Mutex::new(TaskStore::default()),
            keys: RwLock::new(keys),
            faults: Arc::new(FaultController::new(task_wakeup.clone())),
            task_wakeup,
        }
    }

    /// Registers a task and wakes the worker; returns the enqueued task.
    pub fn enqueue(&self, index_uid: Option<String>, operation: TaskOperation) -> Task {
        let task = self.tasks.lock().register(index_uid, operation, now());
        self.task_wakeup.notify_one();
        task
    }
}
