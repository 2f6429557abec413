//! Index settings: the full object with Meilisearch v1.50's defaults, validation of updates
//! with Meilisearch's error codes and wording, and typed views the search path needs.
//!
//! Settings are kept as JSON values in Meilisearch's canonical field order; one table
//! ([`SETTINGS`]) names each setting, its sub-route, its default and its validator. An update
//! is a [`SettingsPatch`]: the validated, normalised fields in canonical order, which is also
//! what the `settingsUpdate` task shows as its `details`.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use crate::errors::{invalid, ErrorCode, NodeError, NodeResult};
use crate::json_shape::{self, element_location};

/// How an update of one setting is validated and applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Array of strings, order kept.
    StringList,
    /// Array of strings, stored sorted and deduplicated (a `BTreeSet` in Meilisearch).
    StringSet,
    /// `filterableAttributes`: strings or granular `{attributePatterns, features}` objects.
    Filterable,
    /// Ranking rules, each checked.
    RankingRules,
    /// `{word: [synonyms]}`.
    Synonyms,
    /// A string or null.
    OptionalString,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
    /// Object merged field by field onto the current value.
    MergedObject,
    /// Any object, stored as given.
    Object,
    /// A non-negative integer or null.
    OptionalInteger,
    /// Array or null, stored as given.
    OptionalArray,
    /// A boolean.
    Boolean,
}

/// One setting: its JSON name, sub-route, default, error code and shape.
struct SettingSpec {
    name: &'static str,
    route: &'static str,
    code: ErrorCode,
    shape: Shape,
    /// Shown by `GET /settings` (`foreignKeys` and `chat` are accepted but not shown).
    displayed: bool,
}

const fn spec(
    name: &'static str,
    route: &'static str,
    code: &'static str,
    shape: Shape,
) -> SettingSpec {
    SettingSpec {
        name,
        route,
        code: invalid(code),
        shape,
        displayed: true,
    }
}

const fn hidden(name: &'static str, code: &'static str, shape: Shape) -> SettingSpec {
    SettingSpec {
        name,
        route: "",
        code: invalid(code),
        shape,
        displayed: false,
    }
}

/// Every setting in Meilisearch's canonical order (the order of the unknown-field message).
const SETTINGS: &[SettingSpec] = &[
    spec(
        "displayedAttributes",
        "displayed-attributes",
        "invalid_settings_displayed_attributes",
        Shape::StringList,
    ),
    spec(
        "searchableAttributes",
        "searchable-attributes",
        "invalid_settings_searchable_attributes",
        Shape::StringList,
    ),
    spec(
        "filterableAttributes",
        "filterable-attributes",
        "invalid_settings_filterable_attributes",
        Shape::Filterable,
    ),
    spec(
        "sortableAttributes",
        "sortable-attributes",
        "invalid_settings_sortable_attributes",
        Shape::StringSet,
    ),
    hidden(
        "foreignKeys",
        "invalid_settings_foreign_keys",
        Shape::OptionalArray,
    ),
    spec(
        "rankingRules",
        "ranking-rules",
        "invalid_settings_ranking_rules",
        Shape::RankingRules,
    ),
    spec(
        "stopWords",
        "stop-words",
        "invalid_settings_stop_words",
        Shape::StringSet,
    ),
    spec(
        "nonSeparatorTokens",
        "non-separator-tokens",
        "invalid_settings_non_separator_tokens",
        Shape::StringSet,
    ),
    spec(
        "separatorTokens",
        "separator-tokens",
        "invalid_settings_separator_tokens",
        Shape::StringSet,
    ),
    spec(
        "dictionary",
        "dictionary",
        "invalid_settings_dictionary",
        Shape::StringSet,
    ),
    spec(
        "synonyms",
        "synonyms",
        "invalid_settings_synonyms",
        Shape::Synonyms,
    ),
    spec(
        "distinctAttribute",
        "distinct-attribute",
        "invalid_settings_distinct_attribute",
        Shape::OptionalString,
    ),
    spec(
        "proximityPrecision",
        "proximity-precision",
        "invalid_settings_proximity_precision",
        Shape::Choice(&["byWord", "byAttribute"]),
    ),
    spec(
        "typoTolerance",
        "typo-tolerance",
        "invalid_settings_typo_tolerance",
        Shape::MergedObject,
    ),
    spec(
        "faceting",
        "faceting",
        "invalid_settings_faceting",
        Shape::MergedObject,
    ),
    spec(
        "pagination",
        "pagination",
        "invalid_settings_pagination",
        Shape::MergedObject,
    ),
    spec(
        "embedders",
        "embedders",
        "invalid_settings_embedders",
        Shape::Object,
    ),
    spec(
        "searchCutoffMs",
        "search-cutoff-ms",
        "invalid_settings_search_cutoff_ms",
        Shape::OptionalInteger,
    ),
    spec(
        "localizedAttributes",
        "localized-attributes",
        "invalid_settings_localized_attributes",
        Shape::OptionalArray,
    ),
    spec(
        "facetSearch",
        "facet-search",
        "invalid_settings_facet_search",
        Shape::Boolean,
    ),
    spec(
        "prefixSearch",
        "prefix-search",
        "invalid_settings_prefix_search",
        Shape::Choice(&["indexingTime", "disabled"]),
    ),
    hidden("chat", "invalid_settings_chat", Shape::Object),
];

