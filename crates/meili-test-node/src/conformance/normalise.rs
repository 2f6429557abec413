//! The fixture README's normalisation rules, applied to actual responses (and, idempotently,
//! to expected ones): timestamps, durations, uuids, api keys, processing times, build info
//! and byte sizes become placeholders. One extra rule, not in the README: the values of a
//! batch's `progressTrace` (measured microseconds, e.g. `"21.94µs"`) become `<duration>`.

use regex::Regex;
use serde_json::Value;

/// Normalises a response body in place (idempotent).
pub fn normalise(value: &mut Value) {
    let timestamp = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
        .expect("valid regex");
    let duration = Regex::new(r"^-?P(\d+D)?T?(\d+H)?(\d+M)?(\d+(\.\d+)?S)?$").expect("valid regex");
    walk(value, None, &timestamp, &duration);
}

fn walk(value: &mut Value, key: Option<&str>, timestamp: &Regex, duration: &Regex) {
    let placeholder = match (key, &*value) {
        (Some("processingTimeMs"), _) => Some("<ms>"),
        (Some("commitSha" | "commitDate"), _) => Some("<build>"),
        (
            Some("databaseSize" | "usedDatabaseSize" | "rawDocumentDbSize" | "avgDocumentSize"),
            _,
        ) => Some("<bytes>"),
        (Some("uid" | "requestUid"), Value::String(_)) => Some("<uuid>"),
        (Some("key"), Value::String(_)) => Some("<api-key>"),
        (_, Value::String(text)) if text.starts_with('<') && text.ends_with('>') => None,
        (_, Value::String(text)) if timestamp.is_match(text) => Some("<timestamp>"),
        (_, Value::String(text)) if text.len() > 2 && duration.is_match(text) => Some("<duration>"),
        _ => None,
    };
    if let Some(placeholder) = placeholder {
        *value = Value::String(placeholder.to_owned());
        return;
    }
    match value {
        Value::Object(map) => {
            for (field, nested) in map.iter_mut() {
                if field == "progressTrace" {
                    if let Value::Object(trace) = nested {
                        trace
                            .values_mut()
                            .for_each(|step| *step = Value::String("<duration>".to_owned()));
                    }
                    continue;
                }
                walk(nested, Some(field), timestamp, duration);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| walk(item, None, timestamp, duration)),
        _ => {}
    }
}
