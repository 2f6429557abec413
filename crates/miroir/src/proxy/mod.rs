//! The service layer behind the Meilisearch API: what one client request does across the
//! metadata (Raft) and the Meilisearch nodes. The HTTP edge (`crate::http`) only parses the
//! request and renders the [`Reply`] or the error.
//!
//! ```text
//!   client ─► http edge ─► Proxy::{indexes, documents, search, tasks}
//!                              ├─ MetadataPeer  index registry, task uids + records (Raft)
//!                              └─ NodeClient    one request per node, in parallel
//! ```

mod broadcast;
mod deletions;
mod documents;
mod error;
mod facet_search;
mod fleet;
mod health;
mod indexes;
mod keys;
mod listing;
mod multi_search;
mod nodes;
mod reply;
mod reserved_errors;
mod scatter;
mod search;
mod settings;
mod settings_marker;
mod settings_node_io;
mod settings_restore;
mod settings_rollout;
mod settings_runner;
mod stats;
mod swap;
mod task_actions;
mod tasks;

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use miroir_core::config::{Config, UnavailableShardPolicy};
use miroir_core::health::{HealthPolicy, HealthTable};
use miroir_core::router::PlacementTable;
use miroir_core::topology::{Topology, TopologyError};
use miroir_meta::{NodeSpec, TopologyCommand};
use miroir_raft_store::peer::MetadataPeer;

use crate::metrics::{Metrics, MetricsError, NodeMetrics};
use crate::nodes::{NodeClient, NodeError};

pub(crate) use documents::encode_query_value;
pub use documents::{DocumentWrite, WriteMode};
pub use error::ProxyError;
pub use fleet::Fleet;
pub use health::ProbeSchedule;
pub use reply::Reply;

/// Knobs of the request path, from the configuration.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    /// Shard count S of new indexes.
    pub shards: NonZeroU32,
    /// Deadline of one node request.
    pub node_timeout: Duration,
    /// What a search does about shards without a live replica.
    pub unavailable_shard_policy: UnavailableShardPolicy,
}

/// Everything a request needs: the metadata peer, the nodes and the placement.
pub struct Proxy {
    peer: Arc<MetadataPeer>,
    nodes: NodeClient,
    /// Per-node request metrics (shared with the node client; grows with the topology).
    node_metrics: NodeMetrics,
    /// The topology requests route with; replaced when the replicated one changes.
    fleet: RwLock<Arc<Fleet>>,
    /// The configured topology: what the cluster records when it first starts.
    initial_topology: InitialTopology,
    settings: ProxySettings,
    query_seq: AtomicU64,
    settings_rollouts: settings_marker::SettingsRollouts,
    /// Node health as this peer's prober sees it.
    health: RwLock<HealthTable>,
    /// Nodes back from a failure, not re-hydrated yet.
    recoveries: Mutex<health::Recoveries>,
    probe_schedule: ProbeSchedule,
    /// This process's metrics (scatter fan-out, node health).
    metrics: Metrics,
}

