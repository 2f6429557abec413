//! Request bodies read with the configured size limit; beyond it, Meilisearch's 413. JSON
//! endpoints take their body through the [`MeiliJson`] extractor, which answers a bad body
//! with Meilisearch's exact error.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::Response;
use http_body_util::{BodyExt, Limited};
use miroir_core::error::{ApiError, ErrorCode};
use miroir_core::payload::parse_json_request;
use serde_json::Value;

use super::error::render_error;
use super::AppState;

/// The JSON body of a Meilisearch endpoint, read within the body limit; a missing or wrong
/// `Content-Type`, an empty body or bad JSON is rejected as Meilisearch rejects it.
pub struct MeiliJson(pub Value);

impl FromRequest<AppState> for MeiliJson {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let bytes = read_limited(request.into_body(), state.max_body_bytes)
            .await
            .map_err(|error| render_error(&error))?;
        parse_json_request(content_type.as_deref(), &bytes)
            .map(MeiliJson)
            .map_err(|error| render_error(&error))
    }
}

/// Reads the whole body, refusing more than `limit` bytes with `payload_too_large`.
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "The provided payload reached the size limit. The maximum accepted payload size is {}.",
                human_size(limit)
            ),
        )),
        Err(error) => Err(ApiError::new(
            ErrorCode::BadRequest,
            format!("The request body could not be read: {error}"),
        )),
    }
}

/// Meilisearch's rendering of a byte size (binary units, two decimals): `100.00 MiB`.
fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.2} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_render_like_meilisearch() {
        assert_eq!(human_size(104_857_600), "100.00 MiB");
        assert_eq!(human_size(1_536), "1.50 KiB");
        assert_eq!(human_size(512), "512 B");
    }
}
