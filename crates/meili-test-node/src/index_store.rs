//! The in-memory indexes: documents in insertion order keyed by their id, primary key,
//! settings, timestamps, and the JSON views (`GET /indexes/{uid}`, stats) built from them.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::errors::{codes, NodeError, NodeResult};
use crate::payload::Document;
use crate::search_cache::{CachedIndex, SearchCache};
use crate::settings::Settings;
use crate::time_format::timestamp;

/// One index.
#[derive(Debug, Clone)]
pub struct Index {
    /// The index uid.
    pub uid: String,
    /// The primary key, once set or inferred.
    pub primary_key: Option<String>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last modification time.
    pub updated_at: OffsetDateTime,
    /// Documents by id, in insertion order (replacing keeps the position, like Meilisearch's
    /// internal document ids).
    pub documents: IndexMap<String, Document>,
    /// The index settings.
    pub settings: Settings,
    /// Search data derived from the documents; [`IndexStore`] drops it whenever it hands
    /// out the index for modification.
    pub search_cache: SearchCache,
}

impl Index {
    /// A new empty index.
    pub fn new(uid: &str, primary_key: Option<String>, now: OffsetDateTime) -> Self {
        Self {
            uid: uid.to_owned(),
            primary_key,
            created_at: now,
            updated_at: now,
            documents: IndexMap::new(),
            settings: Settings::default(),
            search_cache: SearchCache::default(),
        }
    }

    /// The search data of the current documents (built on first use after a write).
    pub fn search_data(&self) -> std::sync::Arc<CachedIndex> {
        self.search_cache.get_or_build(&self.documents)
    }

    /// The object of `GET /indexes/{uid}`.
    pub fn to_json(&self) -> Value {
        json!({
            "uid": self.uid,
            "createdAt": timestamp(self.created_at),
            "updatedAt": timestamp(self.updated_at),
            "primaryKey": self.primary_key,
        })
    }

    /// The object of `GET /indexes/{uid}/stats`.
    pub fn stats_json(&self, is_indexing: bool) -> Value {
        let mut field_distribution: BTreeMap<&str, u64> = BTreeMap::new();
        let mut raw_size = 0usize;
        for document in self.documents.values() {
            raw_size += serde_json::to_vec(document)
                .map(|bytes| bytes.len())
                .unwrap_or(0);
            for field in document.keys() {
                *field_distribution.entry(field.as_str()).or_default() += 1;
            }
        }
        let average = if self.documents.is_empty() {
            0
        } else {
            raw_size / self.documents.len()
        };
        json!({
            "numberOfDocuments": self.documents.len(),
            "rawDocumentDbSize": raw_size,
            "avgDocumentSize": average,
            "isIndexing": is_indexing,
            "numberOfEmbeddings": 0,
            "numberOfEmbeddedDocuments": 0,
            "fieldDistribution": field_distribution,
        })
    }

    /// Approximate bytes this index occupies (for `/stats` sizes).
    pub fn approximate_size(&self) -> usize {
        self.documents
            .values()
            .map(|document| {
                serde_json::to_vec(document)
                    .map(|bytes| bytes.len())
                    .unwrap_or(0)
            })
            .sum()
    }
}

/// All indexes by uid (listed alphabetically, like Meilisearch).
#[derive(Debug, Clone, Default)]
pub struct IndexStore {
    indexes: BTreeMap<String, Index>,
}

impl IndexStore {
    /// The index named `uid`, or `index_not_found`.
    pub fn get(&self, uid: &str) -> NodeResult<&Index> {
        self.indexes
            .get(uid)
            .ok_or_else(|| NodeError::index_not_found(uid))
    }

    /// The index named `uid` for modification, or `index_not_found`. Its search cache is
    /// dropped: the caller may change documents or settings.
    pub fn get_mut(&mut self, uid: &str) -> NodeResult<&mut Index> {
        let index = self
            .indexes
            .get_mut(uid)
            .ok_or_else(|| NodeError::index_not_found(uid))?;
        index.search_cache.invalidate();
        Ok(index)
    }

