//! `/health`, `/version` and `/stats`.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::routes::AppState;
use crate::time_format::timestamp_json;

/// The Meilisearch version the node imitates.
pub const MEILISEARCH_VERSION: &str = "1.50.0";

/// `GET /health`.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "available"}))
}

/// `GET /version`.
pub async fn version() -> Json<Value> {
    Json(json!({
        "commitSha": "meili-test-node",
        "commitDate": "unknown",
        "pkgVersion": MEILISEARCH_VERSION,
    }))
}

/// `GET /stats`.
pub async fn global_stats(State(state): State<AppState>) -> Json<Value> {
    let (last_update, indexing): (_, Vec<String>) = {
        let tasks = state.tasks.lock();
        let indexes = state.indexes.read();
        let busy = indexes
            .iter()
            .filter(|index| tasks.is_indexing(&index.uid))
            .map(|index| index.uid.clone())
            .collect();
        (tasks.last_update(), busy)
    };
    let indexes = state.indexes.read();
    let size: usize = indexes.iter().map(|index| index.approximate_size()).sum();
    Json(json!({
        "databaseSize": size,
        "usedDatabaseSize": size,
        "lastUpdate": timestamp_json(last_update),
        "indexes": indexes.stats_by_index(&|uid| indexing.iter().any(|busy| busy == uid)),
    }))
}
