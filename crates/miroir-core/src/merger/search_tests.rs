//! Tests of [`merge_search`] against the recorded Meilisearch v1.50 responses
//! (`meili-fixtures/search.json`) and the merge rules.

use serde_json::{json, Map, Value};

use super::test_support::{hit, hit_ids, node_response, object, page_node_response, relevancy_hit};
use super::{merge_search, prepare_node_query, MergeError, MergePlan};

fn plan(client: Value) -> MergePlan {
    prepare_node_query(&object(client), "id").unwrap().1
}

fn text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap()
}

/// A movie from the fixture corpus as a node stores and returns it.
fn movie(fields: Value, shard: u32, details: Value) -> Value {
    let mut movie = object(fields);
    movie.insert("_miroir_shard".to_owned(), json!(shard));
    movie.insert("_rankingScore".to_owned(), json!(1.0));
    movie.insert("_rankingScoreDetails".to_owned(), details);
    Value::Object(movie)
}

fn with_timing(
    mut response: Map<String, Value>,
    processing_time_ms: u64,
    request_uid: &str,
) -> Map<String, Value> {
    response.insert("processingTimeMs".to_owned(), json!(processing_time_ms));
    response.insert("requestUid".to_owned(), json!(request_uid));
    response
}

fn year_title(year: f64, title: &str) -> Value {
    json!({"year:asc": {"order": 0, "value": year}, "title:asc": {"order": 1, "value": title}})
}

/// Fixture "multi-key sort with details": `sort: [year:asc, title:asc], limit: 5,
/// showRankingScoreDetails: true`, the 14 movies spread over 3 nodes.
#[test]
fn multi_key_sort_matches_the_recorded_single_node_response() {
    let plan = plan(
        json!({"q": "", "sort": ["year:asc", "title:asc"], "limit": 5, "showRankingScoreDetails": true}),
    );
    let philadelphia = movie(
        json!({"id": 6, "title": "Philadelphia", "genres": ["Drama"], "year": 1993, "rating": 7.7, "director": "Jonathan Demme"}),
        0,
        year_title(1993.0, "philadelphia"),
    );
    let ndjson_0 = movie(
        json!({"id": 100, "title": "Ndjson movie 0", "genres": ["Documentary"], "year": 2000, "rating": 5.0, "director": "Nd"}),
        1,
        year_title(2000.0, "ndjson movie 0"),
    );
    let ndjson_1 = movie(
        json!({"id": 101, "title": "Ndjson movie 1", "genres": ["Documentary"], "year": 2001, "rating": 5.1, "director": "Nd"}),
        2,
        year_title(2001.0, "ndjson movie 1"),
    );
    let prestige = movie(
        json!({"id": 10, "title": "The Prestige", "genres": ["Drama", "Mystery"], "year": 2006, "rating": 8.5, "director": "Christopher Nolan"}),
        0,
        year_title(2006.0, "the prestige"),
    );
    let dark_knight = movie(
        json!({"id": 7, "title": "The Dark Knight", "genres": ["Action", "Crime", "Drama"], "year": 2008, "rating": 9.0, "director": "Christopher Nolan"}),
        1,
        year_title(2008.0, "the dark knight"),
    );
    let inception = movie(
        json!({"id": 8, "title": "Inception", "year": 2010}),
        2,
        year_title(2010.0, "inception"),
    );
    let knight_and_day = movie(
        json!({"id": 12, "title": "Knight and Day", "year": 2010}),
        0,
        year_title(2010.0, "knight and day"),
    );
    let interstellar = movie(
        json!({"id": 9, "title": "Interstellar", "year": 2014}),
        1,
        year_title(2014.0, "interstellar"),
    );
    let nodes = vec![
        with_timing(
            node_response(vec![philadelphia, prestige, knight_and_day], 5),
            2,
            "uid-of-node-0",
        ),
        with_timing(
            node_response(vec![ndjson_0, dark_knight, interstellar], 5),
            7,
            "uid-of-node-1",
        ),
        with_timing(
            node_response(vec![ndjson_1, inception], 4),
            1,
            "uid-of-node-2",
        ),
    ];
    let merged = merge_search(&plan, nodes).unwrap();
    // The recorded body, with `processingTimeMs` and `requestUid` filled in.
    let recorded = r#"{"hits":[{"id":6,"title":"Philadelphia","genres":["Drama"],"year":1993,"rating":7.7,"director":"Jonathan Demme","_rankingScoreDetails":{"year:asc":{"order":0,"value":1993.0},"title:asc":{"order":1,"value":"philadelphia"}}},{"id":100,"title":"Ndjson movie 0","genres":["Documentary"],"year":2000,"rating":5.0,"director":"Nd","_rankingScoreDetails":{"year:asc":{"order":0,"value":2000.0},"title:asc":{"order":1,"value":"ndjson movie 0"}}},{"id":101,"title":"Ndjson movie 1","genres":["Documentary"],"year":2001,"rating":5.1,"director":"Nd","_rankingScoreDetails":{"year:asc":{"order":0,"value":2001.0},"title:asc":{"order":1,"value":"ndjson movie 1"}}},{"id":10,"title":"The Prestige","genres":["Drama","Mystery"],"year":2006,"rating":8.5,"director":"Christopher Nolan","_rankingScoreDetails":{"year:asc":{"order":0,"value":2006.0},"title:asc":{"order":1,"value":"the prestige"}}},{"id":7,"title":"The Dark Knight","genres":["Action","Crime","Drama"],"year":2008,"rating":9.0,"director":"Christopher Nolan","_rankingScoreDetails":{"year:asc":{"order":0,"value":2008.0},"title:asc":{"order":1,"value":"the dark knight"}}}],"query":"","processingTimeMs":7,"limit":5,"offset":0,"estimatedTotalHits":14,"requestUid":"uid-of-node-0"}"#;
    assert_eq!(text(&merged), recorded);
}

