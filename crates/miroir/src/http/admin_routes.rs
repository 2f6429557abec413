//! Operator routes under `/_miroir/` (admin key, see `auth`): the topology and the shard
//! placement views, and Meilisearch routes Miroir does not serve yet.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use miroir_core::error::{ApiError, ErrorCode};

use super::error::{render, render_error};
use super::AppState;

/// The routes of this file.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_miroir/topology", get(topology))
        .route("/_miroir/shards", get(shards))
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

/// `GET /_miroir/topology`.
pub async fn topology(State(state): State<AppState>) -> Response {
    render(state.proxy.topology_view())
}

/// `GET /_miroir/shards`.
pub async fn shards(State(state): State<AppState>) -> Response {
    render(state.proxy.shards_view().await)
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
}
