//! The gRPC server side: thin handlers that check the envelope, decode, call openraft, encode.
//!
//! Every request must name this peer's cluster and id (`FAILED_PRECONDITION` otherwise), so a
//! stale address never feeds Raft traffic to the wrong peer. `Forward`, `ReadIndex` and
//! `ChangeMembership` are served only when this peer leads: they never forward again (one hop),
//! they answer with a leader hint. `PeerStatus` is served by every peer.

use std::time::Duration;

use futures::StreamExt;
use openraft::alias::{SnapshotMetaOf, SnapshotOf, VoteOf};
use openraft::async_runtime::WatchReceiver;
use openraft::errors::{ClientWriteError, ForwardToLeader, LinearizableReadError, RaftError};
use openraft::raft::{AppendEntriesRequest, VoteRequest};
use openraft::ReadPolicy;
use prost::bytes::Bytes;
use serde::Serialize;
use tonic::{Request, Response, Status, Streaming};

use super::codec::{self, ForwardOutcome, LeaderHint, MembershipRequest, ReadIndexOutcome};
use super::pb::raft_service_server::RaftService;
use super::pb::{snapshot_chunk, RaftReply, RaftRequest, SnapshotChunk, SnapshotHeader};
use super::MetadataRaft;
use crate::peer::{LeaderMembership, PeerStatus};
use crate::types::{PeerId, SnapshotData, TypeConfig};

/// Largest snapshot a peer accepts (the whole snapshot is held in memory).
pub const MAX_SNAPSHOT_BYTES: u64 = 1 << 30;

/// `RaftService` of one peer.
pub struct RaftGrpcService {
    raft: MetadataRaft,
    self_id: PeerId,
    cluster: String,
    membership: LeaderMembership,
}

impl RaftGrpcService {
    /// Serves `raft`, which runs as peer `self_id` of `cluster`; `membership` runs the membership
    /// changes other peers forward.
    pub(crate) fn new(
        raft: MetadataRaft,
        self_id: PeerId,
        cluster: String,
        membership: LeaderMembership,
    ) -> Self {
        Self {
            raft,
            self_id,
            cluster,
            membership,
        }
    }

    fn check_identity(&self, cluster: &str, to_peer_id: PeerId) -> Result<(), Status> {
        if cluster != self.cluster {
            return Err(Status::failed_precondition(format!(
                "cluster mismatch: request for {cluster:?}, this peer serves {:?}",
                self.cluster
            )));
        }
        if to_peer_id != self.self_id {
            return Err(Status::failed_precondition(format!(
                "peer id mismatch: request for peer {to_peer_id}, this is peer {}",
                self.self_id
            )));
        }
        Ok(())
    }

    /// Checks the envelope and decodes its payload.
    fn open<T: serde::de::DeserializeOwned>(
        &self,
        request: Request<RaftRequest>,
        what: &'static str,
    ) -> Result<T, Status> {
        let envelope = request.into_inner();
        self.check_identity(&envelope.cluster, envelope.to_peer_id)?;
        codec::decode(what, &envelope.payload).map_err(invalid_argument)
    }
}

fn invalid_argument(error: impl std::fmt::Display) -> Status {
    Status::invalid_argument(error.to_string())
}

/// A successful reply carrying `value`.
fn ok_reply<T: Serialize>(what: &'static str, value: &T) -> Result<Response<RaftReply>, Status> {
    let payload =
        codec::encode(what, value).map_err(|error| Status::internal(error.to_string()))?;
    Ok(Response::new(RaftReply {
        payload: Bytes::from(payload),
        error: String::new(),
    }))
}

/// A reply saying this peer cannot take part in Raft (stopped or fatally failed).
fn failed_reply(error: impl std::fmt::Display) -> Result<Response<RaftReply>, Status> {
    Ok(Response::new(RaftReply {
        payload: Bytes::new(),
        error: error.to_string(),
    }))
}

fn leader_hint(forward: ForwardToLeader<TypeConfig>) -> Option<LeaderHint> {
    match (forward.leader_id, forward.leader_node) {
        (Some(id), Some(node)) => Some(LeaderHint { id, node }),
        _ => None,
    }
}

#[tonic::async_trait]
impl RaftService for RaftGrpcService {
    async fn append_entries(
        &self,
        request: Request<RaftRequest>,
    ) -> Result<Response<RaftReply>, Status> {
        let rpc: AppendEntriesRequest<TypeConfig> = self.open(request, "append entries request")?;
        match self.raft.append_entries(rpc).await {
            Ok(response) => ok_reply("append entries response", &response),
            Err(error) => failed_reply(error),
        }
    }

    async fn vote(&self, request: Request<RaftRequest>) -> Result<Response<RaftReply>, Status> {
        let rpc: VoteRequest<TypeConfig> = self.open(request, "vote request")?;
        match self.raft.vote(rpc).await {
            Ok(response) => ok_reply("vote response", &response),
            Err(error) => failed_reply(error),
        }
    }

