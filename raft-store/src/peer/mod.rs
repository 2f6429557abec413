//! The metadata peer runtime: storage + openraft + gRPC server + leader-hiding client API.
//!
//! ```text
//!   MetadataPeer::start(config)
//!     ├─ open_store(data_dir)            RocksDB log + state machine (resumes after restart)
//!     ├─ Raft::new(id, config, PeerNetwork, ..)
//!     ├─ gRPC server on grpc_addr        RaftGrpcService (Raft RPCs, Forward, ReadIndex)
//!     └─ bootstrap                       lowest id of a pristine cluster initialises it, once
//!
//!   apply(command)        ─► Forwarder: local write if leader, else Forward RPC (retries)
//!   read(f)               ─► local applied state (possibly stale)
//!   linearizable_read(f)  ─► Forwarder::linearize (ReadIndex) then local read
//! ```

mod bootstrap;
mod config;
mod error;
mod forward;
mod membership;
mod runtime;
mod server;

pub use bootstrap::{designated_initializer, Bootstrap};
pub use config::{PeerConfig, RaftTuning, DEFAULT_CLUSTER_NAME};
pub use error::{PeerError, PeerResult};
pub use membership::{plan_removal, Removal};
pub use runtime::MetadataPeer;
