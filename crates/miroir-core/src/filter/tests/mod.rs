//! Tests of the filter parser and evaluator.

mod errors;
mod evaluation;
mod parsing;
mod properties;

use serde_json::{json, Map, Value};

use super::{parse_filter, Filter};

/// Parses a filter string that must be valid and non-blank.
fn filter(source: &str) -> Filter {
    match Filter::parse_str(source) {
        Ok(Some(filter)) => filter,
        Ok(None) => panic!("`{source}` parsed as no filter"),
        Err(error) => panic!("`{source}` failed: {}", error.message()),
    }
}

/// The error message of a filter string that must be invalid.
fn error_message(source: &str) -> String {
    match Filter::parse_str(source) {
        Ok(parsed) => panic!("`{source}` parsed: {parsed:?}"),
        Err(error) => error.message().to_owned(),
    }
}

/// A JSON object literal as a document.
fn document(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Whether `source` matches the document `doc`.
fn matches(source: &str, doc: Value) -> bool {
    filter(source).matches(&document(doc))
}

/// The JSON form parser, for tests of arrays and types.
fn parse_json(value: Value) -> Result<Option<Filter>, String> {
    parse_filter(&value).map_err(|error| error.message().to_owned())
}

#[test]
fn null_blank_and_empty_forms_are_no_filter() {
    for blank in [
        json!(null),
        json!(""),
        json!("   "),
        json!([]),
        json!(["", [" "], []]),
    ] {
        assert_eq!(parse_json(blank.clone()), Ok(None), "{blank}");
    }
}
