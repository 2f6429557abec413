//! The request families, recorded by an axum middleware around every route: labels are the
//! method (known methods only), the route *template* (`/indexes/{uid}/search`, never the raw
//! path, so index uids and document ids never become label values) and the status code.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::IntGauge;

use super::Metrics;

/// `path_template` of requests no route matched.
pub const UNMATCHED: &str = "unmatched";

/// Middleware: counts and times every request by method, route template and status.
pub async fn track_requests(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let method = method_label(request.method());
    let template = template_label(request.extensions().get::<MatchedPath>());
    let families = &metrics.families.requests;
    let _in_flight = InFlight::enter(&families.in_flight);
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status();
    let labels = [method, template.as_str(), status.as_str()];
    families.total.with_label_values(&labels).inc();
    families
        .duration
        .with_label_values(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The `method` label: the standard methods by name, anything else `other` (a client must
/// not be able to create label values).
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The `path_template` label: the matched route's template, or [`UNMATCHED`].
pub fn template_label(matched: Option<&MatchedPath>) -> String {
    matched.map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned())
}

/// Counts one request in flight for as long as it lives (also when the client goes away and
/// the handler is dropped).
struct InFlight(IntGauge);

impl InFlight {
    fn enter(gauge: &IntGauge) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(
            method_label(&Method::from_bytes(b"PURGE").unwrap()),
            "other"
        );
    }

    async fn answer(router: Router, path: &str) -> Vec<u8> {
        let response = router
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    #[tokio::test]
    async fn the_label_is_the_route_template_or_unmatched() {
        let metrics = Metrics::new().unwrap();
        let router = Router::new()
            .route("/indexes/{uid}/search", get(|| async { "found" }))
            .layer(axum::middleware::from_fn_with_state(
                metrics.clone(),
                track_requests,
            ));
        assert_eq!(
            answer(router.clone(), "/indexes/movies/search").await,
            b"found"
        );
        answer(router, "/nowhere/movies").await;
        let total = &metrics.families.requests.total;
        assert_eq!(
            total
                .with_label_values(&["GET", "/indexes/{uid}/search", "200"])
                .get(),
            1
        );
        assert_eq!(total.with_label_values(&["GET", UNMATCHED, "404"]).get(), 1);
        let text = metrics.render().unwrap();
        assert!(!text.contains("movies"), "{text}");
        assert_eq!(metrics.families.requests.in_flight.get(), 0);
    }
}
