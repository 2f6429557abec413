//! `POST /multi-search`: several searches in one request, either answered one by one
//! (`results`, each with its `indexUid`) or, with `federation`, merged into one ranked list
//! where each hit carries `_federation` (its index, query position and weighted score).
//!
//! Every query runs under one read lock of the index store, so a federated search sees one
//! consistent state. Errors of a query are prefixed ``Inside `.queries[i]`: `` and answered
//! with status 400 (auth errors keep theirs), like Meilisearch.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::Access;
use crate::body::json_body;
use crate::errors::{codes, NodeError, NodeResult};
use crate::facets::ComputedFacets;
use crate::index_store::{invalid_index_uid, is_valid_index_uid, IndexStore};
use crate::json_shape::{self, element_location, field_location};
use crate::payload::Document;
use crate::routes::AppState;
use crate::search_execution::{facets_of, RankedSearch};
use crate::search_request::{search_codes, unknown_field, SearchParameters, SEARCH_FIELDS};

/// One query of the request.
#[derive(Debug)]
struct IndexQuery {
    index_uid: String,
    params: SearchParameters,
    /// `federationOptions.weight` (1.0 by default).
    weight: f64,
    /// Which paging and facet fields the query sets (forbidden when federated).
    explicit_fields: Vec<String>,
    federation_options_set: bool,
}

/// The `federation` object.
#[derive(Debug)]
struct Federation {
    offset: usize,
    limit: usize,
    page: Option<usize>,
    hits_per_page: Option<usize>,
    facets_by_index: BTreeMap<String, Vec<String>>,
    merge_facets: Option<usize>,
}

const FEDERATION_FIELDS: &[&str] = &[
    "limit",
    "offset",
    "page",
    "hitsPerPage",
    "facetsByIndex",
    "mergeFacets",
];

fn query_fields() -> Vec<&'static str> {
    let mut fields = vec!["indexUid"];
    fields.extend_from_slice(SEARCH_FIELDS);
    fields.push("federationOptions");
    fields
}

/// Re-words an index-level error of query `position` the way multi-search reports it.
fn inside(error: NodeError, location: &str) -> NodeError {
    let mut error = error.prefixed(&format!("Inside `{location}`: "));
    if error.code.kind == "invalid_request" {
        error.code.status = StatusCode::BAD_REQUEST;
    }
    error
}

fn parse_query(value: &Value, location: &str) -> NodeResult<IndexQuery> {
    let object = json_shape::object(value, location, codes::BAD_REQUEST)?;
    let accepted = query_fields();
    let params = SearchParameters::from_json(object, location, &accepted)?;
    let index_value = object
        .get("indexUid")
        .ok_or_else(|| json_shape::missing_field(location, "indexUid", codes::MISSING_INDEX_UID))?;
    let index_location = field_location(location, "indexUid");
    let index_uid = json_shape::string(index_value, &index_location, codes::INVALID_INDEX_UID)?;
    if !is_valid_index_uid(index_uid) {
        return Err(invalid_index_uid(index_uid, &index_location));
    }
    let mut weight = 1.0;
    let options = object
        .get("federationOptions")
        .filter(|options| !options.is_null());
    if let Some(options) = options {
        let options_location = field_location(location, "federationOptions");
        let options = json_shape::object(
            options,
            &options_location,
            codes::INVALID_MULTI_SEARCH_FEDERATION_OPTIONS,
        )?;
        for (name, value) in options {
            let option_location = field_location(&options_location, name);
            match name.as_str() {
                "weight" => {
                    weight = json_shape::number(
                        value,
                        &option_location,
                        codes::INVALID_MULTI_SEARCH_WEIGHT,
                    )?;
                    if weight < 0.0 {
                        return Err(json_shape::invalid_value(
                            &option_location,
                            "the value of `weight` is invalid, expected a positive float (>= 0.0).",
                            codes::INVALID_MULTI_SEARCH_WEIGHT,
                        ));
                    }
                }
                "remote" if value.is_null() => {}
                "remote" => {
                    return Err(NodeError::new(
                        codes::INVALID_MULTI_SEARCH_FEDERATION_OPTIONS,
                        "`remote` is not supported by the meili-test-node (no network).",
                    ))
                }
                other => {
                    return Err(unknown_field(
                        &options_location,
                        other,
                        &["weight", "remote"],
                    ))
                }
            }
        }
    }
    let explicit_fields = ["offset", "limit", "page", "hitsPerPage", "facets"]
        .iter()
        .filter(|field| object.get(**field).is_some_and(|value| !value.is_null()))
        .map(|field| (*field).to_owned())
        .collect();
    Ok(IndexQuery {
        index_uid: index_uid.to_owned(),
        params,
        weight,
        explicit_fields,
        federation_options_set: options.is_some(),
    })
}

