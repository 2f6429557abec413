//! The peer's gRPC server task: serves [`RaftGrpcService`] on an already bound listener until
//! told to stop.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;

use super::error::PeerError;
use crate::network::pb::raft_service_server::RaftServiceServer;
use crate::network::{RaftGrpcService, TlsConfig, MAX_MESSAGE_BYTES};

/// How long a stopping server waits for in-flight RPCs before it is aborted.
const GRACEFUL_STOP: Duration = Duration::from_secs(2);

/// A running gRPC server.
pub(crate) struct ServerHandle {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl ServerHandle {
    /// Starts serving `service` on `listener` (TLS when `tls` is set).
    pub(crate) fn spawn(
        listener: TcpListener,
        service: RaftGrpcService,
        tls: Option<&TlsConfig>,
    ) -> Result<Self, PeerError> {
        let addr = listener.local_addr().map_err(|source| PeerError::Bind {
            addr: "bound listener".into(),
            source,
        })?;
        let mut builder = Server::builder();
        if let Some(tls) = tls {
            builder = builder
                .tls_config(tls.server_config())
                .map_err(PeerError::Tls)?;
        }
        let router = builder.add_service(
            RaftServiceServer::new(service)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        );
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
            // A dropped sender also stops the server.
            let _ = stopped.await;
        }));
        Ok(Self { addr, stop, task })
    }

    /// The address the server listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight RPCs finish (bounded), and reports how the server ended.
    pub(crate) async fn stop(self) -> Result<(), PeerError> {
        let Self {
            addr,
            stop,
            mut task,
        } = self;
        // The receiver is gone only if the server already ended; its result is reported below.
        let _ = stop.send(());
        match tokio::time::timeout(GRACEFUL_STOP, &mut task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(source))) => Err(PeerError::Server { addr, source }),
            Ok(Err(join_error)) => Err(PeerError::Fatal(format!(
                "grpc server task on {addr} failed: {join_error}"
            ))),
            Err(_elapsed) => {
                tracing::warn!(%addr, "grpc server did not stop in time; aborting it");
                task.abort();
                Ok(())
            }
        }
    }
}
