//! The bytes inside the protobuf envelopes: bincode (1.3) of openraft's serde types, plus the
//! request and reply types of the leader-only RPCs (`Forward`, `ReadIndex`, `ChangeMembership`).
//!
//! bincode is positional, so every type here is append-only: new variants go at the end, and a
//! field is never reordered. Both ends of a connection run the same pinned openraft version.

use openraft::alias::LogIdOf;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::peer::{Membership, MembershipChange, MembershipRefusal};
use crate::types::{PeerId, PeerNode, Response, TypeConfig};

/// A value that could not be turned into (or read back from) its wire bytes.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// Serialisation failed (a type not representable in bincode).
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// Which value, e.g. `"vote request"`.
        what: &'static str,
        /// bincode's reason.
        #[source]
        source: bincode::Error,
    },
    /// The bytes are not a valid encoding of the expected type.
    #[error("cannot decode {what}: {source}")]
    Decode {
        /// Which value, e.g. `"append entries response"`.
        what: &'static str,
        /// bincode's reason.
        #[source]
        source: bincode::Error,
    },
}

/// Encodes `value` as wire bytes; `what` names it in the error.
pub fn encode<T: Serialize>(what: &'static str, value: &T) -> Result<Vec<u8>, CodecError> {
    bincode::serialize(value).map_err(|source| CodecError::Encode { what, source })
}

/// Decodes wire bytes produced by [`encode`]; `what` names the value in the error.
pub fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, CodecError> {
    bincode::deserialize(bytes).map_err(|source| CodecError::Decode { what, source })
}

/// The leader a non-leader knows of, so the caller can retry there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderHint {
    /// Raft id of the leader.
    pub id: PeerId,
    /// How to reach it.
    pub node: PeerNode,
}

/// Reply payload of the `Forward` RPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ForwardOutcome {
    /// The request was committed and applied; `response` is the state machine's answer.
    Applied {
        /// Log position of the committed request.
        log_id: LogIdOf<TypeConfig>,
        /// What the state machine answered.
        response: Response,
    },
    /// The receiver is not the leader and did not propose the request: retrying elsewhere
    /// cannot apply it twice.
    NotLeader {
        /// The leader the receiver knows of, if any.
        leader: Option<LeaderHint>,
    },
    /// The receiver proposed the request, then lost leadership and discarded its copy: the
    /// request may still have been committed by another leader (outcome unknown).
    Discarded {
        /// The leader the receiver knows of, if any.
        leader: Option<LeaderHint>,
    },
}

/// Reply payload of the `ReadIndex` RPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReadIndexOutcome {
    /// The receiver is the leader and confirmed its leadership with a quorum: applying up to
    /// `read_log_id` (if any) makes a local read linearizable.
    Ready {
        /// The log id every linearizable read must wait for (applied index at least its index).
        read_log_id: LogIdOf<TypeConfig>,
    },
    /// The receiver is not the leader.
    NotLeader {
        /// The leader the receiver knows of, if any.
        leader: Option<LeaderHint>,
    },
    /// The receiver leads but could not confirm its leadership with a quorum of voters.
    NoQuorum {
        /// openraft's description.
        reason: String,
    },
}

/// Request payload of the `ChangeMembership` RPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipRequest {
    /// The change to apply.
    pub change: MembershipChange,
    /// How long the leader may spend on it, in milliseconds (the sender waits a little longer
    /// for the reply).
    pub budget_ms: u64,
}

/// Reply payload of the `ChangeMembership` RPC, and the leader's answer to a membership change
/// whether it came from itself or from another peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipOutcome {
    /// The change is committed; the membership after it.
    Changed(Membership),
    /// The receiver is not the leader and did not propose the change: retrying elsewhere
    /// cannot apply it twice.
    NotLeader {
        /// The leader the receiver knows of, if any.
        leader: Option<LeaderHint>,
    },
    /// The leader refused the change without proposing it.
    Refused(MembershipRefusal),
    /// The change was (or may have been) proposed, but whether it took effect is unknown
    /// (leadership lost, budget spent): retrying could apply it twice.
    Unknown {
        /// What happened.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_outcome_round_trips() {
        let outcomes = [
            ForwardOutcome::NotLeader { leader: None },
            ForwardOutcome::Discarded {
                leader: Some(LeaderHint {
                    id: 3,
                    node: PeerNode {
                        name: "miroir-3".into(),
                        grpc_addr: "10.0.0.3:7000".into(),
                        http_addr: "10.0.0.3:7700".into(),
                    },
                }),
            },
        ];
        for outcome in outcomes {
            let bytes = encode("forward outcome", &outcome).unwrap();
            let back: ForwardOutcome = decode("forward outcome", &bytes).unwrap();
            assert_eq!(back, outcome);
        }
    }

    #[test]
    fn read_index_outcome_round_trips() {
        let outcome = ReadIndexOutcome::Ready {
            read_log_id: openraft::testing::log_id::<TypeConfig>(4, 2, 17),
        };
        let bytes = encode("read index outcome", &outcome).unwrap();
        let back: ReadIndexOutcome = decode("read index outcome", &bytes).unwrap();
        assert_eq!(back, outcome);
    }

    #[test]
    fn membership_request_and_outcomes_round_trip() {
        let node = PeerNode {
            name: "miroir-4".into(),
            grpc_addr: "10.0.0.4:7000".into(),
            http_addr: "10.0.0.4:7700".into(),
        };
        let request = MembershipRequest {
            change: MembershipChange::AddLearner {
                id: 4,
                node: node.clone(),
            },
            budget_ms: 8_000,
        };
        let bytes = encode("membership request", &request).unwrap();
        assert_eq!(
            decode::<MembershipRequest>("membership request", &bytes).unwrap(),
            request
        );
        let outcomes = [
            MembershipOutcome::Changed(Membership {
                voters: [1, 2].into(),
                nodes: [(1, node.clone()), (2, node.clone()), (4, node.clone())].into(),
            }),
            MembershipOutcome::NotLeader {
                leader: Some(LeaderHint { id: 2, node }),
            },
            MembershipOutcome::Refused(MembershipRefusal::WouldLoseQuorum {
                peer_id: 2,
                healthy_after: 1,
                voters_after: 2,
            }),
            MembershipOutcome::Unknown {
                reason: "leader lost".into(),
            },
        ];
        for outcome in outcomes {
            let bytes = encode("membership outcome", &outcome).unwrap();
            let back: MembershipOutcome = decode("membership outcome", &bytes).unwrap();
            assert_eq!(back, outcome);
        }
    }

    #[test]
    fn truncated_bytes_are_a_decode_error() {
        let outcome = ReadIndexOutcome::Ready {
            read_log_id: openraft::testing::log_id::<TypeConfig>(4, 2, 17),
        };
        let bytes = encode("read index outcome", &outcome).unwrap();
        let result: Result<ReadIndexOutcome, _> =
            decode("read index outcome", &bytes[..bytes.len() - 3]);
        assert!(matches!(result, Err(CodecError::Decode { .. })));
    }
}
