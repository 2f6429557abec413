//! Which voters the leader counts as healthy (pure, no I/O): the quorum check of a voter
//! removal is made against them.
//!
//! The leader is healthy by definition (it is the one deciding). Another voter is healthy when
//! the leader's last acknowledged heartbeat or replication to it was sent less than `staleness`
//! ago; a voter the leader never heard back from is not.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::types::PeerId;

/// The voters counted as healthy by `leader`, given how long ago each peer last acknowledged
/// the leader (`None`: never since this leader was elected) and the `staleness` bound.
pub fn healthy_voters(
    leader: PeerId,
    voters: &BTreeSet<PeerId>,
    last_ack_age: &BTreeMap<PeerId, Option<Duration>>,
    staleness: Duration,
) -> BTreeSet<PeerId> {
    voters
        .iter()
        .copied()
        .filter(|voter| {
            *voter == leader
                || last_ack_age
                    .get(voter)
                    .copied()
                    .flatten()
                    .is_some_and(|age| age < staleness)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const STALENESS: Duration = Duration::from_secs(3);

    #[test]
    fn recent_acks_are_healthy_stale_and_missing_ones_are_not() {
        let voters = BTreeSet::from([1, 2, 3, 4]);
        let ages = BTreeMap::from([
            (1, Some(Duration::ZERO)),
            (2, Some(Duration::from_millis(200))),
            (3, Some(Duration::from_secs(10))),
            (4, None),
        ]);
        assert_eq!(
            healthy_voters(1, &voters, &ages, STALENESS),
            BTreeSet::from([1, 2])
        );
    }

    #[test]
    fn the_leader_is_healthy_without_any_ack_and_learners_never_count() {
        let voters = BTreeSet::from([1, 2]);
        let ages = BTreeMap::from([
            (2, Some(Duration::from_millis(1))),
            (5, Some(Duration::ZERO)),
        ]);
        assert_eq!(
            healthy_voters(1, &voters, &BTreeMap::new(), STALENESS),
            BTreeSet::from([1])
        );
        assert_eq!(
            healthy_voters(1, &voters, &ages, STALENESS),
            BTreeSet::from([1, 2])
        );
    }

    #[test]
    fn an_ack_exactly_at_the_bound_is_stale() {
        let voters = BTreeSet::from([1, 2]);
        let ages = BTreeMap::from([(2, Some(STALENESS))]);
        assert_eq!(
            healthy_voters(1, &voters, &ages, STALENESS),
            BTreeSet::from([1])
        );
    }

    proptest! {
        /// Healthy voters are voters, include a voting leader, and are exactly those with a
        /// fresh ack besides it.
        #[test]
        fn healthy_is_the_leader_plus_fresh_voters(
            voters in prop::collection::btree_set(0u64..8, 1..8),
            ages in prop::collection::btree_map(0u64..10, prop::option::of(0u64..6_000), 0..10),
            leader in 0u64..8,
        ) {
            let ages: BTreeMap<PeerId, Option<Duration>> = ages
                .into_iter()
                .map(|(id, age)| (id, age.map(Duration::from_millis)))
                .collect();
            let healthy = healthy_voters(leader, &voters, &ages, STALENESS);
            prop_assert!(healthy.is_subset(&voters));
            prop_assert_eq!(healthy.contains(&leader), voters.contains(&leader));
            for voter in voters.iter().filter(|voter| **voter != leader) {
                let fresh = matches!(ages.get(voter), Some(Some(age)) if *age < STALENESS);
                prop_assert_eq!(healthy.contains(voter), fresh);
            }
        }
    }
}
