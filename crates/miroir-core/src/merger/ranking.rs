//! Meilisearch's bucket order, rebuilt from each hit's `_rankingScoreDetails`.
//!
//! A single Meilisearch node sorts hits bucket by bucket: by the first ranking rule, then inside
//! each bucket by the second, and so on. The details list every rule applied, in that `order`:
//!
//! ```text
//!   "words":     {"order": 0, …, "score": 1.0}        relevancy rule → higher score first
//!   "year:asc":  {"order": 1, "value": 1993.0}        sort rule → value in the clause direction
//!   "_geoPoint(48.8, 2.3):asc": {"order": 2, "value": {…}, "distance": 12.5}
//!   "vectorSort": {"order": 3, "similarity": 0.93}     semantic rule → higher similarity first
//! ```
//!
//! Comparing two hits rule by rule with these values reproduces the bucket order, because a
//! rule's score is `rank / max_rank` and `max_rank` only differs between hits already separated
//! by an earlier rule. Sort values follow milli's `compare_sort_values`
//! (`crates/milli/src/score_details.rs`, Meilisearch v1.50): numbers before strings in BOTH
//! directions, `null` (document without the field) last, numbers compared as `f64`, strings by
//! bytes (they are milli's normalised facet strings), any other JSON type equal. Geo sort follows
//! milli's `GeoSort`: a missing distance last, otherwise by distance in the clause direction.
//! Rules the merge cannot read (`pin`, redacted `<hidden-rule-N>` rules) compare equal.
//!
//! When rules of the two hits differ in kind, or either hit lacks details, the global
//! `_rankingScore` decides (higher first), as Meilisearch's federated merge does. This covers a
//! hybrid search's keyword hit against a semantic hit; milli orders those by scores weighted by
//! `semanticRatio`, which the details do not carry, so that order is approximate. Scores are
//! compared exactly (Meilisearch's federated merge uses an `f64::EPSILON` tolerance; exact
//! comparison keeps the order total so it never depends on input order). Remaining ties are
//! broken by the primary key ascending (integers numerically, before strings by bytes); the
//! caller breaks the last tie by node index.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// Key of `_rankingScore` in a hit.
pub(super) const RANKING_SCORE: &str = "_rankingScore";
/// Key of `_rankingScoreDetails` in a hit.
pub(super) const RANKING_SCORE_DETAILS: &str = "_rankingScoreDetails";

/// Prefix of a geo sort rule in the details.
const GEO_SORT_PREFIX: &str = "_geoPoint(";

/// The comparable value of one ranking rule for one hit.
#[derive(Debug, Clone, PartialEq)]
enum RuleValue<'a> {
    /// A relevancy rule's score: higher is better.
    Score(f64),
    /// The `vectorSort` rule's similarity: higher is better. A kind of its own, so a keyword hit
    /// and a semantic hit of a hybrid search are never compared rule by rule.
    Similarity(f64),
    /// A `field:asc|desc` sort rule's bucket value.
    Sort { ascending: bool, value: &'a Value },
    /// A `_geoPoint(lat, lng):asc|desc` rule's distance (`None`: document without `_geo`).
    Geo {
        ascending: bool,
        distance: Option<f64>,
    },
    /// A rule whose value the merge cannot compare; equal to any other `Opaque`.
    Opaque,
}

/// A primary-key value ordered for tie-breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum PrimaryKeyValue<'a> {
    Integer(i128),
    Text(&'a str),
    /// Not retrieved (e.g. hidden by `displayedAttributes`), or not a string/integer.
    #[default]
    Missing,
}

/// Everything the merge compares for one hit, borrowed from the hit. Reused across hits
/// (`fill` clears it) so the merge loop does not allocate per hit.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct RankingKey<'a> {
    rules: Vec<RuleValue<'a>>,
    has_details: bool,
    global_score: Option<f64>,
    primary_key: PrimaryKeyValue<'a>,
}

/// Why a hit's ranking data could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RankingKeyError {
    /// Neither `_rankingScoreDetails` nor `_rankingScore` is present.
    Missing,
    /// Present but malformed; the reason says how.
    Invalid(&'static str),
}

