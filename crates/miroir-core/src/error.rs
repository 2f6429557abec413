//! The error catalogue: every error code Miroir can put in an HTTP error body, with its HTTP
//! status and Meilisearch error type, and the `{message, code, type, link}` body itself.
//!
//! ```text
//!   core / server logic ──► ApiError ──(HTTP edge, once)──► status + ErrorBody JSON
//!         Miroir { code: ErrorCode, message }   status = code.http_status()
//!         Node   { status, body }               forwarded verbatim from a Meilisearch node
//! ```
//!
//! The codes live in ONE table (the `error_codes!` invocation below): one line per code giving
//! its wire string, HTTP status and [`ErrorType`]; [`ErrorCode::as_str`],
//! [`ErrorCode::http_status`], [`ErrorCode::error_type`] and [`ErrorCode::link`] all derive from it.
//! Meilisearch codes keep Meilisearch's exact status and type (from `meilisearch-types`'
//! `error.rs`) so SDK error branches behave as against a single node; Miroir's own codes use the
//! disjoint `miroir_` prefix and link to the anchors of `docs/errors.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Base of the `link` of every Meilisearch error code; the code is appended as the fragment.
pub const MEILISEARCH_ERRORS_DOC_BASE: &str = "https://docs.meilisearch.com/errors";

/// Base of the `link` of every `miroir_*` error code: the repository's `docs/errors.md`, which
/// has one section per code whose heading (and so GitHub anchor) is the code itself. The code
/// is appended as the fragment, e.g. `…/docs/errors.md#miroir_no_quorum`.
pub const MIROIR_ERRORS_DOC_BASE: &str =
    "https://github.com/miroir-search/miroir/blob/main/docs/errors.md";

/// Prefix shared by every error code Miroir adds to Meilisearch's vocabulary.
pub const MIROIR_CODE_PREFIX: &str = "miroir_";

/// Meilisearch's error categories (the `type` field of an error body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// The request itself is wrong; retrying it unchanged fails again.
    InvalidRequest,
    /// A bug or unexpected state inside Miroir or a node.
    Internal,
    /// Missing or rejected credentials.
    Auth,
    /// The system cannot serve the request right now (quorum lost, shard down, stale replicas).
    System,
}

impl ErrorType {
    /// The wire string, exactly as Meilisearch writes it in the `type` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorType::InvalidRequest => "invalid_request",
            ErrorType::Internal => "internal",
            ErrorType::Auth => "auth",
            ErrorType::System => "system",
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares [`ErrorCode`] and its derived tables from one line per code:
/// `Variant => "wire_code", http_status, ErrorType;`.
macro_rules! error_codes {
    ($($variant:ident => $code:literal, $status:literal, $error_type:ident;)+) => {
        /// Every error code Miroir emits itself (Meilisearch codes it raises at the proxy, and
        /// its own `miroir_*` codes). Errors raised by a node are forwarded as-is instead (see
        /// [`ApiError::Node`]) and need not be listed here.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $code, "` — HTTP ", stringify!($status), ", type `",
                    stringify!($error_type), "`.")]
                $variant,
            )+
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The wire string written in the `code` field.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            /// The HTTP status of a response carrying this code.
            pub const fn http_status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)+
                }
            }

            /// The error category written in the `type` field.
            pub const fn error_type(self) -> ErrorType {
                match self {
                    $(ErrorCode::$variant => ErrorType::$error_type,)+
                }
            }
        }
    };
}

