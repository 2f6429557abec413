//! Every metric family of a peer, registered once in the process's registry.

use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry,
};

use super::cluster::ClusterGauges;
use super::raft::RaftGauges;

/// Buckets of request and node-call durations, in seconds (1 ms … 10 s).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Buckets of fan-out sizes (nodes per scatter).
const FAN_OUT_BUCKETS: &[f64] = &[
    1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 24.0, 32.0, 64.0,
];

/// Why the metrics could not be registered or rendered.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// A family could not be created or registered.
    #[error("prometheus: {0}")]
    Prometheus(#[from] prometheus::Error),
    /// The encoder produced text that is not UTF-8.
    #[error("metrics text is not UTF-8: {0}")]
    NotUtf8(#[from] std::string::FromUtf8Error),
}

/// The families of client requests (recorded by the HTTP middleware).
#[derive(Clone)]
pub struct RequestFamilies {
    /// `miroir_requests_total{method,path_template,status}`.
    pub total: IntCounterVec,
    /// `miroir_request_duration_seconds{method,path_template,status}`.
    pub duration: HistogramVec,
    /// `miroir_requests_in_flight`.
    pub in_flight: IntGauge,
}

/// The families of node calls and node health.
#[derive(Clone)]
pub struct NodeFamilies {
    /// `miroir_node_request_duration_seconds{node_id,operation}`.
    pub duration: HistogramVec,
    /// `miroir_node_errors_total{node_id,error_type}`.
    pub errors: IntCounterVec,
    /// `miroir_node_healthy{node_id}`: 1 healthy, 0 otherwise.
    pub healthy: IntGaugeVec,
}

/// All families.
#[derive(Clone)]
pub struct Families {
    /// Client requests.
    pub requests: RequestFamilies,
    /// Node calls and health.
    pub nodes: NodeFamilies,
    /// `miroir_scatter_fan_out_size`.
    pub scatter_fan_out: Histogram,
    /// `miroir_task_registry_size`.
    pub task_registry_size: IntGauge,
    /// `miroir_rebalance_documents_migrated_total`.
    pub documents_migrated: IntCounter,
    /// `miroir_rebalance_duration_seconds`.
    pub rebalance_duration: Histogram,
    /// The Raft gauges.
    pub raft: RaftGauges,
    /// Cluster gauges and the commit histogram.
    pub cluster: ClusterGauges,
}

impl Families {
    /// Creates every family and registers it in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, MetricsError> {
        let requests = RequestFamilies {
            total: IntCounterVec::new(
                Opts::new("miroir_requests_total", "Client requests answered."),
                &["method", "path_template", "status"],
            )?,
            duration: HistogramVec::new(
                HistogramOpts::new(
                    "miroir_request_duration_seconds",
                    "Time to answer a client request.",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
                &["method", "path_template", "status"],
            )?,
            in_flight: IntGauge::new(
                "miroir_requests_in_flight",
                "Client requests being answered now.",
            )?,
        };
        let nodes = NodeFamilies {
            duration: HistogramVec::new(
                HistogramOpts::new(
                    "miroir_node_request_duration_seconds",
                    "Time of one request to a Meilisearch node, answered or not.",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
                &["node_id", "operation"],
            )?,
            errors: IntCounterVec::new(
                Opts::new(
                    "miroir_node_errors_total",
                    "Node requests without a usable answer, by kind.",
                ),
                &["node_id", "error_type"],
            )?,
            healthy: IntGaugeVec::new(
                Opts::new(
                    "miroir_node_healthy",
                    "1 when this peer's prober calls the node healthy, else 0.",
                ),
                &["node_id"],
            )?,
        };
        let scatter_fan_out = Histogram::with_opts(
            HistogramOpts::new(
                "miroir_scatter_fan_out_size",
                "Nodes one search, facet search or multi-search was sent to.",
            )
            .buckets(FAN_OUT_BUCKETS.to_vec()),
        )?;
        let task_registry_size = IntGauge::new(
            "miroir_task_registry_size",
            "Task records in the replicated task registry.",
        )?;
        let documents_migrated = IntCounter::new(
            "miroir_rebalance_documents_migrated_total",
            "Documents this peer copied to new owners while rebalancing (one per document and \
             destination node).",
        )?;
        let rebalance_duration = Histogram::with_opts(
            HistogramOpts::new(
                "miroir_rebalance_duration_seconds",
                "Time this peer took to copy one shard to its new owners (all its pages and \
                 the count check).",
            )
            .buckets(vec![0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0, 7200.0]),
        )?;
        let raft = RaftGauges::new()?;
        registry.register(Box::new(documents_migrated.clone()))?;
        registry.register(Box::new(rebalance_duration.clone()))?;
        registry.register(Box::new(requests.total.clone()))?;
        registry.register(Box::new(requests.duration.clone()))?;
        registry.register(Box::new(requests.in_flight.clone()))?;
        registry.register(Box::new(nodes.duration.clone()))?;
        registry.register(Box::new(nodes.errors.clone()))?;
        registry.register(Box::new(nodes.healthy.clone()))?;
        registry.register(Box::new(scatter_fan_out.clone()))?;
        registry.register(Box::new(task_registry_size.clone()))?;
        raft.register(registry)?;
        let cluster = ClusterGauges::register(registry)?;
        Ok(Self {
            cluster,
            requests,
            nodes,
            scatter_fan_out,
            task_registry_size,
            documents_migrated,
            rebalance_duration,
            raft,
        })
    }
}
