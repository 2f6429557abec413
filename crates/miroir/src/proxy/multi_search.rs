//! `POST /multi-search`, plain and federated.
//!
//! ```text
//!   plain      queries ─► one sharded search each (concurrently) ─► {results: [{indexUid, …}]}
//!   federated  body ─► prepare_federated_node_query ─► each node of the covering sets of all
//!              queried indexes runs the whole federation over its shards ─► merge_federated
//! ```
//!
//! Whatever Miroir cannot plan with (not the expected shape, an index it does not manage, no
//! query at all) goes unchanged to one node, which answers exactly what Meilisearch answers.
//! When a query of a plain multi-search fails with a Meilisearch error, the whole request goes
//! to one node too, so the client gets Meilisearch's error for the whole request
//! (``Inside `.queries[i]`: …``, status and the first failing query as Meilisearch picks them).
//! Shards without a live replica, over all queries, follow the unavailable-shard policy like a
//! single search (`X-Miroir-Degraded: shards=…`).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use futures::future::join_all;
use miroir_core::error::{ApiError, ErrorBody};
use miroir_core::merger::{merge_federated, prepare_federated_node_query};
use serde_json::{Map, Value};

use super::scatter::ScatterTarget;
use super::search::shard_scoped_body;
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

/// The route, also the nodes' route.
const MULTI_SEARCH_PATH: &str = "/multi-search";

/// Top-level fields of a multi-search body.
const MULTI_SEARCH_FIELDS: [&str; 2] = ["queries", "federation"];

impl Proxy {
    /// `POST /multi-search` with the client's JSON body.
    pub async fn multi_search(&self, body: Value) -> Result<Reply, ProxyError> {
        self.multi_search_unworded(body).await
    }

    /// [`Proxy::multi_search`] with node errors as the nodes worded them.
    async fn multi_search_unworded(&self, body: Value) -> Result<Reply, ProxyError> {
        let whole_request = NodeRequest::json(Method::POST, MULTI_SEARCH_PATH, &body);
        let Value::Object(fields) = body else {
            return self.ask_any_node(&whole_request).await;
        };
        let plannable = fields
            .keys()
            .all(|field| MULTI_SEARCH_FIELDS.contains(&field.as_str()))
            && matches!(fields.get("queries"), Some(Value::Array(queries)) if !queries.is_empty());
        if !plannable {
            return self.ask_any_node(&whole_request).await;
        }
        if is_set(fields.get("federation")) {
            self.federated_search(&fields, &whole_request).await
        } else {
            self.plain_multi_search(&fields, &whole_request).await
        }
    }

    /// Each query as a sharded search of its index, all at once; results in query order.
    async fn plain_multi_search(
        &self,
        fields: &Map<String, Value>,
        whole_request: &NodeRequest,
    ) -> Result<Reply, ProxyError> {
        let Some(searches) = plain_searches(fields) else {
            return self.ask_any_node(whole_request).await;
        };
        let outcomes = join_all(
            searches
                .iter()
                .map(|(index_uid, body)| self.sharded_search(index_uid, body.clone())),
        )
        .await;
        let mut results = Vec::with_capacity(outcomes.len());
        let mut unavailable = BTreeSet::new();
        for (position, (outcome, (index_uid, _))) in outcomes.into_iter().zip(&searches).enumerate()
        {
            let searched = match outcome {
                Ok(searched) => searched,
                Err(ProxyError::Api(error)) => {
                    return Err(self.query_failed(whole_request, position, error).await)
                }
                Err(other) => return Err(other),
            };
            unavailable.extend(searched.unavailable);
            let mut result = Map::new();
            result.insert("indexUid".to_owned(), Value::String(index_uid.clone()));
            if let Value::Object(answer) = searched.reply.body {
                result.extend(answer);
            }
            results.push(Value::Object(result));
        }
        let mut response = Map::new();
        response.insert("results".to_owned(), Value::Array(results));
        let mut reply = Reply::ok(Value::Object(response));
        reply.degraded = self.degraded_shards(&unavailable)?;
        Ok(reply)
    }

    /// The error of a plain multi-search whose query `position` failed with `error`: the one
    /// node's answer to the whole request, or `error` worded as Meilisearch words it when no
    /// node reproduces it.
    async fn query_failed(
        &self,
        whole_request: &NodeRequest,
        position: usize,
        error: ApiError,
    ) -> ProxyError {
        match self.ask_any_node(whole_request).await {
            Err(ProxyError::Api(node_error)) => ProxyError::Api(node_error),
            Ok(_) | Err(_) => ProxyError::Api(inside_query(position, &error)),
        }
    }

