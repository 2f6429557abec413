//! One measured scenario: start a fresh cluster, warm up, then let `clients` tasks submit
//! commands back to back through the leader until `commands` are acknowledged.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use miroir_meta::{Command, CommandV1, TaskCommand};
use miroir_raft_store::peer::{MetadataPeer, PeerConfig, PeerError};
use miroir_raft_store::types::{PeerId, PeerNode};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::stats::Report;

/// How long the harness waits for the new cluster to elect a leader.
const ELECTION_WAIT: Duration = Duration::from_secs(30);

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// Cluster size.
    pub peers: u64,
    /// Concurrent clients.
    pub clients: usize,
    /// Commands acknowledged in the measured phase.
    pub commands: usize,
}

/// Why a scenario could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Temporary directory or listener set-up failed.
    #[error("set-up failed: {0}")]
    Setup(#[from] std::io::Error),
    /// A peer failed or a command was not acknowledged.
    #[error(transparent)]
    Peer(#[from] PeerError),
    /// No leader was elected in time.
    #[error("no leader elected within {0:?}")]
    NoLeader(Duration),
    /// A client task panicked.
    #[error("client task failed: {0}")]
    Client(#[from] tokio::task::JoinError),
}

/// Runs `scenario` on a fresh cluster and reports what it measured.
pub async fn run_scenario(scenario: Scenario) -> Result<Report, ScenarioError> {
    let root = TempDir::new()?;
    let peers = start_cluster(&root, scenario.peers).await?;
    let leader = wait_for_leader(&peers).await?;

    let warm_up = (scenario.commands / 10).max(scenario.clients);
    drive(leader.clone(), scenario.clients, warm_up).await?;
    let started = Instant::now();
    let latencies = drive(leader, scenario.clients, scenario.commands).await?;
    let elapsed = started.elapsed();

    for peer in peers {
        if let Ok(peer) = Arc::try_unwrap(peer) {
            peer.shutdown().await?;
        }
    }
    Ok(Report::new(
        scenario.peers,
        scenario.clients,
        latencies,
        elapsed,
    ))
}

/// `clients` tasks submit commands back to back until `total` are acknowledged; returns the
/// latency of each.
async fn drive(
    leader: Arc<MetadataPeer>,
    clients: usize,
    total: usize,
) -> Result<Vec<Duration>, ScenarioError> {
    let issued = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..clients {
        let leader = leader.clone();
        let issued = issued.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            while issued.fetch_add(1, Ordering::Relaxed) < total {
                let sent = Instant::now();
                leader.apply(enqueue()).await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, PeerError>(latencies)
        });
    }
    let mut all = Vec::with_capacity(total);
    while let Some(joined) = tasks.join_next().await {
        all.extend(joined??);
    }
    Ok(all)
}

fn enqueue() -> Command {
    Command::V1(CommandV1::Task(TaskCommand::Enqueue {
        index_uid: Some("bench".to_owned()),
        task_type: "documentAdditionOrUpdate".to_owned(),
        details_json: None,
        node_tasks: BTreeMap::new(),
    }))
}

async fn start_cluster(root: &TempDir, size: u64) -> Result<Vec<Arc<MetadataPeer>>, ScenarioError> {
    let mut listeners = BTreeMap::new();
    for id in 1..=size {
        listeners.insert(id, TcpListener::bind("127.0.0.1:0").await?);
    }
    let mut initial_peers: BTreeMap<PeerId, PeerNode> = BTreeMap::new();
    for (id, listener) in &listeners {
        initial_peers.insert(
            *id,
            PeerNode {
                name: format!("bench-{id}"),
                grpc_addr: listener.local_addr()?.to_string(),
                http_addr: "127.0.0.1:0".to_owned(),
            },
        );
    }
    let mut peers = Vec::new();
    for (id, listener) in listeners {
        let node = &initial_peers[&id];
        let mut config = PeerConfig::new(
            id,
            node.name.clone(),
            node.grpc_addr.clone(),
            node.http_addr.clone(),
            root.path().join(format!("peer-{id}")),
        );
        config.initial_peers = initial_peers.clone();
        peers.push(Arc::new(
            MetadataPeer::start_with_listener(config, listener).await?,
        ));
    }
    Ok(peers)
}

async fn wait_for_leader(peers: &[Arc<MetadataPeer>]) -> Result<Arc<MetadataPeer>, ScenarioError> {
    let deadline = Instant::now() + ELECTION_WAIT;
    while Instant::now() < deadline {
        if let Some(leader) = peers.iter().find(|peer| peer.is_leader()) {
            return Ok(leader.clone());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(ScenarioError::NoLeader(ELECTION_WAIT))
}
