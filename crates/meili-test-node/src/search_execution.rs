//! Running one search against one index: validate what depends on the index (sort, facets,
//! distinct, attributes to search on, filter), filter the documents (on the facet values of
//! the index's [`crate::search_cache`]), rank them with [`crate::search::rank_indexed`], apply `rankingScoreThreshold` and distinct, compute
//! facets, and build hits (projection, `_formatted`, ranking scores) for the requested
//! window only. Pure over a borrowed [`Index`]: the caller holds the read lock.
//!
//! ```text
//! params ─check─▶ filter ─▶ rank ─▶ threshold ─▶ distinct ─▶ RankedSearch ─▶ page ─▶ hits
//!                                                              └─▶ facets
//! ```

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use crate::errors::{NodeError, NodeResult};
use crate::facets::{
    compute_cached_facets, compute_facets, facetable_paths, visit_field_values, ComputedFacets,
};
use crate::filtering::{DocumentFilter, ErrorPositions};
use crate::index_store::Index;
use crate::payload::Document;
use crate::search::{
    format_document, rank_indexed, FormatOptions, IndexedDocuments, RankedDocument, RankedOrder,
    RankingRequest,
};
use crate::search_request::{search_codes, SearchParameters};
use crate::settings::matches_attribute_patterns;

/// Which part of the ranked documents becomes hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitWindow {
    /// Ranked documents skipped.
    pub skip: usize,
    /// Hits returned at most.
    pub take: usize,
}

/// The documents a search matched, ranked, with what is needed to show them.
#[derive(Debug)]
pub struct RankedSearch<'i> {
    index: &'i Index,
    params: &'i SearchParameters,
    /// Matching documents, best first (after threshold and distinct).
    pub ranked: Vec<RankedDocument<'i>>,
    /// `facetDistribution` / `facetStats`, when `facets` was asked.
    pub facets: Option<ComputedFacets>,
}

/// `Index `uid`: message` with `code` (how Meilisearch reports index-level search errors).
fn index_error(index: &Index, code: crate::errors::ErrorCode, message: String) -> NodeError {
    NodeError::new(code, format!("Index `{}`: {message}", index.uid))
}

