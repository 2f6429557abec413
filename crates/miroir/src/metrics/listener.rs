//! Serving the metrics text: the metrics listener (`server.bind_address:server.metrics_port`,
//! `GET /metrics` without a key, anything else 404) and the response both it and
//! `GET /_miroir/metrics` on the HTTP port (admin key) give.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::{Metrics, TEXT_CONTENT_TYPE};
use crate::proxy::Proxy;

/// The scrape of `metrics` (refreshed from `proxy`) as an HTTP response: the text with the
/// Prometheus content type, or 500 when it cannot be rendered.
pub async fn scrape_response(metrics: &Metrics, proxy: &Proxy) -> Response {
    match metrics.scrape(proxy).await {
        Ok(text) => ([(header::CONTENT_TYPE, TEXT_CONTENT_TYPE)], text).into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot render the metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// What the metrics listener's handler shares.
#[derive(Clone)]
struct ScrapeState {
    metrics: Metrics,
    proxy: Arc<Proxy>,
}

/// The running metrics listener.
pub struct MetricsListener {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl MetricsListener {
    /// Serves `GET /metrics` on the bound `listener` until [`MetricsListener::stop`].
    pub fn serve(
        listener: TcpListener,
        addr: SocketAddr,
        metrics: Metrics,
        proxy: Arc<Proxy>,
    ) -> Self {
        let router = Router::new()
            .route("/metrics", get(scrape))
            .fallback(|| async { StatusCode::NOT_FOUND })
            .with_state(ScrapeState { metrics, proxy });
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "metrics listener stopped");
            }
        });
        Self { addr, task }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving; the handler's hold on the proxy (and its metadata peer) ends with it.
    pub async fn stop(self) {
        self.task.abort();
        if let Err(error) = self.task.await {
            if !error.is_cancelled() {
                tracing::warn!(%error, "metrics listener ended abnormally");
            }
        }
    }
}

async fn scrape(State(state): State<ScrapeState>) -> Response {
    scrape_response(&state.metrics, &state.proxy).await
}
