//! `miroir probe`: an HTTP health check for container images without a shell or curl.
//!
//! Docker health checks and Kubernetes exec probes run `miroir probe --url …`; it exits 0
//! only when the URL answers 200 within the timeout.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::uri::{InvalidUri, Uri};
use http_body_util::Empty;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Why a probe failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The URL is not an absolute `http://` URL.
    #[error("invalid probe URL {url}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No answer could be obtained (connection refused, reset, …).
    #[error("{url} unreachable: {source}")]
    Unreachable {
        /// The URL probed.
        url: String,
        /// The client's reason.
        source: hyper_util::client::legacy::Error,
    },
    /// No answer within the timeout.
    #[error("{url} did not answer within {timeout:?}")]
    TimedOut {
        /// The URL probed.
        url: String,
        /// The timeout.
        timeout: Duration,
    },
    /// An answer other than 200.
    #[error("{url} answered {status}")]
    NotOk {
        /// The URL probed.
        url: String,
        /// The status it answered.
        status: u16,
    },
}

/// GETs `url` once; `Ok` when it answers 200 within `timeout`.
pub async fn probe(url: &str, timeout: Duration) -> Result<(), ProbeError> {
    let uri: Uri = url
        .parse()
        .map_err(|error: InvalidUri| ProbeError::InvalidUrl {
            url: url.to_owned(),
            reason: error.to_string(),
        })?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(ProbeError::InvalidUrl {
            url: url.to_owned(),
            reason: "expected http://HOST:PORT/PATH".to_owned(),
        });
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let answer = tokio::time::timeout(timeout, client.get(uri))
        .await
        .map_err(|_elapsed| ProbeError::TimedOut {
            url: url.to_owned(),
            timeout,
        })?
        .map_err(|source| ProbeError::Unreachable {
            url: url.to_owned(),
            source,
        })?;
    match answer.status().as_u16() {
        200 => Ok(()),
        status => Err(ProbeError::NotOk {
            url: url.to_owned(),
            status,
        }),
    }
}
