//! Document writes and single-document reads.
//!
//! A write is parsed once, checked as a whole (every document has a valid primary key and no
//! reserved field) before any node is touched, stamped with `_miroir_shard`, and sent as one
//! request per node holding any of its shards. It succeeds when at least one replica group
//! stored every shard of the batch on a quorum (`floor(RF/2)+1`) of its replicas; groups that
//! missed are named in `X-Miroir-Degraded: groups=…`; when none made it the answer is 503
//! `miroir_no_quorum`.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::http::Method;
use miroir_core::document::{inject_shard, strip_reserved, validate_batch, ReservedFields};
use miroir_core::error::ApiError;
use miroir_core::payload::{parse_csv_delimiter, parse_documents, PayloadFormat};
use miroir_core::primary_key::{infer_primary_key, DocumentId};
use miroir_core::router::{GroupPlacement, PlacementTable};
use miroir_core::topology::{GroupId, NodeId};
use serde_json::{json, Map, Value};

use super::nodes::{node_error, node_task_uid, relay};
use super::{Proxy, ProxyError, Reply};
use crate::nodes::{NodeError, NodeRequest, NodeResponse};

/// Add-or-replace (`POST`) or add-or-update (`PUT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// `POST /indexes/{uid}/documents`.
    Replace,
    /// `PUT /indexes/{uid}/documents`.
    Update,
}

/// One client document write, as received.
#[derive(Debug)]
pub struct DocumentWrite {
    /// Target index.
    pub index_uid: String,
    /// Replace or update.
    pub mode: WriteMode,
    /// Raw `Content-Type`.
    pub content_type: Option<String>,
    /// `primaryKey` query parameter.
    pub primary_key: Option<String>,
    /// `csvDelimiter` query parameter.
    pub csv_delimiter: Option<String>,
    /// The body.
    pub body: Bytes,
}

impl Proxy {
    /// `POST`/`PUT /indexes/{uid}/documents`.
    pub async fn write_documents(&self, write: DocumentWrite) -> Result<Reply, ProxyError> {
        let delimiter = write
            .csv_delimiter
            .as_deref()
            .map(parse_csv_delimiter)
            .transpose()?;
        let format = PayloadFormat::negotiate(write.content_type.as_deref(), delimiter)?;
        let mut documents = parse_documents(format, &write.body, delimiter)?;
        let received = documents.len();

        let registered = self
            .peer
            .read(|state| state.index(&write.index_uid).cloned())
            .await;
        let primary_key = match registered
            .as_ref()
            .and_then(|index| index.primary_key.clone())
        {
            Some(primary_key) => Some(primary_key),
            None => match &write.primary_key {
                Some(primary_key) => Some(primary_key.clone()),
                None => documents
                    .first()
                    .and_then(|first| infer_primary_key(first).ok()),
            },
        };
        let Some(primary_key) = primary_key else {
            // No key to route by (nothing to infer from, or an ambiguous inference): every node
            // sees the same batch and fails it the way Meilisearch does.
            return self.broadcast_unroutable(&write, format, received).await;
        };
        let reserved = ReservedFields::new(false, false);
        let ids = validate_batch(&documents, &primary_key, &reserved).map_err(ApiError::from)?;

        if registered.is_none() {
            self.register_index(&write.index_uid, Some(primary_key.clone()))
                .await?;
        } else if registered
            .as_ref()
            .is_some_and(|index| index.primary_key.is_none())
        {
            self.apply(miroir_meta::CommandV1::Index(
                miroir_meta::IndexCommand::SetPrimaryKey {
                    uid: write.index_uid.clone(),
                    primary_key: primary_key.clone(),
                },
            ))
            .await?;
        }
        let shards = registered.map_or(self.settings.shards.get(), |index| index.shards);
        let placement = self.placement(shards)?;
        let route = placement.route_batch(ids.iter().map(DocumentId::as_str));
        for (document, shard) in documents.iter_mut().zip(&route.shards) {
            inject_shard(document, *shard);
        }
        let path = write_path(&write.index_uid, &primary_key);
        let method = match write.mode {
            WriteMode::Replace => Method::POST,
            WriteMode::Update => Method::PUT,
        };
        let requests: Vec<(NodeId, NodeRequest)> = if route.per_node.is_empty() {
            // An empty batch still creates the index on every node, as Meilisearch does.
            self.all_data_nodes()
                .into_iter()
                .map(|node| (node, batch_request(&method, &path, &[], &documents)))
                .collect()
        } else {
            route
                .per_node
                .iter()
                .map(|(node, positions)| {
                    (
                        node.clone(),
                        batch_request(&method, &path, positions, &documents),
                    )
                })
                .collect()
        };
        let details = json!({ "receivedDocuments": received, "indexedDocuments": null });
        self.routed_task(
            &placement,
            &route.shards,
            requests,
            &write.index_uid,
            "documentAdditionOrUpdate",
            details,
        )
        .await
    }

