//! Handlers of the search routes that fan out beyond one index search: `POST /multi-search`
//! and `POST /indexes/{uid}/facet-search`. Parse, call the service layer, render.

use axum::extract::{Path, State};
use axum::response::Response;

use super::body::MeiliJson;
use super::error::render;
use super::AppState;

/// `POST /multi-search`.
pub async fn multi_search(State(state): State<AppState>, MeiliJson(body): MeiliJson) -> Response {
    render(state.proxy.multi_search(body).await)
}

/// `POST /indexes/{uid}/facet-search`.
pub async fn facet_search(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    MeiliJson(body): MeiliJson,
) -> Response {
    render(state.proxy.facet_search(&uid, body).await)
}