impl<'a> RankingKey<'a> {
    /// Reads `hit`'s ranking data into `self`, replacing what was there.
    pub(super) fn fill(
        &mut self,
        hit: &'a Map<String, Value>,
        primary_key: &str,
    ) -> Result<(), RankingKeyError> {
        self.rules.clear();
        self.global_score = match hit.get(RANKING_SCORE) {
            None => None,
            Some(score) => Some(
                score
                    .as_f64()
                    .ok_or(RankingKeyError::Invalid("`_rankingScore` is not a number"))?,
            ),
        };
        self.has_details = match hit.get(RANKING_SCORE_DETAILS) {
            None => false,
            Some(Value::Object(details)) => {
                // Rules are read in field order, which is their `order`: milli's `to_json_map`
                // inserts each rule as it increments `order`, and field order is preserved. Not
                // reading `order` saves a hash lookup per rule on the hot path.
                for (rule_name, rule) in details {
                    let rule = rule.as_object().ok_or(RankingKeyError::Invalid(
                        "a `_rankingScoreDetails` rule is not an object",
                    ))?;
                    self.rules.push(rule_value(rule_name, rule)?);
                }
                true
            }
            Some(_) => {
                return Err(RankingKeyError::Invalid(
                    "`_rankingScoreDetails` is not an object",
                ))
            }
        };
        if !self.has_details && self.global_score.is_none() {
            return Err(RankingKeyError::Missing);
        }
        self.primary_key = primary_key_value(hit.get(primary_key));
        Ok(())
    }

    /// Merged-list order of two hits: `Less` when `self` comes first. Ends with the primary-key
    /// tie-break; equal only for equal keys.
    pub(super) fn merge_order(&self, other: &Self) -> Ordering {
        self.relevance_order(other)
            .then_with(|| self.primary_key.cmp(&other.primary_key))
    }

    /// Meilisearch's bucket order without any tie-break: `Less` when `self` ranks higher.
    fn relevance_order(&self, other: &Self) -> Ordering {
        if self.has_details && other.has_details {
            if let Some(order) = compare_rules(&self.rules, &other.rules) {
                return order;
            }
        }
        compare_scores(
            self.global_score.unwrap_or(0.0),
            other.global_score.unwrap_or(0.0),
        )
    }
}

/// Rule-by-rule comparison; `None` when a rule pair is of different kinds (the details come
/// from differently configured indexes), then the global score decides.
fn compare_rules(left: &[RuleValue<'_>], right: &[RuleValue<'_>]) -> Option<Ordering> {
    for (left_rule, right_rule) in left.iter().zip(right) {
        let order = match (left_rule, right_rule) {
            (RuleValue::Score(left), RuleValue::Score(right))
            | (RuleValue::Similarity(left), RuleValue::Similarity(right)) => {
                compare_scores(*left, *right)
            }
            (
                RuleValue::Sort {
                    ascending: left_ascending,
                    value: left,
                },
                RuleValue::Sort {
                    ascending: right_ascending,
                    value: right,
                },
            ) if left_ascending == right_ascending => {
                compare_sort_values(*left_ascending, left, right)
            }
            (
                RuleValue::Geo {
                    ascending: left_ascending,
                    distance: left,
                },
                RuleValue::Geo {
                    ascending: right_ascending,
                    distance: right,
                },
            ) if left_ascending == right_ascending => {
                compare_geo_distances(*left_ascending, *left, *right)
            }
            (RuleValue::Opaque, RuleValue::Opaque) => Ordering::Equal,
            _ => return None,
        };
        if order != Ordering::Equal {
            return Some(order);
        }
    }
    // A hit that went through more rules ranks first, as in Meilisearch's federated merge.
    Some(right.len().cmp(&left.len()))
}

/// Higher score first.
fn compare_scores(left: f64, right: f64) -> Ordering {
    right.partial_cmp(&left).unwrap_or(Ordering::Equal)
}

/// milli's `compare_sort_values`, turned so that `Less` means "comes first".
fn compare_sort_values(ascending: bool, left: &Value, right: &Value) -> Ordering {
    let in_direction = |order: Ordering| if ascending { order } else { order.reverse() };
    match (left, right) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Number(_), Value::String(_)) => Ordering::Less,
        (Value::String(_), Value::Number(_)) => Ordering::Greater,
        (Value::Number(left), Value::Number(right)) => {
            let left = left.as_f64().unwrap_or(f64::NAN);
            let right = right.as_f64().unwrap_or(f64::NAN);
            in_direction(left.partial_cmp(&right).unwrap_or(Ordering::Equal))
        }
        (Value::String(left), Value::String(right)) => in_direction(left.cmp(right)),
        _ => Ordering::Equal,
    }
}

/// milli's `GeoSort` order, turned so that `Less` means "comes first".
fn compare_geo_distances(ascending: bool, left: Option<f64>, right: Option<f64>) -> Ordering {
    match (left, right) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(left), Some(right)) => {
            let order = left.partial_cmp(&right).unwrap_or(Ordering::Equal);
            if ascending {
                order
            } else {
                order.reverse()
            }
        }
    }
}

