//! Translates the `peer` block of the configuration into the metadata peer's configuration,
//! reading the TLS files it names.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use miroir_core::config::{BootstrapMode, Config, PeerTlsConfig, RaftConfig};
use miroir_raft_store::network::TlsConfig;
use miroir_raft_store::peer::{PeerConfig, RaftTuning};
use miroir_raft_store::types::PeerNode;

use crate::startup::StartError;

/// What [`metadata_peer_config`] is for: a running peer, or the one-time `miroir init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `miroir run`: initial peers are handed over only in `bootstrap: auto`.
    Run,
    /// `miroir init`: the initial peers are always the membership to write.
    Init,
}

/// The metadata peer configuration `config` describes. With no `initial_peers`, this peer
/// alone is the initial membership (the single-peer development cluster).
pub fn metadata_peer_config(config: &Config, purpose: Purpose) -> Result<PeerConfig, StartError> {
    let peer = &config.peer;
    let http_addr = peer
        .http_advertise
        .clone()
        .unwrap_or_else(|| format!("{}:{}", config.server.bind_address, config.server.port));
    let mut metadata = PeerConfig::new(
        peer.id,
        peer.effective_name(),
        peer.grpc_bind.clone(),
        http_addr.clone(),
        PathBuf::from(&peer.data_dir),
    );
    metadata.cluster_name = peer.cluster_name.clone();
    metadata.raft = tuning(&peer.raft);
    metadata.tls = peer.tls.as_ref().map(load_tls).transpose()?;
    let own_node = PeerNode {
        name: peer.effective_name(),
        grpc_addr: peer.effective_grpc_advertise().to_owned(),
        http_addr,
    };
    let initial_peers: BTreeMap<_, _> = if peer.initial_peers.is_empty() {
        BTreeMap::from([(peer.id, own_node)])
    } else {
        peer.initial_peers
            .iter()
            .map(|entry| {
                let node = PeerNode {
                    name: entry.effective_name(),
                    grpc_addr: entry.grpc_address.clone(),
                    http_addr: entry.http_address.clone(),
                };
                (entry.id, node)
            })
            .collect()
    };
    if purpose == Purpose::Init || peer.bootstrap == BootstrapMode::Auto {
        metadata.initial_peers = initial_peers;
    }
    Ok(metadata)
}

fn tuning(raft: &RaftConfig) -> RaftTuning {
    RaftTuning {
        heartbeat_interval: Duration::from_millis(raft.heartbeat_ms),
        election_timeout_min: Duration::from_millis(raft.election_timeout_min_ms),
        election_timeout_max: Duration::from_millis(raft.election_timeout_max_ms),
        install_snapshot_timeout: Duration::from_millis(raft.install_snapshot_timeout_ms),
        max_entries_per_append: raft.max_entries_per_append,
        snapshot_every_logs: raft.snapshot_every_logs,
        logs_kept_after_snapshot: raft.logs_kept_after_snapshot,
        client_timeout: Duration::from_millis(raft.client_timeout_ms),
    }
}

fn load_tls(tls: &PeerTlsConfig) -> Result<TlsConfig, StartError> {
    let read = |field: &'static str, path: &str| {
        std::fs::read(path).map_err(|source| StartError::TlsFile {
            field,
            path: PathBuf::from(path),
            source,
        })
    };
    Ok(TlsConfig {
        ca_pem: read("peer.tls.ca_file", &tls.ca_file)?,
        cert_pem: read("peer.tls.cert_file", &tls.cert_file)?,
        key_pem: read("peer.tls.key_file", &tls.key_file)?,
        mutual: tls.mutual,
        server_name: tls.server_name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> Config {
        let config = Config::from_yaml(yaml.as_bytes()).unwrap();
        config.validate().unwrap();
        config
    }

    const NODES: &str = "nodes:\n  - {id: m0, address: \"http://m0:7700\", replica_group: 0}\n";

    #[test]
    fn a_lone_peer_is_its_own_initial_membership() {
        let config = config(&format!(
            "{NODES}server: {{bind_address: 127.0.0.1, port: 7711}}\npeer: {{id: 4, grpc_bind: \"127.0.0.1:7811\"}}\n"
        ));
        let metadata = metadata_peer_config(&config, Purpose::Run).unwrap();
        assert_eq!(metadata.id, 4);
        assert_eq!(metadata.name, "miroir-4");
        assert_eq!(metadata.http_addr, "127.0.0.1:7711");
        let own = &metadata.initial_peers[&4];
        assert_eq!(own.grpc_addr, "127.0.0.1:7811");
        assert_eq!(metadata.initial_peers.len(), 1);
    }

    #[test]
    fn manual_bootstrap_hands_initial_peers_to_init_only() {
        let config = config(&format!(
            "{NODES}peer:\n  id: 2\n  bootstrap: manual\n  raft: {{heartbeat_ms: 100}}\n  initial_peers:\n    - {{id: 1, grpc_address: \"a:7800\", http_address: \"a:7700\"}}\n    - {{id: 2, grpc_address: \"b:7800\", http_address: \"b:7700\"}}\n"
        ));
        let run = metadata_peer_config(&config, Purpose::Run).unwrap();
        assert!(run.initial_peers.is_empty());
        assert_eq!(run.raft.heartbeat_interval, Duration::from_millis(100));
        let init = metadata_peer_config(&config, Purpose::Init).unwrap();
        assert_eq!(
            init.initial_peers.keys().copied().collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(init.initial_peers[&2].grpc_addr, "b:7800");
    }

    #[test]
    fn an_unreadable_tls_file_names_its_field() {
        let config = config(&format!(
            "{NODES}peer:\n  tls: {{ca_file: /nonexistent/ca.pem, cert_file: c, key_file: k}}\n"
        ));
        let error = metadata_peer_config(&config, Purpose::Run).unwrap_err();
        assert!(matches!(
            error,
            StartError::TlsFile {
                field: "peer.tls.ca_file",
                ..
            }
        ));
        assert_eq!(error.exit_code(), 2);
    }
}
