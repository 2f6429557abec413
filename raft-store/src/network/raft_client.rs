//! openraft's view of the transport: [`PeerNetwork`] (the factory) hands out [`PeerClient`]s
//! (one per target and replication stream) that share the pool's cached channel per peer.
//!
//! Failure mapping (openraft backs off much longer after `Unreachable` than after the others):
//! - no connection, identity refused, remote peer stopped/fatal, `UNAVAILABLE` → `Unreachable`
//! - our deadline (`RPCOption::soft_ttl`) or a server-side deadline → `Timeout`
//! - anything else (protocol error, undecodable reply) → `Network`

use std::future::Future;
use std::time::Duration;

use openraft::alias::{SnapshotOf, VoteOf};
use openraft::errors::{
    NetworkError, RPCError, ReplicationClosed, StreamingError, Timeout, Unreachable,
};
use openraft::network::{RPCOption, RaftNetworkFactory, RaftNetworkV2};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, SnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::{OptionalSend, RPCTypes};
use prost::bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tonic::transport::Channel;
use tonic::Code;

use super::call::{call_unary, CallError, UnaryRpc};
use super::channels::ChannelPool;
use super::codec::{self, CodecError};
use super::pb::raft_service_client::RaftServiceClient;
use super::pb::{snapshot_chunk, RaftRequest, SnapshotChunk, SnapshotHeader};
use super::MAX_SNAPSHOT_CHUNK_BYTES;
use crate::types::{PeerId, PeerNode, SnapshotData, TypeConfig};

/// openraft network factory of one peer.
pub struct PeerNetwork {
    self_id: PeerId,
    cluster: String,
    pool: ChannelPool,
}

impl PeerNetwork {
    /// A factory for peer `self_id` of `cluster`, drawing channels from `pool`.
    pub fn new(self_id: PeerId, cluster: String, pool: ChannelPool) -> Self {
        Self {
            self_id,
            cluster,
            pool,
        }
    }
}

impl RaftNetworkFactory<TypeConfig> for PeerNetwork {
    type Network = PeerClient;

    async fn new_client(&mut self, target: PeerId, node: &PeerNode) -> PeerClient {
        let client = if target == self.self_id {
            // A self-connection would make the leader assert-fail; refuse it outright.
            tracing::error!(peer_id = self.self_id, "raft asked for a client to itself");
            Err(format!(
                "peer {target} is this peer; refusing a self-connection"
            ))
        } else {
            self.pool
                .client(target, node)
                .map_err(|error| error.to_string())
        };
        PeerClient {
            self_id: self.self_id,
            target,
            cluster: self.cluster.clone(),
            client,
        }
    }
}

/// Raft RPC client towards one target peer.
pub struct PeerClient {
    self_id: PeerId,
    target: PeerId,
    cluster: String,
    /// `Err`: the target can never be reached through this client (self, or a bad address).
    client: Result<RaftServiceClient<Channel>, String>,
}

impl PeerClient {
    fn envelope(&self, payload: Vec<u8>) -> RaftRequest {
        RaftRequest {
            cluster: self.cluster.clone(),
            from_peer_id: self.self_id,
            to_peer_id: self.target,
            payload: Bytes::from(payload),
        }
    }

    fn timeout(&self, action: RPCTypes, timeout: Duration) -> Timeout<TypeConfig> {
        Timeout {
            action,
            id: self.self_id,
            target: self.target,
            timeout,
        }
    }

    fn rpc_error(&self, action: RPCTypes, error: CallError) -> RPCError<TypeConfig> {
        match error {
            CallError::Timeout(deadline) => RPCError::Timeout(self.timeout(action, deadline)),
            CallError::Failed(status)
                if matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled) =>
            {
                RPCError::Timeout(self.timeout(action, Duration::ZERO))
            }
            CallError::Failed(status) if status.code() != Code::Unavailable => {
                RPCError::Network(NetworkError::new(&status))
            }
            unreachable => RPCError::Unreachable(Unreachable::new(&unreachable)),
        }
    }

    async fn unary<Req: Serialize, Resp: DeserializeOwned>(
        &mut self,
        rpc: UnaryRpc,
        action: RPCTypes,
        what: (&'static str, &'static str),
        request: &Req,
        option: &RPCOption,
    ) -> Result<Resp, RPCError<TypeConfig>> {
        let (request_what, reply_what) = what;
        let payload = codec::encode(request_what, request).map_err(network_error)?;
        let envelope = self.envelope(payload);
        let client = match &mut self.client {
            Ok(client) => client,
            Err(reason) => {
                return Err(RPCError::Unreachable(Unreachable::from_string(
                    reason.clone(),
                )))
            }
        };
        let reply = call_unary(client, rpc, envelope, option.soft_ttl())
            .await
            .map_err(|error| self.rpc_error(action, error))?;
        codec::decode(reply_what, &reply).map_err(network_error)
    }
}