error_codes! {
    // Miroir's own codes (documented in docs/errors.md).
    MiroirPrimaryKeyRequired          => "miroir_primary_key_required", 400, InvalidRequest;
    MiroirReservedField               => "miroir_reserved_field", 400, InvalidRequest;
    MiroirInvalidAuth                 => "miroir_invalid_auth", 401, Auth;
    MiroirJwtInvalid                  => "miroir_jwt_invalid", 401, Auth;
    MiroirJwtScopeDenied              => "miroir_jwt_scope_denied", 403, Auth;
    MiroirIdempotencyKeyReused        => "miroir_idempotency_key_reused", 409, InvalidRequest;
    MiroirMultiAliasNotWritable       => "miroir_multi_alias_not_writable", 409, InvalidRequest;
    MiroirNoQuorum                    => "miroir_no_quorum", 503, System;
    MiroirShardUnavailable            => "miroir_shard_unavailable", 503, System;
    MiroirSettingsVersionStale        => "miroir_settings_version_stale", 503, System;
    MiroirSettingsDivergence          => "miroir_settings_divergence", 500, System;
    MiroirNotSupported                => "miroir_not_supported", 501, InvalidRequest;
    MiroirInvalidAdminRequest         => "miroir_invalid_admin_request", 400, InvalidRequest;
    MiroirAdminNotFound               => "miroir_admin_not_found", 404, InvalidRequest;
    MiroirMembershipRefused           => "miroir_membership_refused", 409, InvalidRequest;
    MiroirNoLeader                    => "miroir_no_leader", 503, System;
    MiroirTopologyConflict            => "miroir_topology_conflict", 409, InvalidRequest;
    // Meilisearch codes Miroir raises itself (status and type as in meilisearch-types).
    ApiKeyNotFound                    => "api_key_not_found", 404, InvalidRequest;
    BadRequest                        => "bad_request", 400, InvalidRequest;
    DocumentNotFound                  => "document_not_found", 404, InvalidRequest;
    IndexAlreadyExists                => "index_already_exists", 409, InvalidRequest;
    IndexNotFound                     => "index_not_found", 404, InvalidRequest;
    IndexPrimaryKeyAlreadyExists      => "index_primary_key_already_exists", 400, InvalidRequest;
    IndexPrimaryKeyMultipleCandidatesFound => "index_primary_key_multiple_candidates_found", 400, InvalidRequest;
    IndexPrimaryKeyNoCandidateFound   => "index_primary_key_no_candidate_found", 400, InvalidRequest;
    Internal                          => "internal", 500, Internal;
    InvalidApiKey                     => "invalid_api_key", 403, Auth;
    InvalidContentType                => "invalid_content_type", 415, InvalidRequest;
    InvalidDocumentCsvDelimiter       => "invalid_document_csv_delimiter", 400, InvalidRequest;
    InvalidDocumentId                 => "invalid_document_id", 400, InvalidRequest;
    InvalidDocumentIds                => "invalid_document_ids", 400, InvalidRequest;
    InvalidDocumentLimit              => "invalid_document_limit", 400, InvalidRequest;
    InvalidDocumentOffset             => "invalid_document_offset", 400, InvalidRequest;
    InvalidFacetSearchFacetName       => "invalid_facet_search_facet_name", 400, InvalidRequest;
    InvalidIndexLimit                 => "invalid_index_limit", 400, InvalidRequest;
    InvalidIndexOffset                => "invalid_index_offset", 400, InvalidRequest;
    InvalidIndexPrimaryKey            => "invalid_index_primary_key", 400, InvalidRequest;
    InvalidIndexUid                   => "invalid_index_uid", 400, InvalidRequest;
    InvalidSearchFilter               => "invalid_search_filter", 400, InvalidRequest;
    InvalidSearchLimit                => "invalid_search_limit", 400, InvalidRequest;
    InvalidSearchOffset               => "invalid_search_offset", 400, InvalidRequest;
    InvalidSearchSort                 => "invalid_search_sort", 400, InvalidRequest;
    InvalidTaskAfterEnqueuedAt        => "invalid_task_after_enqueued_at", 400, InvalidRequest;
    InvalidTaskAfterFinishedAt        => "invalid_task_after_finished_at", 400, InvalidRequest;
    InvalidTaskAfterStartedAt         => "invalid_task_after_started_at", 400, InvalidRequest;
    InvalidTaskBeforeEnqueuedAt       => "invalid_task_before_enqueued_at", 400, InvalidRequest;
    InvalidTaskBeforeFinishedAt       => "invalid_task_before_finished_at", 400, InvalidRequest;
    InvalidTaskBeforeStartedAt        => "invalid_task_before_started_at", 400, InvalidRequest;
    InvalidTaskCanceledBy             => "invalid_task_canceled_by", 400, InvalidRequest;
    InvalidTaskFrom                   => "invalid_task_from", 400, InvalidRequest;
    InvalidTaskLimit                  => "invalid_task_limit", 400, InvalidRequest;
    InvalidTaskReverse                => "invalid_task_reverse", 400, InvalidRequest;
    InvalidTaskStatuses               => "invalid_task_statuses", 400, InvalidRequest;
    InvalidTaskTypes                  => "invalid_task_types", 400, InvalidRequest;
    InvalidTaskUids                   => "invalid_task_uids", 400, InvalidRequest;
    MalformedPayload                  => "malformed_payload", 400, InvalidRequest;
    MissingAuthorizationHeader        => "missing_authorization_header", 401, Auth;
    MissingContentType                => "missing_content_type", 415, InvalidRequest;
    MissingDocumentId                 => "missing_document_id", 400, InvalidRequest;
    MissingIndexUid                   => "missing_index_uid", 400, InvalidRequest;
    MissingPayload                    => "missing_payload", 400, InvalidRequest;
    MissingTaskFilters                => "missing_task_filters", 400, InvalidRequest;
    PayloadTooLarge                   => "payload_too_large", 413, InvalidRequest;
    TaskNotFound                      => "task_not_found", 404, InvalidRequest;
    TooManySearchRequests             => "too_many_search_requests", 503, System;
}

