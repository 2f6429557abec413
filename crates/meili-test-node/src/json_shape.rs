//! Validation of request values with Meilisearch's (deserr's) exact error wording:
//! `Invalid value type at `.limit`: expected a positive integer, but found a string: `"ten"``,
//! `Unknown field ...`, `Missing field ...` and the query-parameter variants
//! `Invalid value in parameter `limit`: could not parse `abc` as a positive integer`.

use serde_json::{Map, Value};

use crate::errors::{codes, ErrorCode, NodeError, NodeResult};

/// How deserr names the kind of a JSON value in error messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_u64() => "a positive integer",
        Value::Number(number) if number.is_i64() => "a negative integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The location of `field` inside `parent` (`""` is the root): `.limit`, `.queries[0].q`.
pub fn field_location(parent: &str, field: &str) -> String {
    format!("{parent}.{field}")
}

/// The location of element `position` inside array `parent`: `.rankingRules[0]`.
pub fn element_location(parent: &str, position: usize) -> String {
    format!("{parent}[{position}]")
}

fn at(location: &str) -> String {
    if location.is_empty() {
        String::new()
    } else {
        format!(" at `{location}`")
    }
}

/// `Invalid value type at `{location}`: expected {expected}, but found {kind}: `{value}``.
pub fn invalid_type(location: &str, expected: &str, value: &Value, code: ErrorCode) -> NodeError {
    NodeError::new(
        code,
        format!(
            "Invalid value type{}: expected {expected}, but found {}: `{value}`",
            at(location),
            kind_of(value)
        ),
    )
}

/// `Invalid value at `{location}`: {detail}`.
pub fn invalid_value(location: &str, detail: &str, code: ErrorCode) -> NodeError {
    NodeError::new(code, format!("Invalid value{}: {detail}", at(location)))
}

/// `Missing field `{field}`` (the location is included for nested fields).
pub fn missing_field(parent: &str, field: &str, code: ErrorCode) -> NodeError {
    if parent.is_empty() {
        NodeError::new(code, format!("Missing field `{field}`"))
    } else {
        NodeError::new(code, format!("Missing field `{field}` inside `{parent}`"))
    }
}

/// The value as an object, or deserr's type error.
pub fn object<'v>(
    value: &'v Value,
    location: &str,
    code: ErrorCode,
) -> NodeResult<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| invalid_type(location, "an object", value, code))
}

/// Rejects the first field of `map` that is not in `accepted`, like Meilisearch (`bad_request`).
pub fn reject_unknown_fields(map: &Map<String, Value>, accepted: &[&str]) -> NodeResult<()> {
    match map.keys().find(|field| !accepted.contains(&field.as_str())) {
        Some(unknown) => Err(NodeError::unknown_field(unknown, accepted)),
        None => Ok(()),
    }
}

/// The value as a string.
pub fn string<'v>(value: &'v Value, location: &str, code: ErrorCode) -> NodeResult<&'v str> {
    value
        .as_str()
        .ok_or_else(|| invalid_type(location, "a string", value, code))
}

/// The value as a non-negative integer.
pub fn positive_integer(value: &Value, location: &str, code: ErrorCode) -> NodeResult<usize> {
    value
        .as_u64()
        .and_then(|number| usize::try_from(number).ok())
        .ok_or_else(|| invalid_type(location, "a positive integer", value, code))
}

/// The value as a boolean.
pub fn boolean(value: &Value, location: &str, code: ErrorCode) -> NodeResult<bool> {
    value
        .as_bool()
        .ok_or_else(|| invalid_type(location, "a boolean", value, code))
}

/// The value as a number.
pub fn number(value: &Value, location: &str, code: ErrorCode) -> NodeResult<f64> {
    value
        .as_f64()
        .ok_or_else(|| invalid_type(location, "a number", value, code))
}

/// The value as an array of strings.
pub fn string_array(value: &Value, location: &str, code: ErrorCode) -> NodeResult<Vec<String>> {
    let elements = value
        .as_array()
        .ok_or_else(|| invalid_type(location, "an array", value, code))?;
    elements
        .iter()
        .enumerate()
        .map(|(position, element)| {
            string(element, &element_location(location, position), code).map(str::to_owned)
        })
        .collect()
}

/// A query parameter parsed as a non-negative integer, with Meilisearch's wording.
pub fn query_positive_integer(name: &str, raw: &str, code: ErrorCode) -> NodeResult<usize> {
    raw.parse::<usize>().map_err(|_| {
        NodeError::new(
            code,
            format!("Invalid value in parameter `{name}`: could not parse `{raw}` as a positive integer"),
        )
    })
}

/// A query parameter parsed as a boolean, with Meilisearch's wording.
pub fn query_boolean(name: &str, raw: &str, code: ErrorCode) -> NodeResult<bool> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(NodeError::new(
            code,
            format!(
                "Invalid value in parameter `{name}`: could not parse `{raw}` as a boolean, expected either `true` or `false`"
            ),
        )),
    }
}

/// Splits a comma-separated query parameter (`fields=title,year`), dropping empty items.
pub fn query_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The generic `bad_request` error for a value that cannot be processed.
pub fn bad_request(message: impl Into<String>) -> NodeError {
    NodeError::new(codes::BAD_REQUEST, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_errors_use_deserr_wording() {
        let error = positive_integer(&json!("ten"), ".limit", codes::BAD_REQUEST).unwrap_err();
        assert_eq!(
            error.message,
            "Invalid value type at `.limit`: expected a positive integer, but found a string: `\"ten\"`"
        );
        let error = positive_integer(&json!(-1), ".limit", codes::BAD_REQUEST).unwrap_err();
        assert!(error.message.contains("found a negative integer: `-1`"));
    }

    #[test]
    fn string_arrays_report_the_failing_element() {
        let error = string_array(&json!(["a", 1]), ".fields", codes::BAD_REQUEST).unwrap_err();
        assert_eq!(
            error.message,
            "Invalid value type at `.fields[1]`: expected a string, but found a positive integer: `1`"
        );
    }

    #[test]
    fn root_location_is_omitted() {
        let error = string_array(&json!("genres"), "", codes::BAD_REQUEST).unwrap_err();
        assert_eq!(
            error.message,
            "Invalid value type: expected an array, but found a string: `\"genres\"`"
        );
    }

    #[test]
    fn query_integers_report_the_raw_text() {
        let error = query_positive_integer("limit", "abc", codes::INVALID_INDEX_LIMIT).unwrap_err();
        assert_eq!(
            error.message,
            "Invalid value in parameter `limit`: could not parse `abc` as a positive integer"
        );
    }
}
