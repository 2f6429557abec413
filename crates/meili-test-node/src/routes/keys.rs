//! The keys API: `GET/POST /keys`, `GET/PATCH/DELETE /keys/{uid or key}`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::body::json_body;
use crate::errors::{codes, NodeResult};
use crate::routes::indexes::offset_limit;
use crate::routes::AppState;
use crate::time_format::now;

/// `GET /keys`.
pub async fn list(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> NodeResult<Json<Value>> {
    let (offset, limit) = offset_limit(
        &pairs,
        codes::INVALID_API_KEY_OFFSET,
        codes::INVALID_API_KEY_LIMIT,
        &[],
    )?;
    let keys = state.keys.read();
    let results: Vec<Value> = keys
        .all()
        .iter()
        .skip(offset)
        .take(limit)
        .map(|key| key.to_json())
        .collect();
    Ok(Json(
        json!({"results": results, "offset": offset, "limit": limit, "total": keys.all().len()}),
    ))
}

/// `POST /keys` (201).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    let value = json_body(&headers, &body)?;
    let key = state.keys.write().create(&value, now())?;
    Ok((StatusCode::CREATED, Json(key.to_json())).into_response())
}

/// `GET /keys/{key}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> NodeResult<Json<Value>> {
    Ok(Json(state.keys.read().find(&key)?.to_json()))
}

/// `PATCH /keys/{key}`.
pub async fn update(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Json<Value>> {
    let value = json_body(&headers, &body)?;
    Ok(Json(
        state.keys.write().update(&key, &value, now())?.to_json(),
    ))
}

/// `DELETE /keys/{key}` (204).
pub async fn delete(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> NodeResult<StatusCode> {
    state.keys.write().delete(&key)?;
    Ok(StatusCode::NO_CONTENT)
}
