//! A Miroir cluster for end-to-end tests: in-process test nodes, three `miroir` peer
//! processes in front of them (any replica layout), and client helpers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use meili_test_node::{spawn, FaultController, NodeOptions, RunningNode};
use serde_json::Value;
use tempfile::TempDir;

use crate::process::{
    eventually, initial_peers_yaml, ready_leader, released_port, request, write_config, Answer,
    Peer,
};

/// The key clients present to Miroir.
pub const CLIENT_KEY: &str = "client-key-0123456789abcdef";
/// The key Miroir and the tests present to the nodes.
pub const NODE_KEY: &str = "node-key-0123456789abcdef";
/// The key operators present to `/_miroir/*` and the admin gRPC API.
pub const ADMIN_KEY: &str = "admin-key-0123456789abcdef";

/// Test nodes served by a runtime that lives as long as the test.
pub struct Nodes {
    runtime: tokio::runtime::Runtime,
    nodes: Vec<RunningNode>,
}

impl Nodes {
    /// Starts `count` nodes with [`NODE_KEY`].
    pub fn start(count: usize) -> Nodes {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let nodes = (0..count)
            .map(|_| {
                runtime
                    .block_on(spawn(NodeOptions {
                        master_key: Some(NODE_KEY.to_owned()),
                        ..NodeOptions::default()
                    }))
                    .unwrap()
            })
            .collect();
        Nodes { runtime, nodes }
    }

    /// Their addresses, in start order.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.nodes.iter().map(RunningNode::address).collect()
    }

    /// Fault injection of node `index`.
    pub fn faults(&self, index: usize) -> Arc<FaultController> {
        self.nodes[index].faults()
    }

    /// Takes node `index` down (connections refused) or brings it back.
    pub fn set_down(&self, index: usize, down: bool) {
        self.nodes[index].faults().set_down(down);
    }

    /// Stalls task processing on every node (tasks stay enqueued) or resumes it.
    pub fn set_tasks_stalled(&self, stalled: bool) {
        for node in &self.nodes {
            node.faults().set_tasks_stalled(stalled);
        }
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for node in self.nodes.drain(..) {
            self.runtime.block_on(node.shutdown());
        }
    }
}

/// How the nodes are arranged: the replication factor and each node's replica group.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Copies of each shard inside a group.
    pub replication_factor: u32,
    /// Replica group of each node, in node order.
    pub groups: Vec<u32>,
}

impl Layout {
    /// One group, RF = 1, over `nodes` nodes.
    pub fn single_group(nodes: usize) -> Layout {
        Layout {
            replication_factor: 1,
            groups: vec![0; nodes],
        }
    }
}

/// Configs of a 3-peer cluster in front of `nodes` arranged as `layout`.
pub fn cluster_configs(
    dir: &TempDir,
    nodes: &[SocketAddr],
    layout: &Layout,
) -> BTreeMap<u64, PathBuf> {
    cluster_configs_with(dir, nodes, layout, "")
}

/// [`cluster_configs`] with `extra_yaml` (top-level configuration blocks, one per line)
/// appended to every peer's configuration.
pub fn cluster_configs_with(
    dir: &TempDir,
    nodes: &[SocketAddr],
    layout: &Layout,
    extra_yaml: &str,
) -> BTreeMap<u64, PathBuf> {
    let grpc_ports: BTreeMap<u64, u16> = (1..=3).map(|id| (id, released_port())).collect();
    let initial_peers = initial_peers_yaml(&grpc_ports);
    grpc_ports
        .iter()
        .map(|(id, port)| {
            let peer_block = format!(
                "peer:\n  id: {id}\n  grpc_bind: \"127.0.0.1:{port}\"\n  data_dir: \"{}\"\n  initial_peers:\n{initial_peers}",
                dir.path().join(format!("data-{id}")).display()
            );
            let yaml = fleet_yaml(nodes, layout, extra_yaml) + &peer_block;
            (*id, write_config(dir.path(), &format!("peer-{id}"), &yaml))
        })
        .collect()
}

