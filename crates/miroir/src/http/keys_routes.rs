//! Handlers of `/keys`, `PATCH /indexes/{uid}`, `POST /swap-indexes` and the task
//! cancelation/deletion routes.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use miroir_core::error::ApiError;
use miroir_meta::{parse_task_filter_for_delete_or_cancel, TaskBulkAction};

use super::body::MeiliJson;
use super::error::{render, ApiResult};
use super::AppState;

/// The routes of this file.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/keys", get(list_keys).post(create_key))
        .route(
            "/keys/{key}",
            get(get_key).patch(update_key).delete(delete_key),
        )
        .route("/swap-indexes", post(swap_indexes))
        .route("/tasks/cancel", post(cancel_tasks))
}

/// `GET /keys`.
pub async fn list_keys(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let path = match query {
        Some(query) if !query.is_empty() => format!("/keys?{query}"),
        _ => "/keys".to_owned(),
    };
    render(state.proxy.read_keys(path).await)
}

/// `GET /keys/{key_or_uid}`.
pub async fn get_key(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    render(state.proxy.read_keys(format!("/keys/{key}")).await)
}

/// `POST /keys`.
pub async fn create_key(State(state): State<AppState>, MeiliJson(body): MeiliJson) -> Response {
    render(state.proxy.create_key(body).await)
}

/// `PATCH /keys/{key_or_uid}`.
pub async fn update_key(
    State(state): State<AppState>,
    Path(key): Path<String>,
    MeiliJson(body): MeiliJson,
) -> Response {
    render(state.proxy.update_key(&key, body).await)
}

/// `DELETE /keys/{key_or_uid}`: 204 without a body.
pub async fn delete_key(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    match state.proxy.delete_key(&key).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => render(Err(error)),
    }
}

/// `PATCH /indexes/{uid}`.
pub async fn update_index(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    MeiliJson(body): MeiliJson,
) -> Response {
    render(state.proxy.update_index(&uid, body).await)
}

/// `POST /swap-indexes`.
pub async fn swap_indexes(State(state): State<AppState>, MeiliJson(body): MeiliJson) -> Response {
    render(state.proxy.swap_indexes(body).await)
}

/// `POST /tasks/cancel?…`.
pub async fn cancel_tasks(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    render(bulk_task_action(&state, TaskBulkAction::Cancel, query.unwrap_or_default()).await)
}

/// `DELETE /tasks?…`.
pub async fn delete_tasks(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    render(bulk_task_action(&state, TaskBulkAction::Delete, query.unwrap_or_default()).await)
}

async fn bulk_task_action(state: &AppState, action: TaskBulkAction, query: String) -> ApiResult {
    let filter = parse_task_filter_for_delete_or_cancel(&query, action).map_err(ApiError::from)?;
    match action {
        TaskBulkAction::Cancel => state.proxy.cancel_tasks(filter, &query).await,
        TaskBulkAction::Delete => state.proxy.delete_tasks(filter, &query).await,
    }
}