/// The built-in ranking rules Meilisearch v1.50 accepts.
const BUILT_IN_RANKING_RULES: &[&str] = &[
    "words",
    "typo",
    "proximity",
    "attribute",
    "attributeRank",
    "wordPosition",
    "sort",
    "exactness",
];

fn default_value(name: &str) -> Value {
    match name {
        "displayedAttributes" | "searchableAttributes" => json!(["*"]),
        "rankingRules" => {
            json!([
                "words",
                "typo",
                "proximity",
                "attributeRank",
                "sort",
                "wordPosition",
                "exactness"
            ])
        }
        "filterableAttributes"
        | "sortableAttributes"
        | "stopWords"
        | "nonSeparatorTokens"
        | "separatorTokens"
        | "dictionary"
        | "foreignKeys" => json!([]),
        "synonyms" | "embedders" | "chat" => json!({}),
        "proximityPrecision" => json!("byWord"),
        "typoTolerance" => json!({
            "enabled": true,
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
            "disableOnWords": [],
            "disableOnAttributes": [],
            "disableOnNumbers": false
        }),
        "faceting" => json!({"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}}),
        "pagination" => json!({"maxTotalHits": 1000}),
        "facetSearch" => json!(true),
        "prefixSearch" => json!("indexingTime"),
        _ => Value::Null,
    }
}

fn spec_by_name(name: &str) -> Option<&'static SettingSpec> {
    SETTINGS.iter().find(|spec| spec.name == name)
}

/// The JSON name of the setting served at `/settings/{route}`, if any.
pub fn setting_for_route(route: &str) -> Option<&'static str> {
    SETTINGS
        .iter()
        .find(|spec| spec.displayed && spec.route == route)
        .map(|spec| spec.name)
}

/// A validated settings update: normalised fields in canonical order (`null` = reset).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsPatch {
    fields: IndexMap<&'static str, Value>,
}

impl SettingsPatch {
    /// Validates a whole-object update (`PATCH /settings`).
    pub fn from_object(body: &Value) -> NodeResult<Self> {
        let object = json_shape::object(body, "", invalid("bad_request"))?;
        let accepted: Vec<&str> = SETTINGS.iter().map(|spec| spec.name).collect();
        json_shape::reject_unknown_fields(object, &accepted)?;
        let mut fields = IndexMap::new();
        for spec in SETTINGS {
            if let Some(value) = object.get(spec.name) {
                let location = format!(".{}", spec.name);
                fields.insert(spec.name, normalise(spec, value, &location)?);
            }
        }
        Ok(Self { fields })
    }

