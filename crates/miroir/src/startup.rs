//! Everything that can stop the peer from starting or running, with the exit code it maps to.

use std::path::PathBuf;

use miroir_raft_store::peer::PeerError;

use crate::load::LoadError;

/// Why a command of the peer failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No `--config` was given.
    #[error("no configuration given: pass --config FILE")]
    MissingConfig,
    /// The configuration could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The configuration describes no usable placement.
    #[error("invalid topology: {0}")]
    Topology(#[from] miroir_core::topology::TopologyError),
    /// A TLS file named by `peer.tls` could not be read.
    #[error("cannot read {field} file {path}: {source}")]
    TlsFile {
        /// The config field naming the file.
        field: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// The HTTP listener could not be bound.
    #[error("cannot listen for HTTP on {addr}: {source}")]
    HttpBind {
        /// The address asked for.
        addr: String,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// The admin gRPC listener could not be bound.
    #[error("cannot listen for admin gRPC on {addr}: {source}")]
    AdminBind {
        /// The address asked for.
        addr: String,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// The admin gRPC server could not be configured (TLS) or failed while serving.
    #[error("admin gRPC server: {0}")]
    AdminServe(tonic::transport::Error),
    /// The HTTP server failed while serving.
    #[error("http server failed: {0}")]
    HttpServe(std::io::Error),
    /// The async runtime could not be built.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The proxy could not be built from the configuration.
    #[error("proxy: {0}")]
    Proxy(#[from] crate::proxy::ProxyStartError),
    /// `miroir probe` got no 200.
    #[error("probe failed: {0}")]
    Probe(#[from] crate::probe::ProbeError),
    /// The metadata peer failed to start, run or stop.
    #[error("metadata peer: {0}")]
    Peer(#[from] PeerError),
}

impl StartError {
    /// Exit code: 2 for a configuration the operator must fix, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::MissingConfig | Self::Load(_) | Self::Topology(_) | Self::TlsFile { .. } => 2,
            Self::Peer(PeerError::InvalidConfig(_)) => 2,
            Self::Probe(crate::probe::ProbeError::InvalidUrl { .. }) => 2,
            _ => 1,
        }
    }
}
