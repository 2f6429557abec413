//! Miroir's pure core: configuration, topology, routing, result merging, primary keys and the
//! error catalogue. Nothing here performs I/O; the server crates execute what it decides.
//!
//! ```text
//!   config ──► topology ──► router ──► (server: fan-out) ──► merger ──► client
//!                                 primary_key ─┘        error ─┘
//! ```

pub mod config;
pub mod document;
pub mod error;
pub mod filter;
pub mod health;
pub mod listing;
pub mod merger;
pub mod payload;
pub mod primary_key;
pub mod rebalance;
pub mod router;
pub mod search_params;
pub mod settings_broadcast;
pub mod shard_filterable;
pub mod stats;
pub mod topology;
