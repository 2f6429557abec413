//! Optional TLS for the peer-to-peer gRPC transport (rustls with the `ring` provider, via tonic).
//!
//! Model: every peer holds one certificate/key pair, signed by one cluster CA.
//! - Server side: the peer presents its certificate; with [`TlsConfig::mutual`] it also demands
//!   a client certificate signed by the cluster CA (mutual TLS).
//! - Client side: the peer verifies the server's certificate against the cluster CA (for the name
//!   [`TlsConfig::server_name`], or the host of the peer's `grpc_addr`); under mutual TLS it presents
//!   its own certificate.
//!
//! Crypto provider: tonic builds the client configuration with the process-default rustls
//! provider, or ring when none is installed; the server configuration uses the process default,
//! which rustls installs by itself when ring is the only provider compiled in. This library never
//! installs a provider. A binary that links a second provider (aws-lc) must call
//! `rustls::crypto::ring::default_provider().install_default()` first in `main`.

use std::fmt;

use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

/// TLS material for one peer (PEM bytes; loading files is the caller's business).
#[derive(Clone)]
pub struct TlsConfig {
    /// PEM of the cluster CA: server certificates (and client certificates under mutual TLS) of
    /// every peer must chain to it.
    pub ca_pem: Vec<u8>,
    /// PEM certificate chain this peer presents, as server and (under mutual TLS) as client.
    pub cert_pem: Vec<u8>,
    /// PEM private key of `cert_pem`.
    pub key_pem: Vec<u8>,
    /// Require and present client certificates (mutual TLS).
    pub mutual: bool,
    /// Name to verify in the peers' server certificates. `None`: the host part of each peer's
    /// `grpc_addr` (an IP address then needs an IP subject-alternative name in the certificate).
    pub server_name: Option<String>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("TlsConfig")
            .field("mutual", &self.mutual)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// The server half: identity, plus the client CA under mutual TLS.
    pub fn server_config(&self) -> ServerTlsConfig {
        let config = ServerTlsConfig::new().identity(self.identity());
        if self.mutual {
            config.client_ca_root(Certificate::from_pem(&self.ca_pem))
        } else {
            config
        }
    }

    /// The client half: trust the cluster CA; present the identity under mutual TLS.
    pub fn client_config(&self) -> ClientTlsConfig {
        let mut config = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&self.ca_pem));
        if let Some(name) = &self.server_name {
            config = config.domain_name(name.clone());
        }
        if self.mutual {
            config = config.identity(self.identity());
        }
        config
    }

    fn identity(&self) -> Identity {
        Identity::from_pem(&self.cert_pem, &self.key_pem)
    }
}
