//! Logs: one JSON object per line (`timestamp`, `level`, `target`, `message`, the event's own
//! fields flattened, and the current span — for a request `request_id`, `method` and
//! `path_template`), filtered by `RUST_LOG` (default `info`).
//!
//! Never logged at any level: API keys, document bodies, query text.

use tracing_subscriber::EnvFilter;

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSink {
    /// Standard output (`miroir run`: the collector reads it).
    Stdout,
    /// Standard error (one-shot commands that print their result on stdout).
    Stderr,
}

/// Installs the JSON log subscriber for the process.
pub fn init(sink: LogSink) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter);
    match sink {
        LogSink::Stdout => builder.with_writer(std::io::stdout).init(),
        LogSink::Stderr => builder.with_writer(std::io::stderr).init(),
    }
}
