//! Tests of the whole ranking pipeline: the recorded Meilisearch fixtures, each rule in
//! isolation, and document-local scoring.

use serde_json::{json, Map, Value};

use super::{rank_documents, MatchingStrategy, RankedDocument, RankingRequest};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/meili-fixtures/"
);

fn default_rules() -> Vec<String> {
    [
        "words",
        "typo",
        "proximity",
        "attributeRank",
        "sort",
        "wordPosition",
        "exactness",
    ]
    .iter()
    .map(|rule| rule.to_string())
    .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The `movies` documents as they stand when `search.json` was recorded.
fn fixture_movies() -> Vec<Map<String, Value>> {
    let exchanges = load("documents.json")["exchanges"]
        .as_array()
        .unwrap()
        .clone();
    let body_of = |note: &str| {
        exchanges.iter().find(|e| e["note"] == note).unwrap()["request"]["body"].clone()
    };
    let mut movies: Vec<Map<String, Value>> = body_of("add JSON array")
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_object().unwrap().clone())
        .collect();
    for line in body_of("add NDJSON").as_str().unwrap().lines() {
        movies.push(serde_json::from_str(line).unwrap());
    }
    for update in body_of("partial update").as_array().unwrap() {
        let target = movies.iter_mut().find(|m| m["id"] == update["id"]).unwrap();
        for (key, value) in update.as_object().unwrap() {
            target.insert(key.clone(), value.clone());
        }
    }
    // "delete one" (200, a CSV document) and "delete by ids" (201, 102).
    movies.retain(|m| ![json!(102)].contains(&m["id"]));
    assert_eq!(movies.len(), 14, "the fixture index holds 14 documents");
    movies
}

struct Search<'a> {
    query: &'a str,
    rules: Vec<String>,
    searchable: Vec<String>,
    sort: Vec<String>,
    strategy: MatchingStrategy,
    typo: Value,
    stop_words: Vec<String>,
}

impl<'a> Search<'a> {
    fn new(query: &'a str) -> Self {
        Self {
            query,
            rules: default_rules(),
            searchable: strings(&["*"]),
            sort: Vec::new(),
            strategy: MatchingStrategy::Last,
            typo: json!({"enabled": true, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}}),
            stop_words: Vec::new(),
        }
    }

    fn run<'d>(&self, documents: &'d [Map<String, Value>]) -> Vec<RankedDocument<'d>> {
        let request = RankingRequest {
            query: self.query,
            ranking_rules: &self.rules,
            searchable_attributes: &self.searchable,
            sort: &self.sort,
            matching_strategy: self.strategy,
            typo_tolerance: &self.typo,
            stop_words: &self.stop_words,
        };
        rank_documents(&request, documents.iter())
    }
}

/// JSON equality where floats may differ by the last bit: serde_json (without its
/// `float_roundtrip` feature) parses some recorded decimals one ulp away from the value
/// that prints as the same text.
fn assert_json_eq(ours: &Value, recorded: &Value, context: &Value) {
    match (ours, recorded) {
        (Value::Number(left), Value::Number(right)) if left.is_f64() || right.is_f64() => {
            let (left, right) = (left.as_f64().unwrap(), right.as_f64().unwrap());
            assert!(
                (left - right).abs() <= 2.0 * f64::EPSILON,
                "{context}: {left} != {right}"
            );
        }
        (Value::Object(left), Value::Object(right)) => {
            let left_keys: Vec<&String> = left.keys().collect();
            let right_keys: Vec<&String> = right.keys().collect();
            assert_eq!(left_keys, right_keys, "{context}");
            for (key, value) in left {
                assert_json_eq(value, &right[key], context);
            }
        }
        _ => assert_eq!(ours, recorded, "{context}"),
    }
}

fn ids(ranked: &[RankedDocument<'_>]) -> Vec<Value> {
    ranked.iter().map(|r| r.document["id"].clone()).collect()
}

fn docs(values: Value) -> Vec<Map<String, Value>> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_object().unwrap().clone())
        .collect()
}