fn backticked_list(items: &BTreeSet<String>) -> String {
    items
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks the `sort` criteria: syntax, sortability and the `sort` ranking rule.
fn check_sort(index: &Index, sort: &[String]) -> NodeResult<()> {
    let code = search_codes::SORT;
    let sortable: BTreeSet<String> = index.settings.sortable_attributes().into_iter().collect();
    for criterion in sort {
        let field = match criterion.rsplit_once(':') {
            Some((field, "asc" | "desc")) if !field.is_empty() => field,
            _ => {
                return Err(NodeError::new(
                    code,
                    format!("Invalid syntax for the sort parameter: expected expression ending by `:asc` or `:desc`, found `{criterion}`."),
                ))
            }
        };
        if field.starts_with("_geo") {
            return Err(NodeError::new(
                code,
                format!("geo sorting (`{criterion}`) is not supported by the meili-test-node."),
            ));
        }
        let patterns: Vec<String> = sortable.iter().cloned().collect();
        if !matches_attribute_patterns(field, &patterns) {
            let available = if sortable.is_empty() {
                "This index does not have configured sortable attributes.".to_owned()
            } else {
                format!(
                    "Available sortable attributes are: `{}`.",
                    backticked_list(&sortable)
                )
            };
            return Err(index_error(
                index,
                code,
                format!("Attribute `{field}` is not sortable. {available}"),
            ));
        }
    }
    if !sort.is_empty()
        && !index
            .settings
            .ranking_rules()
            .iter()
            .any(|rule| rule == "sort")
    {
        return Err(index_error(
            index,
            code,
            "You must specify where `sort` is listed in the rankingRules setting to use the sort parameter at search time.".to_owned(),
        ));
    }
    Ok(())
}

fn filterable_patterns(index: &Index) -> (Vec<String>, BTreeSet<String>) {
    let patterns = index.settings.filterable_patterns();
    let sorted = patterns.iter().cloned().collect();
    (patterns, sorted)
}

/// The facets to compute (`*` expands to every filterable field present), or the error for
/// non-filterable ones.
fn checked_facets(
    index: &Index,
    facets: &[String],
    documents: &[&Document],
) -> NodeResult<BTreeSet<String>> {
    let (patterns, sorted) = filterable_patterns(index);
    let invalid: BTreeSet<String> = facets
        .iter()
        .filter(|facet| *facet != "*" && !matches_attribute_patterns(facet, &patterns))
        .cloned()
        .collect();
    if !invalid.is_empty() {
        let available = if sorted.is_empty() {
            "This index does not have configured filterable attributes.".to_owned()
        } else {
            format!(
                "Available filterable attributes patterns are: `{}`.",
                backticked_list(&sorted)
            )
        };
        let message = if invalid.len() == 1 {
            format!(
                "Attribute `{}` is not filterable. {available}",
                backticked_list(&invalid)
            )
        } else {
            format!(
                "Attributes `{}` are not filterable. {available}",
                backticked_list(&invalid)
            )
        };
        return Err(index_error(
            index,
            search_codes::FACETS,
            format!("Invalid facet distribution: {message}"),
        ));
    }
    let mut attributes: BTreeSet<String> = facets
        .iter()
        .filter(|facet| *facet != "*")
        .cloned()
        .collect();
    if facets.iter().any(|facet| facet == "*") {
        attributes.extend(
            facetable_paths(documents)
                .into_iter()
                .filter(|path| matches_attribute_patterns(path, &patterns)),
        );
    }
    Ok(attributes)
}

/// The facets `facets` (validated against `index`'s filterable attributes, `*` expanded)
/// of `documents`.
pub fn facets_of(
    index: &Index,
    facets: &[String],
    documents: &[&Document],
) -> NodeResult<ComputedFacets> {
    let attributes = checked_facets(index, facets, documents)?;
    Ok(compute_facets(documents, &attributes, &index.settings))
}

/// The distinct attribute of the search (the parameter wins over the setting).
fn checked_distinct(index: &Index, params: &SearchParameters) -> NodeResult<Option<String>> {
    let Some(distinct) = &params.distinct else {
        return Ok(index.settings.distinct_attribute());
    };
    let (patterns, sorted) = filterable_patterns(index);
    if matches_attribute_patterns(distinct, &patterns) {
        return Ok(Some(distinct.clone()));
    }
    let available = if sorted.is_empty() {
        "This index does not have configured filterable attributes.".to_owned()
    } else {
        format!(
            "Available filterable attributes patterns are: `{}`.",
            backticked_list(&sorted)
        )
    };
    Err(index_error(
        index,
        search_codes::DISTINCT,
        format!("Attribute `{distinct}` is not filterable and thus, cannot be used as distinct attribute. {available}"),
    ))
}

/// The searchable attributes of the search (`attributesToSearchOn` restricts the setting).
fn searchable_attributes(index: &Index, params: &SearchParameters) -> NodeResult<Vec<String>> {
    let setting = index.settings.searchable_attributes();
    let Some(requested) = &params.attributes_to_search_on else {
        return Ok(setting);
    };
    if setting.iter().any(|attribute| attribute == "*") {
        return Ok(requested.clone());
    }
    if let Some(unknown) = requested
        .iter()
        .find(|attribute| !matches_attribute_patterns(attribute, &setting))
    {
        let valid: BTreeSet<String> = setting.iter().cloned().collect();
        return Err(index_error(
            index,
            search_codes::ATTRIBUTES_TO_SEARCH_ON,
            format!(
                "Attribute `{unknown}` is not searchable. Available searchable attributes are: `{}`.",
                backticked_list(&valid)
            ),
        ));
    }
    Ok(setting
        .into_iter()
        .filter(|attribute| matches_attribute_patterns(attribute, requested))
        .collect())
}

/// The window of ranked documents the paging of `params` selects (never beyond
/// `maxTotalHits` of `index`).
fn window_of(index: &Index, params: &SearchParameters) -> HitWindow {
    let (skip, take) = if params.is_paginated() {
        let page = params.page.unwrap_or(1);
        let hits_per_page = params
            .hits_per_page
            .unwrap_or(crate::search_request::DEFAULT_LIMIT);
        if page == 0 {
            (0, 0)
        } else {
            ((page - 1).saturating_mul(hits_per_page), hits_per_page)
        }
    } else {
        (params.offset, params.limit)
    };
    let max_total_hits = index.settings.max_total_hits();
    HitWindow {
        skip,
        take: take.min(max_total_hits.saturating_sub(skip)),
    }
}

/// Keeps the first (best) document of each distinct value; documents without a value are
/// all kept, as in Meilisearch.
fn apply_distinct<'i>(ranked: Vec<RankedDocument<'i>>, attribute: &str) -> Vec<RankedDocument<'i>> {
    let mut seen: HashSet<String> = HashSet::new();
    ranked
        .into_iter()
        .filter(|hit| {
            let mut values = Vec::new();
            visit_field_values(hit.document, attribute, &mut |value| {
                if !value.is_null() {
                    values.push(value.to_string());
                }
            });
            if values.is_empty() {
                return true;
            }
            let duplicate = values.iter().any(|value| seen.contains(value));
            seen.extend(values);
            !duplicate
        })
        .collect()
}

