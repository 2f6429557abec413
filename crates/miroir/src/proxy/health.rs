//! The node health prober of this peer: every `health.interval_ms` each node's `GET /health`
//! is asked (with `health.timeout_ms`), the answers feed the `miroir_core::health::HealthTable` state machine, and
//! reads route around the nodes it calls unhealthy. Writes still go to every replica (a node
//! back before the prober notices must not miss them); their quorum accounting sees failures
//! directly.
//!
//! Health is per peer, not replicated: each peer judges the nodes it can itself reach.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use futures::future::join_all;
use miroir_core::health::NodeHealth;
use miroir_core::topology::{NodeId, NodeState};

use super::{Fleet, Proxy};
use crate::clock::wall_clock_ms;
use crate::nodes::NodeRequest;

/// How long reads avoid a recovered node whose re-hydration never came.
const SUSPECT_TIMEOUT_MS: u64 = 60_000;
/// Clock skew tolerated between this peer and the leader that dates re-hydrations.
const CLOCK_MARGIN_MS: u64 = 10_000;

/// Nodes this peer saw come back from a failure.
#[derive(Debug, Default)]
pub struct Recoveries {
    /// When each came back (this peer's clock, ms).
    suspects: BTreeMap<NodeId, u64>,
    /// Those the leader has not submitted a re-hydration for yet.
    pending: BTreeSet<NodeId>,
}

/// How the prober runs (`health` in the configuration).
#[derive(Debug, Clone, Copy)]
pub struct ProbeSchedule {
    /// Time between two probe rounds.
    pub interval: Duration,
    /// Deadline of one probe.
    pub timeout: Duration,
}

impl Proxy {
    /// Probes every node forever, one round per interval (the first at once).
    pub async fn probe_nodes_forever(self: Arc<Self>) {
        let mut ticker = tokio::time::interval(self.probe_schedule.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            self.probe_round().await;
        }
    }

    /// One probe of every node, in parallel; the results feed the health table.
    async fn probe_round(&self) {
        let request = NodeRequest::new(Method::GET, "/health");
        let fleet = self.fleet();
        let probed = fleet
            .topology()
            .nodes()
            .filter(|node| node.state != NodeState::Removed);
        let probes = probed.map(|node| {
            let request = &request;
            async move {
                let answered = self
                    .nodes
                    .send(&node.address, request, self.probe_schedule.timeout)
                    .await;
                let ok = matches!(&answered, Ok(response) if response.status.is_success());
                (node.id.clone(), ok)
            }
        });
        let results = join_all(probes).await;
        let Ok(mut table) = self.health.write() else {
            tracing::error!("node health table poisoned; probe results dropped");
            return;
        };
        let mut recovered = Vec::new();
        for (node, ok) in results {
            if let Some(transition) = table.record(&node, ok) {
                log_transition(&node, transition.from, transition.to);
                if transition.from == NodeHealth::Unhealthy && transition.to == NodeHealth::Healthy
                {
                    recovered.push(node.clone());
                }
            }
            self.metrics
                .set_node_healthy(node.as_str(), table.health(&node) == NodeHealth::Healthy);
        }
        // Still under the table's lock: no read sees a recovered node routable before it is
        // marked as awaiting its re-hydration.
        self.note_recoveries(recovered);
        drop(table);
    }

    /// Nodes back from a failure that reads avoid until they are re-hydrated.
    fn note_recoveries(&self, recovered: Vec<NodeId>) {
        if recovered.is_empty() {
            return;
        }
        let fleet = self.fleet();
        let now = wall_clock_ms();
        let mut recoveries = match self.recoveries.lock() {
            Ok(recoveries) => recoveries,
            Err(poisoned) => poisoned.into_inner(),
        };
        for node in recovered {
            // A node whose shards no other node holds has nothing to be refilled from: it
            // serves again at once.
            if fleet.has_other_replicas(&node) {
                tracing::info!(%node, "node recovered: reads avoid it until it is re-hydrated");
                recoveries.suspects.insert(node.clone(), now);
                recoveries.pending.insert(node);
            }
        }
    }

    /// Recovered nodes waiting for the leader to submit their re-hydration (taken once).
    pub(crate) fn take_recovered(&self) -> Vec<NodeId> {
        let mut recoveries = match self.recoveries.lock() {
            Ok(recoveries) => recoveries,
            Err(poisoned) => poisoned.into_inner(),
        };
        std::mem::take(&mut recoveries.pending)
            .into_iter()
            .collect()
    }

    /// Recovered nodes whose re-hydration has not finished yet (nor timed out).
    fn suspects(&self, fleet: &Fleet) -> BTreeSet<NodeId> {
        let now = wall_clock_ms();
        let Ok(recoveries) = self.recoveries.lock() else {
            return BTreeSet::new();
        };
        recoveries
            .suspects
            .iter()
            .filter(|(node, since)| {
                let cleared = fleet
                    .rehydrated_at(node)
                    .is_some_and(|created| created.saturating_add(CLOCK_MARGIN_MS) >= **since);
                !cleared && now.saturating_sub(**since) < SUSPECT_TIMEOUT_MS
            })
            .map(|(node, _)| node.clone())
            .collect()
    }

    /// Whether reads may be sent to `node` (not known unhealthy by this peer's prober).
    pub(super) fn is_routable(&self, node: &NodeId) -> bool {
        self.health
            .read()
            .map_or(true, |table| table.is_routable(node))
    }

    /// The nodes reads must route around now (usually none): unhealthy ones, and recovered
    /// ones until they are re-hydrated.
    pub(super) fn unhealthy_nodes(&self) -> BTreeSet<NodeId> {
        let mut avoided = self.health.read().map_or_else(
            |_poisoned| BTreeSet::new(),
            |table| {
                table
                    .iter()
                    .filter(|(_, health)| !health.is_routable())
                    .map(|(node, _)| node.clone())
                    .collect()
            },
        );
        let fleet = self.fleet();
        avoided.extend(fleet.rehydrating().iter().cloned());
        avoided.extend(self.suspects(&fleet));
        avoided
    }

    /// Whether every shard of the default shard count has a healthy owner this peer reached:
    /// the readiness condition.
    pub fn covering_set_reachable(&self) -> bool {
        let Ok(placement) = self.placement(self.settings.shards.get()) else {
            return false;
        };
        self.health
            .read()
            .is_ok_and(|table| table.covers(&placement))
    }

    /// Every node with its health as this peer sees it, by id.
    pub fn node_health(&self) -> Vec<(NodeId, NodeHealth)> {
        self.health.read().map_or_else(
            |_poisoned| Vec::new(),
            |table| {
                table
                    .iter()
                    .map(|(node, health)| (node.clone(), health))
                    .collect()
            },
        )
    }
}

fn log_transition(node: &NodeId, from: NodeHealth, to: NodeHealth) {
    match to {
        NodeHealth::Unhealthy => tracing::warn!(
            node = %node,
            from = from.as_str(),
            "node unhealthy: reads route around it"
        ),
        NodeHealth::Healthy | NodeHealth::Unknown => tracing::info!(
            node = %node,
            from = from.as_str(),
            to = to.as_str(),
            "node health changed"
        ),
    }
}
