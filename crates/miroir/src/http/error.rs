//! Rendering: a [`Reply`] as a JSON response with Miroir's headers, and every
//! [`ProxyError`] as Meilisearch's error shape `{message, code, type, link}`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use miroir_core::error::{ApiError, ErrorCode};

use crate::proxy::{ProxyError, Reply};

/// Header naming what part of the cluster could not take part in a request.
pub const DEGRADED_HEADER: &str = "x-miroir-degraded";

/// A handler's outcome.
pub type ApiResult = Result<Reply, ProxyError>;

/// Renders an outcome.
pub fn render(outcome: ApiResult) -> Response {
    match outcome {
        Ok(reply) => render_reply(reply),
        Err(error) => render_error(&api_error(error)),
    }
}

fn render_reply(reply: Reply) -> Response {
    let mut response = (reply.status, Json(reply.body)).into_response();
    if let Some(degraded) = reply.degraded {
        if let Ok(value) = HeaderValue::from_str(&degraded) {
            response.headers_mut().insert(DEGRADED_HEADER, value);
        }
    }
    response
}

/// A Meilisearch error response.
pub fn render_error(error: &ApiError) -> Response {
    let status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error.to_body())).into_response()
}

/// The one mapping of service-layer errors to Meilisearch errors.
pub fn api_error(error: ProxyError) -> ApiError {
    match error {
        ProxyError::Api(error) => error,
        ProxyError::NoQuorum { .. } | ProxyError::Node { .. } => {
            tracing::warn!(%error, "request failed for lack of nodes");
            ApiError::new(ErrorCode::MiroirNoQuorum, error.to_string())
        }
        ProxyError::ShardUnavailable { .. } => {
            ApiError::new(ErrorCode::MiroirShardUnavailable, error.to_string())
        }
        ProxyError::Metadata(_) | ProxyError::MetadataRejected(_) | ProxyError::Internal(_) => {
            tracing::error!(%error, "request failed inside Miroir");
            ApiError::new(ErrorCode::Internal, error.to_string())
        }
    }
}