/// The configuration every peer of a test cluster shares: the fleet, keys, listeners on
/// ephemeral ports, then `extra_yaml`.
fn fleet_yaml(nodes: &[SocketAddr], layout: &Layout, extra_yaml: &str) -> String {
    let node_list: String = nodes
        .iter()
        .zip(&layout.groups)
        .enumerate()
        .map(|(n, (addr, group))| {
            format!("  - {{id: meili-{n}, address: \"http://{addr}\", replica_group: {group}}}\n")
        })
        .collect();
    let group_count = layout.groups.iter().max().map_or(1, |max| max + 1);
    format!(
        "shards: 64\nreplication_factor: {}\nreplica_groups: {group_count}\nnodes:\n{node_list}\
         master_key: {CLIENT_KEY}\nnode_master_key: {NODE_KEY}\nadmin_api_key: {ADMIN_KEY}\n\
         server: {{bind_address: 127.0.0.1, port: 0, admin_grpc_port: 0, metrics_port: 0}}\n\
         scatter: {{timeout_ms: 2000}}\n{extra_yaml}",
        layout.replication_factor,
    )
}

/// Starts peer `id` for the cluster in front of `nodes`: a fresh store, `bootstrap: manual`
/// and no initial peers, so it waits until an operator adds it to the membership.
pub fn start_joining_peer(dir: &TempDir, nodes: &[SocketAddr], layout: &Layout, id: u64) -> Peer {
    let peer_block = format!(
        "peer:\n  id: {id}\n  grpc_bind: \"127.0.0.1:0\"\n  bootstrap: manual\n  data_dir: \"{}\"\n",
        dir.path().join(format!("data-{id}")).display()
    );
    let yaml = fleet_yaml(nodes, layout, "") + &peer_block;
    let peer = Peer::start(&write_config(dir.path(), &format!("peer-{id}"), &yaml));
    assert_eq!(peer.serving.bootstrap, "AwaitingLeader");
    peer
}

/// Starts 3 peers in front of `nodes` arranged as `layout`; returns them once all are ready.
pub fn start_cluster(dir: &TempDir, nodes: &[SocketAddr], layout: &Layout) -> Vec<Peer> {
    start_cluster_with(dir, nodes, layout, "")
}

/// [`start_cluster`] with `extra_yaml` appended to every peer's configuration.
pub fn start_cluster_with(
    dir: &TempDir,
    nodes: &[SocketAddr],
    layout: &Layout,
    extra_yaml: &str,
) -> Vec<Peer> {
    let peers: Vec<Peer> = cluster_configs_with(dir, nodes, layout, extra_yaml)
        .values()
        .map(|config| Peer::start(config))
        .collect();
    for peer in &peers {
        ready_leader(peer.serving.http);
    }
    peers
}

/// A client request with [`CLIENT_KEY`] and an optional JSON body.
pub fn call(peer: &Peer, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let bytes = body.map(|body| body.to_string().into_bytes());
    request(
        peer.serving.http,
        method,
        path,
        Some(CLIENT_KEY),
        bytes.as_deref().map(|bytes| ("application/json", bytes)),
    )
}

/// Waits through `peer` until task `uid` finished; returns the task.
pub fn finished_task(peer: &Peer, uid: u64) -> Value {
    eventually(&format!("task {uid} to finish"), || {
        let task = call(peer, "GET", &format!("/tasks/{uid}"), None);
        assert_eq!(task.status, 200, "{}", task.body);
        let task = task.json();
        matches!(
            task["status"].as_str(),
            Some("succeeded" | "failed" | "canceled")
        )
        .then_some(task)
    })
}

/// Sends `body` through `peer` and waits (through `reader`) for its task to succeed.
pub fn succeed(
    peer: &Peer,
    reader: &Peer,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Value {
    let answer = call(peer, method, path, body);
    assert_eq!(answer.status, 202, "{method} {path}: {}", answer.body);
    let task = finished_task(reader, answer.json()["taskUid"].as_u64().unwrap());
    assert_eq!(task["status"], "succeeded", "{method} {path}: {task}");
    task
}

/// The `id` of every hit of a search answer.
pub fn hit_ids(answer: &Answer) -> Vec<u64> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_u64().unwrap())
        .collect()
}