    /// One federation over the covering sets of every queried index, merged.
    async fn federated_search(
        &self,
        fields: &Map<String, Value>,
        whole_request: &NodeRequest,
    ) -> Result<Reply, ProxyError> {
        let Some(index_uids) = queried_indexes(fields) else {
            return self.ask_any_node(whole_request).await;
        };
        let records = self
            .peer
            .read(|state| {
                index_uids
                    .iter()
                    .map(|uid| {
                        state
                            .index(uid)
                            .cloned()
                            .map(|record| (uid.clone(), record))
                    })
                    .collect::<Option<BTreeMap<_, _>>>()
            })
            .await;
        // An index Miroir does not manage: a node answers (index_not_found, with its query).
        let Some(records) = records else {
            return self.ask_any_node(whole_request).await;
        };
        let primary_key_of = |uid: &str| {
            records
                .get(uid)
                .and_then(|record| record.primary_key.clone())
        };
        let Ok((node_body, plan)) = prepare_federated_node_query(fields, primary_key_of) else {
            return self.ask_any_node(whole_request).await;
        };
        let target_uids: Vec<&String> = records.keys().collect();
        let targets = records
            .values()
            .map(|record| {
                Ok(ScatterTarget {
                    placement: self.placement(record.shards)?,
                    shards: record.shards,
                })
            })
            .collect::<Result<Vec<_>, ProxyError>>()?;
        let query_targets = plan
            .queries()
            .iter()
            .map(|query| {
                target_uids
                    .binary_search_by(|uid| uid.as_str().cmp(query.index_uid()))
                    .map_err(|_| ProxyError::Internal("a queried index has no target".into()))
            })
            .collect::<Result<Vec<usize>, ProxyError>>()?;
        let gathered = self
            .scatter(&targets, |node, assigned| {
                let mut body = node_body.clone();
                if let Some(Value::Array(queries)) = body.get_mut("queries") {
                    for (query, target) in queries.iter_mut().zip(&query_targets) {
                        if let Value::Object(query) = query {
                            let scoped = shard_scoped_body(
                                query,
                                &targets[*target].placement,
                                node,
                                &assigned[*target],
                            );
                            *query = scoped;
                        }
                    }
                }
                NodeRequest::json(Method::POST, MULTI_SEARCH_PATH, &Value::Object(body))
            })
            .await?;
        let degraded = self.degraded_shards(&gathered.unavailable)?;
        let merged = merge_federated(&plan, gathered.answers).map_err(|error| {
            ProxyError::Internal(format!("merging federated search answers: {error}"))
        })?;
        let mut reply = Reply::ok(Value::Object(merged));
        reply.degraded = degraded;
        Ok(reply)
    }
}

/// Whether an optional JSON field is present and not `null`.
fn is_set(value: Option<&Value>) -> bool {
    !matches!(value, None | Some(Value::Null))
}

/// `(indexUid, search body)` of each query of a plain multi-search; `None` when a query is not
/// an object with a string `indexUid`, or sets `federationOptions` (a node words the error).
fn plain_searches(fields: &Map<String, Value>) -> Option<Vec<(String, Value)>> {
    let Some(Value::Array(queries)) = fields.get("queries") else {
        return None;
    };
    queries
        .iter()
        .map(|query| {
            let query = query.as_object()?;
            let Some(Value::String(index_uid)) = query.get("indexUid") else {
                return None;
            };
            if is_set(query.get("federationOptions")) {
                return None;
            }
            let mut body = query.clone();
            body.remove("indexUid");
            Some((index_uid.clone(), Value::Object(body)))
        })
        .collect()
}

/// The distinct `indexUid`s of the queries; `None` when one is missing or not a string.
fn queried_indexes(fields: &Map<String, Value>) -> Option<BTreeSet<String>> {
    let Some(Value::Array(queries)) = fields.get("queries") else {
        return None;
    };
    queries
        .iter()
        .map(|query| query.get("indexUid")?.as_str().map(str::to_owned))
        .collect()
}

/// A query's error as Meilisearch reports it inside a multi-search: the message prefixed with
/// the query's location, `invalid_request` errors answered 400.
fn inside_query(position: usize, error: &ApiError) -> ApiError {
    let body = error.to_body();
    let status = if body.error_type == "invalid_request" {
        StatusCode::BAD_REQUEST.as_u16()
    } else {
        error.http_status()
    };
    ApiError::from_node(
        status,
        ErrorBody {
            message: format!("Inside `.queries[{position}]`: {}", body.message),
            ..body
        },
    )
}

#[cfg(test)]
mod tests {
    use miroir_core::error::ErrorCode;
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(fields) => fields,
            other => panic!("not an object: {other}"),
        }
    }

    /// Fixture "multi-search error": `Inside `.queries[0]`: Index `missing` not found.`, 400.
    #[test]
    fn a_query_error_is_prefixed_and_answered_400_like_the_recording() {
        let error = ApiError::new(ErrorCode::IndexNotFound, "Index `missing` not found.");
        let inside = inside_query(0, &error);
        assert_eq!(inside.http_status(), 400);
        assert_eq!(
            serde_json::to_value(inside.to_body()).unwrap(),
            json!({"message": "Inside `.queries[0]`: Index `missing` not found.",
                   "code": "index_not_found", "type": "invalid_request",
                   "link": "https://docs.meilisearch.com/errors#index_not_found"})
        );
        let system = ApiError::new(ErrorCode::TooManySearchRequests, "busy");
        assert_eq!(inside_query(2, &system).http_status(), 503);
    }

    #[test]
    fn plain_queries_become_search_bodies_without_their_index() {
        let fields = object(json!({"queries": [
            {"indexUid": "movies", "q": "nolan", "limit": 2},
            {"indexUid": "books", "q": ""}
        ]}));
        assert_eq!(
            plain_searches(&fields).unwrap(),
            vec![
                ("movies".to_owned(), json!({"q": "nolan", "limit": 2})),
                ("books".to_owned(), json!({"q": ""}))
            ]
        );
        for unplannable in [
            json!({"queries": [{"q": "x"}]}),
            json!({"queries": [{"indexUid": 3}]}),
            json!({"queries": [1]}),
            json!({"queries": [{"indexUid": "a", "federationOptions": {"weight": 1.0}}]}),
        ] {
            assert_eq!(plain_searches(&object(unplannable)), None);
        }
    }

    #[test]
    fn federated_queries_name_each_index_once() {
        let fields = object(json!({"queries": [
            {"indexUid": "movies"}, {"indexUid": "books"}, {"indexUid": "movies"}
        ]}));
        assert_eq!(
            queried_indexes(&fields).unwrap(),
            BTreeSet::from(["books".to_owned(), "movies".to_owned()])
        );
        assert_eq!(
            queried_indexes(&object(json!({"queries": [{"q": "x"}]}))),
            None
        );
    }
}
