//! [`merge_federated`]: the nodes' answers to a federated multi-search (each over the shards it
//! answers for) collapsed into the answer of a single Meilisearch holding every index whole.
//!
//! ```text
//!   node 0: hits by (weightedRankingScore ↓, queriesPosition ↑, rank) ─┐
//!   node 1: …                                                          ├─► k-way ─► window ─► clean
//!   node 2: …                                                          ─┘
//! ```
//!
//! - Order: `_federation.weightedRankingScore` descending, then `queriesPosition` ascending
//!   (Meilisearch lists the earlier query first on equal scores), then, inside one query,
//!   Meilisearch's bucket order with the primary-key tie-break
//!   ([`RankingKey`](super::ranking::RankingKey)), then the node index. A document lives on one
//!   shard and each shard is answered by one node, so the nodes' own de-duplication of a
//!   document matched by several queries of one index is already the global one.
//! - Window: the federation's `offset`/`limit` (or `page`/`hitsPerPage`) after the merge.
//! - Totals: `estimatedTotalHits` (page mode `totalHits`) summed over the nodes — exact, as the
//!   nodes' candidate sets are disjoint; `processingTimeMs`: the slowest node; `requestUid`: the
//!   first node's.
//! - `facetsByIndex`: per index, distributions summed and stats widened across nodes
//!   ([`FacetMerge`]); with `mergeFacets`, the indexes are then merged into one
//!   `facetDistribution` + `facetStats` (values in alpha order, `maxValuesPerFacet` each).
//! - Hits: `_miroir_*` fields, the primary key added for the merge and ranking data the query
//!   did not ask for are removed; `_federation` is kept as the node wrote it.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{MergeError, Result};
use super::facets::FacetMerge;
use super::federated_plan::FederatedPlan;
use super::hit_cleanup::clean_hit_for;
use super::kway::{read_ranking_key, select_window_by, HeadKey};
use super::plan::{FacetValueOrder, Paging, DEFAULT_MAX_VALUES_PER_FACET};
use super::ranking::RankingKey;
use super::search::{required_count, take_hits};

/// Key of the federation data of a hit.
const FEDERATION: &str = "_federation";
/// Key of the per-index facets of a federated answer.
const FACETS_BY_INDEX: &str = "facetsByIndex";

/// The merge order of a federated hit.
struct FederatedKey<'a> {
    plan: &'a FederatedPlan,
    weighted_score: f64,
    query_position: usize,
    ranking: RankingKey<'a>,
}

impl<'a> HeadKey<'a> for FederatedKey<'a> {
    fn read(&mut self, hit: &'a Map<String, Value>, node: usize, position: usize) -> Result<()> {
        let (query_position, weighted_score) =
            federation_of(hit, self.plan).ok_or(MergeError::InvalidRankingData {
                node,
                position,
                reason: "`_federation` lacks a valid `queriesPosition` or `weightedRankingScore`",
            })?;
        self.query_position = query_position;
        self.weighted_score = weighted_score;
        let primary_key = self.plan.queries[query_position].primary_key();
        read_ranking_key(&mut self.ranking, hit, primary_key, node, position)
    }

    fn merge_order(&self, other: &Self) -> Ordering {
        other
            .weighted_score
            .total_cmp(&self.weighted_score)
            .then_with(|| self.query_position.cmp(&other.query_position))
            .then_with(|| self.ranking.merge_order(&other.ranking))
    }
}

/// `(queriesPosition, weightedRankingScore)` of a hit, the position within the plan's queries.
fn federation_of(hit: &Map<String, Value>, plan: &FederatedPlan) -> Option<(usize, f64)> {
    let federation = hit.get(FEDERATION)?.as_object()?;
    let position = federation
        .get("queriesPosition")?
        .as_u64()
        .and_then(|position| usize::try_from(position).ok())
        .filter(|position| *position < plan.queries.len())?;
    let score = federation.get("weightedRankingScore")?.as_f64()?;
    Some((position, score))
}

