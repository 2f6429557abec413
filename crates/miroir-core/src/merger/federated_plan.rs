//! [`prepare_federated_node_query`]: a federated `POST /multi-search` body rewritten for the
//! nodes of the covering sets, and the [`FederatedPlan`] remembering what the client asked.
//!
//! ```text
//!   client {federation: {offset: 5, limit: 10, mergeFacets: {}},
//!           queries: [{indexUid: movies, q, attributesToRetrieve: [title]}, …]}
//!     └─► node {federation: {offset: 0, limit: 15},
//!               queries: [{indexUid: movies, q, attributesToRetrieve: [title, id],
//!                          showRankingScore: true, showRankingScoreDetails: true}, …]}
//! ```
//!
//! Every node runs the whole federation over the shards it answers for and returns its best
//! `offset + limit` hits (page mode: page 1 of `page × hitsPerPage`), each with `_federation`;
//! the global window is cut by [`merge_federated`](super::merge_federated). Queries keep their
//! positions, so `_federation.queriesPosition` and the nodes' error locations
//! (``Inside `.queries[1]` ``) are the client's. `mergeFacets` is removed: the nodes answer
//! `facetsByIndex`, which merges exactly across shards, and Miroir merges the indexes itself.

use serde_json::{Map, Value};

use super::error::Result;
use super::node_query::{invalid, read_flag, read_paging, retrieve_primary_key};
use super::plan::{Paging, DEFAULT_MAX_VALUES_PER_FACET};

/// One query of a federated search, as the merge needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedQuery {
    index_uid: String,
    primary_key: String,
    show_ranking_score: bool,
    show_ranking_score_details: bool,
    attributes_added_for_merge: Vec<String>,
}

impl FederatedQuery {
    /// The queried index.
    pub fn index_uid(&self) -> &str {
        &self.index_uid
    }

    /// The index's primary key (empty when the index has none yet), to break ranking ties.
    pub(super) fn primary_key(&self) -> &str {
        &self.primary_key
    }

    /// What the client of this query sees in its hits.
    pub(super) fn cleanup(&self) -> super::hit_cleanup::HitCleanup<'_> {
        super::hit_cleanup::HitCleanup {
            attributes_added_for_merge: &self.attributes_added_for_merge,
            show_ranking_score: self.show_ranking_score,
            show_ranking_score_details: self.show_ranking_score_details,
        }
    }
}

/// What the client of a federated search asked for; built by
/// [`prepare_federated_node_query`], consumed by [`merge_federated`](super::merge_federated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedPlan {
    pub(super) queries: Vec<FederatedQuery>,
    pub(super) paging: Paging,
    /// `mergeFacets.maxValuesPerFacet` when the client asked to merge facets across indexes.
    pub(super) merge_facets: Option<usize>,
}

impl FederatedPlan {
    /// The queries, in the client's order.
    pub fn queries(&self) -> &[FederatedQuery] {
        &self.queries
    }

    /// The federation's paging mode and values.
    pub fn paging(&self) -> Paging {
        self.paging
    }

    /// `Some(maxValuesPerFacet)` when facets of all indexes are merged into one distribution.
    pub fn merge_facets(&self) -> Option<usize> {
        self.merge_facets
    }
}

/// Builds the node body of a federated multi-search `client_body` (which has a `federation`)
/// and its plan. `primary_key_of` gives each queried index's primary key (`None`: the index
/// has none yet, so no document to rank). Parameters the merge does not depend on pass through
/// untouched, so the nodes validate them exactly like a single Meilisearch would.
pub fn prepare_federated_node_query(
    client_body: &Map<String, Value>,
    primary_key_of: impl Fn(&str) -> Option<String>,
) -> Result<(Map<String, Value>, FederatedPlan)> {
    let Some(Value::Object(federation)) = client_body.get("federation") else {
        return Err(invalid("federation", "expected an object"));
    };
    let paging = read_paging(federation)?;
    let merge_facets = match federation.get("mergeFacets") {
        None | Some(Value::Null) => None,
        Some(Value::Object(options)) => Some(match options.get("maxValuesPerFacet") {
            None | Some(Value::Null) => DEFAULT_MAX_VALUES_PER_FACET,
            Some(value) => value
                .as_u64()
                .and_then(|count| usize::try_from(count).ok())
                .ok_or_else(|| invalid("mergeFacets", "expected a positive integer"))?,
        }),
        Some(_) => return Err(invalid("mergeFacets", "expected an object")),
    };
    let mut node_federation = federation.clone();
    node_federation.remove("mergeFacets");
    let node_hit_count = Value::from(paging.node_hit_count());
    match paging {
        Paging::OffsetLimit { .. } => {
            node_federation.insert("offset".to_owned(), Value::from(0));
            node_federation.insert("limit".to_owned(), node_hit_count);
        }
        Paging::Pages { .. } => {
            node_federation.insert("page".to_owned(), Value::from(1));
            node_federation.insert("hitsPerPage".to_owned(), node_hit_count);
        }
    }

    let Some(Value::Array(client_queries)) = client_body.get("queries") else {
        return Err(invalid("queries", "expected an array"));
    };
    let mut queries = Vec::with_capacity(client_queries.len());
    let mut node_queries = Vec::with_capacity(client_queries.len());
    for client_query in client_queries {
        let Value::Object(client_query) = client_query else {
            return Err(invalid("queries", "expected an array of objects"));
        };
        let (node_query, query) = prepare_query(client_query, &primary_key_of)?;
        node_queries.push(Value::Object(node_query));
        queries.push(query);
    }

    let mut node_body = client_body.clone();
    node_body.insert("federation".to_owned(), Value::Object(node_federation));
    node_body.insert("queries".to_owned(), Value::Array(node_queries));
    let plan = FederatedPlan {
        queries,
        paging,
        merge_facets,
    };
    Ok((node_body, plan))
}

