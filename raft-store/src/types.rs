//! The openraft type configuration of Miroir's metadata group.

use serde::{Deserialize, Serialize};

pub use miroir_meta::{Request, Response};

/// Raft-level identity of a peer (stable for its whole life; never reused after removal).
pub type PeerId = u64;

/// How a peer is reached, as recorded in the Raft membership. Peers are named, not addressed by
/// IP alone, so an address change does not change identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerNode {
    /// Stable human-readable name, e.g. `miroir-0`.
    pub name: String,
    /// `host:port` of the peer's gRPC server (Raft and forwarding RPCs).
    pub grpc_addr: String,
    /// `host:port` of the peer's Meilisearch-compatible HTTP API.
    pub http_addr: String,
}

openraft::declare_raft_types!(
    /// Raft type configuration of Miroir's metadata group.
    pub TypeConfig:
        D = Request,
        R = Response,
        NodeId = PeerId,
        Node = PeerNode,
);

/// Snapshot payload: the serialized metadata state (small: kilobytes to megabytes).
pub type SnapshotData = Vec<u8>;
