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

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use miroir_core::config::{Config, UnavailableShardPolicy};
use miroir_core::health::{HealthPolicy, HealthTable};
use miroir_core::router::PlacementTable;
use miroir_core::topology::{NodeId, Topology, TopologyError};
use miroir_raft_store::peer::MetadataPeer;

use crate::metrics::{Metrics, MetricsError};
use crate::nodes::{NodeClient, NodeError};

pub use documents::{DocumentWrite, WriteMode};
pub use error::ProxyError;
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
    topology: Topology,
    placements: Mutex<BTreeMap<u32, Arc<PlacementTable>>>,
    settings: ProxySettings,
    query_seq: AtomicU64,
    settings_rollouts: settings_marker::SettingsRollouts,
    /// Node health as this peer's prober sees it.
    health: RwLock<HealthTable>,
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
        let nodes = NodeClient::new(
            node_key.as_deref(),
            Duration::from_millis(pool.connect_timeout_ms),
            Duration::from_millis(pool.idle_timeout_ms),
            usize::try_from(pool.max_idle_per_node).unwrap_or(usize::MAX),
        )?
        .with_metrics(
            metrics.node_metrics(
                topology
                    .nodes()
                    .map(|node| (node.id.as_str(), node.address.as_str())),
            ),
        );
        Ok(Self {
            peer,
            nodes,
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
            probe_schedule: ProbeSchedule {
                interval: Duration::from_millis(config.health.interval_ms.max(1)),
                timeout: Duration::from_millis(config.health.timeout_ms.max(1)),
            },
            topology,
            placements: Mutex::new(BTreeMap::new()),
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

    /// The fleet this peer routes over.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// The placement of the default shard count S (new indexes, readiness, operator views).
    pub fn default_placement(&self) -> Result<Arc<PlacementTable>, ProxyError> {
        self.placement(self.settings.shards.get())
    }

    /// The placement of an index with `shards` shards.
    pub fn index_placement(&self, shards: u32) -> Result<Arc<PlacementTable>, ProxyError> {
        self.placement(shards)
    }

    /// The placement of an index with `shards` shards over the current topology.
    fn placement(&self, shards: u32) -> Result<Arc<PlacementTable>, ProxyError> {
        let mut cache = self
            .placements
            .lock()
            .map_err(|_poisoned| ProxyError::Internal("placement cache poisoned".into()))?;
        if let Some(table) = cache.get(&shards) {
            return Ok(table.clone());
        }
        let shard_count = NonZeroU32::new(shards)
            .ok_or_else(|| ProxyError::Internal("index registered with 0 shards".into()))?;
        let topology = self
            .topology
            .with_shards(shard_count)
            .map_err(|error| ProxyError::Internal(error.to_string()))?;
        let table = Arc::new(PlacementTable::build(&topology));
        cache.insert(shards, table.clone());
        Ok(table)
    }

    /// How many nodes store each document: RF in each replica group.
    fn copies_per_document(&self) -> u64 {
        let groups = u64::try_from(self.topology.group_count()).unwrap_or(u64::MAX);
        (u64::from(self.topology.replication_factor()) * groups).max(1)
    }

    /// A new query sequence number (rotates groups and replicas).
    fn next_query_seq(&self) -> u64 {
        self.query_seq.fetch_add(1, Ordering::Relaxed)
    }
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

/// Every node id of the topology holding data, for broadcasts.
fn data_nodes(topology: &Topology) -> Vec<NodeId> {
    topology
        .nodes()
        .filter(|node| node.state.holds_data())
        .map(|node| node.id.clone())
        .collect()
}
