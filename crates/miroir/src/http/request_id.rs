//! Request ids: every response carries `X-Request-Id` — the client's own when it sent a usable
//! one, otherwise a fresh UUID — and everything logged while the request is handled carries it
//! as `request_id` (with this peer's id), so one request can be found across peers' logs.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::AppState;

/// The header carrying the request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest client-chosen request id kept.
const MAX_CLIENT_ID_LEN: usize = 128;

/// Middleware: tags the request with its id, logs its completion (debug) and returns the id.
pub async fn tag_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = client_request_id(request.headers())
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    // At error level so the ids stay attached whatever RUST_LOG lets through.
    let span = tracing::error_span!(
        "request",
        request_id = %id,
        peer_id = state.proxy.peer().id(),
        method = %request.method(),
    );
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::debug!(
            status = response.status().as_u16(),
            duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "request completed"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The client's `X-Request-Id` when it is short, visible ASCII without spaces (safe to log and
/// to send back).
fn client_request_id(headers: &HeaderMap) -> Option<String> {
    let id = headers.get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let usable = !id.is_empty()
        && id.len() <= MAX_CLIENT_ID_LEN
        && id.bytes().all(|byte| byte.is_ascii_graphic());
    usable.then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn usable_client_ids_are_kept_and_others_replaced() {
        assert_eq!(
            client_request_id(&headers("trace-42")).as_deref(),
            Some("trace-42")
        );
        assert_eq!(client_request_id(&HeaderMap::new()), None);
        assert_eq!(client_request_id(&headers("")), None);
        assert_eq!(client_request_id(&headers("has space")), None);
        assert_eq!(client_request_id(&headers(&"x".repeat(129))), None);
        assert!(client_request_id(&headers(&"x".repeat(128))).is_some());
    }
}