    /// Validates the body of one sub-setting route (`PUT /settings/stop-words`).
    pub fn from_single(name: &str, body: &Value) -> NodeResult<Self> {
        let Some(spec) = spec_by_name(name) else {
            return Err(json_shape::bad_request(format!("unknown setting `{name}`")));
        };
        let mut fields = IndexMap::new();
        fields.insert(spec.name, normalise(spec, body, "")?);
        Ok(Self { fields })
    }

    /// Resets every setting (`DELETE /settings`).
    pub fn reset_all() -> Self {
        Self {
            fields: SETTINGS
                .iter()
                .map(|spec| (spec.name, Value::Null))
                .collect(),
        }
    }

    /// Resets one setting (`DELETE /settings/stop-words`).
    pub fn reset_one(name: &'static str) -> Self {
        Self {
            fields: IndexMap::from([(name, Value::Null)]),
        }
    }

    /// The task `details` of this update.
    pub fn details(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }
}

fn normalise(spec: &SettingSpec, value: &Value, location: &str) -> NodeResult<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let code = spec.code;
    match spec.shape {
        Shape::StringList => Ok(json!(json_shape::string_array(value, location, code)?)),
        Shape::StringSet => {
            let mut items = json_shape::string_array(value, location, code)?;
            items.sort();
            items.dedup();
            Ok(json!(items))
        }
        Shape::Filterable => {
            let items = value
                .as_array()
                .ok_or_else(|| json_shape::invalid_type(location, "an array", value, code))?;
            for (position, item) in items.iter().enumerate() {
                let item_location = element_location(location, position);
                match item {
                    Value::String(_) => {}
                    Value::Object(granular) => {
                        let patterns = granular.get("attributePatterns").unwrap_or(&Value::Null);
                        json_shape::string_array(
                            patterns,
                            &format!("{item_location}.attributePatterns"),
                            code,
                        )?;
                    }
                    other => {
                        return Err(json_shape::invalid_type(
                            &item_location,
                            "a string",
                            other,
                            code,
                        ))
                    }
                }
            }
            Ok(value.clone())
        }
        Shape::RankingRules => {
            let rules = json_shape::string_array(value, location, code)?;
            for (position, rule) in rules.iter().enumerate() {
                if !is_valid_ranking_rule(rule) {
                    return Err(json_shape::invalid_value(
                        &element_location(location, position),
                        &format!(
                            "`{rule}` ranking rule is invalid. Valid ranking rules are words, typo, sort, proximity, attribute, exactness and custom ranking rules."
                        ),
                        code,
                    ));
                }
            }
            Ok(json!(rules))
        }
        Shape::Synonyms => {
            let object = json_shape::object(value, location, code)?;
            let mut sorted: Vec<(&String, Vec<String>)> = Vec::with_capacity(object.len());
            for (word, synonyms) in object {
                let mut list =
                    json_shape::string_array(synonyms, &format!("{location}.{word}"), code)?;
                list.sort();
                list.dedup();
                sorted.push((word, list));
            }
            sorted.sort_by(|left, right| left.0.cmp(right.0));
            Ok(Value::Object(
                sorted
                    .into_iter()
                    .map(|(word, list)| (word.clone(), json!(list)))
                    .collect(),
            ))
        }
        Shape::OptionalString => Ok(json!(json_shape::string(value, location, code)?)),
        Shape::Choice(choices) => {
            let text = json_shape::string(value, location, code)?;
            if choices.contains(&text) {
                Ok(json!(text))
            } else {
                let expected: Vec<String> =
                    choices.iter().map(|choice| format!("`{choice}`")).collect();
                Err(NodeError::new(
                    code,
                    format!(
                        "Unknown value `{text}` at `{location}`: expected one of {}",
                        expected.join(", ")
                    ),
                ))
            }
        }
        Shape::MergedObject => normalise_object_setting(spec.name, value, location, code),
        Shape::Object => Ok(Value::Object(
            json_shape::object(value, location, code)?.clone(),
        )),
        Shape::OptionalInteger => Ok(json!(json_shape::positive_integer(value, location, code)?)),
        Shape::OptionalArray => {
            value
                .as_array()
                .ok_or_else(|| json_shape::invalid_type(location, "an array", value, code))?;
            Ok(value.clone())
        }
        Shape::Boolean => Ok(json!(json_shape::boolean(value, location, code)?)),
    }
}

