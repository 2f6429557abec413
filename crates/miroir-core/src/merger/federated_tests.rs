//! Tests of the federated multi-search merge: recorded-shape examples and properties.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::test_support::object;
use super::{merge_federated, prepare_federated_node_query, FederatedPlan, MergeError};

fn plan(client: Value) -> FederatedPlan {
    prepare_federated_node_query(&object(client), |_| Some("id".to_owned()))
        .unwrap()
        .1
}

/// A node's hit of query `position` with `score` × `weight`.
fn hit(id: u64, title: &str, position: usize, score: f64, weight: f64) -> Value {
    json!({
        "id": id, "title": title, "_miroir_shard": 3,
        "_federation": {"indexUid": "movies", "queriesPosition": position,
                        "weightedRankingScore": score * weight},
        "_rankingScore": score,
    })
}

fn node(hits: Vec<Value>, total: u64, processing_time_ms: u64) -> Map<String, Value> {
    object(json!({
        "hits": hits, "processingTimeMs": processing_time_ms, "limit": 3, "offset": 0,
        "estimatedTotalHits": total, "requestUid": format!("uid-{processing_time_ms}"),
    }))
}

/// Fixture "federated multi-search" (`dark` / `knight` over `movies`, limit 3), with its
/// documents spread over two nodes: same hits, same order, same `_federation`, totals summed.
#[test]
fn recorded_federated_answer_is_rebuilt_from_two_nodes() {
    let plan = plan(json!({"federation": {"limit": 3},
        "queries": [{"indexUid": "movies", "q": "dark"}, {"indexUid": "movies", "q": "knight"}]}));
    let nodes = vec![
        node(
            vec![hit(7, "The Dark Knight", 0, 0.924_242_424_242_424_2, 1.0)],
            1,
            4,
        ),
        node(
            vec![
                hit(11, "Dark Waters", 0, 0.984_848_484_848_484_9, 1.0),
                hit(12, "Knight and Day", 1, 0.984_848_484_848_484_9, 1.0),
            ],
            2,
            2,
        ),
    ];
    let merged = merge_federated(&plan, nodes).unwrap();
    assert_eq!(
        serde_json::to_string(&merged).unwrap(),
        serde_json::to_string(&json!({
            "hits": [
                {"id": 11, "title": "Dark Waters", "_federation": {"indexUid": "movies",
                 "queriesPosition": 0, "weightedRankingScore": 0.984_848_484_848_484_9}},
                {"id": 12, "title": "Knight and Day", "_federation": {"indexUid": "movies",
                 "queriesPosition": 1, "weightedRankingScore": 0.984_848_484_848_484_9}},
                {"id": 7, "title": "The Dark Knight", "_federation": {"indexUid": "movies",
                 "queriesPosition": 0, "weightedRankingScore": 0.924_242_424_242_424_2}},
            ],
            "processingTimeMs": 4, "limit": 3, "offset": 0, "estimatedTotalHits": 3,
            "requestUid": "uid-4",
        }))
        .unwrap()
    );
}

#[test]
fn weights_decide_across_queries_and_requested_scores_are_kept() {
    let plan = plan(json!({"federation": {},
        "queries": [{"indexUid": "movies", "showRankingScore": true},
                    {"indexUid": "movies", "federationOptions": {"weight": 2.0}}]}));
    let nodes = vec![
        node(vec![hit(1, "a", 0, 0.9, 1.0)], 1, 0),
        node(vec![hit(2, "b", 1, 0.5, 2.0)], 1, 0),
    ];
    let merged = merge_federated(&plan, nodes).unwrap();
    assert_eq!(merged["hits"][0]["id"], 2);
    assert!(merged["hits"][0].get("_rankingScore").is_none());
    assert_eq!(merged["hits"][1]["_rankingScore"], 0.9);
    assert_eq!(merged["limit"], 20);
}

#[test]
fn page_mode_reports_pages_from_summed_totals() {
    let plan = plan(json!({"federation": {"page": 2, "hitsPerPage": 1},
        "queries": [{"indexUid": "movies"}]}));
    let mut first = node(vec![hit(1, "a", 0, 0.9, 1.0)], 0, 0);
    first.insert("totalHits".to_owned(), json!(1));
    let mut second = node(vec![hit(2, "b", 0, 0.8, 1.0)], 0, 0);
    second.insert("totalHits".to_owned(), json!(2));
    let merged = merge_federated(&plan, vec![first, second]).unwrap();
    assert_eq!(merged["hits"].as_array().unwrap().len(), 1);
    assert_eq!(merged["hits"][0]["id"], 2);
    assert_eq!(merged["totalHits"], 3);
    assert_eq!(merged["totalPages"], 3);
    assert_eq!(merged["page"], 2);
    assert_eq!(merged["hitsPerPage"], 1);
}

fn facet_node(facets: Value) -> Map<String, Value> {
    let mut response = node(vec![], 0, 0);
    response.insert("facetsByIndex".to_owned(), facets);
    response
}

