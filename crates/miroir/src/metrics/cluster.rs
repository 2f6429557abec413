//! Gauges of the cluster as this peer sees it, computed at scrape time: shards without a
//! healthy replica, shard distribution, rebalance, the oldest unfinished task, voters that stopped
//! acknowledging the leader; and the commit-latency histogram of metadata writes.

use prometheus::{Gauge, Histogram, HistogramOpts, IntGauge, IntGaugeVec, Opts, Registry};

/// Buckets of metadata commit latency, in seconds (0.5 ms … 5 s).
const COMMIT_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// What the cluster gauges show.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSample {
    /// (shard, group) pairs of the default shard count without a healthy owner.
    pub degraded_shards: usize,
    /// Shards of the default shard count each node owns, by node id.
    pub owned_shards: Vec<(String, usize)>,
    /// Whether some shard's owners are changing.
    pub rebalance_in_progress: bool,
    /// Age in seconds of the oldest unfinished task (0 when none).
    pub oldest_unfinished_task_s: f64,
    /// Voters the leader no longer hears from (0 on followers).
    pub voters_unhealthy: usize,
}

/// The cluster gauges and the commit histogram.
#[derive(Clone)]
pub struct ClusterGauges {
    degraded_shards: IntGauge,
    shard_distribution: IntGaugeVec,
    rebalance_in_progress: IntGauge,
    task_processing_age: Gauge,
    voters_unhealthy: IntGauge,
    /// `miroir_raft_commit_duration_seconds`: time to commit one metadata write through Raft
    /// (forwarding to the leader included).
    pub commit_duration: Histogram,
}

impl ClusterGauges {
    /// Creates the families and registers them in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let gauges = Self {
            degraded_shards: IntGauge::new(
                "miroir_degraded_shards_total",
                "(shard, replica group) pairs whose owners are all unhealthy, as this peer probes them.",
            )?,
            shard_distribution: IntGaugeVec::new(
                Opts::new(
                    "miroir_shard_distribution",
                    "Shards (of the default shard count) each node owns.",
                ),
                &["node_id"],
            )?,
            rebalance_in_progress: IntGauge::new(
                "miroir_rebalance_in_progress",
                "1 while some shard's owners are changing, else 0.",
            )?,
            task_processing_age: Gauge::new(
                "miroir_task_processing_age_seconds",
                "Age of the oldest task not finished yet (0 when none).",
            )?,
            voters_unhealthy: IntGauge::new(
                "miroir_raft_voters_unhealthy",
                "Voters that stopped acknowledging the leader (reported by the leader; 0 elsewhere).",
            )?,
            commit_duration: Histogram::with_opts(
                HistogramOpts::new(
                    "miroir_raft_commit_duration_seconds",
                    "Time to commit one metadata write through Raft, forwarding included.",
                )
                .buckets(COMMIT_BUCKETS.to_vec()),
            )?,
        };
        registry.register(Box::new(gauges.degraded_shards.clone()))?;
        registry.register(Box::new(gauges.shard_distribution.clone()))?;
        registry.register(Box::new(gauges.rebalance_in_progress.clone()))?;
        registry.register(Box::new(gauges.task_processing_age.clone()))?;
        registry.register(Box::new(gauges.voters_unhealthy.clone()))?;
        registry.register(Box::new(gauges.commit_duration.clone()))?;
        Ok(gauges)
    }

    /// Sets every gauge from `sample`.
    pub fn refresh(&self, sample: &ClusterSample) {
        let count = |value: usize| i64::try_from(value).unwrap_or(i64::MAX);
        self.degraded_shards.set(count(sample.degraded_shards));
        for (node, owned) in &sample.owned_shards {
            self.shard_distribution
                .with_label_values(&[node.as_str()])
                .set(count(*owned));
        }
        self.rebalance_in_progress
            .set(i64::from(sample.rebalance_in_progress));
        self.task_processing_age
            .set(sample.oldest_unfinished_task_s);
        self.voters_unhealthy.set(count(sample.voters_unhealthy));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_copies_the_sample() {
        let registry = Registry::new();
        let gauges = ClusterGauges::register(&registry).unwrap();
        gauges.refresh(&ClusterSample {
            degraded_shards: 3,
            owned_shards: vec![("meili-0".into(), 40), ("meili-1".into(), 24)],
            rebalance_in_progress: true,
            oldest_unfinished_task_s: 12.5,
            voters_unhealthy: 1,
        });
        assert_eq!(gauges.degraded_shards.get(), 3);
        assert_eq!(
            gauges
                .shard_distribution
                .with_label_values(&["meili-1"])
                .get(),
            24
        );
        assert_eq!(gauges.rebalance_in_progress.get(), 1);
        assert!((gauges.task_processing_age.get() - 12.5).abs() < f64::EPSILON);
        assert_eq!(gauges.voters_unhealthy.get(), 1);
        let names: Vec<String> = registry
            .gather()
            .iter()
            .map(|family| family.name().to_owned())
            .collect();
        assert!(names.contains(&"miroir_raft_commit_duration_seconds".to_owned()));
    }
}
