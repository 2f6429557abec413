//! The parameters of one search (`POST /indexes/{uid}/search`, one query of
//! `/multi-search`, or the query string of `GET /indexes/{uid}/search`), validated with
//! Meilisearch's (deserr's) exact wording and error codes.
//!
//! A JSON body is read field by field in body order and the first problem is reported, as
//! deserr does. The `GET` form is first turned into the same JSON object (parsing numbers,
//! booleans and comma-separated lists with the query-parameter wording), then validated by
//! the same code.
//!
//! Vector and hybrid search (`hybrid`, `vector`, `media`, `personalize`), match positions
//! and performance details are not implemented by the test node: asking for them is an
//! explicit error rather than a silently different answer.

use serde_json::{Map, Value};

use crate::errors::{codes, ErrorCode, NodeError, NodeResult};
use crate::json_shape::{self, field_location};
use crate::search::MatchingStrategy;

/// Error codes of search parameters (one line per code).
#[allow(missing_docs)]
pub mod search_codes {
    use crate::errors::{invalid, ErrorCode};

    pub const Q: ErrorCode = invalid("invalid_search_q");
    pub const OFFSET: ErrorCode = invalid("invalid_search_offset");
    pub const LIMIT: ErrorCode = invalid("invalid_search_limit");
    pub const PAGE: ErrorCode = invalid("invalid_search_page");
    pub const HITS_PER_PAGE: ErrorCode = invalid("invalid_search_hits_per_page");
    pub const ATTRIBUTES_TO_RETRIEVE: ErrorCode = invalid("invalid_search_attributes_to_retrieve");
    pub const ATTRIBUTES_TO_CROP: ErrorCode = invalid("invalid_search_attributes_to_crop");
    pub const CROP_LENGTH: ErrorCode = invalid("invalid_search_crop_length");
    pub const CROP_MARKER: ErrorCode = invalid("invalid_search_crop_marker");
    pub const ATTRIBUTES_TO_HIGHLIGHT: ErrorCode =
        invalid("invalid_search_attributes_to_highlight");
    pub const HIGHLIGHT_PRE_TAG: ErrorCode = invalid("invalid_search_highlight_pre_tag");
    pub const HIGHLIGHT_POST_TAG: ErrorCode = invalid("invalid_search_highlight_post_tag");
    pub const SHOW_MATCHES_POSITION: ErrorCode = invalid("invalid_search_show_matches_position");
    pub const FILTER: ErrorCode = invalid("invalid_search_filter");
    pub const SORT: ErrorCode = invalid("invalid_search_sort");
    pub const DISTINCT: ErrorCode = invalid("invalid_search_distinct");
    pub const FACETS: ErrorCode = invalid("invalid_search_facets");
    pub const MATCHING_STRATEGY: ErrorCode = invalid("invalid_search_matching_strategy");
    pub const ATTRIBUTES_TO_SEARCH_ON: ErrorCode =
        invalid("invalid_search_attributes_to_search_on");
    pub const RANKING_SCORE_THRESHOLD: ErrorCode =
        invalid("invalid_search_ranking_score_threshold");
    pub const LOCALES: ErrorCode = invalid("invalid_search_locales");
    pub const HYBRID: ErrorCode = invalid("invalid_search_hybrid_query");
    pub const VECTOR: ErrorCode = invalid("invalid_search_vector");
    pub const RETRIEVE_VECTORS: ErrorCode = invalid("invalid_search_retrieve_vectors");
    pub const MEDIA: ErrorCode = invalid("invalid_search_media");
    pub const PERSONALIZE: ErrorCode = invalid("invalid_search_personalize");
    pub const USE_NETWORK: ErrorCode = invalid("invalid_search_use_network");
    pub const SHOW_RANKING_SCORE: ErrorCode = invalid("invalid_search_show_ranking_score");
    pub const SHOW_RANKING_SCORE_DETAILS: ErrorCode =
        invalid("invalid_search_show_ranking_score_details");
    pub const SHOW_PERFORMANCE_DETAILS: ErrorCode =
        invalid("invalid_search_show_performance_details");
}

