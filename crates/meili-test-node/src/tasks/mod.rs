//! Asynchronous tasks, as Meilisearch runs them: every write is registered as an enqueued
//! task and answered with `202` and a summary; one background worker takes tasks one at a
//! time (cancelations first, then in uid order), marks them `processing`, applies them to the
//! indexes and records `succeeded`/`failed` and a one-task batch.
//!
//! ```text
//!  handler ──register──► TaskStore (enqueued) ──worker──► processing ──apply──► succeeded | failed
//!                                   ▲                                              │
//!                                   └────────── taskCancelation: enqueued → canceled
//! ```

pub mod model;
pub mod operation;
pub mod query;
pub mod store;
pub mod worker;