/// Validates `typoTolerance`, `faceting` and `pagination` (objects merged onto the current value).
fn normalise_object_setting(
    name: &str,
    value: &Value,
    location: &str,
    code: ErrorCode,
) -> NodeResult<Value> {
    let object = json_shape::object(value, location, code)?;
    let accepted: &[&str] = match name {
        "typoTolerance" => &[
            "enabled",
            "minWordSizeForTypos",
            "disableOnWords",
            "disableOnAttributes",
            "disableOnNumbers",
        ],
        "faceting" => &["maxValuesPerFacet", "sortFacetValuesBy"],
        _ => &["maxTotalHits"],
    };
    if let Some(unknown) = object
        .keys()
        .find(|field| !accepted.contains(&field.as_str()))
    {
        let expected: Vec<String> = accepted.iter().map(|field| format!("`{field}`")).collect();
        return Err(NodeError::new(
            code,
            format!(
                "Unknown field `{unknown}` inside `{location}`: expected one of {}",
                expected.join(", ")
            ),
        ));
    }
    let mut normalised = Map::new();
    for (field, field_value) in object {
        let field_location = format!("{location}.{field}");
        let checked = match field.as_str() {
            _ if field_value.is_null() => Value::Null,
            "enabled" | "disableOnNumbers" => {
                json!(json_shape::boolean(field_value, &field_location, code)?)
            }
            "disableOnWords" | "disableOnAttributes" => {
                let mut words = json_shape::string_array(field_value, &field_location, code)?;
                words.sort();
                words.dedup();
                json!(words)
            }
            "minWordSizeForTypos" => {
                let sizes = json_shape::object(field_value, &field_location, code)?;
                let mut checked_sizes = Map::new();
                for (size_name, size) in sizes {
                    let size_location = format!("{field_location}.{size_name}");
                    if size_name != "oneTypo" && size_name != "twoTypos" {
                        return Err(NodeError::unknown_field(
                            size_name,
                            &["oneTypo", "twoTypos"],
                        ));
                    }
                    checked_sizes.insert(
                        size_name.clone(),
                        json!(json_shape::positive_integer(size, &size_location, code)?),
                    );
                }
                Value::Object(checked_sizes)
            }
            "sortFacetValuesBy" => {
                let orders = json_shape::object(field_value, &field_location, code)?;
                for (attribute, order) in orders {
                    let order_text =
                        json_shape::string(order, &format!("{field_location}.{attribute}"), code)?;
                    if order_text != "alpha" && order_text != "count" {
                        return Err(NodeError::new(
                            code,
                            format!("Unknown value `{order_text}` at `{field_location}.{attribute}`: expected one of `alpha`, `count`"),
                        ));
                    }
                }
                field_value.clone()
            }
            _ => json!(json_shape::positive_integer(
                field_value,
                &field_location,
                code
            )?),
        };
        normalised.insert(field.clone(), checked);
    }
    Ok(Value::Object(normalised))
}

fn is_valid_ranking_rule(rule: &str) -> bool {
    if BUILT_IN_RANKING_RULES.contains(&rule) {
        return true;
    }
    match rule.rsplit_once(':') {
        Some((field, direction)) => {
            !field.is_empty() && (direction == "asc" || direction == "desc")
        }
        None => false,
    }
}

/// The settings of one index.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    values: IndexMap<&'static str, Value>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            values: SETTINGS
                .iter()
                .map(|spec| (spec.name, default_value(spec.name)))
                .collect(),
        }
    }
}

