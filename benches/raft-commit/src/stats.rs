//! Latency percentiles and the report row of one scenario.

use std::fmt;
use std::time::Duration;

/// What one scenario measured.
#[derive(Debug)]
pub struct Report {
    /// Cluster size.
    pub peers: u64,
    /// Concurrent clients.
    pub clients: usize,
    /// Latency of every measured command, sorted ascending.
    pub latencies: Vec<Duration>,
    /// Wall time of the measured phase.
    pub elapsed: Duration,
}

impl Report {
    /// Builds a report; sorts `latencies`.
    pub fn new(
        peers: u64,
        clients: usize,
        mut latencies: Vec<Duration>,
        elapsed: Duration,
    ) -> Self {
        latencies.sort_unstable();
        Self {
            peers,
            clients,
            latencies,
            elapsed,
        }
    }

    /// The `fraction` quantile (nearest rank) of the latencies.
    pub fn percentile(&self, fraction: f64) -> Duration {
        percentile(&self.latencies, fraction)
    }
}

/// Nearest-rank quantile of an ascending slice; zero for an empty one.
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let throughput = self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9);
        write!(
            f,
            "| {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms |",
            self.peers,
            self.clients,
            self.latencies.len(),
            throughput,
            millis(self.percentile(0.50)),
            millis(self.percentile(0.99)),
            millis(self.latencies.last().copied().unwrap_or_default()),
        )
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 0.50), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 1.0), Duration::from_millis(100));
        assert_eq!(percentile(&sorted[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }
}
