//! [`MergePlan`]: what the client asked for, remembered while the nodes answer a rewritten query,
//! plus the index settings that shape a single node's answer (hit cap, facet value order).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Meilisearch's default `limit` (and `hitsPerPage`) when the client sets none.
pub const DEFAULT_SEARCH_LIMIT: usize = 20;

/// Meilisearch's default `pagination.maxTotalHits`: no search sees more matches than this.
pub const DEFAULT_PAGINATION_MAX_TOTAL_HITS: usize = 1000;

/// Meilisearch's default `faceting.maxValuesPerFacet`.
pub const DEFAULT_MAX_VALUES_PER_FACET: usize = 100;

/// The facet name that sets the default order in `faceting.sortFacetValuesBy`.
pub const FACET_ORDER_WILDCARD: &str = "*";

/// How the client pages through results; decides the window cut from the merged list and the
/// totals reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `offset`/`limit` mode: `estimatedTotalHits` is reported.
    OffsetLimit {
        /// Hits skipped (default 0).
        offset: usize,
        /// Hits returned at most (default 20).
        limit: usize,
    },
    /// `page`/`hitsPerPage` mode (either present): exact `totalHits` and `totalPages`.
    Pages {
        /// 1-based page (default 1); page 0 returns no hits.
        page: usize,
        /// Hits per page (default 20); 0 returns no hits and `totalPages: 0`.
        hits_per_page: usize,
    },
}

impl Paging {
    /// The `(offset, limit)` window of this paging over the merged list, clamped like a single
    /// Meilisearch node clamps it: the window never reaches past `max_total_hits`.
    pub fn window(self, max_total_hits: usize) -> (usize, usize) {
        let (offset, limit) = match self {
            Paging::OffsetLimit { offset, limit } => (offset, limit),
            Paging::Pages {
                page,
                hits_per_page,
            } => page.checked_sub(1).map_or((0, 0), |previous_pages| {
                (previous_pages.saturating_mul(hits_per_page), hits_per_page)
            }),
        };
        let offset = offset.min(max_total_hits);
        let limit = limit.min(max_total_hits - offset);
        (offset, limit)
    }

    /// Writes the paging fields of a merged answer in Meilisearch's order: `limit`, `offset`
    /// and `estimatedTotalHits`, or `hitsPerPage`, `page`, `totalPages` and `totalHits`.
    /// `offset` is the one the answer reports.
    pub(crate) fn insert_answer_fields(
        self,
        response: &mut Map<String, Value>,
        offset: usize,
        total_hits: usize,
    ) {
        match self {
            Paging::OffsetLimit { limit, .. } => {
                response.insert("limit".to_owned(), Value::from(limit));
                response.insert("offset".to_owned(), Value::from(offset));
                response.insert("estimatedTotalHits".to_owned(), Value::from(total_hits));
            }
            Paging::Pages {
                page,
                hits_per_page,
            } => {
                // Meilisearch: "if hitsPerPage is 0, pages can't be computed and so we respond 0".
                let total_pages = if hits_per_page == 0 {
                    0
                } else {
                    total_hits.div_ceil(hits_per_page)
                };
                response.insert("hitsPerPage".to_owned(), Value::from(hits_per_page));
                response.insert("page".to_owned(), Value::from(page));
                response.insert("totalPages".to_owned(), Value::from(total_pages));
                response.insert("totalHits".to_owned(), Value::from(total_hits));
            }
        }
    }

    /// How many leading hits every node must return so the merged window is exact.
    pub fn node_hit_count(self) -> usize {
        match self {
            Paging::OffsetLimit { offset, limit } => offset.saturating_add(limit),
            Paging::Pages {
                page,
                hits_per_page,
            } => page.saturating_mul(hits_per_page),
        }
    }
}

/// Order of the values inside one facet of `facetDistribution` (Meilisearch's
/// `faceting.sortFacetValuesBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FacetValueOrder {
    /// `alpha` (Meilisearch's default): numeric values first, then strings by normalised form.
    #[default]
    Alpha,
    /// `count`: numeric values first, then strings, each group by descending count.
    Count,
}

