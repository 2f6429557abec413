//! [`AdminError`]: why an operator request failed, typed once and mapped by each front-end
//! (gRPC status codes in `grpc`, Meilisearch-shaped errors in the HTTP edge).

use miroir_core::error::ApiError;
use miroir_raft_store::peer::PeerError;

use crate::proxy::ProxyError;

/// Why an operator request failed. Every message is a sentence meant for operators.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The request is malformed (a field is missing or out of range).
    #[error("{0}")]
    InvalidArgument(String),
    /// The request names something that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A safety check refused a change; nothing was changed.
    #[error("{0}")]
    Refused(String),
    /// A topology change conflicts with the cluster's state (another operation running, a
    /// node not drained, the last replica of the data); nothing was changed.
    #[error("{0}")]
    TopologyConflict(String),
    /// The Raft leader could not be reached in time, or a change's outcome is unknown.
    #[error("{0}")]
    Unavailable(String),
    /// A Meilisearch-shaped error raised by the shared service layer (e.g. a task filter that
    /// does not parse, or a missing task).
    #[error(transparent)]
    Api(ApiError),
    /// A broken invariant inside Miroir.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<PeerError> for AdminError {
    fn from(error: PeerError) -> Self {
        let message = error.to_string();
        match error {
            PeerError::LastVoter { .. }
            | PeerError::WouldLoseQuorum { .. }
            | PeerError::AlreadyMember { .. }
            | PeerError::NotALearner { .. }
            | PeerError::UnknownPeer { .. }
            // openraft refused the change, e.g. another one is still in progress.
            | PeerError::Membership(_) => AdminError::Refused(message),
            PeerError::NoLeader { .. }
            | PeerError::Timeout { .. }
            | PeerError::OutcomeUnknown { .. } => AdminError::Unavailable(message),
            PeerError::InvalidConfig(_)
            | PeerError::Storage(_)
            | PeerError::Bind { .. }
            | PeerError::Tls(_)
            | PeerError::AlreadyInitialized { .. }
            | PeerError::Initialize(_)
            | PeerError::Fatal(_)
            | PeerError::Rejected(_)
            | PeerError::Server { .. } => AdminError::Internal(message),
        }
    }
}

impl From<ProxyError> for AdminError {
    fn from(error: ProxyError) -> Self {
        match error {
            ProxyError::Api(error) => AdminError::Api(error),
            ProxyError::Metadata(error) => error.into(),
            other => AdminError::Internal(other.to_string()),
        }
    }
}
