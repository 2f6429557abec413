//! API keys (`/keys`): every node must hold the same keys, so writes go to every data node,
//! all or nothing, and reads come from any node.
//!
//! ```text
//!   POST   /keys        uid fixed first (client's or a fresh v4), same body to every node;
//!                       a failure deletes the key again from the nodes that created it
//!   PATCH  /keys/{k}    previous name/description read first; a failure restores them
//!   DELETE /keys/{k}    the key read first; a failure re-creates it (same uid) where deleted
//! ```
//!
//! Meilisearch derives a key's secret from its uid and the node's master key, so nodes that
//! share one master key hold the same secret for the same uid.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use miroir_core::topology::NodeId;
use serde_json::{Map, Value};

use super::nodes::{node_error, relay};
use super::{Proxy, ProxyError, Reply};
use crate::nodes::{NodeError, NodeRequest, NodeResponse};

/// Fields of a key that `POST /keys` accepts, to re-create a deleted key identically.
const CREATE_FIELDS: [&str; 6] = [
    "name",
    "description",
    "uid",
    "actions",
    "indexes",
    "expiresAt",
];

/// Fields `PATCH /keys/{key}` can change, to restore them.
const UPDATABLE_FIELDS: [&str; 2] = ["name", "description"];

impl Proxy {
    /// `GET /keys` and `GET /keys/{key_or_uid}`: from any node.
    pub async fn read_keys(&self, path_and_query: String) -> Result<Reply, ProxyError> {
        self.ask_any_node(&NodeRequest::new(Method::GET, path_and_query))
            .await
    }

    /// `POST /keys`.
    pub async fn create_key(&self, body: Value) -> Result<Reply, ProxyError> {
        let body = with_uid(body);
        let request = NodeRequest::json(Method::POST, "/keys", &body);
        let outcome = all_succeeded(self.broadcast(&request).await);
        match outcome {
            AllOrNothing::Succeeded(first) => relay(first),
            AllOrNothing::Failed { succeeded, error } => {
                if let Some(uid) = body.get("uid").and_then(Value::as_str) {
                    let undo = NodeRequest::new(Method::DELETE, format!("/keys/{uid}"));
                    self.undo_on(succeeded, &undo, "key creation").await;
                }
                Err(error)
            }
        }
    }

    /// `PATCH /keys/{key_or_uid}`.
    pub async fn update_key(&self, key_or_uid: &str, body: Value) -> Result<Reply, ProxyError> {
        let previous = self.current_key(key_or_uid).await?;
        let path = format!("/keys/{}", key_uid(&previous)?);
        let request = NodeRequest::json(Method::PATCH, path.clone(), &body);
        match all_succeeded(self.broadcast(&request).await) {
            AllOrNothing::Succeeded(first) => relay(first),
            AllOrNothing::Failed { succeeded, error } => {
                let restore = NodeRequest::json(
                    Method::PATCH,
                    path,
                    &pick_fields(&previous, &UPDATABLE_FIELDS),
                );
                self.undo_on(succeeded, &restore, "key update").await;
                Err(error)
            }
        }
    }

    /// `DELETE /keys/{key_or_uid}`: 204 once every node deleted it.
    pub async fn delete_key(&self, key_or_uid: &str) -> Result<Reply, ProxyError> {
        let previous = self.current_key(key_or_uid).await?;
        let request = NodeRequest::new(Method::DELETE, format!("/keys/{}", key_uid(&previous)?));
        match all_succeeded(self.broadcast(&request).await) {
            AllOrNothing::Succeeded(_) => {
                Ok(Reply::with_status(StatusCode::NO_CONTENT, Value::Null))
            }
            AllOrNothing::Failed { succeeded, error } => {
                let recreate = NodeRequest::json(
                    Method::POST,
                    "/keys",
                    &pick_fields(&previous, &CREATE_FIELDS),
                );
                self.undo_on(succeeded, &recreate, "key deletion").await;
                Err(error)
            }
        }
    }

    /// The key as one node holds it (its error, e.g. `api_key_not_found`, relayed).
    async fn current_key(&self, key_or_uid: &str) -> Result<Value, ProxyError> {
        Ok(self.read_keys(format!("/keys/{key_or_uid}")).await?.body)
    }

    /// Best-effort undo of a partly applied change on the nodes that applied it.
    async fn undo_on(&self, nodes: Vec<NodeId>, undo: &NodeRequest, change: &str) {
        let requests = nodes.into_iter().map(|node| (node, undo.clone())).collect();
        for (node, outcome) in self.send_each(requests).await {
            let undone = outcome
                .as_ref()
                .is_ok_and(|response| response.status.is_success());
            if !undone {
                tracing::error!(%node, change, "could not undo a partly applied key change");
            }
        }
    }
}

/// The body with a `uid`: the client's when it gave one, else a fresh UUID v4. A body that is
/// not an object is left as is (every node refuses it the same way).
fn with_uid(mut body: Value) -> Value {
    if let Some(fields) = body.as_object_mut() {
        let missing = fields.get("uid").is_none_or(Value::is_null);
        if missing {
            fields.insert("uid".into(), uuid::Uuid::new_v4().to_string().into());
        }
    }
    body
}

