//! Liveness, readiness and the unknown-route answer.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::AppState;

/// How long readiness waits for this peer to apply what the leader has committed.
const CATCH_UP_WAIT: Duration = Duration::from_secs(1);

/// Liveness, never gated on internal state (Meilisearch's exact answer).
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "available" }))
}

/// 200 once this peer knows a metadata leader, has applied everything the leader had committed
/// when asked (a read index obtained and applied within a second: a peer still replaying or
/// installing a snapshot is not ready), and its prober has reached a healthy owner of every
/// shard in some replica group (a covering set); 503 before. The body describes the peer's Raft
/// view and the nodes' health either way.
pub async fn ready(State(state): State<AppState>) -> Response {
    let proxy = &state.proxy;
    let peer = proxy.peer();
    let metrics = peer.metrics();
    let metadata = json!({
        "peerId": peer.id(),
        "role": format!("{:?}", metrics.state),
        "leader": metrics.current_leader,
        "term": metrics.current_term,
        "lastApplied": metrics.last_applied.map(|log_id| log_id.index),
    });
    let nodes: Map<String, Value> = proxy
        .node_health()
        .into_iter()
        .map(|(node, health)| (node.to_string(), Value::from(health.as_str())))
        .collect();
    let unready_reason = if metrics.current_leader.is_none() {
        Some("no metadata leader known yet")
    } else if !caught_up(peer).await {
        Some("metadata not caught up with the leader's commits yet")
    } else if !proxy.covering_set_reachable() {
        Some("no covering set of healthy nodes reached yet")
    } else {
        None
    };
    match unready_reason {
        None => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "metadata": metadata, "nodes": nodes })),
        )
            .into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "reason": reason,
                "metadata": metadata,
                "nodes": nodes,
            })),
        )
            .into_response(),
    }
}

/// Whether this peer applies the leader's committed log within [`CATCH_UP_WAIT`].
async fn caught_up(peer: &miroir_raft_store::peer::MetadataPeer) -> bool {
    matches!(
        tokio::time::timeout(CATCH_UP_WAIT, peer.linearizable_read(|_| ())).await,
        Ok(Ok(()))
    )
}

/// Meilisearch answers an unknown route with 404 and no body.
pub async fn unknown_route() -> StatusCode {
    StatusCode::NOT_FOUND
}