fn parse_federation(value: &Value) -> NodeResult<Federation> {
    let object = json_shape::object(value, ".federation", codes::INVALID_MULTI_SEARCH_FEDERATED)?;
    let mut federation = Federation {
        offset: 0,
        limit: crate::search_request::DEFAULT_LIMIT,
        page: None,
        hits_per_page: None,
        facets_by_index: BTreeMap::new(),
        merge_facets: None,
    };
    for (name, value) in object {
        let location = field_location(".federation", name);
        if value.is_null() {
            continue;
        }
        match name.as_str() {
            "limit" => {
                federation.limit =
                    json_shape::positive_integer(value, &location, search_codes::LIMIT)?
            }
            "offset" => {
                federation.offset =
                    json_shape::positive_integer(value, &location, search_codes::OFFSET)?
            }
            "page" => {
                federation.page = Some(json_shape::positive_integer(
                    value,
                    &location,
                    search_codes::PAGE,
                )?)
            }
            "hitsPerPage" => {
                federation.hits_per_page = Some(json_shape::positive_integer(
                    value,
                    &location,
                    search_codes::HITS_PER_PAGE,
                )?)
            }
            "facetsByIndex" => {
                let code = crate::errors::invalid("invalid_multi_search_facets_by_index");
                for (index_uid, facets) in json_shape::object(value, &location, code)? {
                    let facets_location = field_location(&location, index_uid);
                    let facets = if facets.is_null() {
                        Vec::new()
                    } else {
                        json_shape::string_array(facets, &facets_location, code)?
                    };
                    federation.facets_by_index.insert(index_uid.clone(), facets);
                }
            }
            "mergeFacets" => {
                let code = crate::errors::invalid("invalid_multi_search_merge_facets");
                let merge = json_shape::object(value, &location, code)?;
                let mut max_values = 100;
                for (field, value) in merge {
                    match field.as_str() {
                        "maxValuesPerFacet" => {
                            max_values = json_shape::positive_integer(
                                value,
                                &field_location(&location, field),
                                code,
                            )?
                        }
                        other => {
                            return Err(unknown_field(&location, other, &["maxValuesPerFacet"]))
                        }
                    }
                }
                federation.merge_facets = Some(max_values);
            }
            other => return Err(unknown_field(".federation", other, FEDERATION_FIELDS)),
        }
    }
    Ok(federation)
}

/// `POST /multi-search`.
pub async fn multi_search(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    headers: HeaderMap,
    body: Bytes,
) -> NodeResult<Json<Value>> {
    let started = Instant::now();
    let value = json_body(&headers, &body)?;
    let object = json_shape::object(&value, "", codes::BAD_REQUEST)?;
    json_shape::reject_unknown_fields(object, &["queries", "federation"])?;
    let queries_value = object
        .get("queries")
        .ok_or_else(|| json_shape::missing_field("", "queries", codes::BAD_REQUEST))?;
    let items = queries_value.as_array().ok_or_else(|| {
        json_shape::invalid_type(
            ".queries",
            "an array",
            queries_value,
            codes::INVALID_MULTI_SEARCH_QUERIES,
        )
    })?;
    let queries: Vec<IndexQuery> = items
        .iter()
        .enumerate()
        .map(|(position, item)| parse_query(item, &element_location(".queries", position)))
        .collect::<NodeResult<_>>()?;
    let federation = match object.get("federation") {
        None | Some(Value::Null) => None,
        Some(value) => Some(parse_federation(value)?),
    };
    for (position, query) in queries.iter().enumerate() {
        let location = element_location(".queries", position);
        if !access.allows_index(&query.index_uid) {
            return Err(inside(
                NodeError::new(codes::INVALID_API_KEY, "The provided API key is invalid."),
                &location,
            ));
        }
        check_federation_rules(query, position, federation.is_some())
            .map_err(|error| inside(error, &location))?;
    }
    let indexes = state.indexes.read();
    let response = match &federation {
        None => plain_results(&indexes, &queries, started)?,
        Some(federation) => federated_results(&indexes, &queries, federation, started)?,
    };
    Ok(Json(Value::Object(response)))
}