/// One query: ranking data always requested, the primary key retrieved for tie-breaks.
fn prepare_query(
    client_query: &Map<String, Value>,
    primary_key_of: &impl Fn(&str) -> Option<String>,
) -> Result<(Map<String, Value>, FederatedQuery)> {
    let Some(Value::String(index_uid)) = client_query.get("indexUid") else {
        return Err(invalid("indexUid", "expected a string"));
    };
    let primary_key = primary_key_of(index_uid);
    let mut node_query = client_query.clone();
    let mut attributes_added_for_merge = Vec::new();
    if let Some(primary_key) = primary_key.as_deref() {
        if retrieve_primary_key(client_query, primary_key, &mut node_query)? {
            attributes_added_for_merge.push(primary_key.to_owned());
        }
    }
    node_query.insert("showRankingScore".to_owned(), Value::Bool(true));
    node_query.insert("showRankingScoreDetails".to_owned(), Value::Bool(true));
    let query = FederatedQuery {
        index_uid: index_uid.clone(),
        primary_key: primary_key.unwrap_or_default(),
        show_ranking_score: read_flag(client_query, "showRankingScore")?,
        show_ranking_score_details: read_flag(client_query, "showRankingScoreDetails")?,
        attributes_added_for_merge,
    };
    Ok((node_query, query))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::merger::test_support::object;
    use crate::merger::MergeError;

    fn primary_keys(index_uid: &str) -> Option<String> {
        (index_uid != "empty").then(|| "id".to_owned())
    }

    #[test]
    fn nodes_get_the_whole_window_from_zero_and_ranking_data() {
        let client = object(json!({
            "federation": {"offset": 5, "limit": 10, "mergeFacets": {"maxValuesPerFacet": 3},
                           "facetsByIndex": {"movies": ["genres"]}},
            "queries": [
                {"indexUid": "movies", "q": "dark", "attributesToRetrieve": ["title"],
                 "showRankingScore": true, "federationOptions": {"weight": 2.0}},
                {"indexUid": "empty", "q": "dark", "attributesToRetrieve": ["title"]}
            ]
        }));
        let (node, plan) = prepare_federated_node_query(&client, primary_keys).unwrap();
        assert_eq!(
            Value::Object(node),
            json!({
                "federation": {"offset": 0, "limit": 15, "facetsByIndex": {"movies": ["genres"]}},
                "queries": [
                    {"indexUid": "movies", "q": "dark", "attributesToRetrieve": ["title", "id"],
                     "showRankingScore": true, "federationOptions": {"weight": 2.0},
                     "showRankingScoreDetails": true},
                    {"indexUid": "empty", "q": "dark", "attributesToRetrieve": ["title"],
                     "showRankingScore": true, "showRankingScoreDetails": true}
                ]
            })
        );
        assert_eq!(
            plan.paging(),
            Paging::OffsetLimit {
                offset: 5,
                limit: 10
            }
        );
        assert_eq!(plan.merge_facets(), Some(3));
        let uids: Vec<&str> = plan
            .queries()
            .iter()
            .map(FederatedQuery::index_uid)
            .collect();
        assert_eq!(uids, ["movies", "empty"]);
        assert_eq!(plan.queries()[0].attributes_added_for_merge, ["id"]);
        assert!(plan.queries()[0].show_ranking_score);
        assert!(!plan.queries()[1].show_ranking_score);
        assert_eq!(plan.queries()[1].primary_key(), "");
    }

    #[test]
    fn page_mode_asks_page_one_with_every_page_up_to_the_requested_one() {
        let client = object(json!({
            "federation": {"page": 3, "hitsPerPage": 4, "mergeFacets": {}},
            "queries": [{"indexUid": "movies"}]
        }));
        let (node, plan) = prepare_federated_node_query(&client, primary_keys).unwrap();
        assert_eq!(node["federation"], json!({"page": 1, "hitsPerPage": 12}));
        assert_eq!(
            plan.paging(),
            Paging::Pages {
                page: 3,
                hits_per_page: 4
            }
        );
        assert_eq!(plan.merge_facets(), Some(DEFAULT_MAX_VALUES_PER_FACET));
    }

    #[test]
    fn malformed_bodies_are_typed_errors() {
        let cases = [
            (json!({"queries": []}), "federation"),
            (
                json!({"federation": {"limit": "x"}, "queries": []}),
                "limit",
            ),
            (
                json!({"federation": {"mergeFacets": true}, "queries": []}),
                "mergeFacets",
            ),
            (json!({"federation": {}, "queries": {}}), "queries"),
            (json!({"federation": {}, "queries": [1]}), "queries"),
            (
                json!({"federation": {}, "queries": [{"q": "x"}]}),
                "indexUid",
            ),
            (
                json!({"federation": {}, "queries": [{"indexUid": "a", "showRankingScore": 1}]}),
                "showRankingScore",
            ),
        ];
        for (client, expected) in cases {
            match prepare_federated_node_query(&object(client), primary_keys) {
                Err(MergeError::InvalidSearchParameter { parameter, .. }) => {
                    assert_eq!(parameter, expected)
                }
                other => panic!("expected an error for {expected}, got {other:?}"),
            }
        }
    }
}
