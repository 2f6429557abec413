//! Authentication like Meilisearch: with a master key, every route but `/health` needs
//! `Authorization: Bearer <key>`; the master key opens everything, an API key opens the
//! routes its actions and indexes allow. Without a master key nothing is checked (and the
//! keys API answers `missing_master_key`). Unknown routes and `/_testnode/*` are not checked.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::{codes, NodeError, NodeResult};
use crate::state::NodeState;
use crate::time_format::now;

/// What a route requires: an action and, for index routes, the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// The action name (`documents.add`).
    pub action: &'static str,
    /// The index the route targets.
    pub index: Option<String>,
}

/// What the authenticated caller may access (put in request extensions for handlers that
/// check several indexes, like multi-search).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Master key, or no master key configured.
    Everything,
    /// An API key restricted to these index patterns.
    Indexes(Vec<String>),
}

impl Access {
    /// Whether the caller may access `index_uid`.
    pub fn allows_index(&self, index_uid: &str) -> bool {
        match self {
            Self::Everything => true,
            Self::Indexes(patterns) => {
                patterns
                    .iter()
                    .any(|pattern| match pattern.strip_suffix('*') {
                        Some(prefix) => index_uid.starts_with(prefix),
                        None => pattern == index_uid,
                    })
            }
        }
    }
}

/// The permission a request needs; `None` for public and unknown routes.
pub fn required_permission(method: &Method, path: &str) -> Option<Permission> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let read = method == Method::GET;
    let global = |action| {
        Some(Permission {
            action,
            index: None,
        })
    };
    let on_index = |action, index: &str| {
        Some(Permission {
            action,
            index: Some(index.to_owned()),
        })
    };
    match segments.as_slice() {
        ["version"] => global("version"),
        ["stats"] => global("stats.get"),
        ["keys"] | ["keys", _] => global(match *method {
            Method::GET => "keys.get",
            Method::POST => "keys.create",
            Method::PATCH => "keys.update",
            _ => "keys.delete",
        }),
        ["indexes"] => global(if read {
            "indexes.get"
        } else {
            "indexes.create"
        }),
        ["indexes", index] => on_index(
            match *method {
                Method::GET => "indexes.get",
                Method::DELETE => "indexes.delete",
                _ => "indexes.update",
            },
            index,
        ),
        ["indexes", index, "stats"] => on_index("stats.get", index),
        ["indexes", index, "documents", rest @ ..] => {
            let action = match (method.clone(), rest) {
                (Method::GET, _) | (Method::POST, ["fetch"]) => "documents.get",
                (Method::POST | Method::PUT, []) => "documents.add",
                _ => "documents.delete",
            };
            on_index(action, index)
        }
        ["indexes", index, "search" | "facet-search"] => on_index("search", index),
        ["indexes", index, "settings", ..] => on_index(
            if read {
                "settings.get"
            } else {
                "settings.update"
            },
            index,
        ),
        ["multi-search"] => global("search"),
        ["swap-indexes"] => global("indexes.swap"),
        ["tasks"] => global(if read { "tasks.get" } else { "tasks.delete" }),
        ["tasks", "cancel"] => global("tasks.cancel"),
        ["tasks", _] | ["batches"] | ["batches", _] => global("tasks.get"),
        _ => None,
    }
}

/// Checks the request's credentials against `permission`.
pub fn authorize(
    state: &NodeState,
    headers: &HeaderMap,
    permission: &Permission,
) -> NodeResult<Access> {
    let Some(master_key) = state.master_key.as_deref() else {
        if permission.action.starts_with("keys.") {
            return Err(NodeError::new(
                codes::MISSING_MASTER_KEY,
                "Meilisearch is running without a master key. To access this API endpoint, you must have set a master key at launch.",
            ));
        }
        return Ok(Access::Everything);
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            NodeError::new(
                codes::MISSING_AUTHORIZATION_HEADER,
                "The Authorization header is missing. It must use the bearer authorization method.",
            )
        })?;
    if token == master_key {
        return Ok(Access::Everything);
    }
    let invalid = || NodeError::new(codes::INVALID_API_KEY, "The provided API key is invalid.");
    let keys = state.keys.read();
    let key = keys.by_secret(token).ok_or_else(invalid)?;
    let index_allowed = permission
        .index
        .as_deref()
        .is_none_or(|index| key.allows_index(index));
    if key.is_expired(now()) || !key.allows_action(permission.action) || !index_allowed {
        return Err(invalid());
    }
    Ok(Access::Indexes(key.indexes.clone()))
}

