//! Liveness, readiness and the unknown-route answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::AppState;

/// Liveness, never gated on internal state (Meilisearch's exact answer).
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "available" }))
}

/// 200 once this peer knows a metadata leader (it can then apply and read metadata), 503
/// before; the body describes the peer's Raft view either way.
pub async fn ready(State(state): State<AppState>) -> Response {
    let peer = state.proxy.peer();
    let metrics = peer.metrics();
    let metadata = json!({
        "peerId": peer.id(),
        "role": format!("{:?}", metrics.state),
        "leader": metrics.current_leader,
        "term": metrics.current_term,
        "lastApplied": metrics.last_applied.map(|log_id| log_id.index),
    });
    if metrics.current_leader.is_some() {
        (
            StatusCode::OK,
            Json(json!({ "status": "ready", "metadata": metadata })),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "reason": "no metadata leader known yet",
                "metadata": metadata,
            })),
        )
            .into_response()
    }
}

/// Meilisearch answers an unknown route with 404 and no body.
pub async fn unknown_route() -> StatusCode {
    StatusCode::NOT_FOUND
}