    /// Sends per-node `requests` of a write touching `shards`, checks the write quorum and
    /// records one task over the node tasks (degraded groups named in the reply).
    pub(super) async fn routed_task(
        &self,
        placement: &PlacementTable,
        shards: &[u32],
        requests: Vec<(NodeId, NodeRequest)>,
        index_uid: &str,
        task_type: &str,
        details: Value,
    ) -> Result<Reply, ProxyError> {
        let written = assess_quorum(placement, shards, self.send_each(requests).await)?;
        let mut reply = self
            .enqueue_task(
                Some(index_uid.to_owned()),
                task_type,
                details,
                written.node_tasks,
            )
            .await?;
        reply.degraded = written.degraded;
        Ok(reply)
    }

    /// `GET /indexes/{uid}/documents/{id}`: from a replica of the document's shard, with the
    /// reserved fields removed.
    pub async fn get_document(
        &self,
        index_uid: &str,
        document_id: &str,
        query: Option<&str>,
    ) -> Result<Reply, ProxyError> {
        let path = match query {
            Some(query) if !query.is_empty() => {
                format!("/indexes/{index_uid}/documents/{document_id}?{query}")
            }
            _ => format!("/indexes/{index_uid}/documents/{document_id}"),
        };
        let request = NodeRequest::new(Method::GET, path);
        let registered = self
            .peer
            .read(|state| state.index(index_uid).cloned())
            .await;
        let Some(index) = registered else {
            return self.ask_any_node(&request).await;
        };
        let placement = self.placement(index.shards)?;
        let shard = placement.shard_for_key(document_id);
        // Nodes reads avoid (unhealthy, or back from a failure and not re-hydrated yet) are
        // asked last: they may not hold the document.
        let avoided = self.unhealthy_nodes();
        let (preferred, avoided): (Vec<NodeId>, Vec<NodeId>) = placement
            .placements(shard)
            .iter()
            .flat_map(|group| group.owners.iter().cloned())
            .partition(|node| !avoided.contains(node));
        let owners = preferred.into_iter().chain(avoided);
        let mut last_failure = None;
        for node in owners {
            match self.send(&node, &request).await {
                Ok(response) => {
                    let mut reply = relay(response)?;
                    if let Value::Object(document) = &mut reply.body {
                        strip_reserved(document);
                    }
                    return Ok(reply);
                }
                Err(source) => last_failure = Some(ProxyError::Node { node, source }),
            }
        }
        Err(
            last_failure.unwrap_or_else(|| ProxyError::ShardUnavailable {
                shards: vec![shard],
            }),
        )
    }

    fn all_data_nodes(&self) -> Vec<NodeId> {
        self.fleet().live_nodes()
    }

    /// Sends a batch Miroir cannot route (no primary key) unchanged to every node, so that each
    /// fails it as Meilisearch does, under one logical task.
    async fn broadcast_unroutable(
        &self,
        write: &DocumentWrite,
        format: PayloadFormat,
        received: usize,
    ) -> Result<Reply, ProxyError> {
        let mut path = format!("/indexes/{}/documents", write.index_uid);
        if let Some(primary_key) = &write.primary_key {
            path.push_str(&format!("?primaryKey={}", encode_query_value(primary_key)));
        }
        let content_type = match format {
            PayloadFormat::Json => "application/json",
            PayloadFormat::Ndjson => "application/x-ndjson",
            PayloadFormat::Csv => "text/csv",
        };
        if let Some(delimiter) = &write.csv_delimiter {
            let separator = if path.contains('?') { '&' } else { '?' };
            path.push_str(&format!(
                "{separator}csvDelimiter={}",
                encode_query_value(delimiter)
            ));
        }
        let request = NodeRequest {
            method: match write.mode {
                WriteMode::Replace => Method::POST,
                WriteMode::Update => Method::PUT,
            },
            path_and_query: path,
            body: Some((write.body.clone(), content_type)),
        };
        let mut node_tasks = BTreeMap::new();
        for (node, outcome) in self.broadcast(&request).await {
            match outcome {
                Ok(response) if response.status.is_success() => {
                    let uid = node_task_uid(&response).map_err(|source| ProxyError::Node {
                        node: node.clone(),
                        source,
                    })?;
                    node_tasks.insert(node, uid);
                }
                Ok(response) => return Err(node_error(&response)),
                Err(source) => return Err(ProxyError::Node { node, source }),
            }
        }
        let details = json!({ "receivedDocuments": received, "indexedDocuments": null });
        self.enqueue_task(
            Some(write.index_uid.clone()),
            "documentAdditionOrUpdate",
            details,
            node_tasks,
        )
        .await
    }
}

