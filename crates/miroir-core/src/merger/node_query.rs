//! Rewrites a client search body into the body every node of the covering set receives.
//!
//! ```text
//!   client {q, offset: 20, limit: 10, attributesToRetrieve: [title]}
//!     └─► node {q, offset: 0, limit: 30, attributesToRetrieve: [title, id],
//!               showRankingScore: true, showRankingScoreDetails: true}
//! ```
//!
//! Every node returns its own best `offset + limit` hits (page mode: `page × hitsPerPage` on
//! page 1, so totals stay exact); the merged window is cut afterwards. Ranking score and details
//! are always requested: the details carry the per-rule scores and `sort` values that decide
//! Meilisearch's order. The primary key is retrieved so ties can be broken deterministically.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{MergeError, Result};
use super::plan::{
    MergePlan, Paging, DEFAULT_MAX_VALUES_PER_FACET, DEFAULT_PAGINATION_MAX_TOTAL_HITS,
    DEFAULT_SEARCH_LIMIT,
};

/// `attributesToRetrieve` entry meaning "every displayed attribute".
const RETRIEVE_ALL: &str = "*";

/// Builds the node body for `client_body` and the [`MergePlan`] remembering what the client
/// asked. The plan starts with Meilisearch's default index settings; adjust them with the
/// `MergePlan::with_*` methods. Parameters the merge does not depend on are passed through
/// untouched, so each node validates them exactly like a single Meilisearch would.
pub fn prepare_node_query(
    client_body: &Map<String, Value>,
    primary_key: &str,
) -> Result<(Map<String, Value>, MergePlan)> {
    let paging = read_paging(client_body)?;
    let query = match client_body.get("q") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(q)) => q.clone(),
        Some(_) => return Err(invalid("q", "expected a string")),
    };
    let show_ranking_score = read_flag(client_body, "showRankingScore")?;
    let show_ranking_score_details = read_flag(client_body, "showRankingScoreDetails")?;
    let facets = read_optional_strings(client_body, "facets")?;
    let sort = read_optional_strings(client_body, "sort")?.unwrap_or_default();

    let mut node_body = client_body.clone();
    let mut attributes_added_for_merge = Vec::new();
    if retrieve_primary_key(client_body, primary_key, &mut node_body)? {
        attributes_added_for_merge.push(primary_key.to_owned());
    }

    let node_hit_count = Value::from(paging.node_hit_count());
    match paging {
        Paging::OffsetLimit { .. } => {
            node_body.insert("offset".to_owned(), Value::from(0));
            node_body.insert("limit".to_owned(), node_hit_count);
        }
        Paging::Pages { .. } => {
            node_body.insert("page".to_owned(), Value::from(1));
            node_body.insert("hitsPerPage".to_owned(), node_hit_count);
        }
    }
    node_body.insert("showRankingScore".to_owned(), Value::Bool(true));
    node_body.insert("showRankingScoreDetails".to_owned(), Value::Bool(true));

    let plan = MergePlan {
        primary_key: primary_key.to_owned(),
        query,
        paging,
        show_ranking_score,
        show_ranking_score_details,
        facets,
        attributes_added_for_merge,
        sort,
        pagination_max_total_hits: DEFAULT_PAGINATION_MAX_TOTAL_HITS,
        max_values_per_facet: DEFAULT_MAX_VALUES_PER_FACET,
        sort_facet_values_by: BTreeMap::new(),
    };
    Ok((node_body, plan))
}

/// Page mode as soon as `page` or `hitsPerPage` is set (Meilisearch's `is_finite_pagination`).
pub(super) fn read_paging(body: &Map<String, Value>) -> Result<Paging> {
    let page = read_count(body, "page")?;
    let hits_per_page = read_count(body, "hitsPerPage")?;
    if page.is_some() || hits_per_page.is_some() {
        return Ok(Paging::Pages {
            page: page.unwrap_or(1),
            hits_per_page: hits_per_page.unwrap_or(DEFAULT_SEARCH_LIMIT),
        });
    }
    Ok(Paging::OffsetLimit {
        offset: read_count(body, "offset")?.unwrap_or(0),
        limit: read_count(body, "limit")?.unwrap_or(DEFAULT_SEARCH_LIMIT),
    })
}

