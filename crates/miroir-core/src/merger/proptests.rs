//! Properties of the merge over random corpora: 50 documents with random relevancy and sort
//! values, spread over 3 nodes, each node answering like Meilisearch (its own hits in order,
//! truncated to what the rewritten node query asks for).

use std::cmp::Reverse;

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::test_support::{hit, hit_ids, node_response, object, page_node_response};
use super::{merge_search, prepare_node_query};

const NODES: usize = 3;
const DOCUMENTS: usize = 50;

/// The value of the `year:asc` sort rule of a fabricated document.
#[derive(Debug, Clone, PartialEq)]
enum Year {
    Number(u8),
    Text(char),
    Missing,
}

#[derive(Debug, Clone)]
struct Document {
    id: u64,
    node: usize,
    /// `words` score in quarters (0..=4).
    words: u8,
    year: Year,
    /// `typo` score in quarters (0..=4).
    typo: u8,
}

impl Document {
    fn to_hit(&self) -> Value {
        let year = match self.year {
            Year::Number(year) => json!(f64::from(year)),
            Year::Text(letter) => json!(letter.to_string()),
            Year::Missing => Value::Null,
        };
        hit(
            self.id,
            self.node as u32,
            &[
                ("words", json!({ "score": f64::from(self.words) / 4.0 })),
                ("year:asc", json!({ "value": year })),
                ("typo", json!({ "score": f64::from(self.typo) / 4.0 })),
            ],
        )
    }

    /// The expected global order, written independently of the merger: words desc, then year
    /// ascending with numbers before strings before missing, then typo desc, then id.
    fn reference_key(&self) -> (Reverse<u8>, u8, u8, char, Reverse<u8>, u64) {
        let (kind, number, letter) = match self.year {
            Year::Number(year) => (0, year, ' '),
            Year::Text(letter) => (1, 0, letter),
            Year::Missing => (2, 0, ' '),
        };
        (
            Reverse(self.words),
            kind,
            number,
            letter,
            Reverse(self.typo),
            self.id,
        )
    }
}

fn reference_order(documents: &[Document]) -> Vec<&Document> {
    let mut sorted: Vec<&Document> = documents.iter().collect();
    sorted.sort_by_key(|document| document.reference_key());
    sorted
}

fn year_strategy() -> impl Strategy<Value = Year> {
    prop_oneof![
        (0u8..4).prop_map(Year::Number),
        prop::sample::select(vec!['a', 'b', 'c']).prop_map(Year::Text),
        Just(Year::Missing),
    ]
}

fn corpus_strategy() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((0..NODES, 0u8..=4, year_strategy(), 0u8..=4), DOCUMENTS).prop_map(
        |fields| {
            fields
                .into_iter()
                .enumerate()
                .map(|(index, (node, words, year, typo))| Document {
                    id: index as u64 + 1,
                    node,
                    words,
                    year,
                    typo,
                })
                .collect()
        },
    )
}

/// Every node's full hit list, in the node's (Meilisearch) order.
fn hits_per_node(documents: &[Document]) -> Vec<Vec<Value>> {
    let ordered = reference_order(documents);
    (0..NODES)
        .map(|node| {
            ordered
                .iter()
                .filter(|document| document.node == node)
                .map(|document| document.to_hit())
                .collect()
        })
        .collect()
}

/// Every node's answer to the rewritten query: the first `node_hit_count` of its hits, with its
/// full match count.
fn node_responses(
    hits_per_node: &[Vec<Value>],
    node_hit_count: usize,
    page_mode: bool,
) -> Vec<Map<String, Value>> {
    hits_per_node
        .iter()
        .map(|own| {
            let hits = own.iter().take(node_hit_count).cloned().collect();
            if page_mode {
                page_node_response(hits, own.len() as u64)
            } else {
                node_response(hits, own.len() as u64)
            }
        })
        .collect()
}

/// Runs the whole path: client body → node query → node responses → merged response.
fn search(hits_per_node: &[Vec<Value>], client: Value) -> Map<String, Value> {
    let (node_query, plan) = prepare_node_query(&object(client), "id").unwrap();
    let page_mode = node_query.contains_key("hitsPerPage");
    let count_field = if page_mode { "hitsPerPage" } else { "limit" };
    let node_hit_count = node_query[count_field].as_u64().unwrap() as usize;
    merge_search(
        &plan,
        node_responses(hits_per_node, node_hit_count, page_mode),
    )
    .unwrap()
}

proptest! {
    // Each case runs ~11 merged searches; fewer cases keep the suite fast.
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// (a) Paging over a merge equals slicing one big merge: pages of `page_size` (offset/limit
    /// or page/hitsPerPage) concatenated reconstruct `limit = 50`.
    #[test]
    fn pages_reconstruct_the_single_big_merge(documents in corpus_strategy(), page_size in 1usize..=10, page_mode: bool) {
        let nodes = hits_per_node(&documents);
        let everything = hit_ids(&search(&nodes, json!({"limit": DOCUMENTS})));
        prop_assert_eq!(everything.len(), DOCUMENTS);
        let mut paged = Vec::new();
        for page in 0..DOCUMENTS.div_ceil(page_size) {
            let client = if page_mode {
                json!({"page": page + 1, "hitsPerPage": page_size})
            } else {
                json!({"offset": page * page_size, "limit": page_size})
            };
            let response = search(&nodes, client);
            if page_mode {
                prop_assert_eq!(&response["totalHits"], &json!(DOCUMENTS));
                prop_assert_eq!(&response["totalPages"], &json!(DOCUMENTS.div_ceil(page_size)));
            }
            paged.extend(hit_ids(&response));
        }
        prop_assert_eq!(paged, everything);
    }

}

proptest! {
    /// (b) The merged response does not depend on the order in which node responses arrive.
    #[test]
    fn merge_is_independent_of_node_response_order(
        documents in corpus_strategy(),
        permutation in Just((0..NODES).collect::<Vec<_>>()).prop_shuffle(),
        limit in 1usize..=DOCUMENTS,
    ) {
        let (_, plan) = prepare_node_query(&object(json!({"limit": limit, "showRankingScoreDetails": true})), "id").unwrap();
        let responses = node_responses(&hits_per_node(&documents), limit, false);
        let permuted = permutation.iter().map(|&node| responses[node].clone()).collect();
        let in_order = serde_json::to_vec(&merge_search(&plan, responses).unwrap()).unwrap();
        let shuffled = serde_json::to_vec(&merge_search(&plan, permuted).unwrap()).unwrap();
        prop_assert_eq!(in_order, shuffled);
    }

    /// (c) Merging sorted node lists equals sorting their union.
    #[test]
    fn merge_equals_sorting_the_union(documents in corpus_strategy()) {
        let merged = hit_ids(&search(&hits_per_node(&documents), json!({"limit": DOCUMENTS})));
        let expected: Vec<u64> = reference_order(&documents).iter().map(|document| document.id).collect();
        prop_assert_eq!(merged, expected);
    }
}
