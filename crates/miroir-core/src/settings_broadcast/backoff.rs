//! The repair schedule: exponential backoff between two repair attempts.

use std::time::Duration;

/// Longest wait between two repair attempts, whatever the base and attempt number.
pub const MAX_REPAIR_DELAY: Duration = Duration::from_secs(60);

/// How long to wait before repair attempt `attempt` (1-based): `base`, then twice as long for
/// each further attempt (`base · 2^(attempt-1)`), capped at [`MAX_REPAIR_DELAY`].
pub fn repair_delay(base: Duration, attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    base.saturating_mul(1u32 << doublings).min(MAX_REPAIR_DELAY)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::{repair_delay, MAX_REPAIR_DELAY};

    #[test]
    fn delays_double_from_the_base() {
        let base = Duration::from_millis(500);
        let schedule: Vec<Duration> = (1..=4).map(|attempt| repair_delay(base, attempt)).collect();
        assert_eq!(
            schedule,
            [500, 1_000, 2_000, 4_000].map(Duration::from_millis)
        );
    }

    #[test]
    fn delays_are_capped() {
        assert_eq!(repair_delay(Duration::from_secs(1), 40), MAX_REPAIR_DELAY);
        assert_eq!(repair_delay(Duration::from_secs(90), 1), MAX_REPAIR_DELAY);
    }

    proptest! {
        /// The schedule never shrinks from one attempt to the next and never exceeds the cap.
        #[test]
        fn delays_never_shrink(base_ms in 1u64..100_000, attempt in 1u32..200) {
            let base = Duration::from_millis(base_ms);
            let here = repair_delay(base, attempt);
            let next = repair_delay(base, attempt + 1);
            prop_assert!(here <= next);
            prop_assert!(next <= MAX_REPAIR_DELAY);
        }
    }
}
