//! HTTP handlers, one module per API area, and the router that wires them with the auth and
//! fault-injection middleware.

pub mod documents;
pub mod facet_search;
pub mod faults;
pub mod indexes;
pub mod keys;
pub mod misc;
pub mod multi_search;
pub mod search;
pub mod settings;
pub mod tasks;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};

use crate::auth::authenticate;
use crate::state::NodeState;
use crate::tasks::model::Task;

/// The shared state every handler receives.
pub type AppState = Arc<NodeState>;

/// Meilisearch's maximum payload size (100 MiB).
const MAX_PAYLOAD_BYTES: usize = 100 * 1024 * 1024;

/// `202 Accepted` with the task summary.
pub fn accepted(task: &Task) -> Response {
    (StatusCode::ACCEPTED, Json(task.summary_json())).into_response()
}

/// Builds the node's router (no socket: tests can drive it with `oneshot`).
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(misc::health))
        .route("/version", get(misc::version))
        .route("/stats", get(misc::global_stats))
        .route("/indexes", get(indexes::list).post(indexes::create))
        .route(
            "/indexes/{index_uid}",
            get(indexes::get_one)
                .patch(indexes::update)
                .delete(indexes::delete),
        )
        .route("/indexes/{index_uid}/stats", get(indexes::stats))
        .route("/swap-indexes", post(indexes::swap))
        .route(
            "/indexes/{index_uid}/documents",
            get(documents::list)
                .post(documents::add_or_replace)
                .put(documents::add_or_update)
                .delete(documents::clear),
        )
        .route(
            "/indexes/{index_uid}/documents/fetch",
            post(documents::fetch),
        )
        .route(
            "/indexes/{index_uid}/documents/delete-batch",
            post(documents::delete_batch),
        )
        .route(
            "/indexes/{index_uid}/documents/delete",
            post(documents::delete_by_filter),
        )
        .route(
            "/indexes/{index_uid}/documents/{document_id}",
            get(documents::get_one).delete(documents::delete_one),
        )
        .route(
            "/indexes/{index_uid}/settings",
            get(settings::get_all)
                .patch(settings::update_all)
                .delete(settings::reset_all),
        )
        .route(
            "/indexes/{index_uid}/settings/{setting}",
            get(settings::get_one)
                .put(settings::update_one)
                .patch(settings::update_one)
                .delete(settings::reset_one),
        )
        .route(
            "/indexes/{index_uid}/search",
            get(search::search_get).post(search::search_post),
        )
        .route(
            "/indexes/{index_uid}/facet-search",
            post(facet_search::facet_search),
        )
        .route("/multi-search", post(multi_search::multi_search))
        .route("/tasks", get(tasks::list).delete(tasks::delete))
        .route("/tasks/cancel", post(tasks::cancel))
        .route("/tasks/{task_uid}", get(tasks::get_one))
        .route("/batches", get(tasks::list_batches))
        .route("/batches/{batch_uid}", get(tasks::get_batch))
        .route("/keys", get(keys::list).post(keys::create))
        .route(
            "/keys/{key}",
            get(keys::get_one).patch(keys::update).delete(keys::delete),
        )
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject_faults,
        ));
    Router::new()
        .route(
            "/_testnode/faults",
            get(faults::get_faults)
                .put(faults::put_faults)
                .delete(faults::clear_faults),
        )
        .merge(api)
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(DefaultBodyLimit::max(MAX_PAYLOAD_BYTES))
        .with_state(state)
}
