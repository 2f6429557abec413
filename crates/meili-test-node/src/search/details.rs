//! Rendering outcomes as `_rankingScoreDetails` and `_rankingScore`, shaped exactly like
//! Meilisearch v1.50 (`score_details.rs` `to_json_map`).

use serde_json::{json, Map, Value};

use super::evaluate::{ExactMatchType, Outcome};
use super::rank::Rank;
use super::rules::Step;

/// The global `_rankingScore` of a document (sort criteria do not count).
pub(super) fn ranking_score(outcomes: &[Outcome]) -> f64 {
    Rank::global_score(outcomes.iter().flat_map(Outcome::ranks))
}

/// The `_rankingScoreDetails` object of a document.
pub(super) fn ranking_score_details(steps: &[Step], outcomes: &[Outcome]) -> Map<String, Value> {
    let mut details = Map::new();
    for (order, outcome) in outcomes.iter().enumerate() {
        let (key, value) = match outcome {
            Outcome::Words { matching, max } => (
                "words".to_owned(),
                json!({
                    "order": order,
                    "matchingWords": matching,
                    "maxMatchingWords": max,
                    "score": Rank { rank: *matching, max_rank: *max }.local_score(),
                }),
            ),
            Outcome::Typo { count, max } => (
                "typo".to_owned(),
                json!({
                    "order": order,
                    "typoCount": count,
                    "maxTypoCount": max,
                    "score": Rank::from_cost(*count, *max).local_score(),
                }),
            ),
            Outcome::Proximity(rank) => (
                "proximity".to_owned(),
                json!({"order": order, "score": rank.local_score()}),
            ),
            Outcome::AttributeRank(rank) => (
                "attributeRank".to_owned(),
                json!({"order": order, "score": rank.local_score()}),
            ),
            Outcome::WordPosition(rank) => (
                "wordPosition".to_owned(),
                json!({"order": order, "score": rank.local_score()}),
            ),
            Outcome::Attribute {
                attribute_rank,
                word_position,
            } => (
                "attribute".to_owned(),
                json!({
                    "order": order,
                    "attributeRankingOrderScore": attribute_rank.local_score(),
                    "queryWordDistanceScore": word_position.local_score(),
                    "score": Rank::global_score([*attribute_rank, *word_position]),
                }),
            ),
            Outcome::Exactness {
                match_type,
                exact_words,
                max_words,
            } => {
                let value = if *match_type == ExactMatchType::NoExactMatch {
                    json!({
                        "order": order,
                        "matchType": match_type.name(),
                        "matchingWords": exact_words,
                        "maxMatchingWords": max_words,
                        "score": ranking_score(std::slice::from_ref(outcome)),
                    })
                } else {
                    json!({
                        "order": order,
                        "matchType": match_type.name(),
                        "score": match_type.rank().local_score(),
                    })
                };
                ("exactness".to_owned(), value)
            }
            Outcome::Sort { step, value, .. } => {
                let key = match steps.get(*step) {
                    Some(Step::Sort(criterion)) => criterion.key.clone(),
                    _ => continue,
                };
                (key, json!({"order": order, "value": value.to_json()}))
            }
        };
        details.insert(key, value);
    }
    details
}