impl Settings {
    /// The object `GET /indexes/{uid}/settings` answers.
    pub fn to_json(&self) -> Value {
        let displayed = SETTINGS.iter().filter(|spec| spec.displayed);
        Value::Object(
            displayed
                .map(|spec| (spec.name.to_owned(), self.get(spec.name)))
                .collect(),
        )
    }

    /// The current value of one setting.
    pub fn get(&self, name: &str) -> Value {
        self.values.get(name).cloned().unwrap_or(Value::Null)
    }

    /// Applies a validated update (null resets a setting; object settings merge).
    pub fn apply(&mut self, patch: &SettingsPatch) {
        for (name, value) in &patch.fields {
            let merged = match (value, spec_by_name(name).map(|spec| spec.shape)) {
                (Value::Null, _) => default_value(name),
                (Value::Object(update), Some(Shape::MergedObject)) => {
                    let mut current = self.get(name);
                    merge_object(&mut current, update, &default_value(name));
                    current
                }
                (other, _) => other.clone(),
            };
            self.values.insert(name, merged);
        }
    }

    fn strings(&self, name: &str) -> Vec<String> {
        self.values
            .get(name)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `rankingRules`.
    pub fn ranking_rules(&self) -> Vec<String> {
        self.strings("rankingRules")
    }

    /// `searchableAttributes` (`["*"]` = all).
    pub fn searchable_attributes(&self) -> Vec<String> {
        self.strings("searchableAttributes")
    }

    /// `displayedAttributes` (`["*"]` = all).
    pub fn displayed_attributes(&self) -> Vec<String> {
        self.strings("displayedAttributes")
    }

    /// `sortableAttributes`, sorted.
    pub fn sortable_attributes(&self) -> Vec<String> {
        self.strings("sortableAttributes")
    }

    /// `stopWords`.
    pub fn stop_words(&self) -> Vec<String> {
        self.strings("stopWords")
    }

    /// The attribute patterns of `filterableAttributes` (granular entries contribute their
    /// `attributePatterns`), in settings order.
    pub fn filterable_patterns(&self) -> Vec<String> {
        let Some(items) = self
            .values
            .get("filterableAttributes")
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        let mut patterns = Vec::new();
        for item in items {
            match item {
                Value::String(pattern) => patterns.push(pattern.clone()),
                Value::Object(granular) => {
                    let listed = granular.get("attributePatterns").and_then(Value::as_array);
                    patterns.extend(
                        listed
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_owned),
                    );
                }
                _ => {}
            }
        }
        patterns
    }

    /// The `typoTolerance` object.
    pub fn typo_tolerance(&self) -> Value {
        self.get("typoTolerance")
    }

    /// `pagination.maxTotalHits`.
    pub fn max_total_hits(&self) -> usize {
        self.nested_integer("pagination", "maxTotalHits", 1000)
    }

    /// `faceting.maxValuesPerFacet`.
    pub fn max_values_per_facet(&self) -> usize {
        self.nested_integer("faceting", "maxValuesPerFacet", 100)
    }

