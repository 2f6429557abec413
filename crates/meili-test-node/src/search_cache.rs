//! What searches of one index reuse between requests: the tokenised documents
//! ([`WordIndex`]), per sort criterion every document's sort value, per filtered attribute
//! every document's facet values, and per faceted attribute the values
//! `facetDistribution` counts. Built lazily
//! by the first search that needs it, dropped by any write to the index.
//!
//! ```text
//! search ──get_or_build──▶ Arc<CachedIndex> ──words────────────▶ candidates, matching
//!                                           └─facets(attribute)─▶ filter evaluation
//! write (IndexStore::get_mut / get_or_create) ──invalidate──▶ empty
//! ```
//!
//! Nothing cached depends on the settings (see [`WordIndex`]; facet values are what a
//! document holds), but settings writes invalidate too, so the cache never has to know.
//! Document numbers are positions in the index's documents map.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use miroir_core::filter::FacetValues;
use parking_lot::Mutex;

use crate::facets::AttributeValues;
use crate::payload::Document;
use crate::search::{SortValueCache, WordIndex};

/// The lazily built search data of one index (see the module documentation).
#[derive(Debug, Default)]
pub struct SearchCache {
    built: Mutex<Option<Arc<CachedIndex>>>,
}

/// A clone starts empty: it is rebuilt from the clone's documents when first searched.
impl Clone for SearchCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl SearchCache {
    /// Drops everything cached; call before any change to the documents or settings.
    pub fn invalidate(&mut self) {
        *self.built.get_mut() = None;
    }

    /// The cached data of `documents`, built now if missing. `documents` must be the
    /// documents of the index owning this cache.
    pub fn get_or_build(&self, documents: &IndexMap<String, Document>) -> Arc<CachedIndex> {
        let mut built = self.built.lock();
        if let Some(cached) = built.as_ref() {
            // Writes invalidate the cache; a count mismatch would mean a write path that does
            // not, so rebuild rather than serve document numbers that may not exist.
            debug_assert_eq!(cached.words.len(), documents.len(), "stale search cache");
            if cached.words.len() == documents.len() {
                return Arc::clone(cached);
            }
        }
        let cached = Arc::new(CachedIndex {
            words: WordIndex::build(documents.values()),
            sort_values: SortValueCache::default(),
            facets: Mutex::new(HashMap::new()),
            distribution_values: Mutex::new(HashMap::new()),
        });
        *built = Some(Arc::clone(&cached));
        cached
    }
}

/// The search data of one state of an index's documents.
#[derive(Debug)]
pub struct CachedIndex {
    /// The tokenised documents.
    pub words: WordIndex,
    /// Sort values of the documents.
    pub sort_values: SortValueCache,
    facets: Mutex<HashMap<String, Arc<Vec<FacetValues>>>>,
    distribution_values: Mutex<HashMap<String, Arc<AttributeValues>>>,
}

impl CachedIndex {
    /// The facet values of `attribute` of every document (by document number), extracted
    /// now if this attribute was never asked for. `documents` must be the documents this
    /// cache was built from.
    pub fn facets(
        &self,
        documents: &IndexMap<String, Document>,
        attribute: &str,
    ) -> Arc<Vec<FacetValues>> {
        if let Some(values) = self.facets.lock().get(attribute) {
            return Arc::clone(values);
        }
        // Extract without holding the lock; a concurrent search may do the same work once.
        let values: Arc<Vec<FacetValues>> = Arc::new(
            documents
                .values()
                .map(|document| FacetValues::of_document(document, attribute))
                .collect(),
        );
        self.facets
            .lock()
            .entry(attribute.to_owned())
            .or_insert(values)
            .clone()
    }
}

impl CachedIndex {
    /// The values `facetDistribution` counts for `attribute`, by document number, extracted
    /// now if this attribute was never asked for. `documents` must be the documents this
    /// cache was built from.
    pub fn distribution_values(
        &self,
        documents: &IndexMap<String, Document>,
        attribute: &str,
    ) -> Arc<AttributeValues> {
        if let Some(values) = self.distribution_values.lock().get(attribute) {
            return Arc::clone(values);
        }
        let values = Arc::new(AttributeValues::extract(documents.values(), attribute));
        Arc::clone(
            self.distribution_values
                .lock()
                .entry(attribute.to_owned())
                .or_insert(values),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn documents(titles: &[&str]) -> IndexMap<String, Document> {
        titles
            .iter()
            .enumerate()
            .map(|(id, title)| {
                let document = json!({"id": id, "title": title});
                (id.to_string(), document.as_object().unwrap().clone())
            })
            .collect()
    }

    #[test]
    fn builds_once_and_rebuilds_after_invalidation() {
        let mut cache = SearchCache::default();
        let first = cache.get_or_build(&documents(&["dark"]));
        let again = cache.get_or_build(&documents(&["dark"]));
        assert!(Arc::ptr_eq(&first, &again));
        cache.invalidate();
        let rebuilt = cache.get_or_build(&documents(&["dark", "knight"]));
        assert_eq!(rebuilt.words.len(), 2);
        assert!(cache.clone().built.lock().is_none());
    }

    #[test]
    fn facets_are_extracted_per_document_in_order() {
        let documents = documents(&[" Dark ", "Knight"]);
        let cache = SearchCache::default();
        let cached = cache.get_or_build(&documents);
        let titles = cached.facets(&documents, "title");
        assert_eq!(titles.len(), 2);
        assert_eq!(
            titles[0],
            FacetValues::of_document(&documents["0"], "title")
        );
        assert!(Arc::ptr_eq(&titles, &cached.facets(&documents, "title")));
        let shown = cached.distribution_values(&documents, "title");
        assert_eq!(
            *shown,
            AttributeValues::extract(documents.values(), "title")
        );
    }
}
