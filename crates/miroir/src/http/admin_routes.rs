//! Operator routes under `/_miroir/` (admin key, see `auth`): the HTTP twin of the admin gRPC
//! API, answered by the same service layer ([`crate::admin::Admin`]) with the same messages as
//! JSON, plus Meilisearch routes Miroir does not serve yet.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use miroir_admin_proto::v1 as pb;
use miroir_core::error::{ApiError, ErrorCode};
use miroir_raft_store::peer::MembershipChange;
use serde::Serialize;
use serde_json::Value;

use super::body::MeiliJson;
use super::error::render_error;
use super::AppState;
use crate::admin::{add_learner_change, AdminError};

/// The routes of this file.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_miroir/status", get(status))
        .route("/_miroir/topology", get(topology))
        .route("/_miroir/shards", get(shards))
        .route("/_miroir/indexes", get(indexes))
        .route("/_miroir/operations", get(operations))
        .route("/_miroir/rebalance/status", get(rebalance_status))
        .route("/_miroir/rebalance", post(start_rebalance))
        .route("/_miroir/peers", get(peers).post(add_peer))
        .route("/_miroir/peers/{id}", delete(remove_peer))
        .route("/_miroir/peers/{id}/promote", post(promote_peer))
        .route("/_miroir/nodes", post(add_node))
        .route("/_miroir/nodes/{id}", delete(remove_node))
        .route("/_miroir/nodes/{id}/drain", post(drain_node))
        .route("/_miroir/groups", post(add_group))
        .route("/_miroir/groups/{id}", delete(remove_group))
        .route("/dumps", post(|| not_supported(DUMPS)))
        .route("/snapshots", post(|| not_supported(SNAPSHOTS)))
        .route("/export", post(|| not_supported(EXPORT)))
        .route(
            "/network",
            get(|| not_supported(NETWORK)).patch(|| not_supported(NETWORK)),
        )
        .route(
            "/experimental-features",
            get(|| not_supported(EXPERIMENTAL)).patch(|| not_supported(EXPERIMENTAL)),
        )
        .route("/batches", get(|| not_supported(BATCHES)))
        .route("/batches/{uid}", get(|| not_supported(BATCHES)))
}

/// `GET /_miroir/status`.
async fn status(State(state): State<AppState>) -> Response {
    answer(state.admin.cluster_status().await)
}

/// `GET /_miroir/topology`.
async fn topology(State(state): State<AppState>) -> Response {
    answer(state.admin.topology())
}

/// `GET /_miroir/shards[?index=<uid>]`.
async fn shards(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let index = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "index")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    answer(state.admin.shard_map(&index).await)
}

/// `GET /_miroir/indexes`.
async fn indexes(State(state): State<AppState>) -> Response {
    answer(state.admin.indexes().await)
}

/// `GET /_miroir/operations`.
async fn operations(State(state): State<AppState>) -> Response {
    answer(state.admin.operations_snapshot().await)
}

/// `GET /_miroir/rebalance/status`.
async fn rebalance_status(State(state): State<AppState>) -> Response {
    answer(state.admin.rebalance_status().await)
}

/// `GET /_miroir/peers`.
async fn peers(State(state): State<AppState>) -> Response {
    answer(Ok::<_, AdminError>(state.admin.peers().await))
}

/// `POST /_miroir/peers` with `{"id", "name"?, "grpc_address", "http_address"}`.
async fn add_peer(State(state): State<AppState>, MeiliJson(body): MeiliJson) -> Response {
    let request = match add_learner_request(&body) {
        Ok(request) => request,
        Err(error) => return render_admin_error(error),
    };
    match add_learner_change(&request) {
        Ok(change) => answer(state.admin.change_membership(change).await),
        Err(error) => render_admin_error(error),
    }
}

/// `POST /_miroir/peers/{id}/promote`.
async fn promote_peer(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match peer_id(&id) {
        Ok(id) => answer(
            state
                .admin
                .change_membership(MembershipChange::Promote { id })
                .await,
        ),
        Err(error) => render_admin_error(error),
    }
}

/// `DELETE /_miroir/peers/{id}[?force=true]`.
async fn remove_peer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let force = match force_flag(query.as_deref()) {
        Ok(force) => force,
        Err(error) => return render_admin_error(error),
    };
    match peer_id(&id) {
        Ok(id) => answer(
            state
                .admin
                .change_membership(MembershipChange::Remove { id, force })
                .await,
        ),
        Err(error) => render_admin_error(error),
    }
}

/// `POST /_miroir/rebalance`: 202 and the repair operation.
async fn start_rebalance(State(state): State<AppState>) -> Response {
    accepted(state.admin.start_rebalance().await)
}

/// `POST /_miroir/nodes` with `{"id", "address", "replica_group"}`: 202 and the operation.
async fn add_node(State(state): State<AppState>, MeiliJson(body): MeiliJson) -> Response {
    let request = (|| {
        Ok::<_, AdminError>((
            required_text(&body, "id")?,
            required_text(&body, "address")?,
            required_group(&body["replica_group"], "replica_group")?,
        ))
    })();
    match request {
        Ok((id, address, group)) => accepted(state.admin.add_node(&id, &address, group).await),
        Err(error) => render_admin_error(error),
    }
}