/// The fields `POST /indexes/{uid}/search` accepts, in Meilisearch's order (the order of
/// the unknown-field message).
pub const SEARCH_FIELDS: &[&str] = &[
    "q",
    "offset",
    "limit",
    "page",
    "hitsPerPage",
    "attributesToRetrieve",
    "attributesToCrop",
    "cropLength",
    "cropMarker",
    "attributesToHighlight",
    "highlightPreTag",
    "highlightPostTag",
    "showMatchesPosition",
    "filter",
    "sort",
    "distinct",
    "facets",
    "matchingStrategy",
    "attributesToSearchOn",
    "rankingScoreThreshold",
    "locales",
    "hybrid",
    "vector",
    "retrieveVectors",
    "media",
    "personalize",
    "useNetwork",
    "showRankingScore",
    "showRankingScoreDetails",
    "showPerformanceDetails",
];

/// The query parameters `GET /indexes/{uid}/search` accepts.
const GET_SEARCH_PARAMETERS: &[&str] = &[
    "q",
    "vector",
    "offset",
    "limit",
    "page",
    "hitsPerPage",
    "attributesToRetrieve",
    "retrieveVectors",
    "attributesToCrop",
    "cropLength",
    "attributesToHighlight",
    "filter",
    "sort",
    "distinct",
    "showMatchesPosition",
    "showRankingScore",
    "showRankingScoreDetails",
    "showPerformanceDetails",
    "facets",
    "highlightPreTag",
    "highlightPostTag",
    "cropMarker",
    "matchingStrategy",
    "attributesToSearchOn",
    "hybridEmbedder",
    "hybridSemanticRatio",
    "rankingScoreThreshold",
    "locales",
    "useNetwork",
];

/// Meilisearch's default `limit`.
pub const DEFAULT_LIMIT: usize = 20;

/// Validated search parameters (defaults applied).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchParameters {
    /// `q` (`None`: placeholder search, echoed as `""`).
    pub q: Option<String>,
    /// `offset`.
    pub offset: usize,
    /// `limit`.
    pub limit: usize,
    /// `page` (its presence, or `hitsPerPage`'s, switches to exhaustive pagination).
    pub page: Option<usize>,
    /// `hitsPerPage`.
    pub hits_per_page: Option<usize>,
    /// `attributesToRetrieve` (`None`: every displayed attribute).
    pub attributes_to_retrieve: Option<Vec<String>>,
    /// `attributesToCrop` (entries may be `attribute:length`).
    pub attributes_to_crop: Vec<String>,
    /// `cropLength`.
    pub crop_length: usize,
    /// `cropMarker`.
    pub crop_marker: String,
    /// `attributesToHighlight`.
    pub attributes_to_highlight: Vec<String>,
    /// `highlightPreTag`.
    pub highlight_pre_tag: String,
    /// `highlightPostTag`.
    pub highlight_post_tag: String,
    /// `filter` as sent (`null`: none).
    pub filter: Value,
    /// `sort` criteria as sent.
    pub sort: Vec<String>,
    /// `distinct` (overrides the index's `distinctAttribute`).
    pub distinct: Option<String>,
    /// `facets` (`None`: no facet distribution).
    pub facets: Option<Vec<String>>,
    /// `matchingStrategy`.
    pub matching_strategy: MatchingStrategy,
    /// `attributesToSearchOn` (`None`: every searchable attribute).
    pub attributes_to_search_on: Option<Vec<String>>,
    /// `rankingScoreThreshold`.
    pub ranking_score_threshold: Option<f64>,
    /// `showRankingScore`.
    pub show_ranking_score: bool,
    /// `showRankingScoreDetails`.
    pub show_ranking_score_details: bool,
}

