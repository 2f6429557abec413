//! [`Reply`]: a successful answer of the service layer, before rendering.

use axum::http::StatusCode;
use serde_json::Value;

/// Status, JSON body and the Miroir headers of a successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status (200, 201, 202, …).
    pub status: StatusCode,
    /// The JSON body.
    pub body: Value,
    /// `X-Miroir-Degraded` value, when part of the cluster could not take part.
    pub degraded: Option<String>,
}

impl Reply {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        Self::with_status(StatusCode::OK, body)
    }

    /// `status` with `body`.
    pub fn with_status(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            degraded: None,
        }
    }
}
