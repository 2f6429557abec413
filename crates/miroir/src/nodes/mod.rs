//! Talking to the Meilisearch nodes: one pooled HTTP client authenticated with Miroir's node
//! key, with a deadline per request.

mod client;

pub use client::{NodeClient, NodeError, NodeRequest, NodeResponse};
