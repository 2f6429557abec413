//! Prometheus metrics of this peer: one [`prometheus::Registry`] per process, owned by
//! [`Metrics`] and shared (cheaply cloned) by the HTTP edge, the proxy and the node client.
//!
//! ```text
//!   http edge ─► requests   (middleware: method, route template, status)
//!   proxy     ─► scatter    (fan-out size of each search)
//!   NodeClient ─► nodes     (duration and errors per node, health from the prober)
//!   scrape    ─► raft, task registry size (read from the metadata peer at scrape time)
//! ```
//!
//! The text is served on the metrics listener (`GET /metrics`, no key, see [`listener`]) and
//! at `GET /_miroir/metrics` on the HTTP port behind the admin key.

mod cluster;
mod families;
pub mod listener;
mod nodes;
mod raft;
mod requests;

use std::collections::BTreeMap;
use std::time::Duration;

use miroir_meta::{TaskQuery, TaskStatus};
use prometheus::{Encoder, Registry, TextEncoder};

use crate::proxy::Proxy;

pub use families::MetricsError;
pub use nodes::NodeMetrics;
pub use requests::track_requests;

use cluster::ClusterSample;
use families::Families;

/// The cluster gauges' values now: placement and health of the default shard count, the
/// oldest unfinished task of the local registry, the leader's count of silent voters.
async fn cluster_sample(proxy: &Proxy) -> ClusterSample {
    let health: BTreeMap<_, _> = proxy.node_health().into_iter().collect();
    let (degraded_shards, owned_shards, rebalance_in_progress) = match proxy.default_placement() {
        Ok(placement) => (
            crate::admin::degraded_shards(&placement, &health).len(),
            proxy
                .fleet()
                .topology()
                .nodes()
                .map(|node| {
                    (
                        node.id.as_str().to_owned(),
                        placement.owned_shard_count(&node.id),
                    )
                })
                .collect(),
            crate::admin::migrating_shards(&placement).next().is_some()
                || proxy
                    .peer()
                    .read(crate::rebalance::has_unfinished_operation)
                    .await,
        ),
        Err(error) => {
            tracing::warn!(%error, "no placement for the cluster gauges");
            (0, Vec::new(), false)
        }
    };
    let oldest_query = TaskQuery {
        statuses: vec![TaskStatus::Enqueued, TaskStatus::Processing],
        reverse: true,
        limit: 1,
        ..TaskQuery::default()
    };
    let oldest_enqueued_ms = proxy
        .peer()
        .read(|state| {
            state
                .tasks(&oldest_query)
                .results
                .first()
                .map(|task| task.enqueued_at_ms)
        })
        .await;
    let now_ms = crate::clock::wall_clock_ms();
    // Task ages are far below 2^52 ms; the conversion to f64 is exact.
    #[allow(clippy::cast_precision_loss)]
    let oldest_unfinished_task_s = oldest_enqueued_ms.map_or(0.0, |enqueued| {
        now_ms.saturating_sub(enqueued) as f64 / 1000.0
    });
    let voters_unhealthy = proxy.peer().healthy_voters().map_or(0, |healthy| {
        proxy
            .peer()
            .membership()
            .voters
            .difference(&healthy)
            .count()
    });
    ClusterSample {
        degraded_shards,
        owned_shards,
        rebalance_in_progress,
        oldest_unfinished_task_s,
        voters_unhealthy,
    }
}

/// The content type of the Prometheus text exposition format.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// This process's registry and every metric family in it.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    families: Families,
}

impl Metrics {
    /// A fresh registry with every family registered.
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let families = Families::register(&registry)?;
        Ok(Self { registry, families })
    }

    /// Records that one read fanned out to `nodes` nodes.
    pub fn observe_fan_out(&self, nodes: usize) {
        // Counts of nodes are small; the conversion to f64 is exact.
        #[allow(clippy::cast_precision_loss)]
        self.families.scatter_fan_out.observe(nodes as f64);
    }

    /// The per-node recorder for the node client: node labels come from `nodes`
    /// (`(node id, base URL)` pairs of the topology).
    pub fn node_metrics<'a>(
        &self,
        nodes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> NodeMetrics {
        NodeMetrics::new(self.families.nodes.clone(), nodes)
    }

    /// Counts documents the rebalancer copied to new owners.
    pub fn observe_documents_migrated(&self, documents: u64) {
        self.families.documents_migrated.inc_by(documents);
    }

    /// Records how long one shard copy took, from its first page to its verification.
    pub fn observe_shard_migration(&self, took: Duration) {
        self.families.rebalance_duration.observe(took.as_secs_f64());
    }

    /// Records the health of `node` as the prober now sees it.
    pub fn set_node_healthy(&self, node: &str, healthy: bool) {
        self.families
            .nodes
            .healthy
            .with_label_values(&[node])
            .set(i64::from(healthy));
    }

    /// Refreshes the scrape-time families from `proxy`'s metadata peer and renders the whole
    /// registry in the Prometheus text format.
    pub async fn scrape(&self, proxy: &Proxy) -> Result<String, MetricsError> {
        let peer = proxy.peer();
        let raft = peer.metrics();
        self.families.raft.refresh(&raft::RaftSample {
            is_leader: raft.current_leader == Some(raft.id),
            term: raft.current_term,
            last_log_index: raft.last_log_index.unwrap_or(0),
            last_applied_index: raft.last_applied.map_or(0, |log_id| log_id.index),
            snapshot_index: raft.snapshot.map_or(0, |log_id| log_id.index),
        });
        let tasks = peer.read(|state| state.task_count()).await;
        self.families
            .task_registry_size
            .set(i64::try_from(tasks).unwrap_or(i64::MAX));
        self.families.cluster.refresh(&cluster_sample(proxy).await);
        self.render()
    }

    /// Records the time one metadata write took to commit.
    pub fn observe_commit(&self, took: Duration) {
        self.families
            .cluster
            .commit_duration
            .observe(took.as_secs_f64());
    }

    /// The registry in the Prometheus text format, as it is now.
    fn render(&self) -> Result<String, MetricsError> {
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(String::from_utf8(text)?)
    }
}