/// What the client asked for and the index settings the merge needs; built by
/// [`prepare_node_query`](super::prepare_node_query), consumed by
/// [`merge_search`](super::merge_search).
#[derive(Debug, Clone, PartialEq)]
pub struct MergePlan {
    pub(super) primary_key: String,
    pub(super) query: String,
    pub(super) paging: Paging,
    pub(super) show_ranking_score: bool,
    pub(super) show_ranking_score_details: bool,
    pub(super) facets: Option<Vec<String>>,
    pub(super) attributes_added_for_merge: Vec<String>,
    pub(super) sort: Vec<String>,
    pub(super) pagination_max_total_hits: usize,
    pub(super) max_values_per_facet: usize,
    pub(super) sort_facet_values_by: BTreeMap<String, FacetValueOrder>,
}

impl MergePlan {
    /// Uses the index's `pagination.maxTotalHits` (default [`DEFAULT_PAGINATION_MAX_TOTAL_HITS`])
    /// to cap the reported totals and the hit window, as one node would.
    #[must_use]
    pub fn with_pagination_max_total_hits(mut self, max_total_hits: usize) -> Self {
        self.pagination_max_total_hits = max_total_hits;
        self
    }

    /// Uses the index's `faceting.maxValuesPerFacet` (default [`DEFAULT_MAX_VALUES_PER_FACET`]):
    /// each merged facet keeps at most this many values.
    #[must_use]
    pub fn with_max_values_per_facet(mut self, max_values_per_facet: usize) -> Self {
        self.max_values_per_facet = max_values_per_facet;
        self
    }

    /// Uses the index's `faceting.sortFacetValuesBy` map: facet name → order, the
    /// [`FACET_ORDER_WILDCARD`] entry being the default (alpha when absent).
    #[must_use]
    pub fn with_sort_facet_values_by(mut self, orders: BTreeMap<String, FacetValueOrder>) -> Self {
        self.sort_facet_values_by = orders;
        self
    }

    /// The index's primary key, used to break ranking ties across nodes.
    pub fn primary_key(&self) -> &str {
        &self.primary_key
    }

    /// The client's `q` (empty when absent), echoed as `query`.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The client's paging mode and values.
    pub fn paging(&self) -> Paging {
        self.paging
    }

    /// Whether the client asked for `_rankingScore` in hits.
    pub fn show_ranking_score(&self) -> bool {
        self.show_ranking_score
    }

    /// Whether the client asked for `_rankingScoreDetails` in hits.
    pub fn show_ranking_score_details(&self) -> bool {
        self.show_ranking_score_details
    }

    /// The client's `facets` list; `Some` (even empty) means the response carries
    /// `facetDistribution` and `facetStats`.
    pub fn facets(&self) -> Option<&[String]> {
        self.facets.as_deref()
    }

    /// Attributes added to `attributesToRetrieve` only so the merge can read them; stripped from
    /// the merged hits.
    pub fn attributes_added_for_merge(&self) -> &[String] {
        &self.attributes_added_for_merge
    }

    /// The client's `sort` clauses, in order (empty when none).
    pub fn sort(&self) -> &[String] {
        &self.sort
    }

    /// The `pagination.maxTotalHits` in force.
    pub fn pagination_max_total_hits(&self) -> usize {
        self.pagination_max_total_hits
    }

    /// The `faceting.maxValuesPerFacet` in force.
    pub fn max_values_per_facet(&self) -> usize {
        self.max_values_per_facet
    }

    /// The value order of one facet: its own `sortFacetValuesBy` entry, else the wildcard's,
    /// else alpha.
    pub fn facet_value_order(&self, facet: &str) -> FacetValueOrder {
        self.sort_facet_values_by
            .get(facet)
            .or_else(|| self.sort_facet_values_by.get(FACET_ORDER_WILDCARD))
            .copied()
            .unwrap_or_default()
    }
}