impl Default for SearchParameters {
    fn default() -> Self {
        Self {
            q: None,
            offset: 0,
            limit: DEFAULT_LIMIT,
            page: None,
            hits_per_page: None,
            attributes_to_retrieve: None,
            attributes_to_crop: Vec::new(),
            crop_length: 10,
            crop_marker: "…".to_owned(),
            attributes_to_highlight: Vec::new(),
            highlight_pre_tag: "<em>".to_owned(),
            highlight_post_tag: "</em>".to_owned(),
            filter: Value::Null,
            sort: Vec::new(),
            distinct: None,
            facets: None,
            matching_strategy: MatchingStrategy::default(),
            attributes_to_search_on: None,
            ranking_score_threshold: None,
            show_ranking_score: false,
            show_ranking_score_details: false,
        }
    }
}

/// `Unknown field `{field}` [inside `{parent}`]: expected one of ...` (`bad_request`).
pub fn unknown_field(parent: &str, field: &str, accepted: &[&str]) -> NodeError {
    let expected: Vec<String> = accepted.iter().map(|name| format!("`{name}`")).collect();
    let inside = if parent.is_empty() {
        String::new()
    } else {
        format!(" inside `{parent}`")
    };
    NodeError::new(
        codes::BAD_REQUEST,
        format!(
            "Unknown field `{field}`{inside}: expected one of {}",
            expected.join(", ")
        ),
    )
}

/// An explicit error for a Meilisearch feature the test node does not implement.
fn unsupported(parameter: &str, code: ErrorCode) -> NodeError {
    NodeError::new(
        code,
        format!("`{parameter}` is not supported by the meili-test-node (no vector search, match positions or performance details)."),
    )
}

impl SearchParameters {
    /// Validates a search object. `parent` is its location (`""` for a search body,
    /// `.queries[0]` inside a multi-search); fields named in `accepted` but not search
    /// parameters (`indexUid`, `federationOptions`) are skipped for the caller to read.
    pub fn from_json(
        object: &Map<String, Value>,
        parent: &str,
        accepted: &[&str],
    ) -> NodeResult<Self> {
        let mut parameters = Self::default();
        for (name, value) in object {
            if !accepted.contains(&name.as_str()) {
                return Err(unknown_field(parent, name, accepted));
            }
            parameters.apply_field(name, value, &field_location(parent, name))?;
        }
        Ok(parameters)
    }

