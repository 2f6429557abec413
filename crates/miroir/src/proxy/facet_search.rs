//! `POST /indexes/{uid}/facet-search`: every node of the covering set searches the facet values
//! of its own shards (the client's body plus a `_miroir_shard` filter when the node holds
//! replicas it does not answer for); the core merger sums the counts per value and orders and
//! truncates them like one Meilisearch would.
//!
//! Miroir's reserved attributes are not facet-searchable for clients: asking for one gets the
//! error Meilisearch gives for any attribute that is not filterable, listing only the client's
//! filterable attributes.

use std::collections::BTreeSet;

use axum::http::Method;
use miroir_core::error::{ApiError, ErrorCode};
use miroir_core::merger::{merge_facet_search, FacetSearchPlan, RESERVED_FIELD_PREFIX};
use serde_json::Value;

use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

impl Proxy {
    /// `POST /indexes/{uid}/facet-search` with the client's JSON body.
    pub async fn facet_search(&self, index_uid: &str, body: Value) -> Result<Reply, ProxyError> {
        self.facet_search_unworded(index_uid, body).await
    }

    /// [`Proxy::facet_search`] with node errors as the nodes worded them.
    async fn facet_search_unworded(
        &self,
        index_uid: &str,
        body: Value,
    ) -> Result<Reply, ProxyError> {
        let path = format!("/indexes/{index_uid}/facet-search");
        let forward = |body: &Value| NodeRequest::json(Method::POST, path.clone(), body);
        let Value::Object(fields) = body else {
            // Not an object: a node explains it with Meilisearch's exact error.
            return self.ask_any_node(&forward(&body)).await;
        };
        let registered = self
            .peer
            .read(|state| state.index(index_uid).cloned())
            .await;
        let (Some(index), Ok(plan)) = (registered, FacetSearchPlan::new(&fields)) else {
            // Unknown index or a body Miroir cannot plan with: a node answers Meilisearch's
            // error (or, for an index Miroir does not manage, its answer).
            return self.ask_any_node(&forward(&Value::Object(fields))).await;
        };
        if let Some(Value::String(facet_name)) = fields.get("facetName") {
            if facet_name.starts_with(RESERVED_FIELD_PREFIX) {
                return Err(self.not_facet_searchable(index_uid, facet_name).await?);
            }
        }
        let gathered = self
            .scatter_index(index.shards, &fields, |body| forward(&Value::Object(body)))
            .await?;
        let degraded = self.degraded_shards(&gathered.unavailable)?;
        let merged = merge_facet_search(&plan, gathered.answers).map_err(|error| {
            ProxyError::Internal(format!("merging facet-search answers: {error}"))
        })?;
        let mut reply = Reply::ok(Value::Object(merged));
        reply.degraded = degraded;
        Ok(reply)
    }

    /// Meilisearch's error for a facet name that is not filterable, with the index's filterable
    /// attributes as its client sees them (without Miroir's reserved ones).
    async fn not_facet_searchable(
        &self,
        index_uid: &str,
        facet_name: &str,
    ) -> Result<ProxyError, ProxyError> {
        let path = format!("/indexes/{index_uid}/settings/filterable-attributes");
        let filterable = self
            .ask_any_node(&NodeRequest::new(Method::GET, path))
            .await?;
        let patterns = client_filterable_patterns(&filterable.body);
        Ok(ProxyError::Api(not_facet_searchable_error(
            facet_name, &patterns,
        )))
    }
}

/// The attribute patterns of a `filterableAttributes` setting (plain names, or the objects'
/// `attributePatterns`), sorted, without Miroir's reserved attributes.
fn client_filterable_patterns(setting: &Value) -> BTreeSet<String> {
    let mut patterns = BTreeSet::new();
    for rule in setting.as_array().into_iter().flatten() {
        match rule {
            Value::String(name) => {
                patterns.insert(name.clone());
            }
            Value::Object(rule) => {
                let listed = rule.get("attributePatterns").and_then(Value::as_array);
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
    patterns.retain(|pattern| !pattern.starts_with(RESERVED_FIELD_PREFIX));
    patterns
}

/// Meilisearch's `invalid_facet_search_facet_name` error (fixture "facet search on
/// non-filterable").
fn not_facet_searchable_error(facet_name: &str, patterns: &BTreeSet<String>) -> ApiError {
    let available = if patterns.is_empty() {
        "This index does not have configured facet-searchable attributes.".to_owned()
    } else {
        let listed: Vec<&str> = patterns.iter().map(String::as_str).collect();
        format!(
            "Available facet-searchable attributes patterns are: `{}`.",
            listed.join(", ")
        )
    };
    let message = format!(
        "Attribute `{facet_name}` is not facet-searchable. {available} To make it facet-searchable add it to the `filterableAttributes` index settings."
    );
    ApiError::new(ErrorCode::InvalidFacetSearchFacetName, message)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Fixture "facet search on non-filterable", byte for byte.
    #[test]
    fn the_error_matches_the_recorded_one_and_hides_reserved_attributes() {
        let setting = json!([
            "year",
            "_miroir_shard",
            "genres",
            "director",
            "tags",
            "rating"
        ]);
        let error = not_facet_searchable_error("title", &client_filterable_patterns(&setting));
        assert_eq!(error.http_status(), 400);
        assert_eq!(
            serde_json::to_value(error.to_body()).unwrap(),
            json!({"message": "Attribute `title` is not facet-searchable. Available facet-searchable attributes patterns are: `director, genres, rating, tags, year`. To make it facet-searchable add it to the `filterableAttributes` index settings.", "code": "invalid_facet_search_facet_name", "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#invalid_facet_search_facet_name"})
        );
    }

    #[test]
    fn object_rules_contribute_their_patterns_and_an_empty_list_says_so() {
        let setting = json!([{"attributePatterns": ["genre*", "_miroir_shard"]}, "year"]);
        assert_eq!(
            client_filterable_patterns(&setting),
            BTreeSet::from(["genre*".to_owned(), "year".to_owned()])
        );
        let error = not_facet_searchable_error(
            "_miroir_shard",
            &client_filterable_patterns(&json!(["_miroir_shard"])),
        );
        assert!(error
            .to_body()
            .message
            .contains("This index does not have configured facet-searchable attributes."));
    }
}
