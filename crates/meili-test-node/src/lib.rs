//! Meilisearch-compatible test node (test and development tool only).
