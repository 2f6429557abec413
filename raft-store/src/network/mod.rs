//! gRPC transport between the peers of the metadata group.
//!
//! ```text
//!   openraft ──► PeerNetwork::new_client ──► PeerClient ──┐  (one cached Channel per peer:
//!   peer::Forwarder, peer reports ──► PeerCaller ─────────┤   ChannelPool, lazy connect)
//!                                                         ▼  call_unary
//!                                   RaftService (proto/miroir/raft/v1/raft.proto)
//!                                                         ▼
//!                               RaftGrpcService ──► openraft::Raft of the receiver
//! ```
//!
//! Payloads are bincode of openraft's serde types ([`codec`]); TLS is optional ([`tls`]).

pub mod call;
pub mod channels;
pub mod codec;
pub mod raft_client;
pub mod service;
pub mod tls;

/// Generated protobuf messages and gRPC stubs of `miroir.raft.v1`.
#[allow(missing_docs, clippy::all, clippy::pedantic, clippy::unwrap_used)]
pub mod pb {
    tonic::include_proto!("miroir.raft.v1");
}

pub use call::{call_unary, CallError, PeerCaller, UnaryRpc};
pub use channels::{ChannelError, ChannelPool};
pub use codec::{
    CodecError, ForwardOutcome, LeaderHint, MembershipOutcome, MembershipRequest, ReadIndexOutcome,
};
pub use raft_client::{PeerClient, PeerNetwork};
pub use service::RaftGrpcService;
pub use tls::TlsConfig;

/// The openraft instance of one metadata peer.
pub type MetadataRaft = openraft::Raft<crate::types::TypeConfig, crate::storage::StateMachineStore>;

/// Largest gRPC message accepted or sent, both directions (tonic's default receive limit is
/// 4 MiB; an AppendEntries batch of large commands can exceed it).
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// Largest data chunk of a streamed snapshot.
pub const MAX_SNAPSHOT_CHUNK_BYTES: usize = 1 << 20;
