//! [`NodeClient`]: HTTP/1.1 to Meilisearch nodes with pooled keep-alive connections, Miroir's
//! node key as bearer token, and a deadline per request.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::metrics::NodeMetrics;

/// One request to a node: method, path with query string, optional body and its content type.
#[derive(Debug, Clone)]
pub struct NodeRequest {
    /// HTTP method.
    pub method: Method,
    /// Path and query, starting with `/` (e.g. `/indexes/movies/search`).
    pub path_and_query: String,
    /// Body bytes and their content type.
    pub body: Option<(Bytes, &'static str)>,
}

impl NodeRequest {
    /// A request without a body.
    pub fn new(method: Method, path_and_query: impl Into<String>) -> Self {
        Self {
            method,
            path_and_query: path_and_query.into(),
            body: None,
        }
    }

    /// A request carrying `value` as JSON.
    pub fn json(
        method: Method,
        path_and_query: impl Into<String>,
        value: &serde_json::Value,
    ) -> Self {
        Self {
            method,
            path_and_query: path_and_query.into(),
            body: Some((Bytes::from(value.to_string()), "application/json")),
        }
    }
}

/// A node's answer.
#[derive(Debug, Clone)]
pub struct NodeResponse {
    /// Its status.
    pub status: StatusCode,
    /// Its body.
    pub body: Bytes,
}

impl NodeResponse {
    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, NodeError> {
        serde_json::from_slice(&self.body)
            .map_err(|error| NodeError::InvalidBody(error.to_string()))
    }
}

/// Why a node request produced no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NodeError {
    /// The node's address cannot be used to build a request.
    #[error("invalid node address or path: {0}")]
    InvalidRequest(String),
    /// The deadline passed before the answer was complete.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Connecting or talking to the node failed.
    #[error("transport error: {0}")]
    Transport(String),
    /// The node answered something that is not the JSON it should be.
    #[error("unexpected answer: {0}")]
    InvalidBody(String),
}

/// Pooled HTTP client towards every node.
#[derive(Clone)]
pub struct NodeClient {
    http: Client<HttpConnector, Full<Bytes>>,
    authorization: Option<HeaderValue>,
    metrics: Option<NodeMetrics>,
}

impl NodeClient {
    /// A client presenting `node_key` (if any) as `Authorization: Bearer`.
    pub fn new(
        node_key: Option<&str>,
        connect_timeout: Duration,
        idle_timeout: Duration,
        max_idle_per_node: usize,
    ) -> Result<Self, NodeError> {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(connect_timeout));
        connector.set_nodelay(true);
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(idle_timeout)
            .pool_max_idle_per_host(max_idle_per_node)
            .build(connector);
        let authorization = node_key
            .map(|key| {
                HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
                    NodeError::InvalidRequest("node key is not a valid header value".into())
                })
            })
            .transpose()?;
        Ok(Self {
            http,
            authorization,
            metrics: None,
        })
    }

    /// The same client, recording every request in `metrics`.
    pub fn with_metrics(self, metrics: NodeMetrics) -> Self {
        Self {
            metrics: Some(metrics),
            ..self
        }
    }

    /// Sends `request` to the node at `base_url` (`http://host:port`) and reads the whole
    /// answer, all within `deadline`; the request is recorded in the node metrics.
    pub async fn send(
        &self,
        base_url: &str,
        request: &NodeRequest,
        deadline: Duration,
    ) -> Result<NodeResponse, NodeError> {
        let started = Instant::now();
        let outcome = self.exchange(base_url, request, deadline).await;
        if let Some(metrics) = &self.metrics {
            metrics.observe(base_url, request, started.elapsed(), &outcome);
        }
        outcome
    }

    /// One request and its whole answer within `deadline`.
    async fn exchange(
        &self,
        base_url: &str,
        request: &NodeRequest,
        deadline: Duration,
    ) -> Result<NodeResponse, NodeError> {
        let uri = format!(
            "{}{}",
            base_url.trim_end_matches('/'),
            request.path_and_query
        );
        let mut builder = Request::builder().method(request.method.clone()).uri(&uri);
        if let Some(authorization) = &self.authorization {
            builder = builder.header(header::AUTHORIZATION, authorization.clone());
        }
        let body = match &request.body {
            Some((bytes, content_type)) => {
                builder = builder.header(header::CONTENT_TYPE, *content_type);
                Full::new(bytes.clone())
            }
            None => Full::new(Bytes::new()),
        };
        let http_request = builder
            .body(body)
            .map_err(|error| NodeError::InvalidRequest(format!("{uri}: {error}")))?;
        let exchange = async {
            let response = self
                .http
                .request(http_request)
                .await
                .map_err(|error| NodeError::Transport(describe(&error)))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|error| NodeError::Transport(error.to_string()))?
                .to_bytes();
            Ok(NodeResponse { status, body })
        };
        tokio::time::timeout(deadline, exchange)
            .await
            .map_err(|_elapsed| NodeError::Timeout(deadline))?
    }
}

/// The error and its causes on one line (hyper's top-level message alone is vague).
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