    /// Whether `faceting.sortFacetValuesBy` orders `attribute`'s values by count.
    pub fn sorts_facet_by_count(&self, attribute: &str) -> bool {
        let orders = self.get("faceting");
        let order_of = |key: &str| {
            orders
                .get("sortFacetValuesBy")
                .and_then(|by| by.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        order_of(attribute)
            .or_else(|| order_of("*"))
            .is_some_and(|order| order == "count")
    }

    /// `distinctAttribute`.
    pub fn distinct_attribute(&self) -> Option<String> {
        self.values
            .get("distinctAttribute")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// `facetSearch`.
    pub fn facet_search_enabled(&self) -> bool {
        self.values
            .get("facetSearch")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    }

    fn nested_integer(&self, name: &str, field: &str, fallback: usize) -> usize {
        self.values
            .get(name)
            .and_then(|value| value.get(field))
            .and_then(Value::as_u64)
            .and_then(|number| usize::try_from(number).ok())
            .unwrap_or(fallback)
    }
}

/// Merges `update` onto `current`: null fields take the default, nested objects merge.
fn merge_object(current: &mut Value, update: &Map<String, Value>, default: &Value) {
    let Value::Object(current_fields) = current else {
        *current = Value::Object(update.clone());
        return;
    };
    for (field, value) in update {
        let field_default = default.get(field).cloned().unwrap_or(Value::Null);
        match value {
            Value::Null => {
                current_fields.insert(field.clone(), field_default);
            }
            Value::Object(nested) if field != "sortFacetValuesBy" => {
                let entry = current_fields
                    .entry(field.clone())
                    .or_insert_with(|| field_default.clone());
                merge_object(entry, nested, &field_default);
            }
            other => {
                current_fields.insert(field.clone(), other.clone());
            }
        }
    }
}

/// Whether `attribute` matches one of Meilisearch's attribute `patterns` (`*`, `a*`, `*a`,
/// `*a*`, exact names, and parents: `a` covers `a.b`).
pub fn matches_attribute_patterns(attribute: &str, patterns: &[String]) -> bool {
    patterns
        .iter()
        .any(|pattern| matches_attribute_pattern(attribute, pattern))
}

fn matches_attribute_pattern(attribute: &str, pattern: &str) -> bool {
    if pattern == "*" || pattern == attribute {
        return true;
    }
    if attribute.starts_with(pattern) && attribute[pattern.len()..].starts_with('.') {
        return true;
    }
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), _) if rest.ends_with('*') => attribute.contains(&rest[..rest.len() - 1]),
        (Some(suffix), _) => attribute.ends_with(suffix),
        (None, Some(prefix)) => attribute.starts_with(prefix),
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_meilisearch_order_and_values() {
        let object = Settings::default().to_json();
        let names: Vec<&String> = object.as_object().unwrap().keys().collect();
        assert_eq!(
            names.first().map(|name| name.as_str()),
            Some("displayedAttributes")
        );
        assert_eq!(names.last().map(|name| name.as_str()), Some("prefixSearch"));
        assert_eq!(names.len(), 20);
        assert_eq!(object["pagination"], json!({"maxTotalHits": 1000}));
    }

    #[test]
    fn patch_sorts_sortable_but_keeps_filterable_order() {
        let patch = SettingsPatch::from_object(&json!({
            "sortableAttributes": ["year", "rating", "title"],
            "filterableAttributes": ["genres", "year"]
        }))
        .unwrap();
        assert_eq!(
            Value::Object(patch.details()),
            json!({"filterableAttributes": ["genres", "year"], "sortableAttributes": ["rating", "title", "year"]})
        );
    }

    #[test]
    fn invalid_ranking_rule_is_reported_with_position() {
        let error = SettingsPatch::from_object(&json!({"rankingRules": ["words", "nonsense"]}))
            .unwrap_err();
        assert!(error
            .message
            .starts_with("Invalid value at `.rankingRules[1]`: `nonsense` ranking rule"));
        assert!(
            SettingsPatch::from_object(&json!({"rankingRules": ["year:desc", "words"]})).is_ok()
        );
    }

    #[test]
    fn object_settings_merge_and_reset() {
        let mut settings = Settings::default();
        settings.apply(
            &SettingsPatch::from_object(
                &json!({"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 4}}}),
            )
            .unwrap(),
        );
        assert_eq!(
            settings.typo_tolerance()["minWordSizeForTypos"],
            json!({"oneTypo": 4, "twoTypos": 9})
        );
        assert_eq!(settings.typo_tolerance()["enabled"], json!(true));
        settings.apply(&SettingsPatch::reset_one("typoTolerance"));
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn attribute_patterns_cover_nested_fields_and_wildcards() {
        let patterns = vec!["genres".to_owned(), "meta*".to_owned()];
        assert!(matches_attribute_patterns("genres", &patterns));
        assert!(matches_attribute_patterns("genres.name", &patterns));
        assert!(matches_attribute_patterns("metadata", &patterns));
        assert!(!matches_attribute_patterns("title", &patterns));
    }
}
