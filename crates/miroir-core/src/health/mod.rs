//! Node health as a peer's prober sees it: a small state machine per node fed with probe
//! results, and the readiness question "can this peer reach a covering set?".
//!
//! Pure logic (no clock, no I/O): the prober in the `miroir` crate decides when to probe and
//! feeds each outcome to [`HealthTable::record`].
//!
//! ```text
//!             ok                     fail × unhealthy_threshold
//!   Unknown ───────► Healthy ─────────────────────────────────► Unhealthy
//!      │                ▲                                         │
//!      │ fail ×         └──────── ok × recovery_threshold ────────┘
//!      └ unhealthy_threshold ───────────────────────────────────► Unhealthy
//! ```

mod table;

pub use table::{HealthPolicy, HealthTable, HealthTransition, NodeHealth};

#[cfg(test)]
mod tests;