fn key_uid(key: &Value) -> Result<&str, ProxyError> {
    key.get("uid")
        .and_then(Value::as_str)
        .ok_or_else(|| ProxyError::Internal(format!("node answered a key without uid: {key}")))
}

/// The listed fields of a key object (absent ones left out).
fn pick_fields(key: &Value, fields: &[&str]) -> Value {
    let picked: Map<String, Value> = fields
        .iter()
        .filter_map(|field| {
            key.get(*field)
                .map(|value| ((*field).to_owned(), value.clone()))
        })
        .collect();
    Value::Object(picked)
}

/// How a write every node must take ended.
#[derive(Debug)]
enum AllOrNothing {
    /// Every node succeeded; the answer of the first node (in node order).
    Succeeded(NodeResponse),
    /// Some node failed: the nodes that succeeded (to undo) and the error to answer — the
    /// first refusing node's own error, else the first unreachable node.
    Failed {
        succeeded: Vec<NodeId>,
        error: ProxyError,
    },
}

/// Folds the outcomes of a broadcast that every node must take.
fn all_succeeded(outcomes: Vec<(NodeId, Result<NodeResponse, NodeError>)>) -> AllOrNothing {
    let mut succeeded = BTreeMap::new();
    let mut refusal = None;
    let mut unreachable = None;
    for (node, outcome) in outcomes {
        match outcome {
            Ok(response) if response.status.is_success() => {
                succeeded.insert(node, response);
            }
            Ok(response) => {
                refusal.get_or_insert_with(|| node_error(&response));
            }
            Err(source) => {
                unreachable.get_or_insert(ProxyError::Node { node, source });
            }
        }
    }
    match refusal.or(unreachable) {
        Some(error) => AllOrNothing::Failed {
            succeeded: succeeded.into_keys().collect(),
            error,
        },
        None => match succeeded.into_values().next() {
            Some(first) => AllOrNothing::Succeeded(first),
            None => AllOrNothing::Failed {
                succeeded: Vec::new(),
                error: ProxyError::Internal("the topology has no data nodes".into()),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use serde_json::json;

    use super::*;

    fn answer(status: u16, body: &Value) -> Result<NodeResponse, NodeError> {
        Ok(NodeResponse {
            status: StatusCode::from_u16(status).unwrap(),
            body: Bytes::from(body.to_string()),
        })
    }

    #[test]
    fn a_missing_uid_is_generated_and_a_given_one_kept() {
        let generated = with_uid(json!({"actions": ["search"]}));
        let uid = generated["uid"].as_str().unwrap();
        assert_eq!(uuid::Uuid::parse_str(uid).unwrap().get_version_num(), 4);
        let kept = with_uid(json!({"uid": "abc"}));
        assert_eq!(kept["uid"], "abc");
        assert_eq!(with_uid(json!([1])), json!([1]));
    }

    #[test]
    fn a_refusal_wins_over_an_unreachable_node_and_names_the_nodes_to_undo() {
        let refusal = json!({"message": "bad", "code": "invalid_api_key_actions", "type": "invalid_request", "link": "l"});
        let outcomes = vec![
            (NodeId::new("a"), answer(201, &json!({"uid": "u"}))),
            (
                NodeId::new("b"),
                Err(NodeError::Transport("refused".into())),
            ),
            (NodeId::new("c"), answer(400, &refusal)),
        ];
        let AllOrNothing::Failed { succeeded, error } = all_succeeded(outcomes) else {
            panic!("must fail");
        };
        assert_eq!(succeeded, [NodeId::new("a")]);
        let ProxyError::Api(error) = error else {
            panic!("the node's own error is relayed");
        };
        assert_eq!(error.code_str(), "invalid_api_key_actions");
    }

    #[test]
    fn every_node_succeeding_answers_the_first() {
        let outcomes = vec![
            (NodeId::new("a"), answer(201, &json!({"uid": "first"}))),
            (NodeId::new("b"), answer(201, &json!({"uid": "second"}))),
        ];
        let AllOrNothing::Succeeded(first) = all_succeeded(outcomes) else {
            panic!("must succeed");
        };
        assert_eq!(first.json().unwrap()["uid"], "first");
    }

    #[test]
    fn restorable_fields_are_picked() {
        let key = json!({"name": null, "description": "d", "key": "secret", "uid": "u", "actions": ["*"], "indexes": ["*"], "expiresAt": null, "createdAt": "t"});
        assert_eq!(
            pick_fields(&key, &UPDATABLE_FIELDS),
            json!({"name": null, "description": "d"})
        );
        assert_eq!(
            pick_fields(&key, &CREATE_FIELDS),
            json!({"name": null, "description": "d", "uid": "u", "actions": ["*"], "indexes": ["*"], "expiresAt": null})
        );
    }
}
