//! [`merge_search`]: the node responses of one search collapsed into the response a single
//! Meilisearch node holding the whole index would have sent.
//!
//! Response fields, in Meilisearch's order (`SearchResult` in `crates/meilisearch/src/search`):
//!
//! ```text
//!   hits, query, [queryVector], processingTimeMs,
//!   limit, offset, estimatedTotalHits                    (offset/limit mode)
//!   | hitsPerPage, page, totalPages, totalHits           (page mode)
//!   [facetDistribution, facetStats], [requestUid], [semanticHitCount]
//! ```
//!
//! - `hits`: k-way merge in Meilisearch order ([`super::kway`]), then the client's window, then
//!   [`super::hit_cleanup`]. Hits are moved out of the node responses, never cloned.
//! - totals: the nodes' `estimatedTotalHits` (or `totalHits`) summed, capped at
//!   `pagination.maxTotalHits` like one node caps them; `totalPages = ceil(totalHits /
//!   hitsPerPage)`, 0 when `hitsPerPage` is 0. `offset` is reported clamped to the cap, `limit`,
//!   `page` and `hitsPerPage` as the client sent them (Meilisearch does the same).
//! - `query`: the client's `q`; `processingTimeMs`: the slowest node; `semanticHitCount`: summed.
//! - `queryVector` and `requestUid`: the first node's (lowest index) that has one. A proxy that
//!   mints its own request uid overwrites the `requestUid` entry; the field keeps its position.
//! - Not merged, so absent: `metadata`, `performanceDetails`, `remoteErrors`.
//! - No node responses: an empty result with zero totals and no `requestUid`.

use serde_json::{Map, Value};

use super::error::{MergeError, Result};
use super::facets::FacetMerge;
use super::hit_cleanup::clean_hit;
use super::kway::select_window;
use super::plan::{MergePlan, Paging};

/// What is read from every node response besides its hits.
#[derive(Debug, Default)]
struct NodeSummary {
    processing_time_ms: u64,
    /// Sum of `estimatedTotalHits` (offset mode) or `totalHits` (page mode), uncapped.
    total_hits: u64,
    semantic_hit_count: Option<u64>,
    query_vector: Option<Value>,
    request_uid: Option<Value>,
    facets: FacetMerge,
}

/// Merges the covering set's responses to the query built by
/// [`prepare_node_query`](super::prepare_node_query) with `plan`. The index of a response in
/// `node_responses` is the node index used in errors and as the last tie-break.
pub fn merge_search(
    plan: &MergePlan,
    node_responses: Vec<Map<String, Value>>,
) -> Result<Map<String, Value>> {
    let mut summary = NodeSummary::default();
    let mut hits_per_node = Vec::with_capacity(node_responses.len());
    for (node, mut response) in node_responses.into_iter().enumerate() {
        hits_per_node.push(take_hits(node, &mut response)?);
        summary.absorb(node, response, plan)?;
    }

    let max_total_hits = plan.pagination_max_total_hits();
    let (offset, limit) = plan.paging().window(max_total_hits);
    let window = select_window(&hits_per_node, plan.primary_key(), offset, limit)?;
    let mut hits = Vec::with_capacity(window.len());
    for (node, position) in window {
        let mut hit = std::mem::take(&mut hits_per_node[node][position]);
        if let Value::Object(fields) = &mut hit {
            clean_hit(fields, plan);
        }
        hits.push(hit);
    }

    let total_hits = usize::try_from(summary.total_hits)
        .unwrap_or(usize::MAX)
        .min(max_total_hits);
    let mut response = Map::new();
    response.insert("hits".to_owned(), Value::Array(hits));
    response.insert("query".to_owned(), Value::String(plan.query().to_owned()));
    if let Some(query_vector) = summary.query_vector {
        response.insert("queryVector".to_owned(), query_vector);
    }
    response.insert(
        "processingTimeMs".to_owned(),
        Value::from(summary.processing_time_ms),
    );
    plan.paging()
        .insert_answer_fields(&mut response, offset, total_hits);
    if plan.facets().is_some() {
        let (distribution, stats) = summary.facets.into_json(plan, summary.total_hits);
        response.insert("facetDistribution".to_owned(), distribution);
        response.insert("facetStats".to_owned(), stats);
    }
    if let Some(request_uid) = summary.request_uid {
        response.insert("requestUid".to_owned(), request_uid);
    }
    if let Some(semantic_hit_count) = summary.semantic_hit_count {
        response.insert(
            "semanticHitCount".to_owned(),
            Value::from(semantic_hit_count),
        );
    }
    Ok(response)
}

pub(super) fn take_hits(node: usize, response: &mut Map<String, Value>) -> Result<Vec<Value>> {
    match response.remove("hits") {
        Some(Value::Array(hits)) => Ok(hits),
        Some(_) => Err(MergeError::InvalidField {
            node,
            field: "hits",
            expected: "an array",
        }),
        None => Err(MergeError::MissingField {
            node,
            field: "hits",
        }),
    }
}

impl NodeSummary {
    fn absorb(
        &mut self,
        node: usize,
        mut response: Map<String, Value>,
        plan: &MergePlan,
    ) -> Result<()> {
        let processing_time_ms = required_count(node, &response, "processingTimeMs")?;
        self.processing_time_ms = self.processing_time_ms.max(processing_time_ms);
        let total_field = match plan.paging() {
            Paging::OffsetLimit { .. } => "estimatedTotalHits",
            Paging::Pages { .. } => "totalHits",
        };
        self.total_hits =
            self.total_hits
                .saturating_add(required_count(node, &response, total_field)?);
        if let Some(count) = response.get("semanticHitCount") {
            let count = count.as_u64().ok_or(MergeError::InvalidField {
                node,
                field: "semanticHitCount",
                expected: "a non-negative integer",
            })?;
            self.semantic_hit_count =
                Some(self.semantic_hit_count.unwrap_or(0).saturating_add(count));
        }
        if self.query_vector.is_none() {
            self.query_vector = response.remove("queryVector");
        }
        if self.request_uid.is_none() {
            self.request_uid = response.remove("requestUid");
        }
        if plan.facets().is_some() {
            let distribution =
                response
                    .remove("facetDistribution")
                    .ok_or(MergeError::MissingField {
                        node,
                        field: "facetDistribution",
                    })?;
            self.facets.add_distribution(node, distribution)?;
            let stats = response
                .remove("facetStats")
                .ok_or(MergeError::MissingField {
                    node,
                    field: "facetStats",
                })?;
            self.facets.add_stats(node, stats)?;
        }
        Ok(())
    }
}

pub(super) fn required_count(
    node: usize,
    response: &Map<String, Value>,
    field: &'static str,
) -> Result<u64> {
    response
        .get(field)
        .ok_or(MergeError::MissingField { node, field })?
        .as_u64()
        .ok_or(MergeError::InvalidField {
            node,
            field,
            expected: "a non-negative integer",
        })
}
