//! Bearer-key authentication, as Meilisearch does it: without a configured master key every
//! request passes; with one, a request needs `Authorization: Bearer <key>` — a missing header
//! is 401 `missing_authorization_header`, a wrong key 403 `invalid_api_key`. `/_miroir/*`
//! takes the admin key instead. Keys are compared in constant time.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use miroir_core::error::{ApiError, ErrorCode};
use subtle::ConstantTimeEq;

use super::error::render_error;
use super::AppState;

/// The keys requests are checked against.
#[derive(Clone, Default)]
pub struct Keys {
    /// Key of the Meilisearch API; `None` = open.
    pub master: Option<String>,
    /// Key of `/_miroir/*`; `None` = the master key is used there too.
    pub admin: Option<String>,
}

/// Middleware: refuses requests without the right key.
pub async fn require_key(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let admin_route = request.uri().path().starts_with("/_miroir/");
    let expected = if admin_route {
        state.keys.admin.as_ref().or(state.keys.master.as_ref())
    } else {
        state.keys.master.as_ref()
    };
    let Some(expected) = expected else {
        return next.run(request).await;
    };
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or_default().to_owned());
    match presented {
        None => render_error(&ApiError::new(
            ErrorCode::MissingAuthorizationHeader,
            "The Authorization header is missing. It must use the bearer authorization method.",
        )),
        Some(header) => {
            let token = header.strip_prefix("Bearer ").unwrap_or_default().trim();
            if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) {
                next.run(request).await
            } else {
                render_error(&ApiError::new(
                    ErrorCode::InvalidApiKey,
                    "The provided API key is invalid.",
                ))
            }
        }
    }
}