    fn apply_field(&mut self, name: &str, value: &Value, location: &str) -> NodeResult<()> {
        use search_codes as c;
        let optional_strings = |code| -> NodeResult<Option<Vec<String>>> {
            if value.is_null() {
                Ok(None)
            } else {
                json_shape::string_array(value, location, code).map(Some)
            }
        };
        match name {
            "q" => {
                self.q = if value.is_null() {
                    None
                } else {
                    Some(json_shape::string(value, location, c::Q)?.to_owned())
                }
            }
            "offset" => self.offset = json_shape::positive_integer(value, location, c::OFFSET)?,
            "limit" => self.limit = json_shape::positive_integer(value, location, c::LIMIT)?,
            "page" => self.page = optional_integer(value, location, c::PAGE)?,
            "hitsPerPage" => {
                self.hits_per_page = optional_integer(value, location, c::HITS_PER_PAGE)?
            }
            "attributesToRetrieve" => {
                self.attributes_to_retrieve = optional_strings(c::ATTRIBUTES_TO_RETRIEVE)?
            }
            "attributesToCrop" => {
                self.attributes_to_crop =
                    optional_strings(c::ATTRIBUTES_TO_CROP)?.unwrap_or_default()
            }
            "cropLength" => {
                self.crop_length = json_shape::positive_integer(value, location, c::CROP_LENGTH)?
            }
            "cropMarker" => {
                self.crop_marker = json_shape::string(value, location, c::CROP_MARKER)?.to_owned()
            }
            "attributesToHighlight" => {
                self.attributes_to_highlight =
                    optional_strings(c::ATTRIBUTES_TO_HIGHLIGHT)?.unwrap_or_default()
            }
            "highlightPreTag" => {
                self.highlight_pre_tag =
                    json_shape::string(value, location, c::HIGHLIGHT_PRE_TAG)?.to_owned()
            }
            "highlightPostTag" => {
                self.highlight_post_tag =
                    json_shape::string(value, location, c::HIGHLIGHT_POST_TAG)?.to_owned()
            }
            "filter" => self.filter = value.clone(),
            "sort" => self.sort = optional_strings(c::SORT)?.unwrap_or_default(),
            "distinct" => {
                self.distinct = if value.is_null() {
                    None
                } else {
                    Some(json_shape::string(value, location, c::DISTINCT)?.to_owned())
                }
            }
            "facets" => self.facets = optional_strings(c::FACETS)?,
            "matchingStrategy" => {
                self.matching_strategy = matching_strategy(value, location)?;
            }
            "attributesToSearchOn" => {
                self.attributes_to_search_on = optional_strings(c::ATTRIBUTES_TO_SEARCH_ON)?
            }
            "rankingScoreThreshold" => {
                self.ranking_score_threshold = ranking_score_threshold(value, location)?
            }
            "locales" => {
                // Locales only steer language detection in Meilisearch's tokenizer; the test
                // node's tokenizer is language independent, so they are validated and unused.
                optional_strings(c::LOCALES)?;
            }
            "retrieveVectors" => {
                json_shape::boolean(value, location, c::RETRIEVE_VECTORS)?;
            }
            "useNetwork" => {
                // A single test node has no network to search across.
                json_shape::boolean(value, location, c::USE_NETWORK)?;
            }
            "hybrid" | "vector" | "media" | "personalize" if !value.is_null() => {
                let code = match name {
                    "hybrid" => c::HYBRID,
                    "vector" => c::VECTOR,
                    "media" => c::MEDIA,
                    _ => c::PERSONALIZE,
                };
                return Err(unsupported(name, code));
            }
            "showRankingScore" => {
                self.show_ranking_score =
                    json_shape::boolean(value, location, c::SHOW_RANKING_SCORE)?
            }
            "showRankingScoreDetails" => {
                self.show_ranking_score_details =
                    json_shape::boolean(value, location, c::SHOW_RANKING_SCORE_DETAILS)?
            }
            "showMatchesPosition" | "showPerformanceDetails" => {
                let code = if name == "showMatchesPosition" {
                    c::SHOW_MATCHES_POSITION
                } else {
                    c::SHOW_PERFORMANCE_DETAILS
                };
                let asked = json_shape::boolean(value, location, code)?;
                if asked {
                    return Err(unsupported(name, code));
                }
            }
            // `indexUid`, `federationOptions` (read by the multi-search caller) and the
            // unsupported vector parameters set to `null`.
            _ => {}
        }
        Ok(())
    }

    /// Validates the query string of `GET /indexes/{uid}/search`.
    pub fn from_query_pairs(pairs: &[(String, String)]) -> NodeResult<Self> {
        let object = query_pairs_to_json(pairs)?;
        Self::from_json(&object, "", SEARCH_FIELDS)
    }

    /// Whether the request asks for exhaustive pagination (`page` / `hitsPerPage`).
    pub fn is_paginated(&self) -> bool {
        self.page.is_some() || self.hits_per_page.is_some()
    }

    /// The query text (`""` for a placeholder search).
    pub fn query_text(&self) -> &str {
        self.q.as_deref().unwrap_or_default()
    }
}

fn optional_integer(value: &Value, location: &str, code: ErrorCode) -> NodeResult<Option<usize>> {
    if value.is_null() {
        Ok(None)
    } else {
        json_shape::positive_integer(value, location, code).map(Some)
    }
}

fn matching_strategy(value: &Value, location: &str) -> NodeResult<MatchingStrategy> {
    let code = search_codes::MATCHING_STRATEGY;
    match json_shape::string(value, location, code)? {
        "last" => Ok(MatchingStrategy::Last),
        "all" => Ok(MatchingStrategy::All),
        "frequency" => Ok(MatchingStrategy::Frequency),
        other => Err(NodeError::new(
            code,
            format!("Unknown value `{other}` at `{location}`: expected one of `last`, `all`, `frequency`"),
        )),
    }
}