fn check_federation_rules(query: &IndexQuery, position: usize, federated: bool) -> NodeResult<()> {
    if !federated {
        if query.federation_options_set {
            return Err(NodeError::new(
                codes::INVALID_MULTI_SEARCH_FEDERATION_OPTIONS,
                format!("Using `federationOptions` is not allowed in a non-federated search.\n - Hint: remove `federationOptions` from query #{position} or add `federation` to the request."),
            ));
        }
        return Ok(());
    }
    if let Some(field) = query
        .explicit_fields
        .iter()
        .find(|field| *field == "facets")
    {
        return Err(NodeError::new(
            crate::errors::invalid("invalid_multi_search_query_facets"),
            format!("Using facet options is not allowed in federated queries.\n - Hint: remove `{field}` from query #{position} or remove `federation` from the request\n - Hint: pass `federation.facetsByIndex.{}: {:?}` for facets in federated search", query.index_uid, query.params.facets.clone().unwrap_or_default()),
        ));
    }
    if let Some(field) = query.explicit_fields.first() {
        return Err(NodeError::new(
            crate::errors::invalid("invalid_multi_search_query_pagination"),
            format!("Using pagination options is not allowed in federated queries.\n - Hint: remove `{field}` from query #{position} or remove `federation` from the request\n - Hint: pass `federation.limit` and `federation.offset` for pagination in federated search"),
        ));
    }
    Ok(())
}

fn plain_results(
    indexes: &IndexStore,
    queries: &[IndexQuery],
    started: Instant,
) -> NodeResult<Map<String, Value>> {
    let mut results = Vec::with_capacity(queries.len());
    for (position, query) in queries.iter().enumerate() {
        let location = element_location(".queries", position);
        let run = || -> NodeResult<Map<String, Value>> {
            let index = indexes.get(&query.index_uid)?;
            let ranked = RankedSearch::run(index, &query.params)?;
            let mut result = Map::new();
            result.insert("indexUid".to_owned(), Value::from(query.index_uid.clone()));
            result.extend(
                ranked.response(started.elapsed().as_millis(), &Uuid::new_v4().to_string()),
            );
            Ok(result)
        };
        results.push(Value::Object(
            run().map_err(|error| inside(error, &location))?,
        ));
    }
    let mut response = Map::new();
    response.insert("results".to_owned(), Value::Array(results));
    Ok(response)
}

/// A hit candidate of a federated search.
struct Candidate<'s> {
    weighted_score: f64,
    query_position: usize,
    rank: usize,
    hit: &'s crate::search::RankedDocument<'s>,
}