impl ErrorCode {
    /// Whether this is one of Miroir's own codes (prefix `miroir_`) rather than a Meilisearch one.
    pub fn is_miroir(self) -> bool {
        self.as_str().starts_with(MIROIR_CODE_PREFIX)
    }

    /// The documentation link written in the `link` field: Meilisearch's error page for
    /// Meilisearch codes, the matching section of Miroir's `docs/errors.md` for `miroir_*` codes.
    pub fn link(self) -> String {
        let base = if self.is_miroir() {
            MIROIR_ERRORS_DOC_BASE
        } else {
            MEILISEARCH_ERRORS_DOC_BASE
        };
        format!("{base}#{}", self.as_str())
    }

    /// The code whose wire string is `code`, if Miroir knows it.
    pub fn from_code_str(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|known| known.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Meilisearch-shaped error body, serialised with its fields in Meilisearch's order:
/// `{"message", "code", "type", "link"}`.
///
/// The fields are plain strings so that a body received from a node — whatever its code, even
/// one this Miroir version does not know — deserialises and re-serialises byte-identically.
/// Unknown fields are refused rather than dropped, so a reply that parses re-serialises to the
/// same bytes; a node reply that does not parse is forwarded as raw bytes instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// Human-readable explanation.
    pub message: String,
    /// Machine-readable code (an [`ErrorCode`] wire string for errors Miroir raises).
    pub code: String,
    /// Error category ([`ErrorType`] wire string).
    #[serde(rename = "type")]
    pub error_type: String,
    /// Documentation URL for the code.
    pub link: String,
}

impl ErrorBody {
    /// The body of an error Miroir raises itself: type and link derive from `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            message: message.into(),
            code: code.as_str().to_owned(),
            error_type: code.error_type().as_str().to_owned(),
            link: code.link(),
        }
    }
}

/// An error as the HTTP edge turns it into a response: either raised by Miroir (status, type and
/// link derive from the code) or a node's own Meilisearch error, forwarded verbatim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Raised by Miroir itself.
    #[error("{message}")]
    Miroir {
        /// The catalogue code.
        code: ErrorCode,
        /// The `message` field.
        message: String,
    },
    /// Returned by a Meilisearch node; status and body go back to the client unchanged.
    #[error("{}", body.message)]
    Node {
        /// The node's HTTP status.
        status: u16,
        /// The node's error body, as received.
        body: ErrorBody,
    },
}

