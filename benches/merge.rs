//! Merging: 1 000 hits from 3 shards (each node answers 334 hits, sorted like Meilisearch, with
//! full `_rankingScoreDetails`) into one page of 1 000 hits. Target: ≤ 200 µs per merge.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use miroir_core::merger::{merge_search, prepare_node_query};
use serde_json::{json, Map, Value};

const NODES: u64 = 3;
const HITS_PER_NODE: u64 = 334;
const RULES: [&str; 6] = [
    "words",
    "typo",
    "proximity",
    "attributeRank",
    "wordPosition",
    "exactness",
];

/// Deterministic pseudo-random scores in [0, 1), so every run merges the same input.
fn score(seed: u64) -> f64 {
    let mixed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (mixed >> 11) as f64 / (1u64 << 53) as f64
}

fn hit(id: u64, node: u64) -> (Vec<f64>, Value) {
    let scores: Vec<f64> = (0..RULES.len() as u64)
        .map(|rule| (score(id * 7 + rule) * 4.0).floor() / 4.0)
        .collect();
    let mut details = Map::new();
    for (order, (rule, rule_score)) in RULES.iter().zip(&scores).enumerate() {
        details.insert(
            (*rule).to_owned(),
            json!({ "order": order, "score": rule_score }),
        );
    }
    let global: f64 = scores.iter().product();
    let document = json!({
        "id": id,
        "title": format!("product number {id}"),
        "genres": ["Drama", "Comedy"],
        "year": 1990 + id % 30,
        "rating": (id % 100) as f64 / 10.0,
        "_miroir_shard": node,
        "_rankingScore": global,
        "_rankingScoreDetails": details,
    });
    (scores, document)
}

fn node_response(node: u64) -> Map<String, Value> {
    let mut hits: Vec<(Vec<f64>, Value)> = (0..HITS_PER_NODE)
        .map(|i| hit(i * NODES + node, node))
        .collect();
    hits.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut response = Map::new();
    response.insert(
        "hits".to_owned(),
        Value::Array(hits.into_iter().map(|(_, hit)| hit).collect()),
    );
    response.insert("query".to_owned(), json!("product"));
    response.insert("processingTimeMs".to_owned(), json!(4));
    response.insert("limit".to_owned(), json!(1000));
    response.insert("offset".to_owned(), json!(0));
    response.insert("estimatedTotalHits".to_owned(), json!(HITS_PER_NODE));
    response
}

fn merge_thousand_hits(c: &mut Criterion) {
    let mut client = Map::new();
    client.insert("q".to_owned(), json!("product"));
    client.insert("limit".to_owned(), json!(1000));
    let (_, plan) = match prepare_node_query(&client, "id") {
        Ok(prepared) => prepared,
        Err(error) => panic!("benchmark query is invalid: {error}"),
    };
    let responses: Vec<Map<String, Value>> = (0..NODES).map(node_response).collect();
    c.bench_function("merge 1000 hits from 3 shards", |b| {
        b.iter_batched(
            || responses.clone(),
            |responses| merge_search(black_box(&plan), responses),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, merge_thousand_hits);
criterion_main!(benches);
