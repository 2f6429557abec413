//! Running a node: bind (port 0 works), serve the router with the fault-aware listener, run
//! the task worker, and shut both down on request. Several nodes can run side by side in one
//! process.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::faults::FaultController;
use crate::listener::FaultAwareListener;
use crate::routes::router;
use crate::state::NodeState;
use crate::tasks::worker::run_worker;

/// How to start a node.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// Address to bind (`127.0.0.1:0` picks a free port).
    pub http_addr: SocketAddr,
    /// Master key; `None` disables authentication.
    pub master_key: Option<String>,
}

impl Default for NodeOptions {
    fn default() -> Self {
        Self {
            http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            master_key: None,
        }
    }
}

/// Errors starting a node.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The address could not be bound.
    #[error("cannot bind {address}: {source}")]
    Bind {
        /// The requested address.
        address: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A running node: its address, its fault controller, and a handle to stop it.
#[derive(Debug)]
pub struct RunningNode {
    address: SocketAddr,
    state: Arc<NodeState>,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    worker: JoinHandle<()>,
}

impl RunningNode {
    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://{address}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The master key the node was started with.
    pub fn master_key(&self) -> Option<&str> {
        self.state.master_key.as_deref()
    }

    /// In-process fault injection (the same state `/_testnode/faults` controls).
    pub fn faults(&self) -> Arc<FaultController> {
        self.state.faults.clone()
    }

    /// Stops serving and processing, and waits for both to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        let _ = self.worker.await;
    }
}

/// Starts a node on `options.http_addr` and returns once it accepts connections.
pub async fn spawn(options: NodeOptions) -> Result<RunningNode, SpawnError> {
    let bind_error = |source| SpawnError::Bind {
        address: options.http_addr,
        source,
    };
    let tcp = TcpListener::bind(options.http_addr)
        .await
        .map_err(bind_error)?;
    let address = tcp.local_addr().map_err(bind_error)?;
    let state = Arc::new(NodeState::new(options.master_key));
    let (shutdown, shutdown_signal) = watch::channel(false);
    let worker = tokio::spawn(run_worker(state.clone(), shutdown_signal.clone()));
    let listener = FaultAwareListener::new(tcp, state.faults.clone());
    let app = router(state.clone());
    let mut server_signal = shutdown_signal;
    let server = tokio::spawn(async move {
        let stopped = async move {
            while !*server_signal.borrow() {
                if server_signal.changed().await.is_err() {
                    return;
                }
            }
        };
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await;
    });
    Ok(RunningNode {
        address,
        state,
        shutdown,
        server,
        worker,
    })
}