fn rule_value<'a>(
    rule_name: &str,
    rule: &'a Map<String, Value>,
) -> Result<RuleValue<'a>, RankingKeyError> {
    let direction = if rule_name.ends_with(":asc") {
        Some(true)
    } else if rule_name.ends_with(":desc") {
        Some(false)
    } else {
        None
    };
    if let Some(ascending) = direction {
        if rule_name.starts_with(GEO_SORT_PREFIX) {
            let distance = match rule.get("distance") {
                None | Some(Value::Null) => None,
                Some(distance) => Some(distance.as_f64().ok_or(RankingKeyError::Invalid(
                    "a geo sort rule's `distance` is not a number",
                ))?),
            };
            return Ok(RuleValue::Geo {
                ascending,
                distance,
            });
        }
        if let Some(value) = rule.get("value") {
            return Ok(RuleValue::Sort { ascending, value });
        }
    }
    if let Some(score) = rule.get("score") {
        let score = score.as_f64().ok_or(RankingKeyError::Invalid(
            "a ranking rule's `score` is not a number",
        ))?;
        return Ok(RuleValue::Score(score));
    }
    match rule_name {
        // milli: a vector rule without similarity scores 0.
        "vectorSort" => Ok(RuleValue::Similarity(
            rule.get("similarity")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
        )),
        // milli: rules skipped for lack of time rank as `Rank { rank: 0, max_rank: 1 }`.
        "skipped" => Ok(RuleValue::Score(0.0)),
        _ => Ok(RuleValue::Opaque),
    }
}