/// Placeholder search hits (no query, no sort) carry empty details and tie everywhere: a node
/// returns them in internal id order and the merge breaks cross-node ties by primary key.
fn placeholder_movie(fields: Value, shard: u32) -> Value {
    movie(fields, shard, json!({}))
}

/// Fixture "filter + facets + facetStats": 4 matches over 2 nodes.
#[test]
fn facets_match_the_recorded_single_node_response() {
    let plan = plan(
        json!({"q": "", "filter": "year > 2010 AND genres = Drama", "facets": ["genres", "year", "rating"]}),
    );
    let carol = placeholder_movie(
        json!({"id": 1, "title": "Carol", "genres": ["Romance", "Drama"], "year": 2015, "rating": 7.3, "director": "Todd Haynes"}),
        0,
    );
    let dark_waters = placeholder_movie(
        json!({"id": 11, "title": "Dark Waters", "genres": ["Drama"], "year": 2019, "rating": 7.6, "director": "Todd Haynes", "tags": []}),
        0,
    );
    let life_of_pi = placeholder_movie(
        json!({"id": 3, "title": "Life of Pi", "genres": ["Adventure", "Drama"], "year": 2012, "rating": 7.9, "director": "Ang Lee"}),
        1,
    );
    let interstellar = placeholder_movie(
        json!({"id": 9, "title": "Interstellar", "genres": ["Adventure", "Drama", "Science Fiction"], "year": 2014, "rating": 8.7, "director": "Christopher Nolan"}),
        1,
    );
    let mut node_0 = with_timing(node_response(vec![carol, dark_waters], 2), 1, "uid-0");
    node_0.insert("facetDistribution".to_owned(), json!({"genres": {"Drama": 2, "Romance": 1}, "rating": {"7.3": 1, "7.6": 1}, "year": {"2015": 1, "2019": 1}}));
    node_0.insert(
        "facetStats".to_owned(),
        json!({"rating": {"min": 7.3, "max": 7.6}, "year": {"min": 2015.0, "max": 2019.0}}),
    );
    let mut node_1 = with_timing(node_response(vec![life_of_pi, interstellar], 2), 1, "uid-1");
    node_1.insert("facetDistribution".to_owned(), json!({"genres": {"Adventure": 2, "Drama": 2, "Science Fiction": 1}, "rating": {"7.9": 1, "8.7": 1}, "year": {"2012": 1, "2014": 1}}));
    node_1.insert(
        "facetStats".to_owned(),
        json!({"rating": {"min": 7.9, "max": 8.7}, "year": {"min": 2012.0, "max": 2014.0}}),
    );
    let merged = merge_search(&plan, vec![node_0, node_1]).unwrap();
    let recorded = r#"{"hits":[{"id":1,"title":"Carol","genres":["Romance","Drama"],"year":2015,"rating":7.3,"director":"Todd Haynes"},{"id":3,"title":"Life of Pi","genres":["Adventure","Drama"],"year":2012,"rating":7.9,"director":"Ang Lee"},{"id":9,"title":"Interstellar","genres":["Adventure","Drama","Science Fiction"],"year":2014,"rating":8.7,"director":"Christopher Nolan"},{"id":11,"title":"Dark Waters","genres":["Drama"],"year":2019,"rating":7.6,"director":"Todd Haynes","tags":[]}],"query":"","processingTimeMs":1,"limit":20,"offset":0,"estimatedTotalHits":4,"facetDistribution":{"genres":{"Adventure":2,"Drama":4,"Romance":1,"Science Fiction":1},"rating":{"7.3":1,"7.6":1,"7.9":1,"8.7":1},"year":{"2012":1,"2014":1,"2015":1,"2019":1}},"facetStats":{"rating":{"min":7.3,"max":8.7},"year":{"min":2012.0,"max":2019.0}},"requestUid":"uid-0"}"#;
    assert_eq!(text(&merged), recorded);
}

