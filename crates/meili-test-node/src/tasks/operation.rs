//! What a task does, and applying it to the indexes. Pure with respect to I/O: the worker
//! calls [`apply_to_indexes`] under the index write lock.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::document_id::{extract_document_key, infer_primary_key};
use crate::errors::{codes, NodeError, NodeResult};
use crate::filtering::{DocumentFilter, ErrorPositions};
use crate::index_store::IndexStore;
use crate::payload::Document;
use crate::settings::SettingsPatch;

/// One requested index swap (or rename).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexSwap {
    /// The two index uids.
    pub indexes: [String; 2],
    /// Rename the first to the second instead of swapping.
    pub rename: bool,
}

/// The operation a task applies.
#[derive(Debug, Clone)]
pub enum TaskOperation {
    /// Create an index.
    IndexCreation {
        /// Its primary key.
        primary_key: Option<String>,
    },
    /// Change an index's primary key.
    IndexUpdate {
        /// The new primary key.
        primary_key: Option<String>,
    },
    /// Delete an index.
    IndexDeletion,
    /// Add documents (replace, or merge with `merge`).
    DocumentAddition {
        /// The parsed documents.
        documents: Vec<Document>,
        /// `?primaryKey=`.
        primary_key: Option<String>,
        /// PUT: merge top-level fields into existing documents.
        merge: bool,
    },
    /// Delete documents by id.
    DocumentDeletionByIds {
        /// The document ids (as stored keys).
        ids: Vec<String>,
    },
    /// Delete the documents matching a filter.
    DocumentDeletionByFilter {
        /// The filter as sent.
        filter: Value,
    },
    /// Delete every document.
    DocumentClear,
    /// Update settings.
    SettingsUpdate {
        /// The validated update.
        patch: SettingsPatch,
    },
    /// Swap (or rename) indexes.
    IndexSwap {
        /// The swaps, in order.
        swaps: Vec<IndexSwap>,
    },
    /// Cancel enqueued tasks.
    TaskCancelation {
        /// The tasks matched at registration.
        matched: Vec<u32>,
        /// The query string as sent (`?uids=0`).
        original_filter: String,
    },
    /// Delete finished tasks.
    TaskDeletion {
        /// The tasks matched at registration.
        matched: Vec<u32>,
        /// The query string as sent.
        original_filter: String,
    },
}

