//! Which indexes have a settings rollout running on this peer, and the rollout knobs.
//!
//! A rollout is in flight from its propose phase until it commits or gives up (after
//! restoring): during that window the index's nodes may disagree, and responses about the
//! index carry `X-Miroir-Settings-Inconsistent: true`. The marker is per peer (in memory):
//! other peers do not see it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use miroir_core::config::SettingsBroadcastConfig;

/// The settings rollouts running on this peer, by index uid, and their configuration.
pub struct SettingsRollouts {
    config: SettingsBroadcastConfig,
    in_flight: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl SettingsRollouts {
    /// No rollout running yet, under `config`.
    pub fn new(config: SettingsBroadcastConfig) -> Self {
        Self {
            config,
            in_flight: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// The `settings_broadcast` configuration.
    pub fn config(&self) -> &SettingsBroadcastConfig {
        &self.config
    }

    /// Marks a rollout of `index_uid` as running until the guard is dropped.
    pub fn begin(&self, index_uid: &str) -> RolloutGuard {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *in_flight.entry(index_uid.to_owned()).or_insert(0) += 1;
        RolloutGuard {
            index_uid: index_uid.to_owned(),
            in_flight: Arc::clone(&self.in_flight),
        }
    }

    /// Whether a rollout of `index_uid` is running on this peer.
    pub fn is_in_flight(&self, index_uid: &str) -> bool {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(index_uid)
    }
}

/// Keeps one rollout of an index marked as running; dropping it ends the mark.
pub struct RolloutGuard {
    index_uid: String,
    in_flight: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Drop for RolloutGuard {
    fn drop(&mut self) {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = in_flight.get_mut(&self.index_uid) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                in_flight.remove(&self.index_uid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use miroir_core::config::SettingsBroadcastConfig;

    use super::SettingsRollouts;

    #[test]
    fn an_index_is_in_flight_until_its_last_rollout_ends() {
        let rollouts = SettingsRollouts::new(SettingsBroadcastConfig::default());
        let first = rollouts.begin("movies");
        let second = rollouts.begin("movies");
        assert!(rollouts.is_in_flight("movies"));
        assert!(!rollouts.is_in_flight("books"));
        drop(first);
        assert!(rollouts.is_in_flight("movies"));
        drop(second);
        assert!(!rollouts.is_in_flight("movies"));
    }
}