/// A non-negative integer parameter; absent and `null` both mean "use the default".
fn read_count(body: &Map<String, Value>, parameter: &'static str) -> Result<Option<usize>> {
    match body.get(parameter) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .and_then(|count| usize::try_from(count).ok())
            .map(Some)
            .ok_or_else(|| invalid(parameter, "expected a positive integer")),
    }
}

pub(super) fn read_flag(body: &Map<String, Value>, parameter: &'static str) -> Result<bool> {
    match body.get(parameter) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(flag)) => Ok(*flag),
        Some(_) => Err(invalid(parameter, "expected a boolean")),
    }
}

pub(super) fn read_optional_strings(
    body: &Map<String, Value>,
    parameter: &'static str,
) -> Result<Option<Vec<String>>> {
    match body.get(parameter) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()
            .map(Some)
            .ok_or_else(|| invalid(parameter, "expected an array of strings")),
        Some(_) => Err(invalid(parameter, "expected an array of strings")),
    }
}

pub(super) fn invalid(parameter: &'static str, reason: &'static str) -> MergeError {
    MergeError::InvalidSearchParameter { parameter, reason }
}

/// Adds `primary_key` to the node query's `attributesToRetrieve` when the client restricts the
/// retrieved attributes without it (the merge needs every hit's primary key); whether it was
/// added (and must be removed from the hits again).
pub(super) fn retrieve_primary_key(
    client_query: &Map<String, Value>,
    primary_key: &str,
    node_query: &mut Map<String, Value>,
) -> Result<bool> {
    let Some(retrieved) = read_optional_strings(client_query, "attributesToRetrieve")? else {
        return Ok(false);
    };
    let retrieves_primary_key = retrieved
        .iter()
        .any(|attribute| attribute == RETRIEVE_ALL || attribute == primary_key);
    if retrieves_primary_key {
        return Ok(false);
    }
    let mut node_retrieved: Vec<Value> = retrieved.into_iter().map(Value::String).collect();
    node_retrieved.push(Value::String(primary_key.to_owned()));
    node_query.insert(
        "attributesToRetrieve".to_owned(),
        Value::Array(node_retrieved),
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::merger::test_support::object;

    #[test]
    fn offset_mode_asks_every_node_for_offset_plus_limit_from_zero() {
        let client = object(json!({"q": "nolan", "offset": 20, "limit": 10}));
        let (node, plan) = prepare_node_query(&client, "id").unwrap();
        assert_eq!(
            Value::Object(node),
            json!({"q": "nolan", "offset": 0, "limit": 30,
                   "showRankingScore": true, "showRankingScoreDetails": true})
        );
        assert_eq!(
            plan.paging(),
            Paging::OffsetLimit {
                offset: 20,
                limit: 10
            }
        );
        assert_eq!(plan.query(), "nolan");
        assert!(!plan.show_ranking_score() && !plan.show_ranking_score_details());
    }

    #[test]
    fn offset_mode_defaults_are_meilisearch_defaults() {
        let (node, plan) = prepare_node_query(&object(json!({})), "id").unwrap();
        assert_eq!(node["offset"], json!(0));
        assert_eq!(node["limit"], json!(20));
        assert_eq!(
            plan.paging(),
            Paging::OffsetLimit {
                offset: 0,
                limit: 20
            }
        );
        assert_eq!(plan.query(), "");
    }

    #[test]
    fn page_mode_asks_page_one_with_all_pages_up_to_the_requested_one() {
        let client = object(json!({"q": "", "page": 3, "hitsPerPage": 4}));
        let (node, plan) = prepare_node_query(&client, "id").unwrap();
        assert_eq!(node["page"], json!(1));
        assert_eq!(node["hitsPerPage"], json!(12));
        assert_eq!(
            plan.paging(),
            Paging::Pages {
                page: 3,
                hits_per_page: 4
            }
        );
    }

    #[test]
    fn page_mode_is_chosen_by_either_parameter_with_defaults_for_the_other() {
        let (_, plan) = prepare_node_query(&object(json!({"page": 2})), "id").unwrap();
        assert_eq!(
            plan.paging(),
            Paging::Pages {
                page: 2,
                hits_per_page: 20
            }
        );
        let (node, plan) = prepare_node_query(&object(json!({"hitsPerPage": 5})), "id").unwrap();
        assert_eq!(
            plan.paging(),
            Paging::Pages {
                page: 1,
                hits_per_page: 5
            }
        );
        assert_eq!(node["hitsPerPage"], json!(5));
    }

    #[test]
    fn client_ranking_flags_are_remembered_and_forced_on_for_nodes() {
        let client = object(json!({"showRankingScore": true, "showRankingScoreDetails": false}));
        let (node, plan) = prepare_node_query(&client, "id").unwrap();
        assert!(plan.show_ranking_score());
        assert!(!plan.show_ranking_score_details());
        assert_eq!(node["showRankingScore"], json!(true));
        assert_eq!(node["showRankingScoreDetails"], json!(true));
    }

    #[test]
    fn primary_key_is_added_to_a_restricted_retrieve_list_and_remembered() {
        let client = object(json!({"attributesToRetrieve": ["title"]}));
        let (node, plan) = prepare_node_query(&client, "id").unwrap();
        assert_eq!(node["attributesToRetrieve"], json!(["title", "id"]));
        assert_eq!(plan.attributes_added_for_merge(), ["id".to_owned()]);
    }

    #[test]
    fn primary_key_is_not_added_when_already_retrieved() {
        for retrieved in [json!(["title", "id"]), json!(["*"])] {
            let client = object(json!({ "attributesToRetrieve": retrieved.clone() }));
            let (node, plan) = prepare_node_query(&client, "id").unwrap();
            assert_eq!(node["attributesToRetrieve"], retrieved);
            assert!(plan.attributes_added_for_merge().is_empty());
        }
    }

    #[test]
    fn facets_and_sort_are_remembered_and_passed_through() {
        let client = object(json!({"facets": ["genres"], "sort": ["year:asc"], "filter": "x = 1"}));
        let (node, plan) = prepare_node_query(&client, "id").unwrap();
        assert_eq!(plan.facets(), Some(&["genres".to_owned()][..]));
        assert_eq!(plan.sort(), ["year:asc".to_owned()]);
        assert_eq!(node["facets"], json!(["genres"]));
        assert_eq!(node["sort"], json!(["year:asc"]));
        assert_eq!(node["filter"], json!("x = 1"));
        let (_, plan) = prepare_node_query(&object(json!({})), "id").unwrap();
        assert_eq!(plan.facets(), None);
    }

    #[test]
    fn malformed_parameters_are_typed_errors() {
        let cases = [
            (json!({"limit": "ten"}), "limit"),
            (json!({"offset": -1}), "offset"),
            (json!({"page": 1.5}), "page"),
            (json!({"showRankingScore": "yes"}), "showRankingScore"),
            (json!({"facets": "genres"}), "facets"),
            (json!({"attributesToRetrieve": [1]}), "attributesToRetrieve"),
            (json!({"q": 3}), "q"),
        ];
        for (client, expected_parameter) in cases {
            match prepare_node_query(&object(client), "id") {
                Err(MergeError::InvalidSearchParameter { parameter, .. }) => {
                    assert_eq!(parameter, expected_parameter)
                }
                other => panic!("expected an error for {expected_parameter}, got {other:?}"),
            }
        }
    }

    #[test]
    fn paging_window_is_clamped_like_meilisearch() {
        let page_zero = Paging::Pages {
            page: 0,
            hits_per_page: 10,
        };
        assert_eq!(page_zero.window(1000), (0, 0));
        assert_eq!(
            Paging::Pages {
                page: 3,
                hits_per_page: 10
            }
            .window(1000),
            (20, 10)
        );
        assert_eq!(
            Paging::OffsetLimit {
                offset: 995,
                limit: 10
            }
            .window(1000),
            (995, 5)
        );
        assert_eq!(
            Paging::OffsetLimit {
                offset: 2000,
                limit: 10
            }
            .window(1000),
            (1000, 0)
        );
    }
}