/// `DELETE /_miroir/nodes/{id}[?force=true]`: removes a drained node.
async fn remove_node(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    match force_flag(query.as_deref()) {
        Ok(force) => accepted(state.admin.remove_node(&id, force).await),
        Err(error) => render_admin_error(error),
    }
}

/// `POST /_miroir/nodes/{id}/drain[?force=true]` (or `{"force": true}`).
async fn drain_node(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let force = force_flag(query.as_deref()).and_then(|force| Ok(force || body_force(&body)?));
    match force {
        Ok(force) => accepted(state.admin.drain_node(&id, force).await),
        Err(error) => render_admin_error(error),
    }
}

/// `POST /_miroir/groups` with `{"id", "nodes": [{"id", "address"}, …]}`.
async fn add_group(State(state): State<AppState>, MeiliJson(body): MeiliJson) -> Response {
    let request = (|| {
        let id = required_group(&body["id"], "id")?;
        let Value::Array(nodes) = &body["nodes"] else {
            return Err(AdminError::InvalidArgument(
                "`nodes` must be an array of `{\"id\", \"address\"}` objects.".into(),
            ));
        };
        let nodes = nodes
            .iter()
            .map(|node| {
                Ok(pb::GroupNode {
                    id: required_text(node, "id")?,
                    address: required_text(node, "address")?,
                })
            })
            .collect::<Result<Vec<_>, AdminError>>()?;
        Ok((id, nodes))
    })();
    match request {
        Ok((id, nodes)) => accepted(state.admin.add_group(id, &nodes).await),
        Err(error) => render_admin_error(error),
    }
}

/// `DELETE /_miroir/groups/{id}[?force=true]`.
async fn remove_group(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let force = match force_flag(query.as_deref()) {
        Ok(force) => force,
        Err(error) => return render_admin_error(error),
    };
    match id.parse::<u32>() {
        Ok(id) => accepted(state.admin.remove_group(id, force).await),
        Err(_) => render_admin_error(AdminError::InvalidArgument(format!(
            "Replica group `{id}` is invalid: it must be a number."
        ))),
    }
}

/// A string field that must be present and not empty.
fn required_text(body: &Value, field: &str) -> Result<String, AdminError> {
    match &body[field] {
        Value::String(text) if !text.is_empty() => Ok(text.clone()),
        Value::Null => Err(AdminError::InvalidArgument(format!(
            "`{field}` is required."
        ))),
        other => Err(AdminError::InvalidArgument(format!(
            "`{field}` must be a non-empty string, got `{other}`."
        ))),
    }
}

/// A replica group number.
fn required_group(value: &Value, field: &str) -> Result<u32, AdminError> {
    value
        .as_u64()
        .and_then(|group| u32::try_from(group).ok())
        .ok_or_else(|| {
            AdminError::InvalidArgument(format!(
                "`{field}` must be a replica group number, got `{value}`."
            ))
        })
}

/// `force` of an optional JSON body (`{"force": true}`); an empty body is `false`.
fn body_force(body: &[u8]) -> Result<bool, AdminError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(false);
    }
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        AdminError::InvalidArgument(format!("The body is not valid JSON: {error}."))
    })?;
    match &value["force"] {
        Value::Null => Ok(false),
        Value::Bool(force) => Ok(*force),
        other => Err(AdminError::InvalidArgument(format!(
            "`force` must be a boolean, got `{other}`."
        ))),
    }
}

/// The add-learner request of a JSON body.
fn add_learner_request(body: &Value) -> Result<pb::AddLearnerRequest, AdminError> {
    let text = |field: &str| -> Result<String, AdminError> {
        match &body[field] {
            Value::Null => Ok(String::new()),
            Value::String(text) => Ok(text.clone()),
            other => Err(AdminError::InvalidArgument(format!(
                "`{field}` must be a string, got `{other}`."
            ))),
        }
    };
    let id = body["id"].as_u64().ok_or_else(|| {
        AdminError::InvalidArgument(format!(
            "`id` must be a positive integer, got `{}`.",
            body["id"]
        ))
    })?;
    Ok(pb::AddLearnerRequest {
        id,
        name: text("name")?,
        grpc_address: text("grpc_address")?,
        http_address: text("http_address")?,
    })
}

fn peer_id(text: &str) -> Result<u64, AdminError> {
    text.parse().map_err(|_| {
        AdminError::InvalidArgument(format!(
            "Peer id `{text}` is invalid: it must be a positive integer."
        ))
    })
}

/// `force=true|false` of a query string (absent = false).
fn force_flag(query: Option<&str>) -> Result<bool, AdminError> {
    let value = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "force")
        .map(|(_, value)| value.into_owned());
    match value.as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(AdminError::InvalidArgument(format!(
            "`force` must be `true` or `false`, got `{other}`."
        ))),
    }
}

