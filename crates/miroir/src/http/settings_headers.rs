//! Stamps responses about an index with its settings state (§13.5):
//! `X-Miroir-Settings-Version: <n>` — the index's committed settings version, from this
//! peer's replica of the metadata — and `X-Miroir-Settings-Inconsistent: true` while a
//! settings rollout of the index runs on this peer (its nodes may disagree).
//!
//! Every authenticated route under `/indexes/{uid}` is stamped (settings, search, documents,
//! stats, the index itself), when the index is registered.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// Header carrying the index's committed settings version.
pub const SETTINGS_VERSION_HEADER: &str = "x-miroir-settings-version";
/// Header present (`true`) while the index's settings are being rolled out.
pub const SETTINGS_INCONSISTENT_HEADER: &str = "x-miroir-settings-inconsistent";

/// The middleware: runs the request, then stamps the response.
pub async fn stamp_settings(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let index_uid = index_of_path(request.uri().path()).map(str::to_owned);
    let mut response = next.run(request).await;
    let Some(index_uid) = index_uid else {
        return response;
    };
    let stamp = state.proxy.settings_stamp(&index_uid).await;
    let headers = response.headers_mut();
    if let Some(version) = stamp.version {
        headers.insert(SETTINGS_VERSION_HEADER, HeaderValue::from(version));
    }
    if stamp.inconsistent {
        headers.insert(
            SETTINGS_INCONSISTENT_HEADER,
            HeaderValue::from_static("true"),
        );
    }
    response
}

/// The `{uid}` of `/indexes/{uid}` and `/indexes/{uid}/…`.
fn index_of_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/indexes/")?;
    let uid = rest.split('/').next()?;
    (!uid.is_empty()).then_some(uid)
}

#[cfg(test)]
mod tests {
    use super::index_of_path;

    #[test]
    fn the_index_uid_is_the_segment_after_indexes() {
        assert_eq!(index_of_path("/indexes/movies"), Some("movies"));
        assert_eq!(
            index_of_path("/indexes/movies/settings/synonyms"),
            Some("movies")
        );
        assert_eq!(index_of_path("/indexes"), None);
        assert_eq!(index_of_path("/indexes/"), None);
        assert_eq!(index_of_path("/tasks/3"), None);
    }
}