/// The axum middleware applying [`authorize`].
pub async fn authenticate(
    State(state): State<Arc<NodeState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(permission) = required_permission(request.method(), request.uri().path()) else {
        request.extensions_mut().insert(Access::Everything);
        return next.run(request).await;
    };
    match authorize(&state, request.headers(), &permission) {
        Ok(access) => {
            request.extensions_mut().insert(access);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        headers
    }

    #[test]
    fn routes_map_to_meilisearch_actions() {
        let permission =
            |method: Method, path| required_permission(&method, path).map(|p| p.action);
        assert_eq!(
            permission(Method::POST, "/indexes/movies/documents"),
            Some("documents.add")
        );
        assert_eq!(
            permission(Method::POST, "/indexes/movies/documents/fetch"),
            Some("documents.get")
        );
        assert_eq!(
            permission(Method::POST, "/indexes/movies/documents/delete-batch"),
            Some("documents.delete")
        );
        assert_eq!(
            permission(Method::GET, "/indexes/movies/search"),
            Some("search")
        );
        assert_eq!(
            permission(Method::POST, "/tasks/cancel"),
            Some("tasks.cancel")
        );
        assert_eq!(permission(Method::GET, "/health"), None);
        assert_eq!(permission(Method::GET, "/_testnode/faults"), None);
    }

    #[test]
    fn missing_header_wrong_key_and_master_key() {
        let state = NodeState::new(Some("master".to_owned()));
        let permission = required_permission(&Method::GET, "/indexes").unwrap();
        assert_eq!(
            authorize(&state, &HeaderMap::new(), &permission)
                .unwrap_err()
                .code,
            codes::MISSING_AUTHORIZATION_HEADER
        );
        assert_eq!(
            authorize(&state, &bearer("nope"), &permission)
                .unwrap_err()
                .code,
            codes::INVALID_API_KEY
        );
        assert_eq!(
            authorize(&state, &bearer("master"), &permission).unwrap(),
            Access::Everything
        );
    }

    #[test]
    fn api_keys_are_limited_to_their_actions_and_indexes() {
        let state = NodeState::new(Some("master".to_owned()));
        let key = state
            .keys
            .write()
            .create(
                &json!({"actions": ["search"], "indexes": ["movies"], "expiresAt": null}),
                now(),
            )
            .unwrap();
        let search = required_permission(&Method::POST, "/indexes/movies/search").unwrap();
        assert!(authorize(&state, &bearer(&key.key), &search).is_ok());
        let other_index = required_permission(&Method::POST, "/indexes/books/search").unwrap();
        assert!(authorize(&state, &bearer(&key.key), &other_index).is_err());
        let write = required_permission(&Method::POST, "/indexes/movies/documents").unwrap();
        assert!(authorize(&state, &bearer(&key.key), &write).is_err());
    }

    #[test]
    fn without_master_key_only_the_keys_api_is_closed() {
        let state = NodeState::new(None);
        let search = required_permission(&Method::POST, "/indexes/movies/search").unwrap();
        assert_eq!(
            authorize(&state, &HeaderMap::new(), &search).unwrap(),
            Access::Everything
        );
        let keys = required_permission(&Method::GET, "/keys").unwrap();
        assert_eq!(
            authorize(&state, &HeaderMap::new(), &keys)
                .unwrap_err()
                .code,
            codes::MISSING_MASTER_KEY
        );
    }
}
