//! Replay of the recorded real Meilisearch v1.50 exchanges (`shared/meili-fixtures/`) against
//! any server that claims to answer like Meilisearch: this test node, or a Miroir peer in front
//! of several of them.
//!
//! ```text
//!   fixtures/*.json ─► Replayer ─► raw HTTP/1.1 ─► target ─► normalise ─► compare ─► outcomes
//! ```

pub mod http;
pub mod normalise;
mod replay;

pub use replay::{
    fixtures_dir, load_group, ExchangeOutcome, FixtureGroup, ReplayError, Replayer, GROUPS,
};
