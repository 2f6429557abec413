//! `/_testnode/faults` (GET current faults, PUT a new configuration, DELETE to clear) and the
//! middleware that applies latency and injected failures to every other route.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::body::json_body;
use crate::errors::{codes, NodeError, NodeResult};
use crate::faults::FaultConfig;
use crate::routes::AppState;

/// `GET /_testnode/faults`.
pub async fn get_faults(State(state): State<AppState>) -> Json<FaultConfig> {
    Json(state.faults.config())
}

/// `PUT /_testnode/faults`: replaces the fault configuration.
pub async fn put_faults(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Json<FaultConfig>> {
    let value = json_body(&headers, &body)?;
    let config: FaultConfig = serde_json::from_value(value).map_err(|error| {
        NodeError::new(
            codes::BAD_REQUEST,
            format!("invalid fault configuration: {error}"),
        )
    })?;
    if config.down && config.down_for_ms.is_none() {
        return Err(NodeError::new(
            codes::BAD_REQUEST,
            "`down` over HTTP needs `downForMs`: a down node cannot be reached to bring it back up",
        ));
    }
    let down_for = config.down_for_ms.map(Duration::from_millis);
    state.faults.set_config(FaultConfig {
        down: down_for.is_some(),
        ..config
    });
    if let Some(down_for) = down_for {
        let faults = state.faults.clone();
        tokio::spawn(async move {
            tokio::time::sleep(down_for).await;
            faults.set_down(false);
        });
    }
    Ok(Json(state.faults.config()))
}

/// `DELETE /_testnode/faults`: clears every fault.
pub async fn clear_faults(State(state): State<AppState>) -> Json<FaultConfig> {
    state.faults.clear();
    Json(state.faults.config())
}

/// Middleware: delays the request and/or answers an injected failure.
pub async fn inject_faults(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let fault = state
        .faults
        .on_request(request.method().as_str(), request.uri().path());
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    if let Some(status) = fault.fail_with {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let error = NodeError::new(codes::INJECTED_FAULT, "fault injected by the test node");
        return (status, Json(error.to_json())).into_response();
    }
    next.run(request).await
}
