//! Scatter-gather result merging: a client search is rewritten for the nodes of a covering set
//! ([`prepare_node_query`]), and their responses are merged into the one response a single
//! Meilisearch node holding the whole index would return ([`merge_search`]). Facet-search
//! answers merge with [`merge_facet_search`]; federated multi-search answers are prepared with
//! [`prepare_federated_node_query`] and merged with [`merge_federated`].
//!
//! ```text
//!   client body ──prepare_node_query──► node body ──► node 0 … node n (each a subset of shards)
//!                        │                                   │ responses
//!                        └──────────── MergePlan ─────► merge_search ──► client response
//! ```
//!
//! Pure: no I/O, deterministic (the same input serialises to the same bytes).

mod error;
mod facet_search;
mod facets;
mod federated;
mod federated_plan;
#[cfg(test)]
mod federated_tests;
mod hit_cleanup;
mod kway;
mod node_query;
mod plan;
#[cfg(test)]
mod proptests;
mod ranking;
mod search;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod test_support;

pub use error::{MergeError, Result};
pub use facet_search::{merge_facet_search, FacetSearchPlan};
pub use facets::NUMERIC_ORDER_CANDIDATES_THRESHOLD;
pub use federated::merge_federated;
pub use federated_plan::{prepare_federated_node_query, FederatedPlan, FederatedQuery};
pub use hit_cleanup::RESERVED_FIELD_PREFIX;
pub use node_query::prepare_node_query;
pub use plan::{
    FacetValueOrder, MergePlan, Paging, DEFAULT_MAX_VALUES_PER_FACET,
    DEFAULT_PAGINATION_MAX_TOTAL_HITS, DEFAULT_SEARCH_LIMIT, FACET_ORDER_WILDCARD,
};
pub use search::merge_search;
