//! [`NodeFault`]: why one node does not hold the settings every node must hold.

use std::fmt;

/// Why a node does not (yet) hold the expected settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeFault {
    /// The node could not be reached or gave an unreadable answer.
    Unreachable(String),
    /// The node answered a settings write or read with an error status.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The node's error message.
        message: String,
    },
    /// The node's settings task failed.
    TaskFailed {
        /// The node's task uid.
        task_uid: u64,
        /// The node's error message.
        message: String,
    },
    /// The node's settings task had not finished by the verify deadline.
    TaskUnfinished {
        /// The node's task uid.
        task_uid: u64,
    },
    /// The node's settings differ from the expected ones.
    Mismatch {
        /// Digest of the expected settings.
        expected_digest: String,
        /// Digest of the node's settings.
        actual_digest: String,
    },
    /// `_miroir_shard` is not in the node's `filterableAttributes`.
    ShardFieldNotFilterable,
    /// No node applied the change, so there is nothing to compare the node with.
    NoReference,
    /// No node's settings could be read before the change, so there is nothing to restore.
    PreviousUnknown,
}

impl fmt::Display for NodeFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeFault::Unreachable(reason) => write!(f, "unreachable ({reason})"),
            NodeFault::Refused { status, message } => {
                write!(f, "refused with HTTP {status} ({message})")
            }
            NodeFault::TaskFailed { task_uid, message } => {
                write!(f, "node task {task_uid} failed ({message})")
            }
            NodeFault::TaskUnfinished { task_uid } => {
                write!(f, "node task {task_uid} unfinished at the verify deadline")
            }
            NodeFault::Mismatch {
                expected_digest,
                actual_digest,
            } => write!(
                f,
                "settings hash {} differs from the expected {}",
                short(actual_digest),
                short(expected_digest)
            ),
            NodeFault::ShardFieldNotFilterable => f.write_str("`_miroir_shard` is not filterable"),
            NodeFault::NoReference => f.write_str("no node applied the change"),
            NodeFault::PreviousUnknown => {
                f.write_str("no node's settings could be read before the change")
            }
        }
    }
}

/// The first 12 hex digits of a digest: enough to tell two settings apart in a message.
fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}
