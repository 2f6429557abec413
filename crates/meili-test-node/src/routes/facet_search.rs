//! `POST /indexes/{uid}/facet-search`: the values of one filterable attribute, with their
//! counts over the documents matching `q` and `filter`, whose normalised form starts with
//! `facetQuery`.

use std::collections::BTreeSet;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::body::json_body;
use crate::errors::{codes, NodeError, NodeResult};
use crate::facets::search_facet_values;
use crate::index_store::Index;
use crate::json_shape;
use crate::payload::Document;
use crate::routes::indexes::checked_index_uid;
use crate::routes::AppState;
use crate::search_execution::RankedSearch;
use crate::search_request::{unknown_field, SearchParameters, SEARCH_FIELDS};
use crate::settings::matches_attribute_patterns;

/// The fields the route accepts, in Meilisearch's order.
const FACET_SEARCH_FIELDS: &[&str] = &[
    "facetQuery",
    "facetName",
    "q",
    "vector",
    "media",
    "hybrid",
    "filter",
    "matchingStrategy",
    "attributesToSearchOn",
    "rankingScoreThreshold",
    "locales",
    "exhaustiveFacetCount",
];

/// Meilisearch's default (and maximum) number of facet hits.
const MAX_FACET_HITS: usize = 100;

/// A validated facet-search request.
struct FacetSearchRequest {
    facet_name: String,
    facet_query: Option<String>,
    search: SearchParameters,
}

fn parse_request(object: &Map<String, Value>) -> NodeResult<FacetSearchRequest> {
    let mut facet_name = None;
    let mut facet_query = None;
    let mut search_fields = Map::new();
    for (name, value) in object {
        let location = json_shape::field_location("", name);
        match name.as_str() {
            "facetName" => {
                facet_name = Some(
                    json_shape::string(value, &location, codes::INVALID_FACET_SEARCH_FACET_NAME)?
                        .to_owned(),
                )
            }
            "facetQuery" => {
                if !value.is_null() {
                    facet_query = Some(
                        json_shape::string(
                            value,
                            &location,
                            codes::INVALID_FACET_SEARCH_FACET_QUERY,
                        )?
                        .to_owned(),
                    )
                }
            }
            "exhaustiveFacetCount" => {
                json_shape::boolean(
                    value,
                    &location,
                    crate::errors::invalid("invalid_facet_search_exhaustive_facet_count"),
                )?;
            }
            other if FACET_SEARCH_FIELDS.contains(&other) => {
                search_fields.insert(name.clone(), value.clone());
            }
            other => return Err(unknown_field("", other, FACET_SEARCH_FIELDS)),
        }
    }
    let facet_name = facet_name.ok_or_else(|| {
        json_shape::missing_field("", "facetName", codes::MISSING_FACET_SEARCH_FACET_NAME)
    })?;
    Ok(FacetSearchRequest {
        facet_name,
        facet_query,
        search: SearchParameters::from_json(&search_fields, "", SEARCH_FIELDS)?,
    })
}

/// Checks that facet search is enabled and `facet_name` is filterable.
fn check_facet_name(index: &Index, facet_name: &str) -> NodeResult<()> {
    if !index.settings.facet_search_enabled() {
        return Err(NodeError::new(
            codes::FACET_SEARCH_DISABLED,
            "The facet search is disabled for this index",
        ));
    }
    let patterns = index.settings.filterable_patterns();
    if matches_attribute_patterns(facet_name, &patterns) {
        return Ok(());
    }
    let sorted: BTreeSet<&str> = patterns.iter().map(String::as_str).collect();
    let available = if sorted.is_empty() {
        "This index does not have configured facet-searchable attributes.".to_owned()
    } else {
        format!(
            "Available facet-searchable attributes patterns are: `{}`.",
            sorted.into_iter().collect::<Vec<_>>().join(", ")
        )
    };
    Err(NodeError::new(
        codes::INVALID_FACET_SEARCH_FACET_NAME,
        format!("Attribute `{facet_name}` is not facet-searchable. {available} To make it facet-searchable add it to the `filterableAttributes` index settings."),
    ))
}

/// `POST /indexes/{uid}/facet-search`.
pub async fn facet_search(
    State(state): State<AppState>,
    Path(index_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Json<Value>> {
    let started = Instant::now();
    checked_index_uid(&index_uid)?;
    let value = json_body(&headers, &body)?;
    let object = json_shape::object(&value, "", codes::BAD_REQUEST)?;
    let request = parse_request(object)?;
    let indexes = state.indexes.read();
    let index = indexes.get(&index_uid)?;
    check_facet_name(index, &request.facet_name)?;
    let ranked = RankedSearch::run(index, &request.search)?;
    let documents: Vec<&Document> = ranked.ranked.iter().map(|hit| hit.document).collect();
    let hits = search_facet_values(
        &documents,
        &request.facet_name,
        request.facet_query.as_deref(),
        index.settings.sorts_facet_by_count(&request.facet_name),
        MAX_FACET_HITS,
    );
    let facet_hits: Vec<Value> = hits
        .into_iter()
        .map(|hit| json!({"value": hit.value, "count": hit.count}))
        .collect();
    Ok(Json(json!({
        "facetHits": facet_hits,
        "facetQuery": request.facet_query,
        "processingTimeMs": started.elapsed().as_millis() as u64,
    })))
}
