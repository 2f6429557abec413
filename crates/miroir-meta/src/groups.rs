//! Administrative state of a replica group.
//!
//! ```text
//!   (new) ─► Initializing ─► Active ─► Removed
//!                 │                      ▲
//!                 └──────── abort ───────┘
//! ```
//!
//! A group created after the cluster starts is `Initializing` while it back-fills from a
//! healthy group; queries are routed to it only once it is `Active`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What the operator asked of a replica group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupState {
    /// Being filled from another group; receives writes, serves no reads.
    Initializing,
    /// A full copy: serves reads and writes.
    Active,
    /// Gone for good; its id is never reused.
    Removed,
}

impl GroupState {
    /// Whether an operator may move a group from `self` to `next`.
    pub fn can_transition_to(self, next: GroupState) -> bool {
        use GroupState::*;
        matches!(
            (self, next),
            (Initializing, Active) | (Initializing, Removed) | (Active, Removed)
        )
    }
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            GroupState::Initializing => "initializing",
            GroupState::Active => "active",
            GroupState::Removed => "removed",
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_group_transitions_are_legal() {
        use GroupState::*;
        let all = [Initializing, Active, Removed];
        let legal = [
            (Initializing, Active),
            (Initializing, Removed),
            (Active, Removed),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    from.can_transition_to(to),
                    legal.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }
}