impl Proxy {
    /// The proxy of `config`'s fleet over the running metadata `peer`, with this process's
    /// metrics registry.
    pub fn new(config: &Config, peer: Arc<MetadataPeer>) -> Result<Self, ProxyStartError> {
        let metrics = Metrics::new()?;
        let topology = Topology::from_config(config)?;
        let node_key = config
            .node_master_key
            .as_ref()
            .or(config.master_key.as_ref())
            .map(|key| key.expose().to_owned());
        let pool = &config.connection_pool;
        let node_metrics = metrics.node_metrics(
            topology
                .nodes()
                .map(|node| (node.id.as_str(), node.address.as_str())),
        );
        let nodes = NodeClient::new(
            node_key.as_deref(),
            Duration::from_millis(pool.connect_timeout_ms),
            Duration::from_millis(pool.idle_timeout_ms),
            usize::try_from(pool.max_idle_per_node).unwrap_or(usize::MAX),
        )?
        .with_metrics(node_metrics.clone());
        Ok(Self {
            peer,
            nodes,
            node_metrics,
            metrics,
            settings: ProxySettings {
                shards: topology.shards(),
                node_timeout: Duration::from_millis(config.scatter.timeout_ms),
                unavailable_shard_policy: config.scatter.unavailable_shard_policy,
            },
            health: RwLock::new(HealthTable::new(
                HealthPolicy::from_config(&config.health),
                topology.nodes().map(|node| node.id.clone()),
            )),
            recoveries: Mutex::default(),
            probe_schedule: ProbeSchedule {
                interval: Duration::from_millis(config.health.interval_ms.max(1)),
                timeout: Duration::from_millis(config.health.timeout_ms.max(1)),
            },
            initial_topology: InitialTopology {
                replication_factor: topology.replication_factor(),
                nodes: topology
                    .nodes()
                    .map(|node| NodeSpec {
                        id: node.id.clone(),
                        address: node.address.clone(),
                        replica_group: node.replica_group,
                    })
                    .collect(),
            },
            fleet: RwLock::new(Arc::new(Fleet::configured(topology))),
            query_seq: AtomicU64::new(0),
            settings_rollouts: settings_marker::SettingsRollouts::new(
                config.settings_broadcast.clone(),
            ),
        })
    }

    /// This process's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The metadata peer.
    pub fn peer(&self) -> &MetadataPeer {
        &self.peer
    }

    /// The placement of the default shard count S (new indexes, readiness, operator views).
    pub fn default_placement(&self) -> Result<Arc<PlacementTable>, ProxyError> {
        self.placement(self.settings.shards.get())
    }

    /// The placement of an index with `shards` shards.
    pub fn index_placement(&self, shards: u32) -> Result<Arc<PlacementTable>, ProxyError> {
        self.placement(shards)
    }

    /// The placement of an index with `shards` shards over the current fleet.
    fn placement(&self, shards: u32) -> Result<Arc<PlacementTable>, ProxyError> {
        self.fleet().placement(shards)
    }

    /// The command that records the configured topology (shards, replication factor, nodes).
    pub fn initial_topology(&self) -> TopologyCommand {
        TopologyCommand::Init {
            shards: self.settings.shards.get(),
            replication_factor: self.initial_topology.replication_factor,
            nodes: self.initial_topology.nodes.clone(),
        }
    }

    /// The configured nodes (the leader keeps recorded nodes at these addresses).
    pub fn configured_nodes(&self) -> &[NodeSpec] {
        &self.initial_topology.nodes
    }

    /// The deadline of one node request.
    pub fn node_timeout(&self) -> Duration {
        self.settings.node_timeout
    }

    /// How many nodes store each document: RF in each group that takes writes.
    fn copies_per_document(&self) -> u64 {
        let fleet = self.fleet();
        let topology = fleet.topology();
        let groups = topology
            .group_ids()
            .filter(|group| {
                topology
                    .group_nodes(*group)
                    .iter()
                    .any(|node| node.state.holds_data())
            })
            .count();
        let groups = u64::try_from(groups).unwrap_or(u64::MAX);
        (u64::from(topology.replication_factor()) * groups).max(1)
    }

    /// A new query sequence number (rotates groups and replicas).
    fn next_query_seq(&self) -> u64 {
        self.query_seq.fetch_add(1, Ordering::Relaxed)
    }
}

/// The configured replication factor and nodes.
struct InitialTopology {
    replication_factor: u32,
    nodes: Vec<NodeSpec>,
}

/// Why the proxy could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ProxyStartError {
    /// The configured fleet is not a valid topology.
    #[error("invalid topology: {0}")]
    Topology(#[from] TopologyError),
    /// The node client could not be built.
    #[error("node client: {0}")]
    NodeClient(#[from] NodeError),
    /// The metrics registry could not be built.
    #[error("metrics: {0}")]
    Metrics(#[from] MetricsError),
}