/// Every recorded `POST /indexes/movies/search` without filter returns the same hits, in
/// the same order, with the same scores and details.
#[test]
fn recorded_searches_are_reproduced() {
    let movies = fixture_movies();
    let exchanges = load("search.json")["exchanges"].as_array().unwrap().clone();
    let mut checked = 0;
    for exchange in &exchanges {
        let request = &exchange["request"];
        let body = &request["body"];
        let response = &exchange["response"]["body"];
        if request["method"] != "POST"
            || request["path"] != "/indexes/movies/search"
            || exchange["response"]["status"] != 200
            || body.get("filter").is_some()
        {
            continue;
        }
        let mut search = Search::new(body["q"].as_str().unwrap_or(""));
        if let Some(sort) = body["sort"].as_array() {
            search.sort = sort
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
        }
        let ranked = search.run(&movies);
        let (offset, limit) = match body["page"].as_u64() {
            Some(page) => {
                let per_page = body["hitsPerPage"].as_u64().unwrap() as usize;
                assert_eq!(
                    response["totalHits"],
                    json!(ranked.len()),
                    "{}",
                    exchange["note"]
                );
                ((page as usize - 1) * per_page, per_page)
            }
            None => {
                assert_eq!(
                    response["estimatedTotalHits"],
                    json!(ranked.len()),
                    "{}",
                    exchange["note"]
                );
                (
                    body["offset"].as_u64().unwrap_or(0) as usize,
                    body["limit"].as_u64().unwrap_or(20) as usize,
                )
            }
        };
        let page: Vec<&RankedDocument<'_>> = ranked.iter().skip(offset).take(limit).collect();
        let hits = response["hits"].as_array().unwrap();
        assert_eq!(page.len(), hits.len(), "{}", exchange["note"]);
        for (hit, ranked) in hits.iter().zip(page) {
            if let Some(id) = hit.get("id") {
                assert_eq!(&ranked.document["id"], id, "{}", exchange["note"]);
            } else {
                assert_eq!(
                    ranked.document["title"], hit["title"],
                    "{}",
                    exchange["note"]
                );
            }
            if let Some(score) = hit.get("_rankingScore") {
                assert_json_eq(&json!(ranked.ranking_score()), score, &exchange["note"]);
            }
            if let Some(details) = hit.get("_rankingScoreDetails") {
                let ours = Value::Object(ranked.ranking_score_details());
                assert_json_eq(&ours, details, &exchange["note"]);
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 8,
        "only {checked} recorded searches were checked"
    );
}

/// The federated multi-search recorded `weightedRankingScore`s for "dark" and "knight".
#[test]
fn recorded_federated_scores_are_reproduced() {
    let movies = fixture_movies();
    let dark = Search::new("dark").run(&movies);
    let knight = Search::new("knight").run(&movies);
    assert_eq!(ids(&knight), vec![json!(12), json!(7)]);
    assert_eq!(dark[0].ranking_score(), 65.0 / 66.0);
    assert_eq!(knight[0].ranking_score(), 65.0 / 66.0);
    assert_eq!(dark[1].ranking_score(), 61.0 / 66.0);
    assert_eq!(
        json!(dark[0].ranking_score()).to_string(),
        "0.9848484848484849"
    );
    assert_eq!(
        json!(dark[1].ranking_score()).to_string(),
        "0.9242424242424242"
    );
}

/// A document's score and details never depend on the other documents searched.
#[test]
fn scoring_is_document_local() {
    let movies = fixture_movies();
    for query in [
        "dark knight",
        "knight",
        "nolan",
        "fi",
        "intersteller",
        "the dark",
        "science fiction",
        "2010",
    ] {
        let together = Search::new(query).run(&movies);
        for ranked in &together {
            let alone_documents = vec![ranked.document.clone()];
            let alone = Search::new(query).run(&alone_documents);
            assert_eq!(alone.len(), 1, "{query}");
            assert_eq!(alone[0].ranking_score(), ranked.ranking_score(), "{query}");
            assert_eq!(
                alone[0].ranking_score_details(),
                ranked.ranking_score_details(),
                "{query}"
            );
        }
        let mut reversed = movies.clone();
        reversed.reverse();
        let shuffled = Search::new(query).run(&reversed);
        assert_eq!(shuffled.len(), together.len(), "{query}");
        for ranked in &shuffled {
            let same = together
                .iter()
                .find(|t| t.document["id"] == ranked.document["id"])
                .unwrap();
            assert_eq!(
                same.ranking_score_details(),
                ranked.ranking_score_details(),
                "{query}"
            );
        }
    }
}

#[test]
fn words_rule_drops_query_words_from_the_end() {
    let documents = docs(json!([
        {"id": 1, "t": "alpha"},
        {"id": 2, "t": "alpha beta gamma"},
        {"id": 3, "t": "beta gamma"},
        {"id": 4, "t": "alpha gamma"},
    ]));
    let ranked = Search::new("alpha beta gamma").run(&documents);
    assert_eq!(ids(&ranked), vec![json!(2), json!(1), json!(4)]);
    assert_eq!(
        ranked[0].ranking_score_details()["words"]["matchingWords"],
        3
    );
    assert_eq!(
        ranked[1].ranking_score_details()["words"]["matchingWords"],
        1
    );
    assert_eq!(
        ranked[2].ranking_score_details()["words"]["maxMatchingWords"],
        3
    );

    let mut all = Search::new("alpha beta gamma");
    all.strategy = MatchingStrategy::All;
    let ranked = all.run(&documents);
    assert_eq!(ids(&ranked), vec![json!(2)]);
    assert!(!ranked[0].ranking_score_details().contains_key("words"));
    assert_eq!(ranked[0].ranking_score_details()["typo"]["order"], 0);

    let mut frequency = Search::new("alpha beta gamma");
    frequency.strategy = MatchingStrategy::Frequency;
    let ranked = frequency.run(&documents);
    // Two words each; "alpha … gamma" is not penalised by proximity (not adjacent in the
    // query) and is closer to the query positions.
    assert_eq!(ids(&ranked), vec![json!(2), json!(4), json!(3), json!(1)]);
    assert_eq!(
        ranked[1].ranking_score_details()["words"]["matchingWords"],
        2
    );
}

#[test]
fn typo_rule_counts_typos_against_the_allowed_maximum() {
    let documents = docs(json!([
        {"id": 1, "t": "interstallar"},
        {"id": 2, "t": "interstellar"},
        {"id": 3, "t": "intarstallar"},
        {"id": 4, "t": "nterstellar"},
    ]));
    let ranked = Search::new("interstellar").run(&documents);
    assert_eq!(ids(&ranked), vec![json!(2), json!(1), json!(3), json!(4)]);
    let typo = |index: usize| ranked[index].ranking_score_details()["typo"].clone();
    assert_eq!(
        typo(0),
        json!({"order": 1, "typoCount": 0, "maxTypoCount": 2, "score": 1.0})
    );
    assert_eq!(typo(1)["typoCount"], 1);
    assert_eq!(typo(2)["typoCount"], 2);
    assert_eq!(
        typo(3)["typoCount"],
        2,
        "missing first letter counts as two typos"
    );

    let mut disabled = Search::new("interstellar");
    disabled.typo = json!({"enabled": false});
    assert_eq!(ids(&disabled.run(&documents)), vec![json!(2)]);
}

#[test]
fn proximity_rule_prefers_close_words_in_query_order() {
    let documents = docs(json!([
        {"id": 1, "t": "dark and stormy knight"},
        {"id": 2, "t": "knight dark"},
        {"id": 3, "t": "dark knight"},
        {"id": 4, "t": "dark", "u": "knight"},
    ]));
    let ranked = Search::new("dark knight").run(&documents);
    assert_eq!(ids(&ranked), vec![json!(3), json!(2), json!(1), json!(4)]);
    let score = |index: usize| ranked[index].ranking_score_details()["proximity"]["score"].clone();
    assert_eq!(score(0), json!(1.0));
    assert_eq!(score(1), json!(7.0 / 8.0));
    assert_eq!(score(2), json!(6.0 / 8.0));
    assert_eq!(
        score(3),
        json!(1.0 / 8.0),
        "different attributes are never close"
    );
}

#[test]
fn attribute_rank_follows_searchable_attributes_order() {
    let documents = docs(json!([
        {"id": 1, "title": "other", "overview": "nolan"},
        {"id": 2, "title": "nolan", "overview": "other"},
    ]));
    let mut search = Search::new("nolan");
    search.searchable = strings(&["title", "overview"]);
    let ranked = search.run(&documents);
    assert_eq!(ids(&ranked), vec![json!(2), json!(1)]);
    assert_eq!(
        ranked[0].ranking_score_details()["attributeRank"]["score"],
        json!(1.0)
    );
    assert_eq!(
        ranked[1].ranking_score_details()["attributeRank"]["score"],
        json!(0.5)
    );
    search.searchable = strings(&["title"]);
    assert_eq!(ids(&search.run(&documents)), vec![json!(2)]);
}

#[test]
fn word_position_rule_prefers_words_near_the_start() {
    let documents = docs(json!([
        {"id": 1, "t": "a b c d e f g h i j k l m n o p q r s t nolan"},
        {"id": 2, "t": "a b nolan"},
        {"id": 3, "t": "nolan"},
    ]));
    let ranked = Search::new("nolan").run(&documents);
    assert_eq!(ids(&ranked), vec![json!(3), json!(2), json!(1)]);
    let score =
        |index: usize| ranked[index].ranking_score_details()["wordPosition"]["score"].clone();
    assert_eq!(score(0), json!(1.0));
    assert_eq!(score(1), json!(9.0 / 11.0));
    assert_eq!(score(2), json!(5.0 / 11.0), "position 20 is bucketed to 24");
}

#[test]
fn exactness_rule_distinguishes_exact_start_and_other_matches() {
    let documents = docs(json!([
        {"id": 1, "t": "the dark knight"},
        {"id": 2, "t": "dark knight rises"},
        {"id": 3, "t": "dark knight"},
        {"id": 4, "t": "dark knights"},
    ]));
    let mut search = Search::new("dark knight");
    search.rules = strings(&["exactness"]);
    let ranked = search.run(&documents);
    assert_eq!(ids(&ranked), vec![json!(3), json!(2), json!(1), json!(4)]);
    let exactness = |index: usize| ranked[index].ranking_score_details()["exactness"].clone();
    assert_eq!(
        exactness(0),
        json!({"order": 1, "matchType": "exactMatch", "score": 1.0})
    );
    assert_eq!(exactness(1)["matchType"], "matchesStart");
    assert_eq!(
        exactness(2),
        json!({"order": 1, "matchType": "noExactMatch", "matchingWords": 2, "maxMatchingWords": 2, "score": 1.0 / 3.0})
    );
    // "knights" only matches the prefix "knight": one exact word out of two.
    assert_eq!(exactness(3)["matchingWords"], 1);
}

#[test]
fn sort_criteria_order_numbers_then_strings_then_missing() {
    let documents = docs(json!([
        {"id": 1, "year": "unknown"},
        {"id": 2, "year": 2001},
        {"id": 3},
        {"id": 4, "year": 1999},
    ]));
    let mut search = Search::new("");
    search.sort = strings(&["year:asc"]);
    let ranked = search.run(&documents);
    assert_eq!(ids(&ranked), vec![json!(4), json!(2), json!(1), json!(3)]);
    assert_eq!(ranked[0].ranking_score(), 1.0);
    assert_eq!(
        ranked[0].ranking_score_details(),
        json!({"year:asc": {"order": 0, "value": 1999.0}})
            .as_object()
            .unwrap()
            .clone()
    );
    assert_eq!(
        ranked[2].ranking_score_details()["year:asc"]["value"],
        "unknown"
    );
    assert_eq!(
        ranked[3].ranking_score_details()["year:asc"]["value"],
        Value::Null
    );
    search.sort = strings(&["year:desc"]);
    assert_eq!(
        ids(&search.run(&documents)),
        vec![json!(2), json!(4), json!(1), json!(3)]
    );
}

#[test]
fn legacy_attribute_rule_reports_both_scores() {
    let documents = docs(json!([{"id": 1, "title": "x nolan"}]));
    let mut search = Search::new("nolan");
    search.rules = strings(&["attribute"]);
    let ranked = search.run(&documents);
    assert_eq!(
        Value::Object(ranked[0].ranking_score_details()),
        json!({
            "words": {"order": 0, "matchingWords": 1, "maxMatchingWords": 1, "score": 1.0},
            "attribute": {"order": 1, "attributeRankingOrderScore": 1.0, "queryWordDistanceScore": 10.0 / 11.0, "score": 10.0 / 11.0}
        })
    );
}

#[test]
fn stop_words_are_ignored_in_documents_and_queries() {
    let documents = docs(json!([{"id": 1, "t": "the matrix"}, {"id": 2, "t": "the"}]));
    let mut search = Search::new("the matrix");
    search.stop_words = strings(&["The"]);
    let ranked = search.run(&documents);
    assert_eq!(ids(&ranked), vec![json!(1)]);
    assert_eq!(
        ranked[0].ranking_score_details()["words"]["maxMatchingWords"],
        1
    );
}

/// Ordering only a prefix (`RankedOrder::First`) gives exactly the first documents of the
/// full ranking, ties included, and keeps every matching document.
#[test]
fn ordering_a_prefix_matches_the_full_ranking() {
    use super::{rank_indexed, IndexedDocuments, RankedOrder, SortValueCache, WordIndex};
    let movies = fixture_movies();
    let words = WordIndex::build(movies.iter());
    let sort_values = SortValueCache::default();
    let indexed = IndexedDocuments {
        words: &words,
        sort_values: &sort_values,
        document_at: &|number| &movies[number],
    };
    for (query, sort) in [("", vec![]), ("", strings(&["year:desc"])), ("s", vec![])] {
        let mut search = Search::new(query);
        search.sort = sort;
        let request = RankingRequest {
            query: search.query,
            ranking_rules: &search.rules,
            searchable_attributes: &search.searchable,
            sort: &search.sort,
            matching_strategy: search.strategy,
            typo_tolerance: &search.typo,
            stop_words: &search.stop_words,
        };
        let all = rank_indexed(&request, &indexed, &|_| true, RankedOrder::All);
        assert!(all.len() > 2, "{query}");
        for first in [0, 1, 3, all.len() + 5] {
            let partial = rank_indexed(&request, &indexed, &|_| true, RankedOrder::First(first));
            assert_eq!(partial.len(), all.len(), "{query} {first}");
            let shown = first.min(all.len());
            assert_eq!(
                ids(&partial[..shown]),
                ids(&all[..shown]),
                "{query} {first}"
            );
        }
    }
}
