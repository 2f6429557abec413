//! Reading a JSON request body the way Meilisearch does: the `Content-Type` must be
//! `application/json`, an empty body is `missing_payload`, bad JSON is `malformed_payload`.

use axum::http::{header, HeaderMap};
use serde_json::Value;

use crate::errors::{codes, NodeError, NodeResult};

/// The request's `Content-Type` without parameters (`application/json; charset=utf-8` →
/// `application/json`), if any.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media_type = raw.split(';').next().unwrap_or(raw).trim();
    Some(media_type.to_ascii_lowercase())
}

/// Parses the body of a JSON endpoint.
pub fn json_body(headers: &HeaderMap, body: &[u8]) -> NodeResult<Value> {
    const ACCEPTED: &str = "Accepted values for the Content-Type header are: `application/json`";
    match content_type(headers) {
        None => {
            return Err(NodeError::new(
                codes::MISSING_CONTENT_TYPE,
                format!("A Content-Type header is missing. {ACCEPTED}"),
            ))
        }
        Some(media_type) if media_type != "application/json" => {
            return Err(NodeError::new(
                codes::INVALID_CONTENT_TYPE,
                format!("The Content-Type `{media_type}` is invalid. {ACCEPTED}"),
            ))
        }
        Some(_) => {}
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(NodeError::new(
            codes::MISSING_PAYLOAD,
            "A json payload is missing.",
        ));
    }
    serde_json::from_slice(body).map_err(|error| {
        NodeError::new(
            codes::MALFORMED_PAYLOAD,
            format!("The json payload provided is malformed. `{error}`."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers
    }

    #[test]
    fn malformed_json_quotes_the_parser_error() {
        let error = json_body(&json_headers(), b"{not json").unwrap_err();
        assert_eq!(
            error.message,
            "The json payload provided is malformed. `key must be a string at line 1 column 2`."
        );
    }

    #[test]
    fn empty_body_is_a_missing_payload() {
        assert_eq!(
            json_body(&json_headers(), b"").unwrap_err().code,
            codes::MISSING_PAYLOAD
        );
    }

    #[test]
    fn missing_content_type_is_rejected() {
        assert_eq!(
            json_body(&HeaderMap::new(), b"{}").unwrap_err().code,
            codes::MISSING_CONTENT_TYPE
        );
    }
}
