//! Miroir's replicated metadata: the versioned commands peers propose through Raft and the
//! pure, deterministic state machine that applies them.
//!
//! ```text
//!   peer ─propose─► openraft log (RocksDB) ─commit─► MetadataState::apply(&Request) ─► Response
//!                                                     (same bytes in ⇒ same state out,
//!                                                      on every peer)
//! ```
//!
//! The crate does no I/O and reads no clock: time comes from [`Request::issued_at_ms`].
//! Storage, snapshot transfer and networking live in `raft-store`. Everything encoded here
//! (log entries, snapshots) is versioned; see `FORMAT.md`.

mod aliases;
mod codec;
mod groups;
mod idempotency;
mod indexes;
mod jobs;
mod leases;
mod policy;
mod rejection;
mod request;
mod response;
mod settings_versions;
mod snapshot;
mod snapshot_v1;
mod state;
mod task_aggregate;
mod task_params;
mod task_query;
mod task_view;
mod tasks;
mod topology;

pub use aliases::{AliasCommand, AliasFlip, AliasRecord, AliasTarget};
pub use codec::CodecError;
pub use groups::GroupState;
pub use idempotency::{IdempotencyCommand, IdempotencyEntry};
pub use indexes::{IndexCommand, IndexRecord, IndexState, IndexSwap};
pub use jobs::{JobClaim, JobCommand, JobRecord, JobState};
pub use leases::{LeaseCommand, LeaseRecord};
pub use policy::StatePolicy;
pub use rejection::Rejection;
pub use request::{Command, CommandV1, Request};
pub use response::Response;
pub use settings_versions::SettingsVersionCommand;
pub use snapshot::{SnapshotError, SNAPSHOT_FORMAT_VERSION};
pub use state::MetadataState;
pub use task_aggregate::{aggregate_error, aggregate_status};
pub use task_params::{
    parse_task_filter_for_delete_or_cancel, parse_task_list_query, TaskBulkAction, TaskParamError,
};
pub use task_query::{TaskPage, TaskQuery};
pub use task_view::{
    enqueued_summary_json, format_duration_ms, format_timestamp_ms, task_batch_uid, task_json,
    task_list_json,
};
pub use tasks::{NodeTask, TaskCommand, TaskRecord, TaskStatus};
pub use topology::{ClusterTopology, NodeSpec, TopologyCommand};