/// The node path of a write, always naming the primary key so that no node infers its own.
fn write_path(index_uid: &str, primary_key: &str) -> String {
    format!(
        "/indexes/{index_uid}/documents?primaryKey={}",
        encode_query_value(primary_key)
    )
}

/// Percent-encodes a query parameter value (everything but unreserved characters).
pub(crate) fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// One node's share of a batch as a JSON array body.
fn batch_request(
    method: &Method,
    path: &str,
    positions: &[usize],
    documents: &[Map<String, Value>],
) -> NodeRequest {
    let mut body = Vec::with_capacity(positions.len() * 128 + 2);
    body.push(b'[');
    for (n, position) in positions.iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        // Serialising a JSON map into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut body, &documents[*position]);
    }
    body.push(b']');
    NodeRequest {
        method: method.clone(),
        path_and_query: path.to_owned(),
        body: Some((Bytes::from(body), "application/json")),
    }
}

/// What a fanned-out write achieved.
struct Written {
    /// Task uid of every node that stored its part.
    node_tasks: BTreeMap<NodeId, u64>,
    /// `X-Miroir-Degraded` value when a group missed its quorum.
    degraded: Option<String>,
}

/// Checks the per-group quorum of every shard of the batch.
fn assess_quorum(
    placement: &PlacementTable,
    batch_shards: &[u32],
    outcomes: Vec<(NodeId, Result<NodeResponse, NodeError>)>,
) -> Result<Written, ProxyError> {
    let mut node_tasks = BTreeMap::new();
    let mut failures = Vec::new();
    for (node, outcome) in outcomes {
        match outcome {
            Ok(response) if response.status.is_success() => match node_task_uid(&response) {
                Ok(uid) => {
                    node_tasks.insert(node, uid);
                }
                Err(error) => failures.push(format!("{node}: {error}")),
            },
            // A node refusing the request itself (4xx) refuses it for every node: relay it.
            Ok(response) if response.status.is_client_error() => return Err(node_error(&response)),
            Ok(response) => failures.push(format!("{node}: status {}", response.status)),
            Err(error) => failures.push(format!("{node}: {error}")),
        }
    }
    let quorum = GroupPlacement::quorum(placement.replication_factor()) as usize;
    let shards: BTreeSet<u32> = batch_shards.iter().copied().collect();
    let mut groups_ok = BTreeSet::new();
    let mut groups_missed = BTreeSet::new();
    // Groups that take writes: a removed group has no write target.
    let groups: BTreeSet<GroupId> = placement
        .placements(0)
        .iter()
        .filter(|group| !group.write_targets.is_empty())
        .map(|group| group.group)
        .collect();
    for group in groups {
        let met = shards.iter().all(|shard| {
            placement.placement(*shard, group).is_some_and(|targets| {
                targets
                    .write_targets
                    .iter()
                    .filter(|node| node_tasks.contains_key(*node))
                    .count()
                    >= quorum
            })
        });
        if met {
            groups_ok.insert(group);
        } else {
            groups_missed.insert(group);
        }
    }
    if groups_ok.is_empty() && !shards.is_empty() {
        return Err(ProxyError::NoQuorum {
            detail: failures.join("; "),
        });
    }
    if !failures.is_empty() {
        tracing::warn!(failures = %failures.join("; "), "write reached only part of its replicas");
    }
    let degraded = (!groups_missed.is_empty()).then(|| {
        let names: Vec<String> = groups_missed.iter().map(ToString::to_string).collect();
        format!("groups={}", names.join(","))
    });
    Ok(Written {
        node_tasks,
        degraded,
    })
}
