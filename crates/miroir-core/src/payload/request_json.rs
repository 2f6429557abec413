//! The JSON body of a Meilisearch API endpoint that is not a document write (index creation,
//! search, settings, keys, …): `Content-Type: application/json` is required, an empty body is
//! `missing_payload`, bad JSON is `malformed_payload` quoting the parser.

use serde_json::Value;

use super::content_type::parse_media_type;
use crate::error::{ApiError, ErrorCode};

const ACCEPTED_SENTENCE: &str =
    "Accepted values for the Content-Type header are: `application/json`";

/// Parses the body of a JSON endpoint given its raw `Content-Type` header value, with
/// Meilisearch's errors.
pub fn parse_json_request(content_type: Option<&str>, body: &[u8]) -> Result<Value, ApiError> {
    let Some(header_value) = content_type else {
        return Err(ApiError::new(
            ErrorCode::MissingContentType,
            format!("A Content-Type header is missing. {ACCEPTED_SENTENCE}"),
        ));
    };
    let shown = match parse_media_type(header_value) {
        Some(media) if media.top_level == "application" && media.subtype == "json" => None,
        Some(media) => Some(format!("{}/{}", media.top_level, media.subtype)),
        None => Some(header_value.to_owned()),
    };
    if let Some(shown) = shown {
        return Err(ApiError::new(
            ErrorCode::InvalidContentType,
            format!("The Content-Type `{shown}` is invalid. {ACCEPTED_SENTENCE}"),
        ));
    }
    if body.is_empty() {
        return Err(ApiError::new(
            ErrorCode::MissingPayload,
            "A json payload is missing.",
        ));
    }
    serde_json::from_slice(body).map_err(|error| {
        ApiError::new(
            ErrorCode::MalformedPayload,
            format!("The json payload provided is malformed. `{error}`."),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse_json_request;
    use crate::error::ErrorCode;

    fn error_of(content_type: Option<&str>, body: &[u8]) -> (String, String) {
        let body = parse_json_request(content_type, body)
            .unwrap_err()
            .to_body();
        (body.code, body.message)
    }

    #[test]
    fn json_bodies_parse_with_or_without_parameters() {
        for content_type in ["application/json", "Application/JSON; charset=utf-8"] {
            assert_eq!(
                parse_json_request(Some(content_type), br#"{"uid":"movies"}"#).unwrap(),
                json!({"uid": "movies"})
            );
        }
    }

    #[test]
    fn malformed_json_quotes_the_parser_like_meilisearch() {
        assert_eq!(
            error_of(Some("application/json"), b"{not json"),
            (
                ErrorCode::MalformedPayload.as_str().to_owned(),
                "The json payload provided is malformed. `key must be a string at line 1 column 2`."
                    .to_owned()
            )
        );
    }

    #[test]
    fn empty_body_is_a_missing_payload() {
        assert_eq!(
            error_of(Some("application/json"), b""),
            (
                ErrorCode::MissingPayload.as_str().to_owned(),
                "A json payload is missing.".to_owned()
            )
        );
    }

    #[test]
    fn content_type_must_be_present_and_json() {
        assert_eq!(
            error_of(None, b"{}"),
            (
                ErrorCode::MissingContentType.as_str().to_owned(),
                "A Content-Type header is missing. Accepted values for the Content-Type header are: `application/json`".to_owned()
            )
        );
        assert_eq!(
            error_of(Some("text/csv; charset=utf-8"), b"{}").1,
            "The Content-Type `text/csv` is invalid. Accepted values for the Content-Type header are: `application/json`"
        );
        assert_eq!(
            error_of(Some("not a type"), b"{}").1,
            "The Content-Type `not a type` is invalid. Accepted values for the Content-Type header are: `application/json`"
        );
    }
}
