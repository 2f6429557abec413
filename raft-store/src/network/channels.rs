//! One lazily connected tonic [`Channel`] per peer, shared by Raft replication and by the
//! leader-forwarding client.
//!
//! A channel is created on first use without any I/O (`connect_lazy`), reconnects by itself after
//! failures, and is replaced only when the peer's recorded `grpc_addr` changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

use super::pb::raft_service_client::RaftServiceClient;
use super::MAX_MESSAGE_BYTES;
use crate::types::{PeerId, PeerNode};

/// How long establishing a TCP (and TLS) connection to a peer may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// HTTP/2 keep-alive ping interval on idle peer connections (detects dead peers).
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(10);

/// A peer's address could not be turned into a channel.
#[derive(Debug, thiserror::Error)]
#[error("cannot build a channel to peer {peer_id} at {grpc_addr:?}: {source}")]
pub struct ChannelError {
    /// The peer.
    pub peer_id: PeerId,
    /// The address recorded for it.
    pub grpc_addr: String,
    /// tonic's reason (invalid address or TLS configuration).
    #[source]
    pub source: tonic::transport::Error,
}

struct CachedChannel {
    grpc_addr: String,
    channel: Channel,
}

/// Cache of one channel per peer; cheap to clone (shared).
#[derive(Clone)]
pub struct ChannelPool {
    channels: Arc<Mutex<HashMap<PeerId, CachedChannel>>>,
    tls: Option<ClientTlsConfig>,
}

impl ChannelPool {
    /// An empty pool; `tls` secures every channel it creates (`https://`), `None` = plaintext.
    pub fn new(tls: Option<ClientTlsConfig>) -> Self {
        Self {
            channels: Arc::new(Mutex::new(HashMap::new())),
            tls,
        }
    }

    /// A gRPC client for `peer_id`, reusing the cached channel while the address is unchanged.
    /// Never performs I/O. Must be called inside a tokio runtime.
    pub fn client(
        &self,
        peer_id: PeerId,
        node: &PeerNode,
    ) -> Result<RaftServiceClient<Channel>, ChannelError> {
        let channel = self.channel(peer_id, node)?;
        Ok(RaftServiceClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES))
    }

    fn channel(&self, peer_id: PeerId, node: &PeerNode) -> Result<Channel, ChannelError> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = channels.get(&peer_id) {
            if cached.grpc_addr == node.grpc_addr {
                return Ok(cached.channel.clone());
            }
        }
        let channel = self
            .endpoint(&node.grpc_addr)
            .map_err(|source| ChannelError {
                peer_id,
                grpc_addr: node.grpc_addr.clone(),
                source,
            })?
            .connect_lazy();
        channels.insert(
            peer_id,
            CachedChannel {
                grpc_addr: node.grpc_addr.clone(),
                channel: channel.clone(),
            },
        );
        Ok(channel)
    }

    fn endpoint(&self, grpc_addr: &str) -> Result<Endpoint, tonic::transport::Error> {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        // No `Endpoint::timeout`: it would cap the whole streamed snapshot upload. Every call
        // carries its own deadline instead.
        let endpoint = Endpoint::from_shared(format!("{scheme}://{grpc_addr}"))?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(KEEP_ALIVE_INTERVAL)
            .keep_alive_while_idle(true);
        match &self.tls {
            Some(tls) => endpoint.tls_config(tls.clone()),
            None => Ok(endpoint),
        }
    }
}
