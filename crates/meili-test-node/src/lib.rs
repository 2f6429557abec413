//! A Meilisearch-compatible in-memory test node.
//!
//! **Test and development tool only — never a Miroir component.** It behaves like Meilisearch
//! v1.50 for everything Miroir relies on (indexes, documents, settings, search, multi-search,
//! facet search, tasks, keys, stats), so the proxy, the Raft cluster, topology changes and
//! chaos can be tested end to end without real Meilisearch binaries. It also exposes fault
//! injection under `/_testnode/faults` (a path Miroir never calls).

pub mod auth;
pub mod body;
pub mod cli;
pub mod conformance;
pub mod document_id;
pub mod errors;
pub mod facets;
pub mod faults;
pub mod filtering;
pub mod index_store;
pub mod json_shape;
pub mod keys;
pub mod listener;
pub mod payload;
pub mod routes;
pub mod search;
pub mod search_cache;
pub mod search_execution;
pub mod search_request;
pub mod server;
pub mod settings;
pub mod state;
pub mod tasks;
pub mod time_format;

pub use faults::{FaultConfig, FaultController, RouteLatency};
pub use server::{spawn, NodeOptions, RunningNode, SpawnError};
