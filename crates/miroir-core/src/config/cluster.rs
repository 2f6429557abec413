//! The static description of the Meilisearch fleet: one entry per node, each in a replica
//! group. Shard count, replication factor and the number of groups sit at the top level of
//! [`super::Config`].

use serde::{Deserialize, Serialize};

use crate::topology::{GroupId, NodeId};

/// One Meilisearch node of the bootstrap topology (`nodes[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Stable routing identity; rendezvous hashing uses its bytes, so it must never change
    /// for the node's life. Non-empty, no whitespace or control characters, unique. Required.
    pub id: NodeId,
    /// Base URL Miroir sends requests to, `http://` or `https://` (e.g.
    /// `http://meili-0:7700`). Required.
    pub address: String,
    /// The replica group the node belongs to: `0 ≤ replica_group < replica_groups`. Required.
    pub replica_group: GroupId,
}
