//! Putting back the settings a node had before a rollout that did not commit, so that no node
//! is left on settings whose version was never committed. Best effort, with the rollout's
//! repair policy: each node is sent its previous settings (as one `PATCH` of the whole object
//! read before the change), its task awaited, and its settings read back and compared by
//! digest; nodes not yet back are retried with exponential backoff.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::Method;
use futures::future::join_all;
use miroir_core::settings_broadcast::{repair_delay, settings_digest, NodeFault, RestoreOutcome};
use miroir_core::topology::NodeId;
use serde_json::Value;
use tokio::time::Instant;

use super::Proxy;
use crate::nodes::NodeRequest;

impl Proxy {
    /// Restores `previous` settings on `targets` (a node read before the change gets its own
    /// settings back, another one the first node's).
    pub(super) async fn restore_previous_settings(
        &self,
        index_uid: &str,
        previous: &BTreeMap<NodeId, Value>,
        targets: Vec<NodeId>,
    ) -> RestoreOutcome {
        let config = self.settings_rollouts.config().clone();
        let verify_timeout = Duration::from_secs(config.verify_timeout_s);
        let backoff_base = Duration::from_millis(config.repair_backoff_ms);
        let fallback = previous.values().next();
        let mut outcome = RestoreOutcome::default();
        let mut remaining: BTreeMap<NodeId, &Value> = BTreeMap::new();
        for node in targets {
            match previous.get(&node).or(fallback) {
                Some(settings) => {
                    remaining.insert(node, settings);
                }
                None => {
                    outcome
                        .not_restored
                        .insert(node, NodeFault::PreviousUnknown);
                }
            }
        }
        let path = format!("/indexes/{index_uid}/settings");
        let mut attempt = 0;
        while !remaining.is_empty() {
            if attempt > 0 {
                tokio::time::sleep(repair_delay(backoff_base, attempt)).await;
            }
            let sends = remaining.iter().map(|(node, settings)| {
                let request = NodeRequest::json(Method::PATCH, path.clone(), settings);
                async move {
                    let mut sent = self
                        .send_settings_steps(std::slice::from_ref(node), &[request])
                        .await;
                    (node.clone(), sent.remove(node))
                }
            });
            let mut pending = BTreeMap::new();
            let mut send_faults = BTreeMap::new();
            for (node, sent) in join_all(sends).await {
                let Some(sent) = sent else { continue };
                if let Some(failure) = sent.failure {
                    send_faults.insert(node.clone(), failure.fault());
                }
                pending.insert(node, sent.accepted);
            }
            let deadline = Instant::now() + verify_timeout;
            let awaited = self.await_node_tasks(&pending, deadline).await;
            let nodes: Vec<NodeId> = remaining.keys().cloned().collect();
            for (node, read_back) in self.read_node_settings(index_uid, &nodes).await {
                let Some(wanted) = remaining.get(&node) else {
                    continue;
                };
                let fault = match read_back {
                    Ok(settings) if settings_digest(&settings) == settings_digest(wanted) => None,
                    Ok(settings) => Some(NodeFault::Mismatch {
                        expected_digest: settings_digest(wanted),
                        actual_digest: settings_digest(&settings),
                    }),
                    Err(fault) => Some(fault),
                };
                match fault {
                    None => {
                        remaining.remove(&node);
                        outcome.restored.push(node);
                    }
                    Some(fault) => {
                        let reported = send_faults
                            .remove(&node)
                            .or_else(|| awaited.faults.get(&node).cloned())
                            .unwrap_or(fault);
                        outcome.not_restored.insert(node, reported);
                    }
                }
            }
            if attempt == config.max_repair_retries {
                break;
            }
            attempt += 1;
        }
        if !outcome.not_restored.is_empty() {
            tracing::error!(%index_uid, not_restored = ?outcome.not_restored.keys().collect::<Vec<_>>(), "previous settings not restored everywhere");
        }
        outcome
    }
}
