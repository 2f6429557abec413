//! Settings routes: the whole object (`GET`/`PATCH`/`DELETE /indexes/{uid}/settings`) and one
//! route per setting (`/settings/stop-words`, ...). Updates are `settingsUpdate` tasks.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::body::json_body;
use crate::errors::NodeResult;
use crate::routes::indexes::checked_index_uid;
use crate::routes::{accepted, AppState};
use crate::settings::{setting_for_route, SettingsPatch};
use crate::tasks::operation::TaskOperation;

/// `GET /indexes/{uid}/settings`.
pub async fn get_all(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
) -> NodeResult<Json<Value>> {
    checked_index_uid(&index_uid)?;
    Ok(Json(
        state.indexes.read().get(&index_uid)?.settings.to_json(),
    ))
}

fn enqueue(state: &AppState, index_uid: String, patch: SettingsPatch) -> Response {
    accepted(&state.enqueue(Some(index_uid), TaskOperation::SettingsUpdate { patch }))
}

/// `PATCH /indexes/{uid}/settings`.
pub async fn update_all(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let patch = SettingsPatch::from_object(&json_body(&headers, &body)?)?;
    Ok(enqueue(&state, index_uid, patch))
}

/// `DELETE /indexes/{uid}/settings`.
pub async fn reset_all(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    Ok(enqueue(&state, index_uid, SettingsPatch::reset_all()))
}

/// `GET /indexes/{uid}/settings/{setting}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path((index_uid, route)): Path<(String, String)>,
) -> NodeResult<Response> {
    let Some(name) = setting_for_route(&route) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    checked_index_uid(&index_uid)?;
    Ok(Json(state.indexes.read().get(&index_uid)?.settings.get(name)).into_response())
}

/// `PUT` or `PATCH /indexes/{uid}/settings/{setting}`.
pub async fn update_one(
    State(state): State<AppState>,
    Path((index_uid, route)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    let Some(name) = setting_for_route(&route) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    checked_index_uid(&index_uid)?;
    let patch = SettingsPatch::from_single(name, &json_body(&headers, &body)?)?;
    Ok(enqueue(&state, index_uid, patch))
}

/// `DELETE /indexes/{uid}/settings/{setting}`.
pub async fn reset_one(
    State(state): State<AppState>,
    Path((index_uid, route)): Path<(String, String)>,
) -> NodeResult<Response> {
    let Some(name) = setting_for_route(&route) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    checked_index_uid(&index_uid)?;
    Ok(enqueue(&state, index_uid, SettingsPatch::reset_one(name)))
}
