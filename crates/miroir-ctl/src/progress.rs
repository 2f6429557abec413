//! Progress display on stderr (indicatif; hidden when stderr is not a terminal): a spinner for
//! a watched task, and one bar per running operation for `rebalance status --watch`.

use std::collections::HashMap;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::render::operations::ProgressItem;

const TICK: Duration = Duration::from_millis(120);

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{bar:30} {pos:>3}% {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// A spinner with a message, cleared when dropped.
pub struct Spinner {
    bar: ProgressBar,
}

impl Spinner {
    /// Starts spinning with `message`.
    pub fn start(message: String) -> Spinner {
        let bar = ProgressBar::new_spinner().with_style(spinner_style());
        bar.set_message(message);
        bar.enable_steady_tick(TICK);
        Spinner { bar }
    }

    /// Replaces the message.
    pub fn update(&self, message: String) {
        self.bar.set_message(message);
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// One bar per [`ProgressItem`], added and removed as snapshots come and go.
#[derive(Default)]
pub struct OperationBars {
    screen: MultiProgress,
    bars: HashMap<String, (ProgressBar, bool)>,
}

impl OperationBars {
    /// Shows exactly `items`: new ones get a bar (a spinner when the percent is unknown),
    /// existing ones are updated, vanished ones are removed.
    pub fn show(&mut self, items: &[ProgressItem]) {
        self.bars.retain(|key, (bar, _)| {
            let still_running = items.iter().any(|item| &item.key == key);
            if !still_running {
                bar.finish_and_clear();
            }
            still_running
        });
        for item in items {
            let has_percent = item.percent.is_some();
            let stale = self
                .bars
                .get(&item.key)
                .is_some_and(|(_, shown_with_percent)| *shown_with_percent != has_percent);
            if stale {
                if let Some((bar, _)) = self.bars.remove(&item.key) {
                    bar.finish_and_clear();
                }
            }
            let (bar, _) = self.bars.entry(item.key.clone()).or_insert_with(|| {
                let bar = if has_percent {
                    ProgressBar::new(100).with_style(bar_style())
                } else {
                    let spinner = ProgressBar::new_spinner().with_style(spinner_style());
                    spinner.enable_steady_tick(TICK);
                    spinner
                };
                (self.screen.add(bar), has_percent)
            });
            bar.set_message(item.label.clone());
            if let Some(percent) = item.percent {
                bar.set_position(u64::from(percent));
            }
        }
    }
}

impl Drop for OperationBars {
    fn drop(&mut self) {
        for (bar, _) in self.bars.values() {
            bar.finish_and_clear();
        }
    }
}
