//! Merging the nodes' `GET /indexes/{uid}/stats` and `GET /stats` answers into one logical
//! answer: every document is stored on `copies` nodes (RF in each replica group), so counts
//! are summed over the nodes and divided by `copies`; Miroir's reserved fields are hidden.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::document::RESERVED_FIELD_PREFIX;

/// Counters summed over the nodes and divided by the copies of each document.
const LOGICAL_COUNTERS: [&str; 4] = [
    "numberOfDocuments",
    "rawDocumentDbSize",
    "numberOfEmbeddings",
    "numberOfEmbeddedDocuments",
];

/// One index's stats over its nodes, in Meilisearch's field order.
pub fn merge_index_stats(node_stats: &[&Map<String, Value>], copies: u64) -> Map<String, Value> {
    let copies = copies.max(1);
    let sum = |field: &str| -> u64 {
        node_stats
            .iter()
            .filter_map(|stats| stats.get(field).and_then(Value::as_u64))
            .sum()
    };
    let logical: BTreeMap<&str, u64> = LOGICAL_COUNTERS
        .iter()
        .map(|field| (*field, sum(field) / copies))
        .collect();
    let documents = logical["numberOfDocuments"];
    let raw_size = logical["rawDocumentDbSize"];
    let mut fields: BTreeMap<String, u64> = BTreeMap::new();
    for stats in node_stats {
        if let Some(Value::Object(distribution)) = stats.get("fieldDistribution") {
            for (field, count) in distribution {
                if !field.starts_with(RESERVED_FIELD_PREFIX) {
                    *fields.entry(field.clone()).or_default() += count.as_u64().unwrap_or(0);
                }
            }
        }
    }
    let mut merged = Map::new();
    merged.insert("numberOfDocuments".into(), Value::from(documents));
    merged.insert("rawDocumentDbSize".into(), Value::from(raw_size));
    merged.insert(
        "avgDocumentSize".into(),
        Value::from(raw_size.checked_div(documents).unwrap_or(0)),
    );
    merged.insert(
        "isIndexing".into(),
        Value::Bool(
            node_stats
                .iter()
                .any(|stats| stats.get("isIndexing") == Some(&Value::Bool(true))),
        ),
    );
    merged.insert(
        "numberOfEmbeddings".into(),
        Value::from(logical["numberOfEmbeddings"]),
    );
    merged.insert(
        "numberOfEmbeddedDocuments".into(),
        Value::from(logical["numberOfEmbeddedDocuments"]),
    );
    merged.insert(
        "fieldDistribution".into(),
        Value::Object(
            fields
                .into_iter()
                .map(|(field, count)| (field, Value::from(count / copies)))
                .collect(),
        ),
    );
    merged
}

/// `GET /stats` over the nodes: database sizes summed (they are physical), the latest
/// `lastUpdate`, and every index merged with [`merge_index_stats`].
pub fn merge_global_stats(node_stats: &[&Map<String, Value>], copies: u64) -> Map<String, Value> {
    let sum = |field: &str| -> u64 {
        node_stats
            .iter()
            .filter_map(|stats| stats.get(field).and_then(Value::as_u64))
            .sum()
    };
    // RFC 3339 UTC timestamps of one format order like their text.
    let last_update = node_stats
        .iter()
        .filter_map(|stats| stats.get("lastUpdate").and_then(Value::as_str))
        .max()
        .map_or(Value::Null, Value::from);
    let mut per_index: BTreeMap<&str, Vec<&Map<String, Value>>> = BTreeMap::new();
    for stats in node_stats {
        if let Some(Value::Object(indexes)) = stats.get("indexes") {
            for (uid, index_stats) in indexes {
                if let Value::Object(index_stats) = index_stats {
                    per_index.entry(uid).or_default().push(index_stats);
                }
            }
        }
    }
    let mut merged = Map::new();
    merged.insert("databaseSize".into(), Value::from(sum("databaseSize")));
    merged.insert(
        "usedDatabaseSize".into(),
        Value::from(sum("usedDatabaseSize")),
    );
    merged.insert("lastUpdate".into(), last_update);
    merged.insert(
        "indexes".into(),
        Value::Object(
            per_index
                .into_iter()
                .map(|(uid, stats)| {
                    (
                        uid.to_owned(),
                        Value::Object(merge_index_stats(&stats, copies)),
                    )
                })
                .collect(),
        ),
    );
    merged
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test values are objects"),
        }
    }

    #[test]
    fn counts_are_logical_and_reserved_fields_hidden() {
        let a = object(
            json!({"numberOfDocuments": 6, "rawDocumentDbSize": 600, "avgDocumentSize": 100,
            "isIndexing": false, "numberOfEmbeddings": 0, "numberOfEmbeddedDocuments": 0,
            "fieldDistribution": {"id": 6, "title": 6, "_miroir_shard": 6}}),
        );
        let b = object(
            json!({"numberOfDocuments": 8, "rawDocumentDbSize": 1000, "avgDocumentSize": 125,
            "isIndexing": true, "numberOfEmbeddings": 0, "numberOfEmbeddedDocuments": 0,
            "fieldDistribution": {"id": 8, "title": 6, "tags": 2, "_miroir_shard": 8}}),
        );
        let merged = merge_index_stats(&[&a, &b], 2);
        assert_eq!(
            Value::Object(merged),
            json!({"numberOfDocuments": 7, "rawDocumentDbSize": 800, "avgDocumentSize": 114,
                "isIndexing": true, "numberOfEmbeddings": 0, "numberOfEmbeddedDocuments": 0,
                "fieldDistribution": {"id": 7, "tags": 1, "title": 6}})
        );
    }

    #[test]
    fn an_empty_index_has_zero_average() {
        let empty = object(
            json!({"numberOfDocuments": 0, "rawDocumentDbSize": 0, "fieldDistribution": {}}),
        );
        let merged = merge_index_stats(&[&empty, &empty], 1);
        assert_eq!(merged["avgDocumentSize"], json!(0));
        assert_eq!(merged["fieldDistribution"], json!({}));
    }

    #[test]
    fn global_stats_sum_sizes_and_merge_indexes() {
        let a = object(
            json!({"databaseSize": 10, "usedDatabaseSize": 5, "lastUpdate": "2026-01-01T00:00:01Z",
            "indexes": {"movies": {"numberOfDocuments": 3, "fieldDistribution": {"id": 3}}}}),
        );
        let b = object(
            json!({"databaseSize": 20, "usedDatabaseSize": 7, "lastUpdate": "2026-01-01T00:00:02Z",
            "indexes": {"movies": {"numberOfDocuments": 2, "fieldDistribution": {"id": 2}}, "books": {"numberOfDocuments": 0}}}),
        );
        let merged = merge_global_stats(&[&a, &b], 1);
        assert_eq!(merged["databaseSize"], json!(30));
        assert_eq!(merged["usedDatabaseSize"], json!(12));
        assert_eq!(merged["lastUpdate"], json!("2026-01-01T00:00:02Z"));
        assert_eq!(merged["indexes"]["movies"]["numberOfDocuments"], json!(5));
        assert_eq!(merged["indexes"]["books"]["numberOfDocuments"], json!(0));
        let uids: Vec<&String> = merged["indexes"].as_object().unwrap().keys().collect();
        assert_eq!(uids, ["books", "movies"]);
    }
}
