//! Index routes: list, create, get, update (primary key), delete, stats and `/swap-indexes`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::auth::Access;
use crate::body::json_body;
use crate::errors::{codes, NodeError, NodeResult};
use crate::index_store::{invalid_index_uid, is_valid_index_uid};
use crate::json_shape::{self, element_location, query_positive_integer};
use crate::routes::{accepted, AppState};
use crate::tasks::operation::{IndexSwap, TaskOperation};

/// Checks an index uid from a path, answering `invalid_index_uid`.
pub fn checked_index_uid(index_uid: &str) -> NodeResult<()> {
    if is_valid_index_uid(index_uid) {
        Ok(())
    } else {
        Err(invalid_index_uid(index_uid, ""))
    }
}

/// Parses `offset` and `limit` query parameters (defaults 0 and 20), rejecting others.
pub fn offset_limit(
    pairs: &[(String, String)],
    offset_code: crate::errors::ErrorCode,
    limit_code: crate::errors::ErrorCode,
    extra: &[&str],
) -> NodeResult<(usize, usize)> {
    let (mut offset, mut limit) = (0, 20);
    for (name, raw) in pairs {
        match name.as_str() {
            "offset" => offset = query_positive_integer(name, raw, offset_code)?,
            "limit" => limit = query_positive_integer(name, raw, limit_code)?,
            other if extra.contains(&other) => {}
            other => {
                let mut accepted: Vec<String> = vec!["`offset`".to_owned(), "`limit`".to_owned()];
                accepted.extend(extra.iter().map(|name| format!("`{name}`")));
                return Err(NodeError::new(
                    codes::BAD_REQUEST,
                    format!(
                        "Unknown parameter `{other}`: expected one of {}",
                        accepted.join(", ")
                    ),
                ));
            }
        }
    }
    Ok((offset, limit))
}

/// `GET /indexes`.
pub async fn list(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> NodeResult<Json<Value>> {
    let (offset, limit) = offset_limit(
        &pairs,
        codes::INVALID_INDEX_OFFSET,
        codes::INVALID_INDEX_LIMIT,
        &[],
    )?;
    let indexes = state.indexes.read();
    let visible: Vec<Value> = indexes
        .iter()
        .filter(|index| access.allows_index(&index.uid))
        .map(|index| index.to_json())
        .collect();
    let total = visible.len();
    let results: Vec<Value> = visible.into_iter().skip(offset).take(limit).collect();
    Ok(Json(
        json!({"results": results, "offset": offset, "limit": limit, "total": total}),
    ))
}

fn primary_key_field(object: &serde_json::Map<String, Value>) -> NodeResult<Option<String>> {
    match object.get("primaryKey") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => Ok(Some(
            json_shape::string(value, ".primaryKey", codes::INVALID_INDEX_PRIMARY_KEY)?.to_owned(),
        )),
    }
}

/// `POST /indexes`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    let value = json_body(&headers, &body)?;
    let object = json_shape::object(&value, "", codes::BAD_REQUEST)?;
    json_shape::reject_unknown_fields(object, &["uid", "primaryKey"])?;
    let uid_value = object
        .get("uid")
        .ok_or_else(|| json_shape::missing_field("", "uid", codes::MISSING_INDEX_UID))?;
    let uid = json_shape::string(uid_value, ".uid", codes::INVALID_INDEX_UID)?;
    if !is_valid_index_uid(uid) {
        return Err(invalid_index_uid(uid, ".uid"));
    }
    let primary_key = primary_key_field(object)?;
    let task = state.enqueue(
        Some(uid.to_owned()),
        TaskOperation::IndexCreation { primary_key },
    );
    Ok(accepted(&task))
}

/// `GET /indexes/{uid}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
) -> NodeResult<Json<Value>> {
    checked_index_uid(&index_uid)?;
    Ok(Json(state.indexes.read().get(&index_uid)?.to_json()))
}

/// `PATCH /indexes/{uid}`.
pub async fn update(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let value = json_body(&headers, &body)?;
    let object = json_shape::object(&value, "", codes::BAD_REQUEST)?;
    json_shape::reject_unknown_fields(object, &["primaryKey"])?;
    let primary_key = primary_key_field(object)?;
    let task = state.enqueue(Some(index_uid), TaskOperation::IndexUpdate { primary_key });
    Ok(accepted(&task))
}

/// `DELETE /indexes/{uid}`.
pub async fn delete(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
) -> NodeResult<Response> {
    checked_index_uid(&index_uid)?;
    let task = state.enqueue(Some(index_uid), TaskOperation::IndexDeletion);
    Ok(accepted(&task))
}

/// `GET /indexes/{uid}/stats`.
pub async fn stats(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
) -> NodeResult<Json<Value>> {
    checked_index_uid(&index_uid)?;
    let indexing = state.tasks.lock().is_indexing(&index_uid);
    Ok(Json(
        state.indexes.read().get(&index_uid)?.stats_json(indexing),
    ))
}

/// `POST /swap-indexes`.
pub async fn swap(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Response> {
    let value = json_body(&headers, &body)?;
    let requests = value
        .as_array()
        .ok_or_else(|| json_shape::invalid_type("", "an array", &value, codes::BAD_REQUEST))?;
    let mut swaps = Vec::with_capacity(requests.len());
    let mut seen: Vec<String> = Vec::new();
    for (position, request) in requests.iter().enumerate() {
        let location = element_location("", position);
        let object = json_shape::object(request, &location, codes::BAD_REQUEST)?;
        json_shape::reject_unknown_fields(object, &["indexes", "rename"])?;
        let indexes_value = object.get("indexes").ok_or_else(|| {
            json_shape::missing_field(&location, "indexes", codes::INVALID_SWAP_INDEXES)
        })?;
        let indexes_location = format!("{location}.indexes");
        let names = json_shape::string_array(
            indexes_value,
            &indexes_location,
            codes::INVALID_SWAP_INDEXES,
        )?;
        let [first, second]: [String; 2] = names.clone().try_into().map_err(|_| {
            json_shape::invalid_value(
                &indexes_location,
                &format!("two indexes must be given, found {}", names.len()),
                codes::INVALID_SWAP_INDEXES,
            )
        })?;
        for name in [&first, &second] {
            if !is_valid_index_uid(name) {
                return Err(invalid_index_uid(name, &indexes_location));
            }
            if seen.contains(name) {
                return Err(NodeError::new(
                    codes::INVALID_SWAP_DUPLICATE_INDEX_FOUND,
                    format!("Indexes must be declared only once during a swap. `{name}` was specified several times."),
                ));
            }
            seen.push(name.clone());
        }
        let rename = match object.get("rename") {
            None | Some(Value::Null) => false,
            Some(flag) => json_shape::boolean(
                flag,
                &format!("{location}.rename"),
                codes::INVALID_SWAP_RENAME,
            )?,
        };
        swaps.push(IndexSwap {
            indexes: [first, second],
            rename,
        });
    }
    let task = state.enqueue(None, TaskOperation::IndexSwap { swaps });
    Ok(accepted(&task))
}