fn ranking_score_threshold(value: &Value, location: &str) -> NodeResult<Option<f64>> {
    if value.is_null() {
        return Ok(None);
    }
    let code = search_codes::RANKING_SCORE_THRESHOLD;
    let threshold = json_shape::number(value, location, code)?;
    if (0.0..=1.0).contains(&threshold) {
        Ok(Some(threshold))
    } else {
        Err(json_shape::invalid_value(
            location,
            "the value of `rankingScoreThreshold` is invalid, expected a float between `0.0` and `1.0`.",
            code,
        ))
    }
}

/// Turns `GET` query parameters into the equivalent JSON search object.
fn query_pairs_to_json(pairs: &[(String, String)]) -> NodeResult<Map<String, Value>> {
    use search_codes as c;
    let mut object = Map::new();
    for (name, raw) in pairs {
        let value = match name.as_str() {
            "q" | "cropMarker" | "highlightPreTag" | "highlightPostTag" | "distinct" => {
                Value::String(raw.clone())
            }
            "matchingStrategy" => {
                if !["last", "all", "frequency"].contains(&raw.as_str()) {
                    return Err(NodeError::new(
                        c::MATCHING_STRATEGY,
                        format!("Unknown value `{raw}` for parameter `matchingStrategy`: expected one of `last`, `all`, `frequency`"),
                    ));
                }
                Value::String(raw.clone())
            }
            "offset" => query_integer(name, raw, c::OFFSET)?,
            "limit" => query_integer(name, raw, c::LIMIT)?,
            "page" => query_integer(name, raw, c::PAGE)?,
            "hitsPerPage" => query_integer(name, raw, c::HITS_PER_PAGE)?,
            "cropLength" => query_integer(name, raw, c::CROP_LENGTH)?,
            "attributesToRetrieve" | "attributesToCrop" | "attributesToHighlight" | "facets"
            | "attributesToSearchOn" | "locales" | "sort" => {
                Value::Array(json_shape::query_list(raw).into_iter().map(Value::String).collect())
            }
            "filter" => query_filter(raw),
            "showMatchesPosition" => query_bool(name, raw, c::SHOW_MATCHES_POSITION)?,
            "showRankingScore" => query_bool(name, raw, c::SHOW_RANKING_SCORE)?,
            "showRankingScoreDetails" => query_bool(name, raw, c::SHOW_RANKING_SCORE_DETAILS)?,
            "showPerformanceDetails" => query_bool(name, raw, c::SHOW_PERFORMANCE_DETAILS)?,
            "retrieveVectors" => query_bool(name, raw, c::RETRIEVE_VECTORS)?,
            "useNetwork" => query_bool(name, raw, c::USE_NETWORK)?,
            "rankingScoreThreshold" => raw.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number).ok_or_else(|| {
                NodeError::new(
                    c::RANKING_SCORE_THRESHOLD,
                    format!("Invalid value in parameter `rankingScoreThreshold`: could not parse `{raw}` as a float"),
                )
            })?,
            "vector" | "hybridEmbedder" | "hybridSemanticRatio" => {
                let code = if name == "vector" { c::VECTOR } else { c::HYBRID };
                return Err(unsupported(name, code));
            }
            other => {
                let expected: Vec<String> = GET_SEARCH_PARAMETERS
                    .iter()
                    .map(|parameter| format!("`{parameter}`"))
                    .collect();
                return Err(NodeError::new(
                    codes::BAD_REQUEST,
                    format!("Unknown parameter `{other}`: expected one of {}", expected.join(", ")),
                ));
            }
        };
        object.insert(name.clone(), value);
    }
    Ok(object)
}

fn query_integer(name: &str, raw: &str, code: ErrorCode) -> NodeResult<Value> {
    json_shape::query_positive_integer(name, raw, code).map(Value::from)
}

fn query_bool(name: &str, raw: &str, code: ErrorCode) -> NodeResult<Value> {
    json_shape::query_boolean(name, raw, code).map(Value::Bool)
}

