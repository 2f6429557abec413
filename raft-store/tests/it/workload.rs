//! The commands the tests replicate: task enqueues, each tagged with a unique index uid so its
//! presence can be checked after the fact.

use std::collections::BTreeMap;

use miroir_meta::{Command, CommandV1, MetadataState, Response, TaskCommand};

/// An enqueue command whose task names `index_uid` `tag`.
pub fn enqueue(tag: &str) -> Command {
    Command::V1(CommandV1::Task(TaskCommand::Enqueue {
        index_uid: Some(tag.to_owned()),
        task_type: "documentAdditionOrUpdate".to_owned(),
        details_json: None,
        node_tasks: BTreeMap::new(),
    }))
}

/// The task uid of an accepted enqueue.
pub fn task_uid(response: &Response) -> u64 {
    match response {
        Response::TaskEnqueued { task_uid } => *task_uid,
        other => panic!("enqueue was not accepted: {other:?}"),
    }
}

/// Whether `state` holds task `uid` enqueued with tag `tag`.
pub fn has_task(state: &MetadataState, uid: u64, tag: &str) -> bool {
    state
        .task(uid)
        .is_some_and(|task| task.index_uid.as_deref() == Some(tag))
}

/// A tiny deterministic generator (xorshift64*) for picking peers.
pub struct Picker(u64);

impl Picker {
    /// A generator seeded with `seed` (non-zero).
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// A value in `0..bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound as u64) as usize
    }
}