/// 200 with the message as JSON, or the error.
/// 202 with the accepted operation, or the error.
fn accepted(outcome: Result<pb::OperationAccepted, AdminError>) -> Response {
    match outcome {
        Ok(message) => (StatusCode::ACCEPTED, Json(message)).into_response(),
        Err(error) => render_admin_error(error),
    }
}

fn answer<T: Serialize>(outcome: Result<T, AdminError>) -> Response {
    match outcome {
        Ok(message) => (StatusCode::OK, Json(message)).into_response(),
        Err(error) => render_admin_error(error),
    }
}

fn render_admin_error(error: AdminError) -> Response {
    render_error(&admin_api_error(error))
}

/// The Meilisearch-shaped error of an admin failure.
fn admin_api_error(error: AdminError) -> ApiError {
    let code = match &error {
        AdminError::Api(_) => None,
        AdminError::InvalidArgument(_) => Some(ErrorCode::MiroirInvalidAdminRequest),
        AdminError::NotFound(_) => Some(ErrorCode::MiroirAdminNotFound),
        AdminError::Refused(_) => Some(ErrorCode::MiroirMembershipRefused),
        AdminError::TopologyConflict(_) => Some(ErrorCode::MiroirTopologyConflict),
        AdminError::Unavailable(_) => Some(ErrorCode::MiroirNoLeader),
        AdminError::Internal(_) => Some(ErrorCode::Internal),
    };
    match (code, error) {
        (_, AdminError::Api(error)) => error,
        (Some(code), error) => ApiError::new(code, error.to_string()),
        (None, error) => ApiError::new(ErrorCode::Internal, error.to_string()),
    }
}

/// An unsupported feature: its name and why Miroir does not serve it.
struct Unsupported {
    feature: &'static str,
    reason: &'static str,
}

const DUMPS: Unsupported = Unsupported {
    feature: "dumps",
    reason: "each node holds only part of every index; dump the nodes instead",
};
const SNAPSHOTS: Unsupported = Unsupported {
    feature: "snapshots",
    reason: "each node holds only part of every index; snapshot the nodes instead",
};
const EXPORT: Unsupported = Unsupported {
    feature: "export",
    reason: "exporting a sharded index to another instance is not implemented",
};
const NETWORK: Unsupported = Unsupported {
    feature: "the network API",
    reason: "Miroir manages its nodes itself from its configuration",
};
const EXPERIMENTAL: Unsupported = Unsupported {
    feature: "experimental features",
    reason: "they would have to be switched on every node consistently",
};
const BATCHES: Unsupported = Unsupported {
    feature: "batches",
    reason: "Miroir tasks are not grouped in batches; use /tasks",
};

/// 501 `miroir_not_supported` naming the feature and the reason.
async fn not_supported(unsupported: Unsupported) -> Response {
    render_error(&not_supported_error(&unsupported))
}

fn not_supported_error(unsupported: &Unsupported) -> ApiError {
    ApiError::new(
        ErrorCode::MiroirNotSupported,
        format!(
            "Miroir does not support {} yet: {}.",
            unsupported.feature, unsupported.reason
        ),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unsupported_routes_name_the_feature_and_the_reason() {
        let error = not_supported_error(&DUMPS);
        assert_eq!(error.http_status(), 501);
        let body = error.to_body();
        assert_eq!(body.code, "miroir_not_supported");
        assert_eq!(
            body.message,
            "Miroir does not support dumps yet: each node holds only part of every index; dump the nodes instead."
        );
    }

    #[test]
    fn admin_failures_get_miroir_codes_and_statuses() {
        let cases = [
            (
                AdminError::InvalidArgument("a".into()),
                400,
                "miroir_invalid_admin_request",
            ),
            (
                AdminError::NotFound("b".into()),
                404,
                "miroir_admin_not_found",
            ),
            (
                AdminError::Refused("c".into()),
                409,
                "miroir_membership_refused",
            ),
            (
                AdminError::TopologyConflict("d".into()),
                409,
                "miroir_topology_conflict",
            ),
            (AdminError::Unavailable("e".into()), 503, "miroir_no_leader"),
            (AdminError::Internal("f".into()), 500, "internal"),
        ];
        for (error, status, code) in cases {
            let error = admin_api_error(error);
            assert_eq!(
                (error.http_status(), error.to_body().code.as_str()),
                (status, code)
            );
        }
    }

    #[test]
    fn add_peer_bodies_and_flags_are_checked() {
        let request = add_learner_request(
            &json!({"id": 4, "grpc_address": "h:7800", "http_address": "h:7700"}),
        )
        .unwrap();
        assert_eq!((request.id, request.name.as_str()), (4, ""));
        assert!(add_learner_request(&json!({"id": "4"})).is_err());
        assert!(add_learner_request(&json!({"id": 4, "grpc_address": 7})).is_err());
        assert!(!force_flag(None).unwrap());
        assert!(force_flag(Some("force=true")).unwrap());
        assert!(force_flag(Some("force=yes")).is_err());
        assert!(peer_id("x").is_err());
    }
}
