//! One unary RPC with a deadline, and the classification of its failures.
//!
//! The classification matters to callers that must not apply a request twice: only
//! [`CallError::NotSent`] and [`CallError::Refused`] prove the receiver never processed it.

use std::error::Error as _;
use std::time::Duration;

use prost::bytes::Bytes;
use tonic::transport::Channel;
use tonic::{Code, Status};

use super::channels::ChannelPool;
use super::pb::raft_service_client::RaftServiceClient;
use super::pb::RaftRequest;
use crate::types::{PeerId, PeerNode};

/// The unary RPCs of `RaftService`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryRpc {
    /// `AppendEntries`.
    AppendEntries,
    /// `Vote`.
    Vote,
    /// `Forward`.
    Forward,
    /// `ReadIndex`.
    ReadIndex,
    /// `ChangeMembership`.
    ChangeMembership,
    /// `PeerStatus`.
    PeerStatus,
}

/// Why a unary call produced no reply payload.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No connection could be established: the request was never sent.
    #[error("not sent: {0}")]
    NotSent(String),
    /// The receiver refused the envelope (wrong cluster or peer id) without processing it.
    #[error("refused: {0}")]
    Refused(String),
    /// The receiver processed the envelope but reported it cannot take part in Raft (shut down
    /// or fatally failed); a request it received may or may not have been proposed.
    #[error("peer failed: {0}")]
    Remote(String),
    /// No reply within the deadline; the request may or may not have been processed.
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// The call broke after it may have been sent (connection lost, protocol error, bad payload).
    #[error("call failed: {0}")]
    Failed(Status),
}

impl CallError {
    /// Whether the receiver provably did not process the request.
    pub fn never_processed(&self) -> bool {
        matches!(self, Self::NotSent(_) | Self::Refused(_))
    }

    fn from_status(status: Status) -> Self {
        if was_connect_failure(&status) {
            return Self::NotSent(status.message().to_owned());
        }
        match status.code() {
            Code::FailedPrecondition => Self::Refused(status.message().to_owned()),
            _ => Self::Failed(status),
        }
    }
}

/// Whether tonic reported the status because no connection could be made.
fn was_connect_failure(status: &Status) -> bool {
    let mut source = status.source();
    while let Some(error) = source {
        if error.is::<tonic::ConnectError>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// Sends `envelope` as `rpc` and returns the reply payload, giving up after `deadline` (also
/// sent to the server as the gRPC timeout).
pub async fn call_unary(
    client: &mut RaftServiceClient<Channel>,
    rpc: UnaryRpc,
    envelope: RaftRequest,
    deadline: Duration,
) -> Result<Bytes, CallError> {
    let mut request = tonic::Request::new(envelope);
    request.set_timeout(deadline);
    let call = async {
        match rpc {
            UnaryRpc::AppendEntries => client.append_entries(request).await,
            UnaryRpc::Vote => client.vote(request).await,
            UnaryRpc::Forward => client.forward(request).await,
            UnaryRpc::ReadIndex => client.read_index(request).await,
            UnaryRpc::ChangeMembership => client.change_membership(request).await,
            UnaryRpc::PeerStatus => client.peer_status(request).await,
        }
    };
    let reply = match tokio::time::timeout(deadline, call).await {
        Err(_elapsed) => return Err(CallError::Timeout(deadline)),
        Ok(Err(status)) => return Err(CallError::from_status(status)),
        Ok(Ok(response)) => response.into_inner(),
    };
    if reply.error.is_empty() {
        Ok(reply.payload)
    } else {
        Err(CallError::Remote(reply.error))
    }
}

/// Sends this peer's unary RPCs to other peers (leader forwarding, status collection) over the
/// shared channel pool, in envelopes naming the cluster and both peers. Cheap to clone.
#[derive(Clone)]
pub struct PeerCaller {
    self_id: PeerId,
    cluster: String,
    pool: ChannelPool,
}

impl PeerCaller {
    /// A caller for peer `self_id` of `cluster`.
    pub fn new(self_id: PeerId, cluster: String, pool: ChannelPool) -> Self {
        Self {
            self_id,
            cluster,
            pool,
        }
    }

    /// Sends `payload` as `rpc` to peer `to` (reached at `node`) and returns the reply payload
    /// (see [`call_unary`]).
    pub async fn call(
        &self,
        to: PeerId,
        node: &PeerNode,
        rpc: UnaryRpc,
        payload: Vec<u8>,
        deadline: Duration,
    ) -> Result<Bytes, CallError> {
        let mut client = self
            .pool
            .client(to, node)
            .map_err(|error| CallError::NotSent(error.to_string()))?;
        let envelope = RaftRequest {
            cluster: self.cluster.clone(),
            from_peer_id: self.self_id,
            to_peer_id: to,
            payload: Bytes::from(payload),
        };
        call_unary(&mut client, rpc, envelope, deadline).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer whose port refuses connections: the call fails as "never sent", which is what
    /// makes retrying a write there safe.
    #[tokio::test]
    async fn refused_connection_is_not_sent() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let node = PeerNode {
            name: "gone".into(),
            grpc_addr: addr.to_string(),
            http_addr: String::new(),
        };
        let mut client = ChannelPool::new(None).client(2, &node).unwrap();
        let envelope = RaftRequest {
            cluster: "c".into(),
            from_peer_id: 1,
            to_peer_id: 2,
            payload: Bytes::new(),
        };
        let error = call_unary(
            &mut client,
            UnaryRpc::Forward,
            envelope,
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, CallError::NotSent(_)), "{error:?}");
        assert!(error.never_processed());
    }
}
