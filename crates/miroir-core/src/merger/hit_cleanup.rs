//! Removes from a merged hit what only Miroir or the merge needed, keeping the order of every
//! other field (object field order is part of Meilisearch's output).
//!
//! - every `_miroir_*` field (e.g. the injected `_miroir_shard`): always, also inside
//!   `_formatted` and `_matchesPosition`;
//! - attributes added to `attributesToRetrieve` only for the merge (the primary key): at the top
//!   level, in `_formatted` and in `_matchesPosition`;
//! - `_rankingScore` / `_rankingScoreDetails` unless the client asked for them.

use serde_json::{Map, Value};

use super::plan::MergePlan;
use super::ranking::{RANKING_SCORE, RANKING_SCORE_DETAILS};

/// Prefix of every field Miroir reserves in stored documents.
pub const RESERVED_FIELD_PREFIX: &str = "_miroir_";

/// Fields in which Meilisearch repeats document attributes.
const ATTRIBUTE_MIRRORS: [&str; 2] = ["_formatted", "_matchesPosition"];

/// Strips `hit` for the client according to `plan`.
pub(super) fn clean_hit(hit: &mut Map<String, Value>, plan: &MergePlan) {
    clean_hit_for(
        hit,
        &HitCleanup {
            attributes_added_for_merge: plan.attributes_added_for_merge(),
            show_ranking_score: plan.show_ranking_score(),
            show_ranking_score_details: plan.show_ranking_score_details(),
        },
    );
}

/// What the client of one query asked to see in its hits.
pub(super) struct HitCleanup<'a> {
    /// Attributes retrieved only for the merge.
    pub(super) attributes_added_for_merge: &'a [String],
    /// Keep `_rankingScore`.
    pub(super) show_ranking_score: bool,
    /// Keep `_rankingScoreDetails`.
    pub(super) show_ranking_score_details: bool,
}

/// Strips `hit` for the client according to `cleanup`.
pub(super) fn clean_hit_for(hit: &mut Map<String, Value>, cleanup: &HitCleanup<'_>) {
    let added = cleanup.attributes_added_for_merge;
    let is_merge_only = |field: &str| {
        field.starts_with(RESERVED_FIELD_PREFIX) || added.iter().any(|attribute| attribute == field)
    };
    // `retain` keeps the relative order of the remaining fields (`shift_remove` semantics).
    hit.retain(|field, value| {
        if is_merge_only(field) {
            return false;
        }
        match field.as_str() {
            RANKING_SCORE => cleanup.show_ranking_score,
            RANKING_SCORE_DETAILS => cleanup.show_ranking_score_details,
            mirror if ATTRIBUTE_MIRRORS.contains(&mirror) => {
                if let Value::Object(attributes) = value {
                    attributes.retain(|attribute, _| !is_merge_only(attribute));
                }
                true
            }
            _ => true,
        }
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::merger::prepare_node_query;
    use crate::merger::test_support::object;

    fn cleaned(client: Value, hit: Value) -> String {
        let (_, plan) = prepare_node_query(&object(client), "id").unwrap();
        let mut hit = object(hit);
        clean_hit(&mut hit, &plan);
        serde_json::to_string(&hit).unwrap()
    }

    #[test]
    fn reserved_fields_and_unrequested_scores_are_removed_keeping_field_order() {
        let hit = json!({"id": 1, "_miroir_shard": 4, "title": "t", "_miroir_other": true, "year": 2000,
                         "_rankingScore": 0.5, "_rankingScoreDetails": {}});
        assert_eq!(
            cleaned(json!({}), hit),
            r#"{"id":1,"title":"t","year":2000}"#
        );
    }

    #[test]
    fn requested_scores_are_kept() {
        let hit = json!({"id": 1, "_rankingScore": 0.5, "_rankingScoreDetails": {"words": {}}});
        assert_eq!(
            cleaned(json!({"showRankingScore": true}), hit.clone()),
            r#"{"id":1,"_rankingScore":0.5}"#
        );
        assert_eq!(
            cleaned(json!({"showRankingScoreDetails": true}), hit),
            r#"{"id":1,"_rankingScoreDetails":{"words":{}}}"#
        );
    }

    #[test]
    fn merge_only_attributes_are_removed_also_from_formatted_and_matches_position() {
        let hit = json!({"id": 8, "title": "Inception", "_miroir_shard": 1,
            "_formatted": {"id": "8", "title": "<em>Inception</em>", "_miroir_shard": "1"},
            "_matchesPosition": {"title": [{"start": 0, "length": 9}]}});
        assert_eq!(
            cleaned(json!({"attributesToRetrieve": ["title"]}), hit),
            r#"{"title":"Inception","_formatted":{"title":"<em>Inception</em>"},"_matchesPosition":{"title":[{"start":0,"length":9}]}}"#
        );
    }

    #[test]
    fn a_primary_key_the_client_retrieves_is_kept() {
        let hit = json!({"id": 8, "title": "Inception", "_formatted": {"id": "8"}});
        assert_eq!(
            cleaned(json!({"attributesToRetrieve": ["id", "title"]}), hit),
            r#"{"id":8,"title":"Inception","_formatted":{"id":"8"}}"#
        );
    }
}
