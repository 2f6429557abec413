//! The Meilisearch HTTP API of a peer (axum): routing, authentication, body limits and the
//! one place where service-layer errors become Meilisearch error responses.

mod auth;
mod body;
mod error;
mod probes;
mod routes;

use std::sync::Arc;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::proxy::Proxy;

pub use auth::Keys;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The service layer.
    pub proxy: Arc<Proxy>,
    /// Client and admin keys.
    pub keys: Arc<Keys>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
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
            get(routes::get_index).delete(routes::delete_index),
        )
        .route(
            "/indexes/{uid}/documents",
            post(routes::replace_documents).put(routes::update_documents),
        )
        .route("/indexes/{uid}/documents/{id}", get(routes::get_document))
        .route("/indexes/{uid}/search", post(routes::search))
        .route("/tasks", get(routes::list_tasks))
        .route("/tasks/{uid}", get(routes::get_task))
        .route("/version", get(routes::version))
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
        .with_state(state)
}