/// Fixture "page/hitsPerPage (exhaustive)": page 2 of 3 over 14 movies on 3 nodes.
#[test]
fn page_mode_matches_the_recorded_single_node_response() {
    let client = json!({"q": "", "page": 2, "hitsPerPage": 3});
    let (node_query, plan) = prepare_node_query(&object(client), "id").unwrap();
    let node_hit_count = node_query["hitsPerPage"].as_u64().unwrap() as usize;
    let recorded_hits = [
        json!({"id": 4, "title": "Mad Max: Fury Road", "genres": ["Adventure", "Science Fiction"], "year": 2015, "rating": 8.1, "director": "George Miller"}),
        json!({"id": 5, "title": "Moana", "genres": ["Fantasy", "Action"], "year": 2016, "rating": 7.6, "director": "Ron Clements"}),
        json!({"id": 6, "title": "Philadelphia", "genres": ["Drama"], "year": 1993, "rating": 7.7, "director": "Jonathan Demme"}),
    ];
    let corpus_ids = [1u64, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 101];
    let nodes = (0..3u64)
        .map(|node| {
            let ids: Vec<u64> = corpus_ids
                .iter()
                .copied()
                .filter(|id| id % 3 == node)
                .collect();
            let hits = ids
                .iter()
                .take(node_hit_count)
                .map(|&id| {
                    let fields = recorded_hits
                        .iter()
                        .find(|recorded| recorded["id"] == json!(id))
                        .cloned()
                        .unwrap_or_else(|| json!({"id": id, "title": format!("movie {id}")}));
                    placeholder_movie(fields, node as u32)
                })
                .collect();
            with_timing(
                page_node_response(hits, ids.len() as u64),
                0,
                &format!("uid-{node}"),
            )
        })
        .collect();
    let merged = merge_search(&plan, nodes).unwrap();
    let recorded = r#"{"hits":[{"id":4,"title":"Mad Max: Fury Road","genres":["Adventure","Science Fiction"],"year":2015,"rating":8.1,"director":"George Miller"},{"id":5,"title":"Moana","genres":["Fantasy","Action"],"year":2016,"rating":7.6,"director":"Ron Clements"},{"id":6,"title":"Philadelphia","genres":["Drama"],"year":1993,"rating":7.7,"director":"Jonathan Demme"}],"query":"","processingTimeMs":0,"hitsPerPage":3,"page":2,"totalPages":5,"totalHits":14,"requestUid":"uid-0"}"#;
    assert_eq!(text(&merged), recorded);
}

