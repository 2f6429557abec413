//! Following what this peer applies, and how far the other members have replicated: what a
//! peer needs to react to committed metadata changes without polling, and what the leader
//! needs to know that every member has seen a change.

use std::collections::BTreeSet;

use openraft::async_runtime::WatchReceiver;
use openraft::type_config::alias::WatchReceiverOf;
use openraft::RaftMetrics;

use crate::types::{PeerId, TypeConfig};

/// Wakes up whenever this peer applied new log entries.
pub struct AppliedWatch {
    receiver: WatchReceiverOf<TypeConfig, RaftMetrics<TypeConfig>>,
    seen: Option<u64>,
}

impl AppliedWatch {
    pub(super) fn new(receiver: WatchReceiverOf<TypeConfig, RaftMetrics<TypeConfig>>) -> Self {
        Self {
            receiver,
            seen: None,
        }
    }

    /// Waits until the applied log index differs from the one the previous call returned (the
    /// first call returns at once) and returns it; `None` once Raft stopped.
    pub async fn next(&mut self) -> Option<u64> {
        loop {
            let applied = applied_index(&self.receiver.borrow_watched());
            if self.seen != Some(applied) {
                self.seen = Some(applied);
                return Some(applied);
            }
            self.receiver.changed().await.ok()?;
        }
    }
}

/// The last applied log index in `metrics` (0 before the first entry).
pub(super) fn applied_index(metrics: &RaftMetrics<TypeConfig>) -> u64 {
    metrics.last_applied.map_or(0, |log_id| log_id.index)
}

/// On the leader, the members whose replicated log does not reach `index` yet; `None` when
/// `metrics` is not a leader's.
pub(super) fn members_behind(
    metrics: &RaftMetrics<TypeConfig>,
    index: u64,
) -> Option<BTreeSet<PeerId>> {
    let replication = metrics.replication.as_ref()?;
    Some(
        replication
            .iter()
            .filter(|(peer, matched)| {
                **peer != metrics.id && matched.as_ref().is_none_or(|log_id| log_id.index < index)
            })
            .map(|(peer, _)| *peer)
            .collect(),
    )
}
