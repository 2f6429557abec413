//! Index lifecycle: create and delete on every node (one logical task), reads from any node.
//!
//! Creation is broadcast; when a node cannot be reached, the nodes that accepted are told to
//! delete the index again and the request fails, so no node is left holding an index the
//! cluster does not know. A new index is registered in the replicated registry with its shard
//! count, and `_miroir_shard` is made filterable on every node (shard-scoped searches and
//! migrations filter on it).

use axum::http::Method;
use miroir_core::document::SHARD_FIELD;
use miroir_core::topology::NodeId;
use miroir_meta::{Command, CommandV1, IndexCommand, Response};
use serde_json::{json, Value};

use super::broadcast::{accepted_tasks, Broadcast};
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

impl Proxy {
    /// `POST /indexes`.
    pub async fn create_index(&self, body: Value) -> Result<Reply, ProxyError> {
        let request = NodeRequest::json(Method::POST, "/indexes", &body);
        let outcomes = self.broadcast(&request).await;
        let accepted = match accepted_tasks(outcomes) {
            Ok(accepted) => accepted,
            Err(Broadcast::Refused(error)) => return Err(error),
            Err(Broadcast::Unreachable {
                accepted,
                node,
                source,
            }) => {
                if let Some(uid) = body.get("uid").and_then(Value::as_str) {
                    self.roll_back_creation(uid, accepted.keys()).await;
                }
                return Err(ProxyError::Node { node, source });
            }
        };
        // Nodes accepted the body, so it names a uid.
        let uid = body
            .get("uid")
            .and_then(Value::as_str)
            .ok_or_else(|| ProxyError::Internal("nodes accepted an index without uid".into()))?
            .to_owned();
        let primary_key = body
            .get("primaryKey")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let registered = self.register_index(&uid, primary_key.clone()).await?;
        if registered {
            self.make_shard_field_filterable(&uid).await;
        }
        let details = json!({ "primaryKey": primary_key });
        self.enqueue_task(Some(uid), "indexCreation", details, accepted)
            .await
    }

    /// `DELETE /indexes/{uid}`.
    pub async fn delete_index(&self, uid: &str) -> Result<Reply, ProxyError> {
        let request = NodeRequest::new(Method::DELETE, format!("/indexes/{uid}"));
        let reply = self
            .broadcast_task(
                &request,
                uid,
                "indexDeletion",
                json!({ "deletedDocuments": null }),
            )
            .await?;
        if self.peer.read(|state| state.index(uid).is_some()).await {
            self.apply(CommandV1::Index(IndexCommand::Delete {
                uid: uid.to_owned(),
            }))
            .await?;
        }
        Ok(reply)
    }

    /// `PATCH /indexes/{uid}` (a new `primaryKey`): one `indexUpdate` task on every node.
    ///
    /// Meilisearch only changes the primary key of an index without documents. When every node
    /// reports none, the registry takes the new key at once (nodes process the change before
    /// any later write, which is then routed by it); otherwise the nodes' tasks fail with
    /// `index_primary_key_already_exists` and the registry keeps its key.
    pub async fn update_index(&self, uid: &str, body: Value) -> Result<Reply, ProxyError> {
        let request = NodeRequest::json(Method::PATCH, format!("/indexes/{uid}"), &body);
        let outcomes = self.broadcast(&request).await;
        let accepted = match accepted_tasks(outcomes) {
            Ok(accepted) => accepted,
            Err(Broadcast::Refused(error)) => return Err(error),
            Err(Broadcast::Unreachable { node, source, .. }) => {
                return Err(ProxyError::Node { node, source })
            }
        };
        let primary_key = body
            .get("primaryKey")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let registered = self.peer.read(|state| state.index(uid).is_some()).await;
        if let (Some(primary_key), true) = (&primary_key, registered) {
            if self.holds_no_document(uid).await {
                self.apply(CommandV1::Index(IndexCommand::ReplacePrimaryKey {
                    uid: uid.to_owned(),
                    primary_key: Some(primary_key.clone()),
                }))
                .await?;
            }
        }
        let details = json!({ "primaryKey": primary_key });
        self.enqueue_task(Some(uid.to_owned()), "indexUpdate", details, accepted)
            .await
    }

    /// Whether every data node answers that index `uid` holds no document.
    async fn holds_no_document(&self, uid: &str) -> bool {
        let request = NodeRequest::new(Method::GET, format!("/indexes/{uid}/stats"));
        self.broadcast(&request)
            .await
            .into_iter()
            .all(|(_, outcome)| {
                outcome
                    .ok()
                    .filter(|response| response.status.is_success())
                    .and_then(|response| response.json().ok())
                    .and_then(|stats| stats.get("numberOfDocuments").and_then(Value::as_u64))
                    == Some(0)
            })
    }

    /// `GET /indexes`, `GET /indexes/{uid}` and other reads every node answers identically.
    pub async fn read_from_any_node(&self, path_and_query: String) -> Result<Reply, ProxyError> {
        self.ask_any_node(&NodeRequest::new(Method::GET, path_and_query))
            .await
    }

    /// Registers `uid` unless it is known; returns whether this call registered it.
    pub(super) async fn register_index(
        &self,
        uid: &str,
        primary_key: Option<String>,
    ) -> Result<bool, ProxyError> {
        if self.peer.read(|state| state.index(uid).is_some()).await {
            return Ok(false);
        }
        let response = self
            .peer
            .apply(Command::V1(CommandV1::Index(IndexCommand::Create {
                uid: uid.to_owned(),
                shards: self.settings.shards.get(),
                primary_key,
            })))
            .await?;
        match response {
            Response::Rejected(rejection) => {
                // Registered concurrently by another request: that one owns the set-up.
                tracing::debug!(%uid, %rejection, "index already registered");
                Ok(false)
            }
            _ => {
                self.apply(CommandV1::Index(IndexCommand::SetState {
                    uid: uid.to_owned(),
                    state: miroir_meta::IndexState::Ready,
                }))
                .await?;
                Ok(true)
            }
        }
    }

    /// Applies `command`, turning a state-machine refusal into an error.
    pub(super) async fn apply(&self, command: CommandV1) -> Result<Response, ProxyError> {
        let started = std::time::Instant::now();
        let committed = self.peer.apply(Command::V1(command)).await?;
        self.metrics.observe_commit(started.elapsed());
        match committed {
            Response::Rejected(rejection) => {
                Err(ProxyError::MetadataRejected(rejection.to_string()))
            }
            response => Ok(response),
        }
    }

    async fn make_shard_field_filterable(&self, uid: &str) {
        let request = NodeRequest::json(
            Method::PUT,
            format!("/indexes/{uid}/settings/filterable-attributes"),
            &json!([SHARD_FIELD]),
        );
        for (node, outcome) in self.broadcast(&request).await {
            match outcome {
                Ok(response) if response.status.is_success() => {}
                Ok(response) => {
                    tracing::error!(%node, %uid, status = %response.status, "node refused to make _miroir_shard filterable")
                }
                Err(error) => {
                    tracing::error!(%node, %uid, %error, "cannot make _miroir_shard filterable")
                }
            }
        }
    }

    async fn roll_back_creation<'a>(&self, uid: &str, nodes: impl Iterator<Item = &'a NodeId>) {
        let request = NodeRequest::new(Method::DELETE, format!("/indexes/{uid}"));
        let targets = nodes.map(|node| (node.clone(), request.clone())).collect();
        for (node, outcome) in self.send_each(targets).await {
            if let Err(error) = outcome {
                tracing::error!(%node, %uid, %error, "rollback of an index creation failed");
            }
        }
    }
}