#[test]
fn offset_and_limit_apply_to_the_merged_list_not_per_node() {
    let plan = plan(json!({"offset": 2, "limit": 3}));
    let nodes = vec![
        node_response(
            vec![
                relevancy_hit(1, 1.0, 1.0),
                relevancy_hit(2, 0.9, 1.0),
                relevancy_hit(3, 0.1, 1.0),
            ],
            3,
        ),
        node_response(
            vec![
                relevancy_hit(4, 0.95, 1.0),
                relevancy_hit(5, 0.8, 1.0),
                relevancy_hit(6, 0.7, 1.0),
            ],
            3,
        ),
    ];
    let merged = merge_search(&plan, nodes).unwrap();
    assert_eq!(hit_ids(&merged), [2, 5, 6]);
    assert_eq!(merged["offset"], json!(2));
    assert_eq!(merged["limit"], json!(3));
    assert_eq!(merged["estimatedTotalHits"], json!(6));
}

#[test]
fn each_node_order_is_kept_and_cross_node_ties_go_to_the_smaller_primary_key() {
    let plan = plan(json!({}));
    // Node 0 returns its tied hits in internal-id order (5 before 2): that order is kept.
    let nodes = vec![
        node_response(
            vec![relevancy_hit(5, 1.0, 1.0), relevancy_hit(2, 1.0, 1.0)],
            2,
        ),
        node_response(vec![relevancy_hit(3, 1.0, 1.0)], 1),
    ];
    assert_eq!(hit_ids(&merge_search(&plan, nodes).unwrap()), [3, 5, 2]);
}

#[test]
fn sort_clauses_order_hits_across_nodes() {
    let plan = plan(json!({"q": "", "sort": ["rating:desc"]}));
    let rated = |id: u64, rating: Value| hit(id, 0, &[("rating:desc", json!({ "value": rating }))]);
    let nodes = vec![
        node_response(
            vec![
                rated(3, json!(7.9)),
                rated(1, json!(7.3)),
                rated(12, Value::Null),
            ],
            3,
        ),
        node_response(
            vec![
                rated(6, json!(7.7)),
                rated(5, json!(7.6)),
                rated(11, json!(7.6)),
            ],
            3,
        ),
    ];
    assert_eq!(
        hit_ids(&merge_search(&plan, nodes).unwrap()),
        [3, 6, 5, 11, 1, 12]
    );
}

#[test]
fn totals_are_capped_at_pagination_max_total_hits() {
    let plan = plan(json!({"offset": 5, "limit": 10})).with_pagination_max_total_hits(8);
    let hits = |first: u64| {
        (first..first + 8)
            .map(|id| relevancy_hit(id, 1.0 / id as f64, 1.0))
            .collect()
    };
    let nodes = vec![node_response(hits(1), 600), node_response(hits(100), 600)];
    let merged = merge_search(&plan, nodes).unwrap();
    assert_eq!(merged["estimatedTotalHits"], json!(8));
    // The window stops at the cap: positions 5..8 only.
    assert_eq!(hit_ids(&merged), [6, 7, 8]);
    assert_eq!(merged["limit"], json!(10));
}

#[test]
fn page_mode_with_zero_hits_per_page_reports_zero_pages() {
    let plan = plan(json!({"hitsPerPage": 0}));
    let merged = merge_search(
        &plan,
        vec![page_node_response(vec![], 7), page_node_response(vec![], 5)],
    )
    .unwrap();
    assert_eq!(merged["hits"], json!([]));
    assert_eq!(merged["totalHits"], json!(12));
    assert_eq!(merged["totalPages"], json!(0));
}

#[test]
fn page_zero_returns_no_hits_but_exact_totals() {
    let plan = plan(json!({"page": 0, "hitsPerPage": 5}));
    let nodes = vec![page_node_response(vec![relevancy_hit(1, 1.0, 1.0)], 11)];
    let merged = merge_search(&plan, nodes).unwrap();
    assert_eq!(merged["hits"], json!([]));
    assert_eq!(merged["totalPages"], json!(3));
}