impl ApiError {
    /// An error Miroir raises with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Miroir {
            code,
            message: message.into(),
        }
    }

    /// A node's error, to forward unchanged.
    pub fn from_node(status: u16, body: ErrorBody) -> Self {
        ApiError::Node { status, body }
    }

    /// The HTTP status of the response.
    pub fn http_status(&self) -> u16 {
        match self {
            ApiError::Miroir { code, .. } => code.http_status(),
            ApiError::Node { status, .. } => *status,
        }
    }

    /// The wire code of the response body.
    pub fn code_str(&self) -> &str {
        match self {
            ApiError::Miroir { code, .. } => code.as_str(),
            ApiError::Node { body, .. } => &body.code,
        }
    }

    /// The response body.
    pub fn to_body(&self) -> ErrorBody {
        match self {
            ApiError::Miroir { code, message } => ErrorBody::new(*code, message.clone()),
            ApiError::Node { body, .. } => body.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Error bodies exactly as recorded from Meilisearch 1.50 (`/work/shared/meili-fixtures`:
    /// `auth_errors.json`, `search.json`, `documents.json`), in the compact form a node sends.
    const RECORDED_NODE_BODIES: &[&str] = &[
        r#"{"message":"The provided API key is invalid.","code":"invalid_api_key","type":"auth","link":"https://docs.meilisearch.com/errors#invalid_api_key"}"#,
        r#"{"message":"Index `movies`: Attribute `title` is not filterable. Available filterable attribute patterns are: `director`, `genres`, `rating`, `tags`, `year`.\n2:7 \"title\" = \"x\"","code":"invalid_search_filter","type":"invalid_request","link":"https://docs.meilisearch.com/errors#invalid_search_filter"}"#,
        r#"{"message":"Document identifier `\"bad id!\"` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.","code":"invalid_document_id","type":"invalid_request","link":"https://docs.meilisearch.com/errors#invalid_document_id"}"#,
        r#"{"message":"Index already has a primary key: `id`.","code":"index_primary_key_already_exists","type":"invalid_request","link":"https://docs.meilisearch.com/errors#index_primary_key_already_exists"}"#,
    ];

    /// `(code, status, type)` as observed in the recorded fixtures or fixed by the spec (P2.6).
    const EXPECTED: &[(&str, u16, &str)] = &[
        ("miroir_primary_key_required", 400, "invalid_request"),
        ("miroir_reserved_field", 400, "invalid_request"),
        ("miroir_invalid_auth", 401, "auth"),
        ("miroir_jwt_invalid", 401, "auth"),
        ("miroir_jwt_scope_denied", 403, "auth"),
        ("miroir_idempotency_key_reused", 409, "invalid_request"),
        ("miroir_multi_alias_not_writable", 409, "invalid_request"),
        ("miroir_no_quorum", 503, "system"),
        ("miroir_shard_unavailable", 503, "system"),
        ("miroir_settings_version_stale", 503, "system"),
        ("miroir_not_supported", 501, "invalid_request"),
        ("missing_authorization_header", 401, "auth"),
        ("invalid_api_key", 403, "auth"),
        ("document_not_found", 404, "invalid_request"),
        ("malformed_payload", 400, "invalid_request"),
        ("invalid_content_type", 415, "invalid_request"),
        ("missing_payload", 400, "invalid_request"),
        ("invalid_index_uid", 400, "invalid_request"),
        ("missing_index_uid", 400, "invalid_request"),
        ("bad_request", 400, "invalid_request"),
        ("index_not_found", 404, "invalid_request"),
        ("invalid_index_limit", 400, "invalid_request"),
        ("api_key_not_found", 404, "invalid_request"),
        ("invalid_search_filter", 400, "invalid_request"),
        ("invalid_search_sort", 400, "invalid_request"),
        ("invalid_search_limit", 400, "invalid_request"),
        ("task_not_found", 404, "invalid_request"),
        ("invalid_task_statuses", 400, "invalid_request"),
        ("missing_task_filters", 400, "invalid_request"),
        ("index_already_exists", 409, "invalid_request"),
        ("internal", 500, "internal"),
    ];

    #[test]
    fn expected_codes_have_recorded_status_and_type() {
        for &(wire, status, error_type) in EXPECTED {
            let code = ErrorCode::from_code_str(wire)
                .unwrap_or_else(|| panic!("{wire} missing from the catalogue"));
            assert_eq!(code.http_status(), status, "{wire}");
            assert_eq!(code.error_type().as_str(), error_type, "{wire}");
        }
    }

    #[test]
    fn every_code_serialises_to_the_meilisearch_shape() {
        for &code in ErrorCode::ALL {
            let body = ErrorBody::new(code, "something failed");
            let json = serde_json::to_string(&body).unwrap();
            let expected = format!(
                r#"{{"message":"something failed","code":"{code}","type":"{}","link":"{}"}}"#,
                code.error_type(),
                code.link()
            );
            assert_eq!(json, expected);
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
    }

    #[test]
    fn links_point_at_meilisearch_or_miroir_docs() {
        assert_eq!(
            ErrorCode::IndexNotFound.link(),
            "https://docs.meilisearch.com/errors#index_not_found"
        );
        assert_eq!(
            ErrorCode::MiroirNoQuorum.link(),
            format!("{MIROIR_ERRORS_DOC_BASE}#miroir_no_quorum")
        );
        for &code in ErrorCode::ALL {
            let expected_base = if code.as_str().starts_with("miroir_") {
                MIROIR_ERRORS_DOC_BASE
            } else {
                MEILISEARCH_ERRORS_DOC_BASE
            };
            assert_eq!(code.link(), format!("{expected_base}#{code}"));
        }
    }

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert_eq!(ErrorCode::from_code_str(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_code_str("not_a_code"), None);
    }

    #[test]
    fn recorded_node_bodies_round_trip_byte_identically() {
        for &raw in RECORDED_NODE_BODIES {
            let body: ErrorBody = serde_json::from_str(raw).unwrap();
            assert_eq!(serde_json::to_string(&body).unwrap(), raw);
        }
    }

    #[test]
    fn miroir_raised_body_matches_a_recorded_meilisearch_body() {
        let raw = RECORDED_NODE_BODIES[0];
        let raised = ErrorBody::new(ErrorCode::InvalidApiKey, "The provided API key is invalid.");
        assert_eq!(serde_json::to_string(&raised).unwrap(), raw);
    }

    #[test]
    fn bodies_with_missing_or_extra_fields_do_not_parse() {
        let extra = r#"{"message":"m","code":"c","type":"t","link":"l","details":{}}"#;
        assert!(serde_json::from_str::<ErrorBody>(extra).is_err());
        let missing_link = r#"{"message":"m","code":"c","type":"t"}"#;
        assert!(serde_json::from_str::<ErrorBody>(missing_link).is_err());
    }

    #[test]
    fn node_errors_are_forwarded_unchanged() {
        let body: ErrorBody = serde_json::from_str(RECORDED_NODE_BODIES[1]).unwrap();
        let error = ApiError::from_node(400, body.clone());
        assert_eq!(error.http_status(), 400);
        assert_eq!(error.code_str(), "invalid_search_filter");
        assert_eq!(error.to_body(), body);
        assert_eq!(error.to_string(), body.message);

        let unknown = ErrorBody {
            message: "m".to_owned(),
            code: "some_future_code".to_owned(),
            error_type: "invalid_request".to_owned(),
            link: "https://docs.meilisearch.com/errors#some_future_code".to_owned(),
        };
        let forwarded = ApiError::from_node(418, unknown.clone());
        assert_eq!(forwarded.http_status(), 418);
        assert_eq!(forwarded.to_body(), unknown);
    }

    #[test]
    fn miroir_errors_take_status_and_body_from_the_code() {
        let error = ApiError::new(ErrorCode::MiroirNoQuorum, "no group met its write quorum");
        assert_eq!(error.http_status(), 503);
        assert_eq!(error.code_str(), "miroir_no_quorum");
        assert_eq!(error.to_string(), "no group met its write quorum");
        let body = error.to_body();
        assert_eq!(body.error_type, "system");
        assert_eq!(body.link, ErrorCode::MiroirNoQuorum.link());
    }

    #[test]
    fn error_type_serialises_as_its_wire_string() {
        for (error_type, wire) in [
            (ErrorType::InvalidRequest, "\"invalid_request\""),
            (ErrorType::Internal, "\"internal\""),
            (ErrorType::Auth, "\"auth\""),
            (ErrorType::System, "\"system\""),
        ] {
            assert_eq!(serde_json::to_string(&error_type).unwrap(), wire);
            assert_eq!(serde_json::from_str::<ErrorType>(wire).unwrap(), error_type);
        }
    }

    #[test]
    fn every_miroir_code_has_a_section_in_docs_errors_md() {
        let doc = include_str!("../../../docs/errors.md");
        let headings: Vec<&str> = doc
            .lines()
            .filter_map(|line| line.strip_prefix("## "))
            .map(str::trim)
            .collect();
        let miroir_codes: Vec<&str> = ErrorCode::ALL
            .iter()
            .filter(|code| code.is_miroir())
            .map(|code| code.as_str())
            .collect();
        for code in &miroir_codes {
            assert!(
                headings.contains(code),
                "docs/errors.md lacks a `## {code}` section"
            );
        }
        for heading in headings
            .iter()
            .filter(|h| h.starts_with(MIROIR_CODE_PREFIX))
        {
            assert!(
                miroir_codes.contains(heading),
                "docs/errors.md documents unknown {heading}"
            );
        }
    }
}
