//! The Raft gauges: this peer's view of the replicated log, copied from openraft's metrics
//! at scrape time (no background task).

use prometheus::{IntGauge, Registry};

/// What the Raft gauges show, read from the metadata peer's Raft metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaftSample {
    /// Whether this peer is the leader it knows of.
    pub is_leader: bool,
    /// The current term.
    pub term: u64,
    /// Index of the last log entry (0 = empty log).
    pub last_log_index: u64,
    /// Index of the last applied entry (0 = none).
    pub last_applied_index: u64,
    /// Index of the last entry covered by a snapshot (0 = no snapshot).
    pub snapshot_index: u64,
}

/// `miroir_raft_*` gauges.
#[derive(Clone)]
pub struct RaftGauges {
    is_leader: IntGauge,
    term: IntGauge,
    last_log_index: IntGauge,
    last_applied_index: IntGauge,
    snapshot_index: IntGauge,
}

impl RaftGauges {
    /// Creates the gauges (not yet registered).
    pub fn new() -> Result<Self, prometheus::Error> {
        Ok(Self {
            is_leader: IntGauge::new(
                "miroir_raft_is_leader",
                "1 when this peer is the Raft leader, else 0.",
            )?,
            term: IntGauge::new("miroir_raft_term", "Current Raft term of this peer.")?,
            last_log_index: IntGauge::new(
                "miroir_raft_last_log_index",
                "Index of the last entry in this peer's Raft log.",
            )?,
            last_applied_index: IntGauge::new(
                "miroir_raft_last_applied_index",
                "Index of the last Raft entry this peer applied to its state machine.",
            )?,
            snapshot_index: IntGauge::new(
                "miroir_raft_snapshot_index",
                "Index of the last Raft entry covered by this peer's snapshot.",
            )?,
        })
    }

    /// Registers every gauge in `registry`.
    pub fn register(&self, registry: &Registry) -> Result<(), prometheus::Error> {
        for gauge in [
            &self.is_leader,
            &self.term,
            &self.last_log_index,
            &self.last_applied_index,
            &self.snapshot_index,
        ] {
            registry.register(Box::new(gauge.clone()))?;
        }
        Ok(())
    }

    /// Sets every gauge from `sample`.
    pub fn refresh(&self, sample: &RaftSample) {
        let as_gauge = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.is_leader.set(i64::from(sample.is_leader));
        self.term.set(as_gauge(sample.term));
        self.last_log_index.set(as_gauge(sample.last_log_index));
        self.last_applied_index
            .set(as_gauge(sample.last_applied_index));
        self.snapshot_index.set(as_gauge(sample.snapshot_index));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_copies_the_sample_into_the_gauges() {
        let gauges = RaftGauges::new().unwrap();
        gauges.refresh(&RaftSample {
            is_leader: true,
            term: 4,
            last_log_index: 17,
            last_applied_index: 16,
            snapshot_index: 10,
        });
        assert_eq!(
            [
                gauges.is_leader.get(),
                gauges.term.get(),
                gauges.last_log_index.get(),
                gauges.last_applied_index.get(),
                gauges.snapshot_index.get()
            ],
            [1, 4, 17, 16, 10]
        );
        gauges.refresh(&RaftSample {
            is_leader: false,
            term: u64::MAX,
            last_log_index: 0,
            last_applied_index: 0,
            snapshot_index: 0,
        });
        assert_eq!((gauges.is_leader.get(), gauges.term.get()), (0, i64::MAX));
    }
}