#[test]
fn hybrid_fields_are_merged() {
    let plan = plan(json!({}));
    let mut node_0 = node_response(vec![], 0);
    node_0.insert("queryVector".to_owned(), json!([0.5, 0.25]));
    node_0.insert("semanticHitCount".to_owned(), json!(2));
    let mut node_1 = node_response(vec![], 0);
    node_1.insert("queryVector".to_owned(), json!([0.5, 0.25]));
    node_1.insert("semanticHitCount".to_owned(), json!(3));
    let merged = merge_search(&plan, vec![node_0, node_1]).unwrap();
    let keys: Vec<&str> = merged.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "hits",
            "query",
            "queryVector",
            "processingTimeMs",
            "limit",
            "offset",
            "estimatedTotalHits",
            "requestUid",
            "semanticHitCount"
        ]
    );
    assert_eq!(merged["semanticHitCount"], json!(5));
}

#[test]
fn no_node_responses_give_an_empty_result() {
    let merged = merge_search(&plan(json!({"q": "x"})), vec![]).unwrap();
    assert_eq!(
        text(&merged),
        r#"{"hits":[],"query":"x","processingTimeMs":0,"limit":20,"offset":0,"estimatedTotalHits":0}"#
    );
}

#[test]
fn merging_the_same_input_twice_gives_identical_bytes() {
    let plan = plan(json!({"facets": ["g"], "showRankingScore": true}));
    let nodes = || {
        let mut node_0 = node_response(
            vec![relevancy_hit(1, 0.5, 1.0), relevancy_hit(4, 0.5, 0.5)],
            2,
        );
        node_0.insert(
            "facetDistribution".to_owned(),
            json!({"g": {"b": 1, "a": 1}}),
        );
        node_0.insert("facetStats".to_owned(), json!({}));
        let mut node_1 = node_response(
            vec![relevancy_hit(2, 0.5, 1.0), relevancy_hit(3, 0.1, 1.0)],
            2,
        );
        node_1.insert(
            "facetDistribution".to_owned(),
            json!({"g": {"c": 2}, "f": {"1": 1}}),
        );
        node_1.insert(
            "facetStats".to_owned(),
            json!({"f": {"min": 1.0, "max": 1.0}}),
        );
        vec![node_0, node_1]
    };
    let first = serde_json::to_vec(&merge_search(&plan, nodes()).unwrap()).unwrap();
    let second = serde_json::to_vec(&merge_search(&plan, nodes()).unwrap()).unwrap();
    assert_eq!(first, second);
}

#[test]
fn malformed_node_responses_are_typed_errors() {
    let plan = plan(json!({"facets": ["g"]}));
    let mut without_hits = node_response(vec![], 0);
    without_hits.remove("hits");
    let mut hits_not_array = node_response(vec![], 0);
    hits_not_array.insert("hits".to_owned(), json!({}));
    let mut without_total = node_response(vec![], 0);
    without_total.remove("estimatedTotalHits");
    let without_facets = node_response(vec![], 0);
    let mut with_facets = node_response(vec![json!(42)], 1);
    with_facets.insert("facetDistribution".to_owned(), json!({}));
    with_facets.insert("facetStats".to_owned(), json!({}));
    let mut unscored = with_facets.clone();
    unscored.insert("hits".to_owned(), json!([{"id": 1}]));

    let error = |response: Map<String, Value>| merge_search(&plan, vec![response]).unwrap_err();
    assert_eq!(
        error(without_hits),
        MergeError::MissingField {
            node: 0,
            field: "hits"
        }
    );
    assert!(matches!(
        error(hits_not_array),
        MergeError::InvalidField { field: "hits", .. }
    ));
    assert_eq!(
        error(without_total),
        MergeError::MissingField {
            node: 0,
            field: "estimatedTotalHits"
        }
    );
    assert_eq!(
        error(without_facets),
        MergeError::MissingField {
            node: 0,
            field: "facetDistribution"
        }
    );
    assert_eq!(
        error(with_facets),
        MergeError::NonObjectHit {
            node: 0,
            position: 0
        }
    );
    assert_eq!(
        error(unscored),
        MergeError::MissingRankingScore {
            node: 0,
            position: 0
        }
    );
}