impl TaskOperation {
    /// The task type name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::IndexCreation { .. } => "indexCreation",
            Self::IndexUpdate { .. } => "indexUpdate",
            Self::IndexDeletion => "indexDeletion",
            Self::DocumentAddition { .. } => "documentAdditionOrUpdate",
            Self::DocumentDeletionByIds { .. }
            | Self::DocumentDeletionByFilter { .. }
            | Self::DocumentClear => "documentDeletion",
            Self::SettingsUpdate { .. } => "settingsUpdate",
            Self::IndexSwap { .. } => "indexSwap",
            Self::TaskCancelation { .. } => "taskCancelation",
            Self::TaskDeletion { .. } => "taskDeletion",
        }
    }

    /// The `details` of the task while it is enqueued.
    pub fn enqueued_details(&self) -> Map<String, Value> {
        let details = match self {
            Self::IndexCreation { primary_key } | Self::IndexUpdate { primary_key } => {
                json!({"primaryKey": primary_key})
            }
            Self::IndexDeletion | Self::DocumentClear => json!({"deletedDocuments": null}),
            Self::DocumentAddition { documents, .. } => {
                json!({"receivedDocuments": documents.len(), "indexedDocuments": null})
            }
            Self::DocumentDeletionByIds { ids } => {
                json!({"providedIds": ids.len(), "deletedDocuments": null, "originalFilter": null})
            }
            Self::DocumentDeletionByFilter { filter } => {
                json!({"providedIds": 0, "deletedDocuments": null, "originalFilter": filter.to_string()})
            }
            Self::SettingsUpdate { patch } => Value::Object(patch.details()),
            Self::IndexSwap { swaps } => {
                let swaps: Vec<Value> = swaps
                    .iter()
                    .map(|swap| json!({"indexes": swap.indexes, "rename": swap.rename}))
                    .collect();
                json!({"swaps": swaps})
            }
            Self::TaskCancelation {
                matched,
                original_filter,
            } => {
                json!({"matchedTasks": matched.len(), "canceledTasks": null, "originalFilter": original_filter})
            }
            Self::TaskDeletion {
                matched,
                original_filter,
            } => {
                json!({"matchedTasks": matched.len(), "deletedTasks": null, "originalFilter": original_filter})
            }
        };
        match details {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// The detail fields a failed task reports (counts become 0).
    pub fn failure_details(&self) -> Map<String, Value> {
        let details = match self {
            Self::DocumentAddition { .. } => json!({"indexedDocuments": 0}),
            Self::IndexDeletion
            | Self::DocumentClear
            | Self::DocumentDeletionByIds { .. }
            | Self::DocumentDeletionByFilter { .. } => json!({"deletedDocuments": 0}),
            _ => json!({}),
        };
        match details {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

/// Applies an index or document operation; returns the detail fields to record.
/// Task cancelation and deletion are applied by the worker on the task store instead.
pub fn apply_to_indexes(
    operation: TaskOperation,
    index_uid: Option<&str>,
    indexes: &mut IndexStore,
    now: OffsetDateTime,
) -> NodeResult<Map<String, Value>> {
    let index_uid = index_uid.unwrap_or_default();
    let mut details = Map::new();
    match operation {
        TaskOperation::IndexCreation { primary_key } => {
            indexes.create(index_uid, primary_key, now)?
        }
        TaskOperation::IndexUpdate { primary_key } => {
            let index = indexes.get_mut(index_uid)?;
            if let Some(primary_key) = primary_key {
                if !index.documents.is_empty()
                    && index.primary_key.as_deref() != Some(primary_key.as_str())
                {
                    return Err(primary_key_already_exists(
                        index.primary_key.as_deref().unwrap_or_default(),
                    ));
                }
                index.primary_key = Some(primary_key);
            }
            index.updated_at = now;
        }
        TaskOperation::IndexDeletion => {
            let removed = indexes.remove(index_uid)?;
            details.insert(
                "deletedDocuments".to_owned(),
                json!(removed.documents.len()),
            );
        }
        TaskOperation::DocumentAddition {
            documents,
            primary_key,
            merge,
        } => {
            let indexed = add_documents(indexes, index_uid, documents, primary_key, merge, now)?;
            details.insert("indexedDocuments".to_owned(), json!(indexed));
        }
        TaskOperation::DocumentDeletionByIds { ids } => {
            let index = indexes.get_mut(index_uid)?;
            let deleted = ids
                .iter()
                .filter(|id| index.documents.shift_remove(id.as_str()).is_some())
                .count();
            index.updated_at = now;
            details.insert("deletedDocuments".to_owned(), json!(deleted));
        }
        TaskOperation::DocumentDeletionByFilter { filter } => {
            let index = indexes.get_mut(index_uid)?;
            let compiled = DocumentFilter::compile(
                &filter,
                index,
                codes::INVALID_DOCUMENT_FILTER,
                ErrorPositions::Original,
            )?;
            let before = index.documents.len();
            if let Some(compiled) = compiled {
                index
                    .documents
                    .retain(|_, document| !compiled.matches(document));
            }
            index.updated_at = now;
            details.insert(
                "deletedDocuments".to_owned(),
                json!(before - index.documents.len()),
            );
        }
        TaskOperation::DocumentClear => {
            let index = indexes.get_mut(index_uid)?;
            let deleted = index.documents.len();
            index.documents.clear();
            index.updated_at = now;
            details.insert("deletedDocuments".to_owned(), json!(deleted));
        }
        TaskOperation::SettingsUpdate { patch } => {
            let index = indexes.get_or_create(index_uid, now);
            index.settings.apply(&patch);
            index.updated_at = now;
        }
        TaskOperation::IndexSwap { swaps } => apply_swaps(indexes, &swaps, now)?,
        TaskOperation::TaskCancelation { .. } | TaskOperation::TaskDeletion { .. } => {}
    }
    Ok(details)
}

fn primary_key_already_exists(existing: &str) -> NodeError {
    NodeError::new(
        codes::INDEX_PRIMARY_KEY_ALREADY_EXISTS,
        format!("Index already has a primary key: `{existing}`."),
    )
}

fn add_documents(
    indexes: &mut IndexStore,
    index_uid: &str,
    documents: Vec<Document>,
    requested_primary_key: Option<String>,
    merge: bool,
    now: OffsetDateTime,
) -> NodeResult<usize> {
    let existing_primary_key = indexes
        .get(index_uid)
        .ok()
        .and_then(|index| index.primary_key.clone());
    let primary_key = match (existing_primary_key, requested_primary_key) {
        (Some(existing), Some(requested)) if existing != requested => {
            return Err(primary_key_already_exists(&existing))
        }
        (Some(existing), _) => existing,
        (None, Some(requested)) => requested,
        (None, None) => infer_primary_key(documents.first())?,
    };
    let keys = documents
        .iter()
        .map(|document| extract_document_key(document, &primary_key))
        .collect::<NodeResult<Vec<String>>>()?;
    let index = indexes.get_or_create(index_uid, now);
    index.primary_key = Some(primary_key);
    let indexed = documents.len();
    for (key, document) in keys.into_iter().zip(documents) {
        match index.documents.get_mut(&key) {
            Some(current) if merge => current.extend(document),
            Some(current) => *current = document,
            None => {
                index.documents.insert(key, document);
            }
        }
    }
    index.updated_at = now;
    Ok(indexed)
}

fn apply_swaps(
    indexes: &mut IndexStore,
    swaps: &[IndexSwap],
    now: OffsetDateTime,
) -> NodeResult<()> {
    let missing: Vec<&String> = swaps
        .iter()
        .flat_map(|swap| {
            if swap.rename {
                vec![&swap.indexes[0]]
            } else {
                swap.indexes.iter().collect()
            }
        })
        .filter(|uid| !indexes.contains(uid))
        .collect();
    if !missing.is_empty() {
        let listed: Vec<String> = missing.iter().map(|uid| format!("`{uid}`")).collect();
        let message = if missing.len() == 1 {
            format!("Index {} not found.", listed.join(", "))
        } else {
            format!("Indexes {} not found.", listed.join(", "))
        };
        return Err(NodeError::new(codes::INDEX_NOT_FOUND, message));
    }
    for swap in swaps {
        let [first, second] = &swap.indexes;
        if swap.rename {
            if indexes.contains(second) {
                return Err(NodeError::new(
                    codes::INDEX_ALREADY_EXISTS,
                    format!("Index `{second}` already exists."),
                ));
            }
            let mut renamed = indexes.remove(first)?;
            renamed.uid = second.clone();
            renamed.updated_at = now;
            indexes.insert(renamed);
        } else {
            let mut left = indexes.remove(first)?;
            let mut right = indexes.remove(second)?;
            std::mem::swap(&mut left.uid, &mut right.uid);
            left.updated_at = now;
            right.updated_at = now;
            indexes.insert(left);
            indexes.insert(right);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time_format::now;

    fn documents(value: Value) -> Vec<Document> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|document| document.as_object().unwrap().clone())
            .collect()
    }

    fn add(indexes: &mut IndexStore, value: Value, merge: bool) -> NodeResult<Map<String, Value>> {
        let operation = TaskOperation::DocumentAddition {
            documents: documents(value),
            primary_key: None,
            merge,
        };
        apply_to_indexes(operation, Some("movies"), indexes, now())
    }

    #[test]
    fn addition_infers_the_primary_key_and_creates_the_index() {
        let mut indexes = IndexStore::default();
        let details = add(
            &mut indexes,
            json!([{"id": 1, "title": "a"}, {"id": 2}]),
            false,
        )
        .unwrap();
        assert_eq!(details["indexedDocuments"], json!(2));
        assert_eq!(
            indexes.get("movies").unwrap().primary_key.as_deref(),
            Some("id")
        );
    }

    #[test]
    fn put_merges_fields_and_post_replaces_documents() {
        let mut indexes = IndexStore::default();
        add(
            &mut indexes,
            json!([{"id": 1, "title": "a", "year": 2000}]),
            false,
        )
        .unwrap();
        add(&mut indexes, json!([{"id": 1, "year": 2001}]), true).unwrap();
        assert_eq!(
            Value::Object(indexes.get("movies").unwrap().documents["1"].clone()),
            json!({"id": 1, "title": "a", "year": 2001})
        );
        add(&mut indexes, json!([{"id": 1, "year": 2002}]), false).unwrap();
        assert_eq!(
            Value::Object(indexes.get("movies").unwrap().documents["1"].clone()),
            json!({"id": 1, "year": 2002})
        );
    }

    #[test]
    fn one_bad_document_fails_the_whole_task() {
        let mut indexes = IndexStore::default();
        add(&mut indexes, json!([{"id": 1}]), false).unwrap();
        let error = add(&mut indexes, json!([{"id": 2}, {"id": "bad id!"}]), false).unwrap_err();
        assert_eq!(error.code, codes::INVALID_DOCUMENT_ID);
        assert_eq!(indexes.get("movies").unwrap().documents.len(), 1);
    }

    #[test]
    fn swapping_exchanges_contents_and_renaming_moves_them() {
        let mut indexes = IndexStore::default();
        add(&mut indexes, json!([{"id": 1}]), false).unwrap();
        indexes.create("empty", None, now()).unwrap();
        let swap = IndexSwap {
            indexes: ["movies".to_owned(), "empty".to_owned()],
            rename: false,
        };
        apply_to_indexes(
            TaskOperation::IndexSwap { swaps: vec![swap] },
            None,
            &mut indexes,
            now(),
        )
        .unwrap();
        assert_eq!(indexes.get("empty").unwrap().documents.len(), 1);
        assert!(indexes.get("movies").unwrap().documents.is_empty());
        let rename = IndexSwap {
            indexes: ["empty".to_owned(), "renamed".to_owned()],
            rename: true,
        };
        apply_to_indexes(
            TaskOperation::IndexSwap {
                swaps: vec![rename],
            },
            None,
            &mut indexes,
            now(),
        )
        .unwrap();
        assert!(!indexes.contains("empty") && indexes.contains("renamed"));
    }
}
