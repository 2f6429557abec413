//! `application/x-ndjson` bodies: a whitespace-separated stream of objects.

use serde_json::json;

use super::{assert_error, keys, object, parse_err, parse_ok};
use crate::error::ErrorCode;
use crate::payload::PayloadFormat;

const NDJSON: PayloadFormat = PayloadFormat::Ndjson;

#[test]
fn blank_lines_and_surrounding_whitespace_are_ignored() {
    let body = "\n{\"id\": 1}\n\n   \n{\"id\": 2, \"b\": true}\r\n\n";
    assert_eq!(
        parse_ok(NDJSON, body),
        vec![
            object(json!({"id": 1})),
            object(json!({"id": 2, "b": true}))
        ]
    );
}

#[test]
fn values_need_not_be_one_per_line() {
    let documents = parse_ok(NDJSON, "{\"a\": 1} {\"b\": 2}{\"c\": 3}\n{\"d\":\n 4}");
    let all_keys: Vec<&str> = documents.iter().flat_map(keys).collect();
    assert_eq!(all_keys, ["a", "b", "c", "d"]);
}

#[test]
fn a_body_of_only_whitespace_holds_no_document() {
    assert_eq!(parse_ok(NDJSON, " \n\t\n"), vec![]);
}

#[test]
fn key_order_is_kept() {
    let documents = parse_ok(NDJSON, "{\"z\": 0, \"y\": 1.0, \"x\": [3]}\n");
    assert_eq!(keys(&documents[0]), ["z", "y", "x"]);
    assert_eq!(
        serde_json::to_string(&documents[0]).unwrap(),
        r#"{"z":0,"y":1.0,"x":[3]}"#
    );
}

#[test]
fn syntax_errors_count_lines_from_the_start_of_the_body() {
    assert_error(
        &parse_err(NDJSON, "\n{\"a\": 1}\n{\"b\"\n"),
        ErrorCode::MalformedPayload,
        "The `ndjson` payload provided is malformed. `Couldn't serialize document value: EOF while parsing an object at line 4 column 0`.",
    );
    assert_error(
        &parse_err(NDJSON, "{\"a\": 1}\n1x"),
        ErrorCode::MalformedPayload,
        "The `ndjson` payload provided is malformed. `Couldn't serialize document value: trailing characters at line 2 column 2`.",
    );
}

#[test]
fn a_well_formed_value_that_is_not_an_object_is_an_internal_error() {
    let error = parse_err(NDJSON, "{\"a\": 1}\n[{\"a\": 2}]\n");
    assert_error(
        &error,
        ErrorCode::Internal,
        "invalid type: sequence, expected a map at line 1 column 0",
    );
    assert_eq!(error.http_status(), 500);
}