    /// Whether an index named `uid` exists.
    pub fn contains(&self, uid: &str) -> bool {
        self.indexes.contains_key(uid)
    }

    /// The index named `uid`, created empty if missing (document and settings tasks do
    /// this); its search cache is dropped, as by [`IndexStore::get_mut`].
    pub fn get_or_create(&mut self, uid: &str, now: OffsetDateTime) -> &mut Index {
        let index = self
            .indexes
            .entry(uid.to_owned())
            .or_insert_with(|| Index::new(uid, None, now));
        index.search_cache.invalidate();
        index
    }

    /// Creates an index, or `index_already_exists`.
    pub fn create(
        &mut self,
        uid: &str,
        primary_key: Option<String>,
        now: OffsetDateTime,
    ) -> NodeResult<()> {
        if self.indexes.contains_key(uid) {
            return Err(NodeError::new(
                codes::INDEX_ALREADY_EXISTS,
                format!("Index `{uid}` already exists."),
            ));
        }
        self.indexes
            .insert(uid.to_owned(), Index::new(uid, primary_key, now));
        Ok(())
    }

    /// Removes an index and returns it.
    pub fn remove(&mut self, uid: &str) -> NodeResult<Index> {
        self.indexes
            .remove(uid)
            .ok_or_else(|| NodeError::index_not_found(uid))
    }

    /// Inserts (or replaces) an index under its uid.
    pub fn insert(&mut self, index: Index) {
        self.indexes.insert(index.uid.clone(), index);
    }

    /// Every index in uid order.
    pub fn iter(&self) -> impl Iterator<Item = &Index> {
        self.indexes.values()
    }

    /// Number of indexes.
    pub fn len(&self) -> usize {
        self.indexes.len()
    }

    /// Whether there is no index.
    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty()
    }

    /// The object of `GET /stats`'s `indexes` field.
    pub fn stats_by_index(&self, indexing: &dyn Fn(&str) -> bool) -> Map<String, Value> {
        self.indexes
            .iter()
            .map(|(uid, index)| (uid.clone(), index.stats_json(indexing(uid))))
            .collect()
    }
}

/// Validates an index uid: alphanumeric, `-`, `_`, at most 512 bytes.
pub fn is_valid_index_uid(uid: &str) -> bool {
    !uid.is_empty()
        && uid.len() <= 512
        && uid
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// Meilisearch's `invalid_index_uid` error for `uid` at `location`.
pub fn invalid_index_uid(uid: &str, location: &str) -> NodeError {
    let at = if location.is_empty() {
        String::new()
    } else {
        format!(" at `{location}`")
    };
    NodeError::new(
        codes::INVALID_INDEX_UID,
        format!(
            "Invalid value{at}: `{uid}` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time_format::now;

    #[test]
    fn index_uids_follow_meilisearch_rules() {
        assert!(is_valid_index_uid("movies_v2-1"));
        assert!(!is_valid_index_uid("bad uid!"));
        assert!(!is_valid_index_uid(""));
        assert!(!is_valid_index_uid(&"a".repeat(513)));
    }

    #[test]
    fn creating_twice_fails_with_index_already_exists() {
        let mut store = IndexStore::default();
        store
            .create("movies", Some("id".to_owned()), now())
            .unwrap();
        let error = store.create("movies", None, now()).unwrap_err();
        assert_eq!(error.message, "Index `movies` already exists.");
    }

    #[test]
    fn stats_count_fields_per_document() {
        let mut index = Index::new("movies", Some("id".to_owned()), now());
        for (id, extra) in [("1", true), ("2", false)] {
            let mut document = Document::new();
            document.insert("id".to_owned(), json!(id));
            if extra {
                document.insert("tags".to_owned(), json!([]));
            }
            index.documents.insert(id.to_owned(), document);
        }
        let stats = index.stats_json(false);
        assert_eq!(stats["numberOfDocuments"], json!(2));
        assert_eq!(stats["fieldDistribution"], json!({"id": 2, "tags": 1}));
    }
}
