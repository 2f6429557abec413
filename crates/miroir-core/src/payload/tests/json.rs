//! `application/json` bodies: arrays, single objects, and how Meilisearch's two-pass reader
//! classifies what is neither.

use serde_json::json;

use super::{assert_error, keys, object, parse_err, parse_ok};
use crate::error::ErrorCode;
use crate::payload::{parse_documents, PayloadFormat};

const JSON: PayloadFormat = PayloadFormat::Json;

fn malformed(detail: &str) -> String {
    format!(
        "The `json` payload provided is malformed. `Couldn't serialize document value: {detail}`."
    )
}

#[test]
fn an_array_of_objects_and_a_single_object_are_documents() {
    assert_eq!(
        parse_ok(
            JSON,
            r#" [ {"id": 1}, {"id": "two", "nested": {"a": [1, 2]}} ] "#
        ),
        vec![
            object(json!({"id": 1})),
            object(json!({"id": "two", "nested": {"a": [1, 2]}}))
        ]
    );
    assert_eq!(
        parse_ok(JSON, "\n{\"id\": 1, \"title\": \"alone\"}\n"),
        vec![object(json!({"id": 1, "title": "alone"}))]
    );
    assert_eq!(parse_ok(JSON, "[]"), vec![]);
    assert_eq!(parse_ok(JSON, "{}"), vec![object(json!({}))]);
}

#[test]
fn key_order_is_kept_and_a_repeated_key_keeps_its_first_place_and_last_value() {
    let documents = parse_ok(JSON, r#"[{"z": 1, "a": 2, "m": 3, "a": 4}]"#);
    assert_eq!(keys(&documents[0]), ["z", "a", "m"]);
    assert_eq!(documents[0]["a"], json!(4));
}

#[test]
fn numbers_keep_their_value_and_kind() {
    let documents = parse_ok(
        JSON,
        r#"[{"int": -7, "big": 18446744073709551615, "float": 0.1, "whole": 2.0, "tiny": 1e-7, "huge": 2.5e300}]"#,
    );
    assert_eq!(
        serde_json::to_string(&documents[0]).unwrap(),
        r#"{"int":-7,"big":18446744073709551615,"float":0.1,"whole":2.0,"tiny":1e-7,"huge":2.5e+300}"#
    );
}

#[test]
fn bytes_after_a_complete_array_are_ignored_but_not_after_an_object() {
    assert_eq!(
        parse_ok(JSON, r#"[{"id": 1}] trailing garbage"#),
        vec![object(json!({"id": 1}))]
    );
    assert_error(
        &parse_err(JSON, r#"{"id": 1} trailing"#),
        ErrorCode::MalformedPayload,
        &malformed("trailing characters at line 1 column 11"),
    );
}

#[test]
fn scalars_and_null_are_neither_objects_nor_lists() {
    for body in ["1", "-2.5", "true", "null", "\"text\"", "1 trailing"] {
        assert_error(
            &parse_err(JSON, body),
            ErrorCode::MalformedPayload,
            &malformed("data are neither an object nor a list of objects"),
        );
    }
}

#[test]
fn syntax_errors_are_malformed_with_the_parser_message() {
    for (body, detail) in [
        (" ", "EOF while parsing a value at line 1 column 1"),
        ("{", "EOF while parsing an object at line 1 column 1"),
        (
            r#"[{"id": 1}"#,
            "EOF while parsing a list at line 1 column 10",
        ),
        ("x", "expected value at line 1 column 1"),
        (r#"{"id" 1}"#, "expected `:` at line 1 column 7"),
        (
            r#"[{"id": 1} {"id": 2}]"#,
            "expected `,` or `]` at line 1 column 12",
        ),
        (
            "[{\"id\": 1},\n {\"id\": 2},]",
            "trailing comma at line 2 column 12",
        ),
        (
            "[{\"a\": \"\u{1}\"}]",
            "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 8",
        ),
    ] {
        assert_error(
            &parse_err(JSON, body),
            ErrorCode::MalformedPayload,
            &malformed(detail),
        );
    }
}

#[test]
fn a_non_object_element_ending_the_array_is_an_internal_error() {
    for (body, message) in [
        (
            "[1]",
            "invalid type: integer `1`, expected a map at line 1 column 1",
        ),
        (
            r#"[{"id": 1}, "x"]"#,
            "invalid type: string \"x\", expected a map at line 1 column 3",
        ),
        (
            "[1.50]",
            "invalid type: floating point `1.5`, expected a map at line 1 column 4",
        ),
        (
            "[null]",
            "invalid type: null, expected a map at line 1 column 4",
        ),
        (
            "[[1, 2]]",
            "invalid type: sequence, expected a map at line 1 column 0",
        ),
    ] {
        let error = parse_err(JSON, body);
        assert_error(&error, ErrorCode::Internal, message);
        assert_eq!(error.http_status(), 500);
    }
}

#[test]
fn a_non_object_element_followed_by_more_elements_is_malformed() {
    assert_error(
        &parse_err(JSON, r#"[1, {"id": 2}]"#),
        ErrorCode::MalformedPayload,
        &malformed("trailing characters at line 1 column 5"),
    );
    assert_error(
        &parse_err(JSON, "[1,]"),
        ErrorCode::MalformedPayload,
        &malformed("trailing comma at line 1 column 4"),
    );
}

#[test]
fn invalid_utf8_is_malformed() {
    let error = parse_documents(JSON, b"[{\"title\": \"caf\xe9\"}]", None).unwrap_err();
    assert_error(
        &error,
        ErrorCode::MalformedPayload,
        &malformed("invalid unicode code point at line 1 column 16"),
    );
}