fn federated_results(
    indexes: &IndexStore,
    queries: &[IndexQuery],
    federation: &Federation,
    started: Instant,
) -> NodeResult<Map<String, Value>> {
    let mut searches = Vec::with_capacity(queries.len());
    for (position, query) in queries.iter().enumerate() {
        let location = element_location(".queries", position);
        let index = indexes
            .get(&query.index_uid)
            .map_err(|error| inside(error, &location))?;
        searches.push(
            RankedSearch::run(index, &query.params).map_err(|error| inside(error, &location))?,
        );
    }
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for (position, (search, query)) in searches.iter().zip(queries).enumerate() {
        for (rank, hit) in search.ranked.iter().enumerate() {
            candidates.push(Candidate {
                weighted_score: hit.ranking_score() * query.weight,
                query_position: position,
                rank,
                hit,
            });
        }
    }
    candidates.sort_by(|left, right| {
        right
            .weighted_score
            .total_cmp(&left.weighted_score)
            .then(left.query_position.cmp(&right.query_position))
            .then(left.rank.cmp(&right.rank))
    });
    let mut seen: HashSet<(&str, *const Document)> = HashSet::new();
    candidates.retain(|candidate| {
        let index_uid = queries[candidate.query_position].index_uid.as_str();
        seen.insert((index_uid, std::ptr::from_ref(candidate.hit.document)))
    });
    let total = candidates.len();
    let paginated = federation.page.is_some() || federation.hits_per_page.is_some();
    let hits_per_page = federation
        .hits_per_page
        .unwrap_or(crate::search_request::DEFAULT_LIMIT);
    let page = federation.page.unwrap_or(1);
    let (skip, take) = if !paginated {
        (federation.offset, federation.limit)
    } else if page == 0 {
        (0, 0)
    } else {
        ((page - 1).saturating_mul(hits_per_page), hits_per_page)
    };
    let hits: Vec<Value> = candidates
        .iter()
        .skip(skip)
        .take(take)
        .map(|candidate| {
            let federation_info = json!({
                "indexUid": queries[candidate.query_position].index_uid,
                "queriesPosition": candidate.query_position,
                "weightedRankingScore": candidate.weighted_score,
            });
            Value::Object(
                searches[candidate.query_position]
                    .hit(candidate.hit, Some(("_federation", federation_info))),
            )
        })
        .collect();
    let mut response = Map::new();
    response.insert("hits".to_owned(), Value::Array(hits));
    response.insert(
        "processingTimeMs".to_owned(),
        Value::from(started.elapsed().as_millis() as u64),
    );
    if paginated {
        let total_pages = total
            .saturating_add(hits_per_page.saturating_sub(1))
            .checked_div(hits_per_page)
            .unwrap_or(0);
        response.insert("hitsPerPage".to_owned(), Value::from(hits_per_page));
        response.insert("page".to_owned(), Value::from(page));
        response.insert("totalPages".to_owned(), Value::from(total_pages));
        response.insert("totalHits".to_owned(), Value::from(total));
    } else {
        response.insert("limit".to_owned(), Value::from(federation.limit));
        response.insert("offset".to_owned(), Value::from(federation.offset));
        response.insert("estimatedTotalHits".to_owned(), Value::from(total));
    }
    if !federation.facets_by_index.is_empty() {
        let by_index = facets_by_index(indexes, federation, queries, &candidates)?;
        match federation.merge_facets {
            Some(max_values) => {
                let merged = merge_facets(by_index.values(), max_values);
                response.insert(
                    "facetDistribution".to_owned(),
                    Value::Object(merged.distribution),
                );
                response.insert("facetStats".to_owned(), Value::Object(merged.stats));
            }
            None => {
                let objects: Map<String, Value> = by_index
                    .into_iter()
                    .map(|(index_uid, facets)| {
                        (
                            index_uid,
                            json!({"distribution": facets.distribution, "stats": facets.stats}),
                        )
                    })
                    .collect();
                response.insert("facetsByIndex".to_owned(), Value::Object(objects));
            }
        }
    }
    response.insert(
        "requestUid".to_owned(),
        Value::from(Uuid::new_v4().to_string()),
    );
    Ok(response)
}

