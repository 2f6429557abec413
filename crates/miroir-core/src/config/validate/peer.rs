//! Rules on the `peer` block: identity, addresses other peers can dial, the initial voters
//! and Raft timing.

use std::collections::BTreeMap;

use super::address::is_wildcard_host;
use super::Checker;
use crate::config::peer::{PeerConfig, RaftConfig};
use crate::config::Config;

pub(super) fn check(config: &Config, checker: &mut Checker) {
    let peer = &config.peer;
    checker.positive("peer.id", peer.id);
    if let Some(name) = &peer.name {
        checker.non_blank("peer.name", name);
    }
    checker.host_port("peer.grpc_bind", &peer.grpc_bind);
    if let Some(advertise) = &peer.grpc_advertise {
        checker.host_port("peer.grpc_advertise", advertise);
    }
    if let Some(advertise) = &peer.http_advertise {
        checker.host_port("peer.http_advertise", advertise);
    }
    checker.non_blank("peer.data_dir", &peer.data_dir);
    checker.non_blank("peer.cluster_name", &peer.cluster_name);
    if let Some(tls) = &peer.tls {
        checker.non_blank("peer.tls.ca_file", &tls.ca_file);
        checker.non_blank("peer.tls.cert_file", &tls.cert_file);
        checker.non_blank("peer.tls.key_file", &tls.key_file);
    }
    check_initial_peers(peer, checker);
    check_raft(&peer.raft, checker);
}

fn check_initial_peers(peer: &PeerConfig, checker: &mut Checker) {
    let mut first_index: BTreeMap<u64, usize> = BTreeMap::new();
    for (index, entry) in peer.initial_peers.iter().enumerate() {
        let field = format!("peer.initial_peers[{index}]");
        checker.positive(&format!("{field}.id"), entry.id);
        if let Some(first) = first_index.insert(entry.id, index) {
            checker.fail(
                format!("{field}.id"),
                format!(
                    "duplicate id {} (also peer.initial_peers[{first}].id)",
                    entry.id
                ),
            );
        }
        checker.host_port(&format!("{field}.grpc_address"), &entry.grpc_address);
        checker.host_port(&format!("{field}.http_address"), &entry.http_address);
        if is_wildcard_host(&entry.grpc_address) {
            checker.fail(
                format!("{field}.grpc_address"),
                format!(
                    "must be an address other peers can dial, not the wildcard `{}`",
                    entry.grpc_address
                ),
            );
        }
    }
    let names: Vec<String> = peer
        .initial_peers
        .iter()
        .map(|entry| entry.effective_name())
        .collect();
    checker.unique_names("peer.initial_peers", names.iter().map(String::as_str));

    if let Some(own) = peer.own_initial_entry() {
        if own.effective_name() != peer.effective_name() {
            checker.fail(
                "peer.name",
                format!(
                    "must match this peer's entry in peer.initial_peers (`{}`), got `{}`",
                    own.effective_name(),
                    peer.effective_name()
                ),
            );
        }
        if let Some(advertise) = &peer.grpc_advertise {
            if *advertise != own.grpc_address {
                checker.fail(
                    "peer.grpc_advertise",
                    format!(
                        "must match this peer's entry in peer.initial_peers (`{}`), got `{advertise}`",
                        own.grpc_address
                    ),
                );
            }
        }
    }
    let has_other_peers = peer.initial_peers.iter().any(|entry| entry.id != peer.id);
    if has_other_peers && is_wildcard_host(peer.effective_grpc_advertise()) {
        checker.fail(
            "peer.grpc_advertise",
            format!(
                "other peers cannot dial the wildcard address `{}`; set peer.grpc_advertise",
                peer.effective_grpc_advertise()
            ),
        );
    }
}

fn check_raft(raft: &RaftConfig, checker: &mut Checker) {
    checker.positive("peer.raft.heartbeat_ms", raft.heartbeat_ms);
    if raft.election_timeout_min_ms < raft.heartbeat_ms.saturating_mul(3) {
        checker.fail(
            "peer.raft.election_timeout_min_ms",
            format!(
                "must be at least 3 x peer.raft.heartbeat_ms ({}), got {}",
                raft.heartbeat_ms.saturating_mul(3),
                raft.election_timeout_min_ms
            ),
        );
    }
    if raft.election_timeout_max_ms <= raft.election_timeout_min_ms {
        checker.fail(
            "peer.raft.election_timeout_max_ms",
            format!(
                "must exceed peer.raft.election_timeout_min_ms ({}), got {}",
                raft.election_timeout_min_ms, raft.election_timeout_max_ms
            ),
        );
    }
    checker.positive(
        "peer.raft.install_snapshot_timeout_ms",
        raft.install_snapshot_timeout_ms,
    );
    checker.positive(
        "peer.raft.max_entries_per_append",
        raft.max_entries_per_append,
    );
    checker.positive("peer.raft.snapshot_every_logs", raft.snapshot_every_logs);
    checker.positive("peer.raft.client_timeout_ms", raft.client_timeout_ms);
}
