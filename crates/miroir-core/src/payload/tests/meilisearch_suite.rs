//! Cases from Meilisearch's own snapshot tests at tag `v1.50.0`
//! (`crates/meilisearch/tests/documents/errors.rs` and `add_documents.rs`), inputs and expected
//! messages copied from the snapshots.

use super::{assert_error, parse_err};
use crate::error::ErrorCode;
use crate::payload::{parse_csv_delimiter, PayloadFormat};

const ACCEPTED: &str = "Accepted values for the Content-Type header are: `application/json`, `application/x-ndjson`, `text/csv`";

#[test]
fn empty_bodies_are_missing_payloads_named_after_the_format() {
    for (format, message) in [
        (PayloadFormat::Json, "A json payload is missing."),
        (PayloadFormat::Ndjson, "A ndjson payload is missing."),
        (PayloadFormat::Csv, "A csv payload is missing."),
    ] {
        let error = parse_err(format, "");
        assert_error(&error, ErrorCode::MissingPayload, message);
        assert_eq!(error.http_status(), 400);
    }
}

#[test]
fn a_missing_content_type_wins_over_a_csv_delimiter() {
    let message = format!("A Content-Type header is missing. {ACCEPTED}");
    for delimiter in [None, Some(b';')] {
        let error = PayloadFormat::negotiate(None, delimiter).unwrap_err();
        assert_error(&error, ErrorCode::MissingContentType, &message);
        assert_eq!(error.http_status(), 415);
    }
}

#[test]
fn unsupported_content_types_are_echoed() {
    for content_type in ["doggo", "text/plain"] {
        let error = PayloadFormat::from_content_type(Some(content_type)).unwrap_err();
        assert_error(
            &error,
            ErrorCode::InvalidContentType,
            &format!("The Content-Type `{content_type}` is invalid. {ACCEPTED}"),
        );
        assert_eq!(error.http_status(), 415);
    }
}

#[test]
fn bad_csv_delimiters_are_refused() {
    let cases = [
        ("", "Invalid value in parameter `csvDelimiter`: expected a string of one character, but found an empty string"),
        ("doggo", "Invalid value in parameter `csvDelimiter`: expected a string of one character, but found the following string of 5 characters: `doggo`"),
        ("🍰", "csv delimiter must be an ascii character. Found: `🍰`"),
    ];
    for (param, message) in cases {
        let error = parse_csv_delimiter(param).unwrap_err();
        assert_error(&error, ErrorCode::InvalidDocumentCsvDelimiter, message);
        assert_eq!(error.http_status(), 400);
        assert_eq!(error.to_body().error_type, "invalid_request");
    }
}

#[test]
fn a_csv_delimiter_is_refused_on_json_and_ndjson() {
    for content_type in ["application/json", "application/x-ndjson"] {
        let error = PayloadFormat::negotiate(Some(content_type), Some(b'a')).unwrap_err();
        assert_error(
            &error,
            ErrorCode::InvalidContentType,
            &format!(
                "The Content-Type `{content_type}` does not support the use of a csv delimiter. \
                 The csv delimiter can only be used with the Content-Type `text/csv`."
            ),
        );
        assert_eq!(error.http_status(), 415);
    }
}

#[test]
fn bad_typed_csv_cells_are_malformed() {
    assert_error(
        &parse_err(PayloadFormat::Csv, "#id:number,a:boolean,b:number\n0,doggo,1"),
        ErrorCode::MalformedPayload,
        "The `csv` payload provided is malformed: `Error parsing boolean \"doggo\" at line 1: provided string was not `true` or `false``.",
    );
    assert_error(
        &parse_err(PayloadFormat::Csv, "#id:number,a:boolean,b:number\n0,true,doggo"),
        ErrorCode::MalformedPayload,
        "The `csv` payload provided is malformed: `Error parsing number \"doggo\" at line 1: invalid float literal`.",
    );
}

#[test]
fn a_csv_row_wider_than_the_header_is_malformed() {
    assert_error(
        &parse_err(PayloadFormat::Csv, "id, content\n1234, hello, world\n12, hello world"),
        ErrorCode::MalformedPayload,
        "The `csv` payload provided is malformed: `CSV error: record 1 (line: 2, byte: 12): found record with 3 fields, but the previous record has 2 fields`.",
    );
}

#[test]
fn malformed_json_and_ndjson_carry_the_parser_position() {
    assert_error(
        &parse_err(PayloadFormat::Json, r#"[{"id": 1}, {id: 2}]"#),
        ErrorCode::MalformedPayload,
        "The `json` payload provided is malformed. `Couldn't serialize document value: key must be a string at line 1 column 14`.",
    );
    assert_error(
        &parse_err(PayloadFormat::Ndjson, "{\"id\": 1}\n{id: 2}"),
        ErrorCode::MalformedPayload,
        "The `ndjson` payload provided is malformed. `Couldn't serialize document value: key must be a string at line 2 column 2`.",
    );
}

#[test]
fn a_json_string_is_neither_an_object_nor_a_list() {
    let long = "0123456789".repeat(10);
    for body in [format!("\"{long}\""), format!("\"{long}m\"")] {
        assert_error(
            &parse_err(PayloadFormat::Json, &body),
            ErrorCode::MalformedPayload,
            "The `json` payload provided is malformed. `Couldn't serialize document value: data are neither an object nor a list of objects`.",
        );
    }
}
