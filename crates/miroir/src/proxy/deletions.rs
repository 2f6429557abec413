//! Document deletions: by id (sent only to the replicas of the ids' shards, with the write
//! quorum), by filter and of all documents (broadcast: any node may hold matches).

use std::collections::BTreeMap;

use axum::http::Method;
use miroir_core::primary_key::DocumentId;
use miroir_core::topology::NodeId;
use serde_json::{json, Value};

use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

impl Proxy {
    /// `DELETE /indexes/{uid}/documents/{id}`.
    pub async fn delete_document(&self, uid: &str, document_id: &str) -> Result<Reply, ProxyError> {
        let details = json!({ "providedIds": 1, "deletedDocuments": null, "originalFilter": null });
        let request = NodeRequest::new(
            Method::DELETE,
            format!("/indexes/{uid}/documents/{document_id}"),
        );
        let registered = self.peer.read(|state| state.index(uid).cloned()).await;
        let (Some(index), Ok(id)) = (registered, DocumentId::parse(document_id)) else {
            // Unknown index or invalid id: every node fails it as Meilisearch does.
            return self
                .broadcast_task(&request, uid, "documentDeletion", details)
                .await;
        };
        let placement = self.placement(index.shards)?;
        let shard = placement.shard_for_key(id.as_str());
        let requests = placement
            .write_targets(shard)
            .map(|(_, node)| (node.clone(), request.clone()))
            .collect();
        self.routed_task(
            &placement,
            &[shard],
            requests,
            uid,
            "documentDeletion",
            details,
        )
        .await
    }

    /// `POST /indexes/{uid}/documents/delete-batch` with a JSON array of ids.
    pub async fn delete_documents_by_ids(
        &self,
        uid: &str,
        ids: Value,
    ) -> Result<Reply, ProxyError> {
        let path = format!("/indexes/{uid}/documents/delete-batch");
        let provided = ids.as_array().map_or(0, Vec::len);
        let details =
            json!({ "providedIds": provided, "deletedDocuments": null, "originalFilter": null });
        let registered = self.peer.read(|state| state.index(uid).cloned()).await;
        let parsed: Option<Vec<(DocumentId, Value)>> = ids.as_array().and_then(|values| {
            values
                .iter()
                .map(|value| {
                    DocumentId::from_value(value)
                        .ok()
                        .map(|id| (id, value.clone()))
                })
                .collect()
        });
        let (Some(index), Some(parsed)) = (registered, parsed) else {
            // Unknown index, or a body Meilisearch refuses: every node answers it the same way.
            let request = NodeRequest::json(Method::POST, path, &ids);
            return self
                .broadcast_task(&request, uid, "documentDeletion", details)
                .await;
        };
        let placement = self.placement(index.shards)?;
        let mut per_node: BTreeMap<NodeId, Vec<Value>> = BTreeMap::new();
        let mut shards = Vec::with_capacity(parsed.len());
        for (id, original) in parsed {
            let shard = placement.shard_for_key(id.as_str());
            shards.push(shard);
            for (_, node) in placement.write_targets(shard) {
                per_node
                    .entry(node.clone())
                    .or_default()
                    .push(original.clone());
            }
        }
        if per_node.is_empty() {
            // No id: the (empty) deletion still becomes a task on every node.
            let request = NodeRequest::json(Method::POST, path, &ids);
            return self
                .broadcast_task(&request, uid, "documentDeletion", details)
                .await;
        }
        let requests = per_node
            .into_iter()
            .map(|(node, ids)| {
                (
                    node,
                    NodeRequest::json(Method::POST, path.clone(), &Value::Array(ids)),
                )
            })
            .collect();
        self.routed_task(
            &placement,
            &shards,
            requests,
            uid,
            "documentDeletion",
            details,
        )
        .await
    }

    /// `POST /indexes/{uid}/documents/delete` with `{"filter": …}`.
    pub async fn delete_documents_by_filter(
        &self,
        uid: &str,
        body: Value,
    ) -> Result<Reply, ProxyError> {
        let original_filter = body.get("filter").map(Value::to_string);
        let details = json!({
            "providedIds": 0,
            "deletedDocuments": null,
            "originalFilter": original_filter,
        });
        let request = NodeRequest::json(
            Method::POST,
            format!("/indexes/{uid}/documents/delete"),
            &body,
        );
        self.broadcast_task(&request, uid, "documentDeletion", details)
            .await
    }

    /// `DELETE /indexes/{uid}/documents`.
    pub async fn delete_all_documents(&self, uid: &str) -> Result<Reply, ProxyError> {
        let request = NodeRequest::new(Method::DELETE, format!("/indexes/{uid}/documents"));
        self.broadcast_task(
            &request,
            uid,
            "documentDeletion",
            json!({ "deletedDocuments": null }),
        )
        .await
    }
}