impl<'i> RankedSearch<'i> {
    /// Runs the search: every index-dependent check, then filter, rank, threshold, distinct
    /// and facets. Every matching document is in rank order in [`RankedSearch::ranked`].
    pub fn run(index: &'i Index, params: &'i SearchParameters) -> NodeResult<Self> {
        Self::run_ordered(index, params, false)
    }

    /// Like [`RankedSearch::run`] for a search whose only use is
    /// [`RankedSearch::response`]: [`RankedSearch::ranked`] is in rank order up to the end
    /// of the requested page only (when nothing else needs the full order).
    pub fn run_for_page(index: &'i Index, params: &'i SearchParameters) -> NodeResult<Self> {
        Self::run_ordered(index, params, true)
    }

    fn run_ordered(
        index: &'i Index,
        params: &'i SearchParameters,
        page_only: bool,
    ) -> NodeResult<Self> {
        check_sort(index, &params.sort)?;
        let filter = DocumentFilter::compile(
            &params.filter,
            index,
            search_codes::FILTER,
            ErrorPositions::Canonical,
        )?;
        let distinct = checked_distinct(index, params)?;
        let searchable = searchable_attributes(index, params)?;
        let ranking_rules = index.settings.ranking_rules();
        let typo_tolerance = index.settings.typo_tolerance();
        let stop_words = index.settings.stop_words();
        let request = RankingRequest {
            query: params.query_text(),
            ranking_rules: &ranking_rules,
            searchable_attributes: &searchable,
            sort: &params.sort,
            matching_strategy: params.matching_strategy,
            typo_tolerance: &typo_tolerance,
            stop_words: &stop_words,
        };
        let cached = index.search_data();
        let filter_facets: Vec<_> = filter
            .iter()
            .flat_map(|filter| filter.attributes())
            .map(|attribute| cached.facets(&index.documents, attribute))
            .collect();
        let is_allowed = |number: usize| {
            filter
                .as_ref()
                .is_none_or(|filter| filter.matches_facets(&|slot| &filter_facets[slot][number]))
        };
        let document_at = |number: usize| -> &'i Document {
            index
                .documents
                .get_index(number)
                .map(|(_, document)| document)
                .unwrap_or_else(|| unreachable!("document {number} outside the cached index"))
        };
        let indexed = IndexedDocuments {
            words: &cached.words,
            sort_values: &cached.sort_values,
            document_at: &document_at,
        };
        // Threshold and distinct remove documents and facets show values as first met in
        // rank order: each needs every document in order.
        let order = if page_only
            && params.ranking_score_threshold.is_none()
            && distinct.is_none()
            && params.facets.is_none()
        {
            let window = window_of(index, params);
            RankedOrder::First(window.skip.saturating_add(window.take))
        } else {
            RankedOrder::All
        };
        let mut ranked = rank_indexed(&request, &indexed, &is_allowed, order);
        if let Some(threshold) = params.ranking_score_threshold {
            ranked.retain(|hit| hit.ranking_score() >= threshold);
        }
        if let Some(attribute) = distinct {
            ranked = apply_distinct(ranked, &attribute);
        }
        let facets = match &params.facets {
            Some(facets) => {
                let documents: Vec<&Document> = ranked.iter().map(|hit| hit.document).collect();
                let attributes = checked_facets(index, facets, &documents)?;
                let numbers: Vec<usize> = ranked.iter().map(RankedDocument::number).collect();
                Some(compute_cached_facets(
                    &numbers,
                    &attributes,
                    &index.settings,
                    &|attribute| cached.distribution_values(&index.documents, attribute),
                ))
            }
            None => None,
        };
        Ok(Self {
            index,
            params,
            ranked,
            facets,
        })
    }

    /// Number of matching documents, capped at `pagination.maxTotalHits`.
    pub fn capped_total(&self) -> usize {
        self.ranked.len().min(self.index.settings.max_total_hits())
    }

    /// The window of ranked documents the request's paging selects (never beyond
    /// `maxTotalHits`).
    pub fn window(&self) -> HitWindow {
        window_of(self.index, self.params)
    }

    /// The hits of `window`.
    pub fn hits(&self, window: HitWindow) -> Vec<Value> {
        self.ranked
            .iter()
            .skip(window.skip)
            .take(window.take)
            .map(|hit| Value::Object(self.hit(hit, None)))
            .collect()
    }

    /// One hit: displayed and retrieved fields, `extra` fields (`_federation`), then
    /// `_formatted`, `_rankingScore`, `_rankingScoreDetails` as asked.
    pub fn hit(
        &self,
        ranked: &RankedDocument<'_>,
        extra: Option<(&str, Value)>,
    ) -> Map<String, Value> {
        let params = self.params;
        let displayed = self.index.settings.displayed_attributes();
        let retrieve = params.attributes_to_retrieve.as_deref();
        let is_shown = |field: &str| {
            matches_attribute_patterns(field, &displayed)
                && retrieve.is_none_or(|retrieve| matches_attribute_patterns(field, retrieve))
        };
        let mut hit: Map<String, Value> = ranked
            .document
            .iter()
            .filter(|(field, _)| is_shown(field))
            .map(|(field, value)| (field.clone(), value.clone()))
            .collect();
        if let Some((name, value)) = extra {
            hit.insert(name.to_owned(), value);
        }
        if !params.attributes_to_highlight.is_empty() || !params.attributes_to_crop.is_empty() {
            let formatted = self.formatted(ranked.document, &displayed);
            if !formatted.is_empty() {
                hit.insert("_formatted".to_owned(), Value::Object(formatted));
            }
        }
        if params.show_ranking_score {
            hit.insert(
                "_rankingScore".to_owned(),
                Value::from(ranked.ranking_score()),
            );
        }
        if params.show_ranking_score_details {
            hit.insert(
                "_rankingScoreDetails".to_owned(),
                Value::Object(ranked.ranking_score_details()),
            );
        }
        hit
    }

    /// `_formatted`: the displayed fields that are retrieved, highlighted or cropped.
    fn formatted(&self, document: &Document, displayed: &[String]) -> Map<String, Value> {
        let params = self.params;
        let cropped: Vec<String> = params
            .attributes_to_crop
            .iter()
            .map(|entry| {
                entry
                    .rsplit_once(':')
                    .map_or(entry.as_str(), |(name, _)| name)
                    .to_owned()
            })
            .collect();
        let is_formatted = |field: &str| {
            matches_attribute_patterns(field, displayed)
                && (params
                    .attributes_to_retrieve
                    .as_deref()
                    .is_none_or(|retrieve| matches_attribute_patterns(field, retrieve))
                    || matches_attribute_patterns(field, &params.attributes_to_highlight)
                    || matches_attribute_patterns(field, &cropped))
        };
        let source: Map<String, Value> = document
            .iter()
            .filter(|(field, _)| is_formatted(field))
            .map(|(field, value)| (field.clone(), value.clone()))
            .collect();
        let options = FormatOptions {
            attributes_to_highlight: params.attributes_to_highlight.clone(),
            highlight_pre_tag: params.highlight_pre_tag.clone(),
            highlight_post_tag: params.highlight_post_tag.clone(),
            attributes_to_crop: params.attributes_to_crop.clone(),
            crop_length: params.crop_length,
            crop_marker: params.crop_marker.clone(),
        };
        format_document(&source, params.query_text(), &options)
    }

    /// The response object of a single search (also one result of a multi-search, after its
    /// `indexUid`), in Meilisearch's field order.
    pub fn response(&self, processing_time_ms: u128, request_uid: &str) -> Map<String, Value> {
        let params = self.params;
        let window = self.window();
        let total = self.capped_total();
        let mut response = Map::new();
        response.insert("hits".to_owned(), Value::Array(self.hits(window)));
        response.insert("query".to_owned(), Value::from(params.query_text()));
        response.insert(
            "processingTimeMs".to_owned(),
            Value::from(processing_time_ms as u64),
        );
        if params.is_paginated() {
            let hits_per_page = params
                .hits_per_page
                .unwrap_or(crate::search_request::DEFAULT_LIMIT);
            let total_pages = total
                .saturating_add(hits_per_page.saturating_sub(1))
                .checked_div(hits_per_page)
                .unwrap_or(0);
            response.insert("hitsPerPage".to_owned(), Value::from(hits_per_page));
            response.insert("page".to_owned(), Value::from(params.page.unwrap_or(1)));
            response.insert("totalPages".to_owned(), Value::from(total_pages));
            response.insert("totalHits".to_owned(), Value::from(total));
        } else {
            response.insert("limit".to_owned(), Value::from(params.limit));
            response.insert("offset".to_owned(), Value::from(params.offset));
            response.insert("estimatedTotalHits".to_owned(), Value::from(total));
        }
        if let Some(facets) = &self.facets {
            response.insert(
                "facetDistribution".to_owned(),
                Value::Object(facets.distribution.clone()),
            );
            response.insert("facetStats".to_owned(), Value::Object(facets.stats.clone()));
        }
        response.insert("requestUid".to_owned(), Value::from(request_uid));
        response
    }
}
