//! Filters on documents (search, documents fetch, delete by filter, facet search).
//!
//! Parsing and evaluation belong to `miroir_core::filter` (written concurrently; the node must
//! not carry its own filter parser). Until that module exposes `parse_filter`, this adapter
//! rejects every non-null filter with the caller's error code instead of pretending to filter,
//! so a test relying on filters fails loudly. Integration (three lines): call
//! `miroir_core::filter::parse_filter(value)`, check each `filter.attributes()` entry with
//! [`matches_attribute_patterns`] (error text from core's not-filterable helper), and evaluate
//! with `Filter::matches`.

use serde_json::Value;

use crate::errors::{ErrorCode, NodeError, NodeResult};
use crate::payload::Document;
use crate::settings::matches_attribute_patterns;

/// A parsed filter whose attributes are all filterable.
#[derive(Debug, Clone)]
pub struct DocumentFilter {
    /// Attributes the filter reads (all checked filterable).
    attributes: Vec<String>,
}

const UNAVAILABLE: &str = "filters are not available in this build of the test node: `miroir_core::filter` is not integrated yet";

impl DocumentFilter {
    /// Parses `value` (string or array form; `null` = no filter) and checks every attribute
    /// against `filterable` patterns; errors carry `code`.
    pub fn compile(
        value: &Value,
        index_uid: &str,
        filterable: &[String],
        code: ErrorCode,
    ) -> NodeResult<Option<Self>> {
        Self::check_syntax(value, code)?;
        let filter = Self {
            attributes: Vec::new(),
        };
        if let Some(attribute) = filter
            .attributes
            .iter()
            .find(|attribute| !matches_attribute_patterns(attribute, filterable))
        {
            return Err(NodeError::new(
                code,
                format!("Index `{index_uid}`: Attribute `{attribute}` is not filterable."),
            ));
        }
        Ok(None)
    }

    /// Checks only the syntax of `value` (delete-by-filter checks filterability when its task
    /// runs).
    pub fn check_syntax(value: &Value, code: ErrorCode) -> NodeResult<()> {
        if value.is_null() {
            Ok(())
        } else {
            Err(NodeError::new(code, UNAVAILABLE))
        }
    }

    /// Whether `document` passes the filter.
    pub fn matches(&self, document: &Document) -> bool {
        self.attributes
            .iter()
            .all(|attribute| document.contains_key(attribute))
    }
}
