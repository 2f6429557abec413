//! Fault injection for tests, controlled in-process ([`FaultController`]) or over HTTP under
//! `/_testnode/faults` (a path Miroir never calls, never authenticated, never faulted itself):
//!
//! - added latency: fixed for every request and/or per route (method + path prefix);
//! - fail the next N requests (optionally only under a path prefix) with a chosen status;
//! - "down": accepted connections are closed at once and open ones fail on their next read;
//! - stalled task processing: tasks stay `enqueued` until released.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// Extra latency for requests whose method and path match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteLatency {
    /// HTTP method to match (`None` = any).
    #[serde(default)]
    pub method: Option<String>,
    /// Path prefix to match (`/indexes/movies/search`).
    pub path_prefix: String,
    /// Added delay in milliseconds.
    pub delay_ms: u64,
}

/// Fail the next `count` matching requests with `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailNext {
    /// How many requests still fail.
    pub count: u32,
    /// The HTTP status they get (e.g. 503).
    pub status: u16,
    /// Only requests under this path prefix count (`None` = all).
    #[serde(default)]
    pub path_prefix: Option<String>,
}

/// The whole fault configuration (`PUT /_testnode/faults` body; `GET` answers it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Delay added to every request, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// Per-route delays (the first match applies, on top of `latencyMs`).
    #[serde(default)]
    pub route_latencies: Vec<RouteLatency>,
    /// Requests to fail.
    #[serde(default)]
    pub fail_next: Option<FailNext>,
    /// Whether the node refuses connections. Over HTTP it can only be set with `downForMs`
    /// (the node cannot be reached to bring it back up).
    #[serde(default)]
    pub down: bool,
    /// Over HTTP: go down for this many milliseconds, then come back up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_for_ms: Option<u64>,
    /// Whether task processing is stalled.
    #[serde(default)]
    pub stall_tasks: bool,
}

/// What the fault middleware does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFault {
    /// Delay before handling.
    pub delay: Duration,
    /// Answer with this status instead of handling.
    pub fail_with: Option<u16>,
}

/// Shared, thread-safe fault state of one node.
#[derive(Debug)]
pub struct FaultController {
    config: Mutex<FaultConfig>,
    down: AtomicBool,
    stall_tasks: AtomicBool,
    task_wakeup: Arc<Notify>,
}

impl FaultController {
    /// A controller with no fault; `task_wakeup` is notified when task processing resumes.
    pub fn new(task_wakeup: Arc<Notify>) -> Self {
        Self {
            config: Mutex::new(FaultConfig::default()),
            down: AtomicBool::new(false),
            stall_tasks: AtomicBool::new(false),
            task_wakeup,
        }
    }

    /// The current configuration (with the remaining `failNext` count).
    pub fn config(&self) -> FaultConfig {
        let mut config = self.config.lock().clone();
        config.down = self.is_down();
        config.stall_tasks = self.tasks_stalled();
        config
    }

    /// Replaces the configuration (`down`/`downForMs` are handled by the caller).
    pub fn set_config(&self, config: FaultConfig) {
        self.set_down(config.down);
        self.set_tasks_stalled(config.stall_tasks);
        *self.config.lock() = FaultConfig {
            down: false,
            down_for_ms: None,
            stall_tasks: false,
            ..config
        };
    }

    /// Clears every fault.
    pub fn clear(&self) {
        self.set_config(FaultConfig::default());
    }

    /// Sets the fixed latency added to every request.
    pub fn set_latency(&self, latency: Duration) {
        self.config.lock().latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    }

    /// Fails the next `count` requests (under `path_prefix`, if given) with `status`.
    pub fn fail_next(&self, count: u32, status: u16, path_prefix: Option<String>) {
        self.config.lock().fail_next = Some(FailNext {
            count,
            status,
            path_prefix,
        });
    }

    /// Takes the node down (connections refused) or brings it back up.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Whether the node is down.
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }

    /// Stalls or resumes task processing.
    pub fn set_tasks_stalled(&self, stalled: bool) {
        self.stall_tasks.store(stalled, Ordering::SeqCst);
        if !stalled {
            self.task_wakeup.notify_one();
        }
    }

    /// Whether task processing is stalled.
    pub fn tasks_stalled(&self) -> bool {
        self.stall_tasks.load(Ordering::SeqCst)
    }

    /// Decides the fault for one request (consumes one `failNext` when it matches).
    pub fn on_request(&self, method: &str, path: &str) -> RequestFault {
        let mut config = self.config.lock();
        let route_delay = config
            .route_latencies
            .iter()
            .find(|route| {
                path.starts_with(&route.path_prefix)
                    && route
                        .method
                        .as_deref()
                        .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method))
            })
            .map_or(0, |route| route.delay_ms);
        let delay = Duration::from_millis(config.latency_ms.saturating_add(route_delay));
        let mut fail_with = None;
        if let Some(fail) = config.fail_next.as_mut() {
            let applies = fail
                .path_prefix
                .as_deref()
                .is_none_or(|prefix| path.starts_with(prefix));
            if applies && fail.count > 0 {
                fail.count -= 1;
                fail_with = Some(fail.status);
            }
            if fail.count == 0 {
                config.fail_next = None;
            }
        }
        RequestFault { delay, fail_with }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn controller() -> FaultController {
        FaultController::new(Arc::new(Notify::new()))
    }

    #[test]
    fn fail_next_counts_down_only_on_matching_paths() {
        let faults = controller();
        faults.fail_next(2, 503, Some("/indexes".to_owned()));
        assert_eq!(faults.on_request("GET", "/health").fail_with, None);
        assert_eq!(faults.on_request("GET", "/indexes").fail_with, Some(503));
        assert_eq!(
            faults.on_request("POST", "/indexes/x/search").fail_with,
            Some(503)
        );
        assert_eq!(faults.on_request("GET", "/indexes").fail_with, None);
        assert_eq!(faults.config().fail_next, None);
    }

    #[test]
    fn latency_adds_fixed_and_first_matching_route_delay() {
        let faults = controller();
        faults.set_config(FaultConfig {
            latency_ms: 5,
            route_latencies: vec![RouteLatency {
                method: Some("POST".to_owned()),
                path_prefix: "/indexes/movies/search".to_owned(),
                delay_ms: 20,
            }],
            ..FaultConfig::default()
        });
        assert_eq!(
            faults.on_request("POST", "/indexes/movies/search").delay,
            Duration::from_millis(25)
        );
        assert_eq!(
            faults.on_request("GET", "/indexes/movies/search").delay,
            Duration::from_millis(5)
        );
    }

    #[test]
    fn down_and_stall_flags_toggle_and_clear() {
        let faults = controller();
        faults.set_down(true);
        faults.set_tasks_stalled(true);
        assert!(faults.is_down() && faults.tasks_stalled());
        assert!(faults.config().down && faults.config().stall_tasks);
        faults.clear();
        assert!(!faults.is_down() && !faults.tasks_stalled());
    }
}
