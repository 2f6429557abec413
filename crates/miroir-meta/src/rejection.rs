//! Why the state machine refused a command.
//!
//! A rejection is an *outcome*, not a failure of the replica: the entry is committed, every
//! peer applies it, reaches the same rejection and leaves its state untouched. Callers map
//! each variant to the Meilisearch-style error code they return to clients.

use miroir_core::topology::{GroupId, NodeId, NodeState};
use serde::{Deserialize, Serialize};

use crate::groups::GroupState;
use crate::indexes::IndexState;
use crate::jobs::JobState;
use crate::tasks::TaskStatus;

/// A command the state machine refused, with what the caller needs to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Rejection {
    /// A field of the command is empty, zero or otherwise unusable.
    #[error("invalid command: {reason}")]
    InvalidArgument {
        /// What is wrong, lowercase.
        reason: String,
    },

    /// `InitTopology` after the topology was already initialised.
    #[error("the topology is already initialised")]
    TopologyAlreadyInitialized,
    /// A topology change before `InitTopology`.
    #[error("the topology is not initialised")]
    TopologyNotInitialized,
    /// A node id already in the topology.
    #[error("node `{0}` already exists")]
    DuplicateNode(NodeId),
    /// A node id that was removed once: removed ids are never reused.
    #[error("node id `{0}` belonged to a removed node and cannot be reused")]
    NodeIdRetired(NodeId),
    /// A node id the topology does not know.
    #[error("node `{0}` is not part of the topology")]
    UnknownNode(NodeId),
    /// A node state change that is not a legal transition.
    #[error("node `{node}` cannot go from {from} to {to}")]
    IllegalTransition {
        /// The node asked to change.
        node: NodeId,
        /// Its current state.
        from: NodeState,
        /// The refused next state.
        to: NodeState,
    },
    /// A replica group id already in use.
    #[error("replica group {0} already exists")]
    GroupExists(GroupId),
    /// A replica group id the topology does not know.
    #[error("replica group {0} does not exist")]
    UnknownGroup(GroupId),
    /// A node added to a removed group.
    #[error("replica group {0} is removed")]
    GroupRemoved(GroupId),
    /// A group state change that is not a legal transition.
    #[error("replica group {group} cannot go from {from} to {to}")]
    IllegalGroupTransition {
        /// The group asked to change.
        group: GroupId,
        /// Its current state.
        from: GroupState,
        /// The refused next state.
        to: GroupState,
    },
    /// A group cannot be removed while some of its nodes are not removed.
    #[error("replica group {group} still has {live_nodes} node(s) that are not removed")]
    GroupHasLiveNodes {
        /// The group asked to be removed.
        group: GroupId,
        /// How many of its nodes are not `removed`.
        live_nodes: u32,
    },

    /// An index uid already registered.
    #[error("index `{0}` already exists")]
    IndexExists(String),
    /// An index uid the registry does not hold.
    #[error("index `{0}` not found")]
    IndexNotFound(String),
    /// An index uid that is already an alias name.
    #[error("`{0}` is an alias name")]
    IndexUidIsAlias(String),
    /// An index still resolved by an alias cannot be deleted (repoint or delete the alias
    /// first).
    #[error("index `{uid}` is a target of alias `{alias}`")]
    IndexIsAliasTarget {
        /// The index.
        uid: String,
        /// The first alias (by name) targeting it.
        alias: String,
    },
    /// An index state change that is not a legal transition.
    #[error("index `{uid}` cannot go from {from} to {to}")]
    IllegalIndexTransition {
        /// The index asked to change.
        uid: String,
        /// Its current state.
        from: IndexState,
        /// The refused next state.
        to: IndexState,
    },
    /// The index already has a different primary key.
    #[error("index `{uid}` already has the primary key `{primary_key}`")]
    PrimaryKeyAlreadySet {
        /// The index.
        uid: String,
        /// Its existing primary key.
        primary_key: String,
    },

    /// A task uid the registry does not hold (never allocated, deleted or pruned).
    #[error("task {0} not found")]
    TaskNotFound(u64),
    /// A task status change that is not a legal transition (terminal states are final).
    #[error("task {uid} cannot go from {from} to {to}")]
    IllegalTaskTransition {
        /// The task asked to change.
        uid: u64,
        /// Its current status.
        from: TaskStatus,
        /// The refused next status.
        to: TaskStatus,
    },
    /// A change to a task that already reached a terminal status.
    #[error("task {uid} is already {status}")]
    TaskFinished {
        /// The task.
        uid: u64,
        /// Its terminal status.
        status: TaskStatus,
    },
    /// A per-node status change that is not a legal transition (terminal states are final).
    #[error("task {uid} on node `{node}` cannot go from {from} to {to}")]
    IllegalNodeTaskTransition {
        /// The Miroir task.
        uid: u64,
        /// The node whose task changes.
        node: NodeId,
        /// The node task's current status.
        from: TaskStatus,
        /// The refused next status.
        to: TaskStatus,
    },
    /// The cluster-wide task uid counter reached `u64::MAX`.
    #[error("task uids are exhausted")]
    TaskUidsExhausted,

    /// An alias name already in use.
    #[error("alias `{0}` already exists")]
    AliasExists(String),
    /// An alias name the registry does not hold.
    #[error("alias `{0}` not found")]
    AliasNotFound(String),
    /// An alias name that is already an index uid.
    #[error("`{0}` is an index uid")]
    AliasNameIsIndex(String),
    /// A repoint that would change an alias between single- and multi-target.
    #[error("alias `{0}` cannot change between single- and multi-target")]
    AliasKindMismatch(String),
    /// A change to a multi-target alias by someone other than its owner.
    #[error("alias `{alias}` is a multi-target alias managed by {owner:?}")]
    MultiAliasNotWritable {
        /// The alias.
        alias: String,
        /// The component that owns it (e.g. an ILM policy), if any.
        owner: Option<String>,
    },
    /// An alias target that is not a registered index.
    #[error("alias `{alias}` cannot target missing index `{target}`")]
    AliasTargetNotFound {
        /// The alias.
        alias: String,
        /// The missing index uid.
        target: String,
    },

    /// A lease currently held, unexpired, by another holder.
    #[error("lease `{name}` is held by `{holder}` until {expires_at_ms}")]
    LeaseHeld {
        /// The lease.
        name: String,
        /// Its current holder.
        holder: String,
        /// When the current holder's lease ends.
        expires_at_ms: u64,
    },
    /// A renew or release by someone who does not hold the lease (or whose lease expired).
    #[error("lease `{name}` is not held by `{holder}`")]
    LeaseNotHeld {
        /// The lease.
        name: String,
        /// The would-be holder.
        holder: String,
    },

    /// A job id already in use.
    #[error("job `{0}` already exists")]
    JobExists(String),
    /// A job id the registry does not hold.
    #[error("job `{0}` not found")]
    JobNotFound(String),
    /// A job claimed, unexpired, by another holder.
    #[error("job `{id}` is claimed by `{holder}` until {expires_at_ms}")]
    JobClaimedByOther {
        /// The job.
        id: String,
        /// Its current claimant.
        holder: String,
        /// When that claim ends.
        expires_at_ms: u64,
    },
    /// A progress or completion report by someone who does not hold a live claim.
    #[error("job `{id}` is not claimed by `{holder}`")]
    JobNotClaimedBy {
        /// The job.
        id: String,
        /// The reporter.
        holder: String,
    },
    /// A job command that its current state does not allow.
    #[error("job `{id}` is {state}")]
    JobStateForbids {
        /// The job.
        id: String,
        /// Its current state.
        state: JobState,
    },
    /// A progress cursor lower than the one already recorded.
    #[error("job `{id}` cursor cannot go back from {current} to {proposed}")]
    CursorRegressed {
        /// The job.
        id: String,
        /// The recorded cursor.
        current: u64,
        /// The refused lower cursor.
        proposed: u64,
    },

    /// A node settings version lower than the one already recorded.
    #[error(
        "settings version of `{index_uid}` on `{node}` cannot go back from {current} to {proposed}"
    )]
    StaleSettingsVersion {
        /// The index.
        index_uid: String,
        /// The node.
        node: NodeId,
        /// The recorded version.
        current: u64,
        /// The refused lower version.
        proposed: u64,
    },

    /// An unexpired idempotency key recorded with a different request body.
    #[error("idempotency key `{0}` was already used with a different request body")]
    IdempotencyKeyReused(String),
}

impl Rejection {
    /// Shorthand for [`Rejection::InvalidArgument`].
    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            reason: reason.into(),
        }
    }
}
