//! Node and replica-group changes. They need online shard migration (dual writes, paging a
//! shard's documents to its new owners, deleting them from the old ones), which this version
//! does not have: every request is refused before anything changes, naming what is missing.

use miroir_admin_proto::v1 as pb;

use super::{Admin, AdminError};

impl Admin {
    /// Adding node `id` to replica group `group`.
    pub fn add_node(&self, id: &str, group: u32) -> Result<pb::OperationAccepted, AdminError> {
        Err(not_yet(&format!(
            "Adding node `{id}` to replica group {group}"
        )))
    }

    /// Draining node `id`.
    pub fn drain_node(&self, id: &str) -> Result<pb::OperationAccepted, AdminError> {
        Err(not_yet(&format!("Draining node `{id}`")))
    }

    /// Removing node `id`.
    pub fn remove_node(&self, id: &str) -> Result<pb::OperationAccepted, AdminError> {
        Err(not_yet(&format!("Removing node `{id}`")))
    }

    /// Adding replica group `id`.
    pub fn add_group(&self, id: u32) -> Result<pb::OperationAccepted, AdminError> {
        Err(not_yet(&format!("Adding replica group {id}")))
    }

    /// Removing replica group `id`.
    pub fn remove_group(&self, id: u32) -> Result<pb::OperationAccepted, AdminError> {
        Err(not_yet(&format!("Removing replica group {id}")))
    }
}

fn not_yet(what: &str) -> AdminError {
    AdminError::NotSupported(format!(
        "{what} needs online shard migration, which this version of Miroir does not have yet; \
         nothing was changed. A cluster that holds no documents yet can instead change `nodes` \
         in every peer's configuration and restart the peers."
    ))
}
