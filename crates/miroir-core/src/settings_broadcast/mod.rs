//! The pure decisions of the two-phase settings broadcast (§13.5): how settings are compared
//! (canonical JSON digest), which nodes diverge and why, when to retry a repair, and what the
//! error of an unrepairable change says. The peer's service layer runs the I/O.
//!
//! ```text
//!   propose (every node) ─► verify: read back, digest, compare to the reference node
//!        ▲                         │ all match ──► commit settings version
//!        └── repair diverging ◄────┤ some diverge, attempts left (repair_delay backoff)
//!                                  └ attempts exhausted ──► restore previous, divergence error
//! ```

pub mod backoff;
pub mod digest;
pub mod fault;
pub mod report;
pub mod verdict;

pub use backoff::{repair_delay, MAX_REPAIR_DELAY};
pub use digest::{canonical_json, settings_digest};
pub use fault::NodeFault;
pub use report::{divergence_message, restore_summary, RestoreOutcome};
pub use verdict::{
    choose_expected, diverging_nodes, rejected_everywhere, shard_field_filterable, ExpectedSettings,
};
