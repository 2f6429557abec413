//! Fabricated node responses for the merger's tests.

use serde_json::{json, Map, Value};

/// A hit with `id`, a title, the injected `_miroir_shard`, and `_rankingScoreDetails` made of
/// `rules` (name, rule fields without `order`; `order` is added by position). `_rankingScore` is
/// the product of the rules' `score`s (1.0 without any), enough to be monotone in the rules.
pub(super) fn hit(id: u64, shard: u32, rules: &[(&str, Value)]) -> Value {
    let mut details = Map::new();
    let mut global_score = 1.0;
    for (order, (name, fields)) in rules.iter().enumerate() {
        let mut rule = Map::new();
        rule.insert("order".to_owned(), json!(order));
        if let Value::Object(fields) = fields {
            for (field, value) in fields {
                rule.insert(field.clone(), value.clone());
            }
        }
        if let Some(score) = rule.get("score").and_then(Value::as_f64) {
            global_score *= score;
        }
        details.insert((*name).to_owned(), Value::Object(rule));
    }
    json!({
        "id": id,
        "title": format!("doc {id}"),
        "_miroir_shard": shard,
        "_rankingScore": global_score,
        "_rankingScoreDetails": details,
    })
}

/// A hit ranked by the `words` then `typo` relevancy rules.
pub(super) fn relevancy_hit(id: u64, words: f64, typo: f64) -> Value {
    hit(
        id,
        0,
        &[
            ("words", json!({ "score": words })),
            ("typo", json!({ "score": typo })),
        ],
    )
}

/// An offset-mode node response holding `hits` out of `estimated_total_hits` matches.
pub(super) fn node_response(hits: Vec<Value>, estimated_total_hits: u64) -> Map<String, Value> {
    object(json!({
        "hits": hits,
        "query": "",
        "processingTimeMs": 3,
        "limit": 20,
        "offset": 0,
        "estimatedTotalHits": estimated_total_hits,
        "requestUid": "node-request-uid",
    }))
}

/// A page-mode node response holding `hits` out of `total_hits` matches.
pub(super) fn page_node_response(hits: Vec<Value>, total_hits: u64) -> Map<String, Value> {
    object(json!({
        "hits": hits,
        "query": "",
        "processingTimeMs": 3,
        "hitsPerPage": 20,
        "page": 1,
        "totalPages": 1,
        "totalHits": total_hits,
        "requestUid": "node-request-uid",
    }))
}

/// `value` as a JSON object (panics otherwise: test input only).
pub(super) fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("expected an object, got {other}"),
    }
}

/// The `id`s of a merged response's hits, in order.
pub(super) fn hit_ids(response: &Map<String, Value>) -> Vec<u64> {
    response["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .map(|hit| hit["id"].as_u64().unwrap_or(u64::MAX))
                .collect()
        })
        .unwrap_or_default()
}