#[test]
fn facets_by_index_sum_across_nodes_and_merge_across_indexes() {
    let nodes = || {
        vec![
            facet_node(json!({
                "movies": {"distribution": {"genres": {"Drama": 2, "Action": 1},
                                            "_miroir_shard": {"1": 3}},
                           "stats": {"year": {"min": 2000.0, "max": 2010.0}}},
                "series": {"distribution": {"genres": {"Drama": 1}}, "stats": {}},
            })),
            facet_node(json!({
                "movies": {"distribution": {"genres": {"Drama": 1}},
                           "stats": {"year": {"min": 1990.0, "max": 2005.0}}},
                "series": {"distribution": {"genres": {"Comedy": 4}}, "stats": {}},
            })),
        ]
    };
    let by_index = plan(
        json!({"federation": {"facetsByIndex": {"movies": ["genres"]}},
        "queries": [{"indexUid": "movies"}]}),
    );
    let merged = merge_federated(&by_index, nodes()).unwrap();
    assert_eq!(
        merged["facetsByIndex"],
        json!({
            "movies": {"distribution": {"genres": {"Action": 1, "Drama": 3}},
                       "stats": {"year": {"min": 1990.0, "max": 2010.0}}},
            "series": {"distribution": {"genres": {"Comedy": 4, "Drama": 1}}, "stats": {}},
        })
    );
    let merged_facets = plan(
        json!({"federation": {"mergeFacets": {"maxValuesPerFacet": 2}},
        "queries": [{"indexUid": "movies"}]}),
    );
    let merged = merge_federated(&merged_facets, nodes()).unwrap();
    assert!(merged.get("facetsByIndex").is_none());
    assert_eq!(
        merged["facetDistribution"],
        json!({"genres": {"Action": 1, "Comedy": 4}})
    );
    assert_eq!(
        merged["facetStats"],
        json!({"year": {"min": 1990.0, "max": 2010.0}})
    );
}

#[test]
fn hits_without_valid_federation_data_are_errors() {
    let plan = plan(json!({"federation": {}, "queries": [{"indexUid": "movies"}]}));
    for bad in [
        json!({"id": 1, "_rankingScore": 0.5}),
        json!({"id": 1, "_rankingScore": 0.5,
               "_federation": {"queriesPosition": 4, "weightedRankingScore": 0.5}}),
    ] {
        assert!(matches!(
            merge_federated(&plan, vec![node(vec![bad], 1, 0)]),
            Err(MergeError::InvalidRankingData {
                node: 0,
                position: 0,
                ..
            })
        ));
    }
}

/// Weights of the three queries of the property tests.
const WEIGHTS: [f64; 3] = [1.0, 0.5, 2.0];

/// `(id, query position, score)` of a generated hit.
type Generated = (u64, usize, f64);

/// The federated order: weighted score ↓, query position ↑, score ↓, id ↑.
fn expected_order(left: &Generated, right: &Generated) -> std::cmp::Ordering {
    let weighted = |hit: &Generated| hit.2 * WEIGHTS[hit.1];
    weighted(right)
        .total_cmp(&weighted(left))
        .then(left.1.cmp(&right.1))
        .then(right.2.total_cmp(&left.2))
        .then(left.0.cmp(&right.0))
}

/// Up to 4 nodes of up to 12 hits with unique ids, each node's list in federated order.
fn generated_nodes() -> impl Strategy<Value = Vec<Vec<Generated>>> {
    prop::collection::vec(prop::collection::vec((0usize..3, 1u32..=4), 0..12), 1..4).prop_map(
        |nodes| {
            let mut next_id = 0u64;
            nodes
                .into_iter()
                .map(|hits| {
                    let mut hits: Vec<Generated> = hits
                        .into_iter()
                        .map(|(position, quarter)| {
                            next_id += 1;
                            (next_id * 7 % 101, position, f64::from(quarter) / 4.0)
                        })
                        .collect();
                    hits.sort_by(expected_order);
                    hits
                })
                .collect()
        },
    )
}

fn federated_nodes(nodes: &[Vec<Generated>]) -> Vec<Map<String, Value>> {
    nodes
        .iter()
        .map(|hits| {
            let hits = hits
                .iter()
                .map(|(id, position, score)| hit(*id, "t", *position, *score, WEIGHTS[*position]))
                .collect::<Vec<_>>();
            let total = hits.len() as u64;
            node(hits, total, 0)
        })
        .collect()
}

fn merged_ids(nodes: &[Vec<Generated>], offset: usize, limit: usize) -> Vec<u64> {
    let plan = plan(json!({"federation": {"offset": offset, "limit": limit},
        "queries": [{"indexUid": "movies"},
                    {"indexUid": "movies", "federationOptions": {"weight": 0.5}},
                    {"indexUid": "movies", "federationOptions": {"weight": 2.0}}]}));
    let merged = merge_federated(&plan, federated_nodes(nodes)).unwrap();
    merged["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_u64().unwrap())
        .collect()
}

proptest! {
    /// Invariant: the merged list is the union of all nodes' hits sorted by weighted score,
    /// then query position, then each query's own order; paging cuts that list.
    #[test]
    fn merged_order_is_the_sorted_union_and_paging_slices_it(
        nodes in generated_nodes(),
        offset in 0usize..20,
        limit in 0usize..20,
    ) {
        let mut union: Vec<Generated> = nodes.iter().flatten().copied().collect();
        union.sort_by(expected_order);
        let expected: Vec<u64> = union.iter().map(|hit| hit.0).collect();
        prop_assert_eq!(merged_ids(&nodes, 0, expected.len()), expected.clone());
        let page: Vec<u64> = expected.iter().copied().skip(offset).take(limit).collect();
        prop_assert_eq!(merged_ids(&nodes, offset, limit), page);
    }
}
