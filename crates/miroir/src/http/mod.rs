//! The Meilisearch HTTP API of a peer (axum): routing, authentication, body limits and the
//! one place where service-layer errors become Meilisearch error responses.

mod admin_routes;
mod auth;
mod body;
mod error;
mod keys_routes;
mod probes;
mod request_id;
mod routes;
mod search_routes;
mod settings_headers;

use std::sync::Arc;

use axum::extract::State;
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::admin::Admin;
use crate::metrics::{self, Metrics};
use crate::proxy::Proxy;

pub use auth::Keys;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The service layer.
    pub proxy: Arc<Proxy>,
    /// The operator service layer (`/_miroir/*`).
    pub admin: Admin,
    /// Client and admin keys.
    pub keys: Arc<Keys>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// This process's metrics.
    pub metrics: Metrics,
}

/// Every route a peer serves.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(
            "/indexes",
            post(routes::create_index).get(routes::list_indexes),
        )
        .route(
            "/indexes/{uid}",
            get(routes::get_index)
                .patch(keys_routes::update_index)
                .delete(routes::delete_index),
        )
        .route(
            "/indexes/{uid}/documents",
            post(routes::replace_documents)
                .put(routes::update_documents)
                .delete(routes::delete_all_documents)
                .get(routes::list_documents),
        )
        .route(
            "/indexes/{uid}/documents/fetch",
            post(routes::fetch_documents),
        )
        .route(
            "/indexes/{uid}/documents/{id}",
            get(routes::get_document).delete(routes::delete_document),
        )
        .route(
            "/indexes/{uid}/documents/delete-batch",
            post(routes::delete_documents_by_ids),
        )
        .route(
            "/indexes/{uid}/documents/delete",
            post(routes::delete_documents_by_filter),
        )
        .route(
            "/indexes/{uid}/facet-search",
            post(search_routes::facet_search),
        )
        .route("/multi-search", post(search_routes::multi_search))
        .route(
            "/indexes/{uid}/search",
            post(routes::search).get(routes::search_get),
        )
        .route(
            "/indexes/{uid}/settings",
            get(routes::get_settings)
                .patch(routes::update_settings)
                .delete(routes::reset_settings),
        )
        .route(
            "/indexes/{uid}/settings/{name}",
            get(routes::get_setting)
                .put(routes::update_setting)
                .patch(routes::update_setting)
                .delete(routes::reset_setting),
        )
        .route("/indexes/{uid}/stats", get(routes::index_stats))
        .route("/stats", get(routes::global_stats))
        .route(
            "/tasks",
            get(routes::list_tasks).delete(keys_routes::delete_tasks),
        )
        .route("/tasks/{uid}", get(routes::get_task))
        .route("/version", get(routes::version))
        .route("/_miroir/metrics", get(scrape_metrics))
        .merge(keys_routes::routes())
        .merge(admin_routes::routes())
        // Inside the key check: unauthenticated requests learn nothing about settings.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            settings_headers::stamp_settings,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_key,
        ));
    Router::new()
        // Probes answer without a key (orchestrators call them unauthenticated).
        .route("/health", get(probes::health))
        .route("/_miroir/ready", get(probes::ready))
        .merge(api)
        .fallback(probes::unknown_route)
        // Outermost, so every answer (401s and unmatched routes included) is counted.
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track_requests,
        ))
        // Outermost of all: every answer carries its request id, every log line under it too.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_id::tag_request,
        ))
        .with_state(state)
}

/// `GET /_miroir/metrics`: the metrics text (admin key), as the metrics listener serves it.
async fn scrape_metrics(State(state): State<AppState>) -> Response {
    metrics::listener::scrape_response(&state.metrics, &state.proxy).await
}
