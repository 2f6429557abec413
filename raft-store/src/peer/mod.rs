//! The metadata peer runtime: storage + openraft + gRPC server + leader-hiding client API.
//!
//! ```text
//!   MetadataPeer::start(config)
//!     ├─ open_store(data_dir)            RocksDB log + state machine (resumes after restart)
//!     ├─ Raft::new(id, config, PeerNetwork, ..)
//!     ├─ gRPC server on grpc_addr        RaftGrpcService (Raft RPCs, Forward, ReadIndex)
//!     └─ bootstrap                       lowest id of a pristine cluster initialises it, once
//!
//!   apply(command)           ─► Forwarder: local write if leader, else Forward RPC (retries)
//!   read(f)                  ─► local applied state (possibly stale)
//!   linearizable_read(f)     ─► Forwarder::linearize (ReadIndex) then local read
//!   change_membership(change) ─► Forwarder: LeaderMembership::run here if leader, else
//!                                ChangeMembership RPC to the leader (safety rules on the leader)
//!   peer_reports(timeout)    ─► own metrics + PeerStatus RPC to every other member
//! ```

mod applied;
mod bootstrap;
mod config;
mod error;
mod forward;
mod health;
mod leader_membership;
mod membership;
mod reports;
mod runtime;
mod server;
mod status;

pub use applied::AppliedWatch;
pub use bootstrap::{designated_initializer, Bootstrap};
pub use config::{PeerConfig, RaftTuning, DEFAULT_CLUSTER_NAME};
pub use error::{PeerError, PeerResult};
pub use health::healthy_voters;
pub(crate) use leader_membership::LeaderMembership;
pub use membership::{
    majority, plan_change, Membership, MembershipChange, MembershipRefusal, PlannedChange,
};
pub use runtime::MetadataPeer;
pub use status::{PeerReport, PeerRole, PeerStatus};