    async fn install_snapshot(
        &self,
        request: Request<Streaming<SnapshotChunk>>,
    ) -> Result<Response<RaftReply>, Status> {
        let mut stream = request.into_inner();
        let header = match stream.next().await {
            Some(Ok(SnapshotChunk {
                item: Some(snapshot_chunk::Item::Header(header)),
            })) => header,
            Some(Err(status)) => return Err(status),
            _ => return Err(invalid_argument("snapshot stream must start with a header")),
        };
        self.check_identity(&header.cluster, header.to_peer_id)?;
        let (vote, snapshot) = receive_snapshot(header, stream).await?;
        match self.raft.install_full_snapshot(vote, snapshot).await {
            Ok(response) => ok_reply("snapshot response", &response),
            Err(fatal) => failed_reply(fatal),
        }
    }

    async fn forward(&self, request: Request<RaftRequest>) -> Result<Response<RaftReply>, Status> {
        let client_request: crate::types::Request = self.open(request, "forwarded request")?;
        let outcome = match self.raft.client_write(client_request).await {
            Ok(written) => ForwardOutcome::Applied {
                log_id: written.log_id,
                response: written.data,
            },
            Err(RaftError::APIError(ClientWriteError::ForwardToLeader(forward))) => {
                ForwardOutcome::NotLeader {
                    leader: leader_hint(forward),
                }
            }
            Err(RaftError::APIError(ClientWriteError::LogEntryDiscarded(forward))) => {
                ForwardOutcome::Discarded {
                    leader: leader_hint(forward),
                }
            }
            Err(error) => return failed_reply(error),
        };
        ok_reply("forward outcome", &outcome)
    }

    async fn read_index(
        &self,
        request: Request<RaftRequest>,
    ) -> Result<Response<RaftReply>, Status> {
        let envelope = request.into_inner();
        self.check_identity(&envelope.cluster, envelope.to_peer_id)?;
        let outcome = match self.raft.get_read_linearizer(ReadPolicy::ReadIndex).await {
            Ok(linearizer) => ReadIndexOutcome::Ready {
                read_log_id: *linearizer.read_log_id().log_id(),
            },
            Err(RaftError::APIError(LinearizableReadError::ForwardToLeader(forward))) => {
                ReadIndexOutcome::NotLeader {
                    leader: leader_hint(forward),
                }
            }
            Err(RaftError::APIError(LinearizableReadError::QuorumNotEnough(quorum))) => {
                ReadIndexOutcome::NoQuorum {
                    reason: quorum.to_string(),
                }
            }
            Err(error) => return failed_reply(error),
        };
        ok_reply("read index outcome", &outcome)
    }

    async fn change_membership(
        &self,
        request: Request<RaftRequest>,
    ) -> Result<Response<RaftReply>, Status> {
        let request: MembershipRequest = self.open(request, "membership request")?;
        let budget = Duration::from_millis(request.budget_ms);
        match self.membership.run(&request.change, budget).await {
            Ok(outcome) => ok_reply("membership outcome", &outcome),
            Err(error) => failed_reply(error),
        }
    }

    async fn peer_status(
        &self,
        request: Request<RaftRequest>,
    ) -> Result<Response<RaftReply>, Status> {
        let envelope = request.into_inner();
        self.check_identity(&envelope.cluster, envelope.to_peer_id)?;
        let metrics = self.raft.metrics().borrow_watched().clone();
        ok_reply("peer status", &PeerStatus::from_metrics(&metrics))
    }
}

/// Collects the data chunks announced by `header` and decodes the vote and metadata.
async fn receive_snapshot(
    header: SnapshotHeader,
    mut stream: Streaming<SnapshotChunk>,
) -> Result<(VoteOf<TypeConfig>, SnapshotOf<TypeConfig, SnapshotData>), Status> {
    if header.total_len > MAX_SNAPSHOT_BYTES {
        return Err(invalid_argument(format!(
            "snapshot of {} bytes exceeds the {MAX_SNAPSHOT_BYTES}-byte limit",
            header.total_len
        )));
    }
    let expected_len = usize::try_from(header.total_len).map_err(invalid_argument)?;
    let mut data = Vec::with_capacity(expected_len);
    while let Some(message) = stream.next().await {
        match message?.item {
            Some(snapshot_chunk::Item::Data(chunk)) => {
                if data.len() + chunk.len() > expected_len {
                    return Err(invalid_argument(
                        "snapshot data exceeds the announced length",
                    ));
                }
                data.extend_from_slice(&chunk);
            }
            _ => return Err(invalid_argument("a snapshot stream has exactly one header")),
        }
    }
    if data.len() != expected_len {
        return Err(invalid_argument(format!(
            "snapshot stream ended after {} of {expected_len} bytes",
            data.len()
        )));
    }
    let vote: VoteOf<TypeConfig> = codec::decode("vote", &header.vote).map_err(invalid_argument)?;
    let meta: SnapshotMetaOf<TypeConfig> =
        codec::decode("snapshot meta", &header.meta).map_err(invalid_argument)?;
    Ok((
        vote,
        SnapshotOf::<TypeConfig, SnapshotData> {
            meta,
            snapshot: data,
        },
    ))
}