fn network_error(error: CodecError) -> RPCError<TypeConfig> {
    RPCError::Network(NetworkError::new(&error))
}

impl RaftNetworkV2<TypeConfig> for PeerClient {
    type SnapshotData = SnapshotData;

    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.unary(
            UnaryRpc::AppendEntries,
            RPCTypes::AppendEntries,
            ("append entries request", "append entries response"),
            &rpc,
            &option,
        )
        .await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<VoteResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.unary(
            UnaryRpc::Vote,
            RPCTypes::Vote,
            ("vote request", "vote response"),
            &rpc,
            &option,
        )
        .await
    }

    async fn full_snapshot(
        &mut self,
        vote: VoteOf<TypeConfig>,
        snapshot: SnapshotOf<TypeConfig, SnapshotData>,
        cancel: impl Future<Output = ReplicationClosed> + OptionalSend + 'static,
        option: RPCOption,
    ) -> Result<SnapshotResponse<TypeConfig>, StreamingError<TypeConfig>> {
        let deadline = option.soft_ttl();
        let chunk_size = option
            .snapshot_chunk_size()
            .unwrap_or(MAX_SNAPSHOT_CHUNK_BYTES)
            .clamp(1, MAX_SNAPSHOT_CHUNK_BYTES);
        let header = SnapshotHeader {
            cluster: self.cluster.clone(),
            from_peer_id: self.self_id,
            to_peer_id: self.target,
            vote: codec::encode("vote", &vote).map_err(network_error)?.into(),
            meta: codec::encode("snapshot meta", &snapshot.meta)
                .map_err(network_error)?
                .into(),
            total_len: snapshot.snapshot.len() as u64,
        };
        let messages = snapshot_messages(header, Bytes::from(snapshot.snapshot), chunk_size);
        let client = match &mut self.client {
            Ok(client) => client,
            Err(reason) => {
                return Err(StreamingError::Unreachable(Unreachable::from_string(
                    reason.clone(),
                )))
            }
        };
        // The whole request stream exists before the call, so the upload cannot wait on itself.
        let mut request = tonic::Request::new(futures::stream::iter(messages));
        request.set_timeout(deadline);
        let outcome = tokio::select! {
            closed = cancel => return Err(StreamingError::Closed(closed)),
            outcome = tokio::time::timeout(deadline, client.install_snapshot(request)) => outcome,
        };
        let reply = match outcome {
            Err(_elapsed) => {
                return Err(StreamingError::Timeout(
                    self.timeout(RPCTypes::InstallSnapshot, deadline),
                ))
            }
            Ok(Err(status)) => {
                let error = self.rpc_error(RPCTypes::InstallSnapshot, CallError::Failed(status));
                return Err(error.into());
            }
            Ok(Ok(response)) => response.into_inner(),
        };
        if !reply.error.is_empty() {
            return Err(StreamingError::Unreachable(Unreachable::from_string(
                reply.error,
            )));
        }
        Ok(codec::decode("snapshot response", &reply.payload).map_err(network_error)?)
    }
}

/// The `InstallSnapshot` stream: the header, then `data` in chunks of at most `chunk_size` bytes
/// (sharing `data`'s buffer, no copies).
fn snapshot_messages(header: SnapshotHeader, data: Bytes, chunk_size: usize) -> Vec<SnapshotChunk> {
    debug_assert!(chunk_size > 0);
    let header = SnapshotChunk {
        item: Some(snapshot_chunk::Item::Header(header)),
    };
    let chunks = (0..data.len()).step_by(chunk_size).map(|start| {
        let end = data.len().min(start + chunk_size);
        SnapshotChunk {
            item: Some(snapshot_chunk::Item::Data(data.slice(start..end))),
        }
    });
    std::iter::once(header).chain(chunks).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_of(message: &SnapshotChunk) -> &Bytes {
        match &message.item {
            Some(snapshot_chunk::Item::Data(data)) => data,
            other => panic!("expected data, got {other:?}"),
        }
    }

    #[test]
    fn snapshot_stream_is_header_then_bounded_chunks_in_order() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let messages =
            snapshot_messages(SnapshotHeader::default(), Bytes::from(data.clone()), 4096);
        assert!(matches!(
            messages[0].item,
            Some(snapshot_chunk::Item::Header(_))
        ));
        let chunks: Vec<&Bytes> = messages[1..].iter().map(data_of).collect();
        assert_eq!(chunks.len(), 3);
        assert!(chunks.iter().all(|chunk| chunk.len() <= 4096));
        let rejoined: Vec<u8> = chunks
            .iter()
            .flat_map(|chunk| chunk.iter().copied())
            .collect();
        assert_eq!(rejoined, data);
    }

    #[test]
    fn empty_snapshot_is_header_only() {
        let messages = snapshot_messages(SnapshotHeader::default(), Bytes::new(), 4096);
        assert_eq!(messages.len(), 1);
    }
}
