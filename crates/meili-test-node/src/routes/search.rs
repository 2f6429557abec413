//! `POST /indexes/{uid}/search` and `GET /indexes/{uid}/search` (query-string form): parse
//! the parameters, then run the search under the index store's read lock.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::Value;
use uuid::Uuid;

use crate::body::json_body;
use crate::errors::{codes, NodeResult};
use crate::json_shape;
use crate::routes::indexes::checked_index_uid;
use crate::routes::AppState;
use crate::search_execution::RankedSearch;
use crate::search_request::{SearchParameters, SEARCH_FIELDS};

/// Searches index `index_uid` and answers Meilisearch's response object.
fn search(state: &AppState, index_uid: &str, params: &SearchParameters) -> NodeResult<Json<Value>> {
    let started = Instant::now();
    let indexes = state.indexes.read();
    let index = indexes.get(index_uid)?;
    let ranked = RankedSearch::run_for_page(index, params)?;
    let request_uid = Uuid::new_v4().to_string();
    Ok(Json(Value::Object(
        ranked.response(started.elapsed().as_millis(), &request_uid),
    )))
}

/// `POST /indexes/{uid}/search`.
pub async fn search_post(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Json<Value>> {
    checked_index_uid(&index_uid)?;
    let value = json_body(&headers, &body)?;
    let object = json_shape::object(&value, "", codes::BAD_REQUEST)?;
    let params = SearchParameters::from_json(object, "", SEARCH_FIELDS)?;
    search(&state, &index_uid, &params)
}

/// `GET /indexes/{uid}/search`.
pub async fn search_get(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> NodeResult<Json<Value>> {
    checked_index_uid(&index_uid)?;
    let params = SearchParameters::from_query_pairs(&pairs)?;
    search(&state, &index_uid, &params)
}