fn primary_key_value(value: Option<&Value>) -> PrimaryKeyValue<'_> {
    match value {
        Some(Value::String(text)) => PrimaryKeyValue::Text(text),
        Some(Value::Number(number)) => number
            .as_i64()
            .map(i128::from)
            .or_else(|| number.as_u64().map(i128::from))
            .map_or(PrimaryKeyValue::Missing, PrimaryKeyValue::Integer),
        _ => PrimaryKeyValue::Missing,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::merger::test_support::{hit, object, relevancy_hit};

    fn order_of(left: &Value, right: &Value) -> Ordering {
        let (left, right) = (object(left.clone()), object(right.clone()));
        let (mut left_key, mut right_key) = (RankingKey::default(), RankingKey::default());
        left_key.fill(&left, "id").unwrap();
        right_key.fill(&right, "id").unwrap();
        left_key.merge_order(&right_key)
    }

    fn sorted_hit(id: u64, rule: &str, value: Value) -> Value {
        hit(id, 0, &[(rule, json!({ "value": value }))])
    }

    #[test]
    fn earlier_rule_decides_before_later_ones() {
        // Lower global score, but wins on the first rule: bucket order, not score order.
        let first_rule_winner = relevancy_hit(1, 1.0, 0.2);
        let later_rule_winner = relevancy_hit(2, 0.5, 1.0);
        assert_eq!(
            order_of(&first_rule_winner, &later_rule_winner),
            Ordering::Less
        );
        assert_eq!(
            order_of(&later_rule_winner, &first_rule_winner),
            Ordering::Greater
        );
    }

    #[test]
    fn sort_values_follow_the_clause_direction() {
        let (old, new) = (
            sorted_hit(1, "year:asc", json!(1993.0)),
            sorted_hit(2, "year:asc", json!(2008.0)),
        );
        assert_eq!(order_of(&old, &new), Ordering::Less);
        let (old, new) = (
            sorted_hit(1, "year:desc", json!(1993.0)),
            sorted_hit(2, "year:desc", json!(2008.0)),
        );
        assert_eq!(order_of(&old, &new), Ordering::Greater);
        let (a, b) = (
            sorted_hit(1, "title:asc", json!("alpha")),
            sorted_hit(2, "title:asc", json!("beta")),
        );
        assert_eq!(order_of(&a, &b), Ordering::Less);
    }

    #[test]
    fn numbers_come_before_strings_and_null_comes_last_in_both_directions() {
        for rule in ["field:asc", "field:desc"] {
            let number = sorted_hit(3, rule, json!(10.0));
            let string = sorted_hit(1, rule, json!("a"));
            let missing = sorted_hit(2, rule, Value::Null);
            assert_eq!(order_of(&number, &string), Ordering::Less, "{rule}");
            assert_eq!(order_of(&string, &missing), Ordering::Less, "{rule}");
            assert_eq!(order_of(&number, &missing), Ordering::Less, "{rule}");
        }
    }

    #[test]
    fn geo_sort_uses_distance_and_missing_distance_is_last() {
        let rule = "_geoPoint(48.8, 2.3):asc";
        let near = hit(
            2,
            0,
            &[(
                rule,
                json!({"value": {"lat": 1, "lng": 1}, "distance": 10.0}),
            )],
        );
        let far = hit(
            1,
            0,
            &[(
                rule,
                json!({"value": {"lat": 2, "lng": 2}, "distance": 900.0}),
            )],
        );
        let nowhere = hit(0, 0, &[(rule, json!({"value": null, "distance": null}))]);
        assert_eq!(order_of(&near, &far), Ordering::Less);
        assert_eq!(order_of(&far, &nowhere), Ordering::Less);
        let rule = "_geoPoint(48.8, 2.3):desc";
        let near = hit(2, 0, &[(rule, json!({"distance": 10.0}))]);
        let far = hit(1, 0, &[(rule, json!({"distance": 900.0}))]);
        assert_eq!(order_of(&far, &near), Ordering::Less);
    }

    #[test]
    fn full_ties_are_broken_by_primary_key_integers_before_strings() {
        assert_eq!(
            order_of(&relevancy_hit(2, 1.0, 1.0), &relevancy_hit(10, 1.0, 1.0)),
            Ordering::Less
        );
        let mut text_key = object(relevancy_hit(0, 1.0, 1.0));
        text_key.insert("id".to_owned(), json!("a"));
        assert_eq!(
            order_of(&relevancy_hit(99, 1.0, 1.0), &Value::Object(text_key)),
            Ordering::Less
        );
    }

    #[test]
    fn global_score_is_used_without_details() {
        let high = json!({"id": 2, "_rankingScore": 0.9});
        let low = json!({"id": 1, "_rankingScore": 0.3});
        assert_eq!(order_of(&high, &low), Ordering::Less);
        // Details on one side only: the global score decides.
        let detailed_low = relevancy_hit(3, 0.5, 0.5);
        assert_eq!(order_of(&high, &detailed_low), Ordering::Less);
    }

    #[test]
    fn mismatched_rule_kinds_fall_back_to_the_global_score() {
        let by_score = object(json!({"id": 1, "_rankingScore": 0.2,
            "_rankingScoreDetails": {"words": {"order": 0, "score": 1.0}}}));
        let by_sort = object(json!({"id": 2, "_rankingScore": 0.8,
            "_rankingScoreDetails": {"year:asc": {"order": 0, "value": 1.0}}}));
        assert_eq!(
            order_of(&Value::Object(by_sort), &Value::Object(by_score)),
            Ordering::Less
        );
    }

    #[test]
    fn semantic_hits_compare_by_similarity_and_hybrid_mixes_by_global_score() {
        let semantic = |id: u64, similarity: f64, global: f64| {
            json!({"id": id, "_rankingScore": global,
                   "_rankingScoreDetails": {"vectorSort": {"order": 0, "similarity": similarity}}})
        };
        assert_eq!(
            order_of(&semantic(1, 0.2, 0.2), &semantic(2, 0.9, 0.9)),
            Ordering::Greater
        );
        // A keyword hit whose first rule scores 1.0 still loses to a semantic hit with a
        // higher global score: the rules are of different kinds.
        let keyword = object(json!({"id": 3, "_rankingScore": 0.4,
            "_rankingScoreDetails": {"words": {"order": 0, "score": 1.0}}}));
        assert_eq!(
            order_of(&semantic(4, 0.6, 0.6), &Value::Object(keyword)),
            Ordering::Less
        );
    }

    #[test]
    fn malformed_ranking_data_is_reported() {
        let cases = [
            (json!({"id": 1}), RankingKeyError::Missing),
            (
                json!({"_rankingScore": "high"}),
                RankingKeyError::Invalid("`_rankingScore` is not a number"),
            ),
            (
                json!({"_rankingScoreDetails": []}),
                RankingKeyError::Invalid("`_rankingScoreDetails` is not an object"),
            ),
            (
                json!({"_rankingScoreDetails": {"words": 1.0}}),
                RankingKeyError::Invalid("a `_rankingScoreDetails` rule is not an object"),
            ),
            (
                json!({"_rankingScoreDetails": {"words": {"order": 0, "score": "x"}}}),
                RankingKeyError::Invalid("a ranking rule's `score` is not a number"),
            ),
        ];
        for (hit, expected) in cases {
            let hit = object(hit);
            assert_eq!(RankingKey::default().fill(&hit, "id"), Err(expected));
        }
    }
}
