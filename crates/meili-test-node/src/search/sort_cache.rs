//! Sort values of every document of an index, per sort criterion (field and direction),
//! extracted once per state of the documents instead of once per search.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Map, Value};

use super::sort_value::SortValue;

/// A sort criterion: the field and whether it sorts ascending.
type Criterion = (String, bool);

/// Lazily extracted sort values, by document number (see the module documentation). Keep
/// one per set of documents; drop it when they change.
#[derive(Debug, Default)]
pub struct SortValueCache {
    by_criterion: Mutex<HashMap<Criterion, Arc<Vec<SortValue>>>>,
}

impl SortValueCache {
    /// The values of `field` sorted `ascending` of documents `0..count`, extracted now from
    /// `document_at` if this criterion was never asked for.
    pub(super) fn values<'d>(
        &self,
        field: &str,
        ascending: bool,
        count: usize,
        document_at: &dyn Fn(usize) -> &'d Map<String, Value>,
    ) -> Arc<Vec<SortValue>> {
        let key: Criterion = (field.to_owned(), ascending);
        if let Some(values) = self.by_criterion.lock().get(&key) {
            return Arc::clone(values);
        }
        // Extract without holding the lock; a concurrent search may do the same work once.
        let values: Arc<Vec<SortValue>> = Arc::new(
            (0..count)
                .map(|number| SortValue::of_document(document_at(number), field, ascending))
                .collect(),
        );
        Arc::clone(self.by_criterion.lock().entry(key).or_insert(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_document_numbers_and_direction() {
        let documents = [json!({"year": [1999, 2005]}), json!({"title": "x"})];
        let document_at = |number: usize| documents[number].as_object().unwrap();
        let cache = SortValueCache::default();
        let ascending = cache.values("year", true, 2, &document_at);
        assert_eq!(
            *ascending,
            vec![SortValue::Number(1999.0), SortValue::Missing]
        );
        let descending = cache.values("year", false, 2, &document_at);
        assert_eq!(descending[0], SortValue::Number(2005.0));
        assert!(Arc::ptr_eq(
            &ascending,
            &cache.values("year", true, 2, &document_at)
        ));
    }
}
