//! Liveness, readiness and the unknown-route answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::AppState;

/// Liveness, never gated on internal state (Meilisearch's exact answer).
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "available" }))
}

/// 200 once this peer knows a metadata leader (it can then apply and read metadata) and its
/// prober has reached a healthy owner of every shard in some replica group (a covering set);
/// 503 before. The body describes the peer's Raft view and the nodes' health either way.
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

/// Meilisearch answers an unknown route with 404 and no body.
pub async fn unknown_route() -> StatusCode {
    StatusCode::NOT_FOUND
}
