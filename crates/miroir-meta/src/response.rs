//! What applying a command answered: a typed success value or a typed [`Rejection`].

use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;

/// The outcome of applying one [`crate::Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// Accepted; nothing more to say.
    Applied,
    /// A topology command was accepted; the topology is now at `version`.
    TopologyChanged {
        /// The new topology version.
        version: u64,
    },
    /// An index settings version was bumped or a node's version recorded.
    SettingsVersion {
        /// The resulting version.
        version: u64,
    },
    /// A task was enqueued under this cluster-wide uid.
    TaskEnqueued {
        /// The `taskUid` to return to the client.
        task_uid: u64,
    },
    /// Finished tasks were deleted.
    TasksDeleted {
        /// How many.
        deleted: u64,
    },
    /// An alias was created or repointed.
    AliasVersion {
        /// The alias version now current.
        version: u64,
    },
    /// A lease was acquired or renewed.
    LeaseGranted {
        /// Fencing token of the acquisition.
        token: u64,
        /// When it lapses unless renewed.
        expires_at_ms: u64,
    },
    /// A job was claimed (or its claim extended).
    JobClaimed {
        /// When the claim lapses unless renewed.
        expires_at_ms: u64,
        /// Where to resume.
        cursor: u64,
        /// Distinct claims so far, this one included.
        attempt: u32,
    },
    /// A new idempotency key was recorded: go ahead with the write.
    IdempotencyRecorded,
    /// The key is known with the same body: answer the first response again.
    IdempotencyReplay {
        /// The response recorded the first time.
        response: String,
    },
    /// The command was refused; the state is unchanged.
    Rejected(Rejection),
}

impl Response {
    /// The rejection, if the command was refused.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Response::Rejected(rejection) => Some(rejection),
            _ => None,
        }
    }

    /// `Err` for a rejection, `Ok(self)` otherwise.
    pub fn into_result(self) -> Result<Response, Rejection> {
        match self {
            Response::Rejected(rejection) => Err(rejection),
            accepted => Ok(accepted),
        }
    }
}
