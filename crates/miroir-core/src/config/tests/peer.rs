//! The `peer` block: development defaults, derived names and addresses, and its rules.

use super::{assert_problem, problems_of, Config, MINIMAL_YAML};
use crate::config::BootstrapMode;

const THREE_PEERS: &str = "\
peer:
  id: 2
  grpc_bind: 0.0.0.0:7800
  initial_peers:
    - {id: 1, grpc_address: \"miroir-1:7800\", http_address: \"miroir-1:7700\"}
    - {id: 2, grpc_address: \"miroir-2:7800\", http_address: \"miroir-2:7700\"}
    - {id: 3, grpc_address: \"miroir-3:7800\", http_address: \"miroir-3:7700\"}
";

#[test]
fn default_peer_is_a_lone_self_initialising_development_peer() {
    let config = Config::from_yaml(MINIMAL_YAML.as_bytes()).unwrap();
    assert_eq!(config.peer.id, 1);
    assert_eq!(config.peer.effective_name(), "miroir-1");
    assert_eq!(config.peer.data_dir, "miroir-data");
    assert_eq!(config.peer.bootstrap, BootstrapMode::Auto);
    assert!(config.peer.initial_peers.is_empty());
    assert_eq!(config.peer.effective_grpc_advertise(), "0.0.0.0:7800");
    assert!(config.validate().is_ok());
}

#[test]
fn advertised_grpc_address_defaults_to_own_initial_entry() {
    let config = Config::from_yaml(format!("{MINIMAL_YAML}{THREE_PEERS}").as_bytes()).unwrap();
    assert_eq!(config.peer.effective_grpc_advertise(), "miroir-2:7800");
    assert_eq!(config.peer.effective_name(), "miroir-2");
    assert!(config.validate().is_ok(), "{:?}", config.validate());
}

#[test]
fn wildcard_advertise_with_other_peers_is_refused() {
    let yaml = format!(
        "{MINIMAL_YAML}peer:\n  id: 9\n  initial_peers:\n    - {{id: 1, grpc_address: \"miroir-1:7800\", http_address: \"miroir-1:7700\"}}\n"
    );
    assert_problem(
        &problems_of(&yaml),
        "peer.grpc_advertise",
        "cannot dial the wildcard address `0.0.0.0:7800`",
    );
}

#[test]
fn initial_peers_need_unique_ids_and_dialable_addresses() {
    let yaml = format!(
        "{MINIMAL_YAML}peer:\n  initial_peers:\n    - {{id: 1, grpc_address: \"a:7800\", http_address: \"a:7700\"}}\n    - {{id: 1, name: other, grpc_address: \"0.0.0.0:7800\", http_address: \"b\"}}\n    - {{id: 0, name: zero, grpc_address: \"c:x\", http_address: \"c:7700\"}}\n"
    );
    let problems = problems_of(&yaml);
    assert_problem(&problems, "peer.initial_peers[1].id", "duplicate id 1");
    assert_problem(&problems, "peer.initial_peers[1].grpc_address", "wildcard");
    assert_problem(
        &problems,
        "peer.initial_peers[1].http_address",
        "must name a port",
    );
    assert_problem(&problems, "peer.initial_peers[2].id", "at least 1");
    assert_problem(
        &problems,
        "peer.initial_peers[2].grpc_address",
        "invalid port `x`",
    );
}

#[test]
fn own_entry_must_agree_with_own_identity() {
    let yaml = format!(
        "{MINIMAL_YAML}{THREE_PEERS}  name: someone-else\n  grpc_advertise: \"elsewhere:7800\"\n"
    );
    let problems = problems_of(&yaml);
    assert_problem(&problems, "peer.name", "`miroir-2`");
    assert_problem(&problems, "peer.grpc_advertise", "`miroir-2:7800`");
}

#[test]
fn raft_timing_rules_name_their_fields() {
    let yaml = format!(
        "{MINIMAL_YAML}peer:\n  raft:\n    heartbeat_ms: 300\n    election_timeout_min_ms: 600\n    election_timeout_max_ms: 600\n    snapshot_every_logs: 0\n"
    );
    let problems = problems_of(&yaml);
    assert_problem(
        &problems,
        "peer.raft.election_timeout_min_ms",
        "at least 3 x peer.raft.heartbeat_ms (900)",
    );
    assert_problem(
        &problems,
        "peer.raft.election_timeout_max_ms",
        "must exceed peer.raft.election_timeout_min_ms (600)",
    );
    assert_problem(&problems, "peer.raft.snapshot_every_logs", "at least 1");
}

#[test]
fn bootstrap_mode_is_auto_or_manual() {
    let config =
        Config::from_yaml(format!("{MINIMAL_YAML}peer:\n  bootstrap: manual\n").as_bytes())
            .unwrap();
    assert_eq!(config.peer.bootstrap, BootstrapMode::Manual);
    let error = Config::from_yaml(format!("{MINIMAL_YAML}peer:\n  bootstrap: lazy\n").as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown variant `lazy`"), "{error}");
}
