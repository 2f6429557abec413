//! The admin gRPC listener of a peer (`server.admin_grpc_port`, TLS from `server.admin_tls`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use miroir_core::config::{AdminTlsConfig, Config};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};

use super::{grpc, Admin};
use crate::startup::StartError;

/// How long a stopping listener waits for in-flight calls (watches included).
const GRACEFUL_STOP: Duration = Duration::from_secs(2);

/// A serving admin gRPC listener.
pub struct AdminListener {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl AdminListener {
    /// Binds `server.bind_address:server.admin_grpc_port` and serves `admin` there, requiring
    /// the admin key (or the master key when no admin key is set).
    pub async fn start(config: &Config, admin: Admin) -> Result<Self, StartError> {
        let addr = format!(
            "{}:{}",
            config.server.bind_address, config.server.admin_grpc_port
        );
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| StartError::AdminBind {
                addr: addr.clone(),
                source,
            })?;
        let bound = listener
            .local_addr()
            .map_err(|source| StartError::AdminBind { addr, source })?;
        let mut builder = Server::builder();
        if let Some(tls) = &config.server.admin_tls {
            builder = builder
                .tls_config(server_tls(tls)?)
                .map_err(StartError::AdminServe)?;
        }
        let key = config
            .admin_api_key
            .as_ref()
            .or(config.master_key.as_ref())
            .map(|key| key.expose().to_owned());
        let router = builder.add_service(grpc::service(admin, key));
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
            // A dropped sender also stops the server.
            let _ = stopped.await;
        }));
        Ok(Self {
            addr: bound,
            stop,
            task,
        })
    }

    /// The address the listener is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting calls and waits (bounded) for the ones in flight.
    pub async fn stop(self) -> Result<(), StartError> {
        let Self { stop, mut task, .. } = self;
        // The receiver is gone only if the server already ended; its result is reported below.
        let _ = stop.send(());
        match tokio::time::timeout(GRACEFUL_STOP, &mut task).await {
            Ok(Ok(served)) => served.map_err(StartError::AdminServe),
            Ok(Err(join_error)) => {
                tracing::warn!(%join_error, "admin gRPC server task failed");
                Ok(())
            }
            Err(_elapsed) => {
                tracing::warn!("admin gRPC calls still running; aborting them");
                task.abort();
                Ok(())
            }
        }
    }
}

fn server_tls(tls: &AdminTlsConfig) -> Result<ServerTlsConfig, StartError> {
    let read = |field: &'static str, path: &str| {
        std::fs::read(path).map_err(|source| StartError::TlsFile {
            field,
            path: PathBuf::from(path),
            source,
        })
    };
    let cert = read("server.admin_tls.cert_file", &tls.cert_file)?;
    let key = read("server.admin_tls.key_file", &tls.key_file)?;
    Ok(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))
}
