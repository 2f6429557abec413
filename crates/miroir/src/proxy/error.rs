//! The service layer's error: what went wrong, typed. The HTTP edge maps it once to
//! Meilisearch's error shape.

use miroir_core::error::ApiError;
use miroir_core::topology::NodeId;
use miroir_raft_store::peer::PeerError;

use crate::nodes::NodeError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// Already a Meilisearch error: raised by Miroir's own checks, or a node's error relayed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The replicated metadata could not be read or written (no leader, timeout, outcome
    /// unknown).
    #[error("cluster metadata unavailable: {0}")]
    Metadata(#[from] PeerError),
    /// The metadata state machine refused a command.
    #[error("cluster metadata refused the change: {0}")]
    MetadataRejected(String),
    /// No replica group stored the write on a quorum of its replicas.
    #[error("no replica group reached its write quorum ({detail})")]
    NoQuorum {
        /// Which nodes failed and why.
        detail: String,
    },
    /// Shards without any live replica (under the `error` unavailable-shard policy).
    #[error("shards without a live replica: {shards:?}")]
    ShardUnavailable {
        /// The shards.
        shards: Vec<u32>,
    },
    /// A node that had to answer did not.
    #[error("node `{node}` failed: {source}")]
    Node {
        /// The node.
        node: NodeId,
        /// What happened.
        source: NodeError,
    },
    /// A broken invariant inside Miroir.
    #[error("internal error: {0}")]
    Internal(String),
}