/// A `filter` query parameter: a JSON array when it is one, else the filter string.
fn query_filter(raw: &str) -> Value {
    if raw.trim_start().starts_with('[') {
        if let Ok(array @ Value::Array(_)) = serde_json::from_str::<Value>(raw) {
            return array;
        }
    }
    Value::String(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: Value) -> NodeResult<SearchParameters> {
        SearchParameters::from_json(body.as_object().unwrap(), "", SEARCH_FIELDS)
    }

    #[test]
    fn defaults_apply_and_fields_are_read() {
        let parameters = parse(json!({"q": "dark", "limit": 3, "sort": ["year:asc"],
            "matchingStrategy": "all", "showRankingScore": true}))
        .unwrap();
        assert_eq!(parameters.q.as_deref(), Some("dark"));
        assert_eq!((parameters.offset, parameters.limit), (0, 3));
        assert_eq!(parameters.sort, vec!["year:asc".to_owned()]);
        assert_eq!(parameters.matching_strategy, MatchingStrategy::All);
        assert!(parameters.show_ranking_score && !parameters.is_paginated());
    }

    #[test]
    fn type_errors_name_the_field_and_code() {
        let error = parse(json!({"q": "", "limit": "ten"})).unwrap_err();
        assert_eq!(error.code.name, "invalid_search_limit");
        assert_eq!(
            error.message,
            "Invalid value type at `.limit`: expected a positive integer, but found a string: `\"ten\"`"
        );
    }

    #[test]
    fn unknown_fields_list_every_accepted_field_and_nest() {
        let error = parse(json!({"unknownParam": 1})).unwrap_err();
        assert!(error
            .message
            .starts_with("Unknown field `unknownParam`: expected one of `q`, `offset`"));
        assert!(error.message.ends_with("`showPerformanceDetails`"));
        let nested = unknown_field(".queries[0]", "x", &["q"]);
        assert_eq!(
            nested.message,
            "Unknown field `x` inside `.queries[0]`: expected one of `q`"
        );
    }

    #[test]
    fn matching_strategy_and_threshold_are_checked() {
        let error = parse(json!({"matchingStrategy": "most"})).unwrap_err();
        assert_eq!(
            error.message,
            "Unknown value `most` at `.matchingStrategy`: expected one of `last`, `all`, `frequency`"
        );
        assert!(parse(json!({"rankingScoreThreshold": 1.5})).is_err());
        assert_eq!(
            parse(json!({"rankingScoreThreshold": 0.5}))
                .unwrap()
                .ranking_score_threshold,
            Some(0.5)
        );
    }

    #[test]
    fn unsupported_features_are_errors_not_ignored() {
        assert_eq!(
            parse(json!({"hybrid": {"embedder": "x"}}))
                .unwrap_err()
                .code
                .name,
            "invalid_search_hybrid_query"
        );
        assert!(parse(json!({"showMatchesPosition": true})).is_err());
        assert!(parse(json!({"showMatchesPosition": false, "hybrid": null})).is_ok());
    }

    #[test]
    fn query_string_form_parses_lists_numbers_and_filters() {
        let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
            items
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        };
        let parameters = SearchParameters::from_query_pairs(&pairs(&[
            ("q", "nolan"),
            ("limit", "2"),
            ("facets", "genres,year"),
            ("filter", "[\"year > 2000\"]"),
        ]))
        .unwrap();
        assert_eq!(parameters.limit, 2);
        assert_eq!(
            parameters.facets,
            Some(vec!["genres".to_owned(), "year".to_owned()])
        );
        assert_eq!(parameters.filter, json!(["year > 2000"]));
        let error = SearchParameters::from_query_pairs(&pairs(&[("limit", "ten")])).unwrap_err();
        assert_eq!(
            error.message,
            "Invalid value in parameter `limit`: could not parse `ten` as a positive integer"
        );
        assert!(SearchParameters::from_query_pairs(&pairs(&[("nope", "1")]))
            .unwrap_err()
            .message
            .starts_with("Unknown parameter `nope`"));
    }
}