/// The facets of each index of `facetsByIndex`, over the merged hits from that index.
fn facets_by_index(
    indexes: &IndexStore,
    federation: &Federation,
    queries: &[IndexQuery],
    candidates: &[Candidate<'_>],
) -> NodeResult<BTreeMap<String, ComputedFacets>> {
    let mut by_index = BTreeMap::new();
    for (index_uid, facets) in &federation.facets_by_index {
        let location = format!(".federation.facetsByIndex.{index_uid}");
        let index = indexes
            .get(index_uid)
            .map_err(|error| inside(error, &location))?;
        let documents: Vec<&Document> = candidates
            .iter()
            .filter(|candidate| queries[candidate.query_position].index_uid == *index_uid)
            .map(|candidate| candidate.hit.document)
            .collect();
        let computed =
            facets_of(index, facets, &documents).map_err(|error| inside(error, &location))?;
        by_index.insert(index_uid.clone(), computed);
    }
    Ok(by_index)
}

/// Sums the distributions of several indexes (values in alphabetical order, at most
/// `max_values` per facet) and widens their stats.
fn merge_facets<'f>(
    all: impl Iterator<Item = &'f ComputedFacets>,
    max_values: usize,
) -> ComputedFacets {
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut stats: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for facets in all {
        for (attribute, values) in &facets.distribution {
            let entry = counts.entry(attribute.clone()).or_default();
            for (value, count) in values.as_object().into_iter().flatten() {
                *entry.entry(value.clone()).or_default() += count.as_u64().unwrap_or(0);
            }
        }
        for (attribute, range) in &facets.stats {
            let (Some(min), Some(max)) = (range["min"].as_f64(), range["max"].as_f64()) else {
                continue;
            };
            let entry = stats.entry(attribute.clone()).or_insert((min, max));
            *entry = (entry.0.min(min), entry.1.max(max));
        }
    }
    ComputedFacets {
        distribution: counts
            .into_iter()
            .map(|(attribute, values)| {
                let values: Map<String, Value> = values
                    .into_iter()
                    .take(max_values)
                    .map(|(value, count)| (value, Value::from(count)))
                    .collect();
                (attribute, Value::Object(values))
            })
            .collect(),
        stats: stats
            .into_iter()
            .map(|(attribute, (min, max))| (attribute, json!({"min": min, "max": max})))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_facets_sum_counts_and_widen_stats() {
        let first = ComputedFacets {
            distribution: json!({"genres": {"Drama": 2, "Action": 1}})
                .as_object()
                .unwrap()
                .clone(),
            stats: json!({"year": {"min": 2000.0, "max": 2010.0}})
                .as_object()
                .unwrap()
                .clone(),
        };
        let second = ComputedFacets {
            distribution: json!({"genres": {"Drama": 1}}).as_object().unwrap().clone(),
            stats: json!({"year": {"min": 1990.0, "max": 2005.0}})
                .as_object()
                .unwrap()
                .clone(),
        };
        let merged = merge_facets([&first, &second].into_iter(), 1);
        assert_eq!(
            Value::Object(merged.distribution),
            json!({"genres": {"Action": 1}})
        );
        assert_eq!(
            Value::Object(merged.stats),
            json!({"year": {"min": 1990.0, "max": 2010.0}})
        );
    }

    #[test]
    fn federated_queries_reject_paging_and_facets() {
        let query = parse_query(&json!({"indexUid": "movies", "limit": 3}), ".queries[1]").unwrap();
        let error = check_federation_rules(&query, 1, true).unwrap_err();
        assert!(error
            .message
            .starts_with("Using pagination options is not allowed in federated queries."));
        assert!(check_federation_rules(&query, 1, false).is_ok());
        let with_options = parse_query(
            &json!({"indexUid": "movies", "federationOptions": {"weight": 2.0}}),
            ".queries[0]",
        )
        .unwrap();
        assert_eq!(with_options.weight, 2.0);
        assert!(check_federation_rules(&with_options, 0, false).is_err());
    }

    #[test]
    fn query_errors_are_prefixed_and_become_bad_requests() {
        let error = inside(NodeError::index_not_found("missing"), ".queries[0]");
        assert_eq!(
            error.message,
            "Inside `.queries[0]`: Index `missing` not found."
        );
        assert_eq!(error.code.status, StatusCode::BAD_REQUEST);
        let missing = parse_query(&json!({"q": "x"}), ".queries[0]").unwrap_err();
        assert_eq!(
            missing.message,
            "Missing field `indexUid` inside `.queries[0]`"
        );
    }
}