/// Merges the covering sets' answers to the body built by
/// [`prepare_federated_node_query`](super::prepare_federated_node_query) with `plan`. The
/// index of a response in `node_responses` is the node index used in errors and as the last
/// tie-break.
pub fn merge_federated(
    plan: &FederatedPlan,
    node_responses: Vec<Map<String, Value>>,
) -> Result<Map<String, Value>> {
    let total_field = match plan.paging {
        Paging::OffsetLimit { .. } => "estimatedTotalHits",
        Paging::Pages { .. } => "totalHits",
    };
    let mut hits_per_node = Vec::with_capacity(node_responses.len());
    let mut processing_time_ms = 0u64;
    let mut total_hits = 0u64;
    let mut request_uid = None;
    let mut facets_by_index: Option<BTreeMap<String, FacetMerge>> = None;
    for (node, mut response) in node_responses.into_iter().enumerate() {
        hits_per_node.push(take_hits(node, &mut response)?);
        processing_time_ms =
            processing_time_ms.max(required_count(node, &response, "processingTimeMs")?);
        total_hits = total_hits.saturating_add(required_count(node, &response, total_field)?);
        if request_uid.is_none() {
            request_uid = response.remove("requestUid");
        }
        if let Some(node_facets) = response.remove(FACETS_BY_INDEX) {
            add_node_facets(
                facets_by_index.get_or_insert_with(BTreeMap::new),
                node,
                node_facets,
            )?;
        }
    }

    let (offset, limit) = plan.paging.window(usize::MAX);
    let new_key = || FederatedKey {
        plan,
        weighted_score: 0.0,
        query_position: 0,
        ranking: RankingKey::default(),
    };
    let window = select_window_by(&hits_per_node, new_key, offset, limit)?;
    let mut hits = Vec::with_capacity(window.len());
    for (node, position) in window {
        let mut hit = std::mem::take(&mut hits_per_node[node][position]);
        if let Value::Object(fields) = &mut hit {
            if let Some((query_position, _)) = federation_of(fields, plan) {
                clean_hit_for(fields, &plan.queries[query_position].cleanup());
            }
        }
        hits.push(hit);
    }

    let total_hits = usize::try_from(total_hits).unwrap_or(usize::MAX);
    let mut response = Map::new();
    response.insert("hits".to_owned(), Value::Array(hits));
    response.insert(
        "processingTimeMs".to_owned(),
        Value::from(processing_time_ms),
    );
    let reported_offset = match plan.paging {
        Paging::OffsetLimit { offset, .. } => offset,
        Paging::Pages { .. } => 0,
    };
    plan.paging
        .insert_answer_fields(&mut response, reported_offset, total_hits);
    if let Some(facets_by_index) = facets_by_index {
        insert_facets(&mut response, plan, facets_by_index, total_hits as u64)?;
    }
    if let Some(request_uid) = request_uid {
        response.insert("requestUid".to_owned(), request_uid);
    }
    Ok(response)
}

/// Adds one node's `facetsByIndex` (`{uid: {distribution, stats}}`).
fn add_node_facets(
    merged: &mut BTreeMap<String, FacetMerge>,
    node: usize,
    node_facets: Value,
) -> Result<()> {
    let invalid = MergeError::InvalidField {
        node,
        field: FACETS_BY_INDEX,
        expected: "an object of {distribution, stats} objects",
    };
    let Value::Object(indexes) = node_facets else {
        return Err(invalid);
    };
    for (index_uid, facets) in indexes {
        let Value::Object(mut facets) = facets else {
            return Err(invalid);
        };
        let index_merge = merged.entry(index_uid).or_default();
        let distribution = facets.remove("distribution").unwrap_or(Value::Null);
        if !distribution.is_null() {
            index_merge.add_distribution(node, distribution)?;
        }
        let stats = facets.remove("stats").unwrap_or(Value::Null);
        if !stats.is_null() {
            index_merge.add_stats(node, stats)?;
        }
    }
    Ok(())
}

/// `facetsByIndex`, or with `mergeFacets` the indexes merged into `facetDistribution` and
/// `facetStats`.
fn insert_facets(
    response: &mut Map<String, Value>,
    plan: &FederatedPlan,
    facets_by_index: BTreeMap<String, FacetMerge>,
    candidates: u64,
) -> Result<()> {
    let per_index = facets_by_index.into_iter().map(|(index_uid, merge)| {
        let (distribution, stats) = merge.into_json_with(
            |_| FacetValueOrder::Alpha,
            DEFAULT_MAX_VALUES_PER_FACET,
            candidates,
        );
        (index_uid, distribution, stats)
    });
    match plan.merge_facets {
        None => {
            let mut by_index = Map::new();
            for (index_uid, distribution, stats) in per_index {
                let mut facets = Map::new();
                facets.insert("distribution".to_owned(), distribution);
                facets.insert("stats".to_owned(), stats);
                by_index.insert(index_uid, Value::Object(facets));
            }
            response.insert(FACETS_BY_INDEX.to_owned(), Value::Object(by_index));
        }
        Some(max_values_per_facet) => {
            let mut all_indexes = FacetMerge::default();
            for (index, (_, distribution, stats)) in per_index.enumerate() {
                all_indexes.add_distribution(index, distribution)?;
                all_indexes.add_stats(index, stats)?;
            }
            let (distribution, stats) = all_indexes.into_json_with(
                |_| FacetValueOrder::Alpha,
                max_values_per_facet,
                candidates,
            );
            response.insert("facetDistribution".to_owned(), distribution);
            response.insert("facetStats".to_owned(), stats);
        }
    }
    Ok(())
}
