//! The two embedded web front-ends: the operators' admin UI (§13.19) and the end-user search
//! UI (§13.21) with its JWT sessions and scoped Meilisearch keys.

use serde::{Deserialize, Serialize};

use super::units::RateLimit;

/// How operators authenticate to the admin UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminUiAuth {
    /// The admin API key (bearer, `X-Admin-Key`, or a session cookie after login).
    Key,
}

/// Extra CSP sources merged into the admin UI's base policy (additive only; `*` refused).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CspOverrides {
    /// Added to `script-src`. Default `[]`.
    pub script_src: Vec<String>,
    /// Added to `img-src`. Default `[]`.
    pub img_src: Vec<String>,
    /// Added to `connect-src`. Default `[]`.
    pub connect_src: Vec<String>,
}

/// Colour scheme the admin UI opens in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeMode {
    /// Follow `prefers-color-scheme`.
    Auto,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// `admin_ui.theme`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    /// Accent colour, `#rrggbb`. Default `#2563eb`.
    pub accent_color: String,
    /// Initial colour scheme. Default `auto`.
    pub default_mode: ThemeMode,
}

impl Default for ThemeConfig {
    fn default() -> Self {
        Self {
            accent_color: "#2563eb".to_owned(),
            default_mode: ThemeMode::Auto,
        }
    }
}

/// `admin_ui.features`: optional admin UI sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminUiFeatures {
    /// Query sandbox. Default `true`.
    pub sandbox: bool,
    /// Shadow diff viewer. Default `true`.
    pub shadow_viewer: bool,
    /// CDC live tail. Default `true`.
    pub cdc_inspector: bool,
}

impl Default for AdminUiFeatures {
    fn default() -> Self {
        Self {
            sandbox: true,
            shadow_viewer: true,
            cdc_inspector: true,
        }
    }
}

/// `admin_ui.rate_limit`: login throttling per source IP (counted on each peer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminLoginRateLimit {
    /// Login attempts per IP. Default `10/minute`.
    pub per_ip: RateLimit,
    /// Consecutive failures before exponential backoff starts. Default `5`.
    pub failed_attempt_threshold: u32,
    /// First backoff window in minutes (doubles per failure). Default `10`.
    pub backoff_start_minutes: u32,
    /// Backoff cap in hours; must be ≥ the first window. Default `24`.
    pub backoff_max_hours: u32,
}

impl Default for AdminLoginRateLimit {
    fn default() -> Self {
        Self {
            per_ip: RateLimit {
                requests: 10,
                period: super::units::RatePeriod::Minute,
            },
            failed_attempt_threshold: 5,
            backoff_start_minutes: 10,
            backoff_max_hours: 24,
        }
    }
}

/// `admin_ui` (§13.19): the embedded operator SPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminUiConfig {
    /// Serve the admin UI. Default `true`.
    pub enabled: bool,
    /// URL path it is served at; starts with `/`. Default `/_miroir/admin`.
    pub path: String,
    /// Authentication. Default `key`.
    pub auth: AdminUiAuth,
    /// Session cookie lifetime in seconds. Default `3600`.
    pub session_ttl_s: u64,
    /// Refuse every state-changing action. Default `false`.
    pub read_only_mode: bool,
    /// Origins allowed on the login endpoint and cookie-authenticated mutations.
    /// Default `[same-origin]`.
    pub allowed_origins: Vec<String>,
    /// Origins answered with CORS headers. Default `[]`.
    pub cors_allowed_origins: Vec<String>,
    /// CSP additions. Default: none.
    pub csp_overrides: CspOverrides,
    /// Theme. Default: see [`ThemeConfig`].
    pub theme: ThemeConfig,
    /// Optional sections. Default: all on.
    pub features: AdminUiFeatures,
    /// Login rate limiting. Default: see [`AdminLoginRateLimit`].
    pub rate_limit: AdminLoginRateLimit,
}

impl Default for AdminUiConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            path: "/_miroir/admin".to_owned(),
            auth: AdminUiAuth::Key,
            session_ttl_s: 3_600,
            read_only_mode: false,
            allowed_origins: vec!["same-origin".to_owned()],
            cors_allowed_origins: Vec::new(),
            csp_overrides: CspOverrides::default(),
            theme: ThemeConfig::default(),
            features: AdminUiFeatures::default(),
            rate_limit: AdminLoginRateLimit::default(),
        }
    }
}

/// How end users obtain a search UI session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchUiAuthMode {
    /// Anyone; sessions rate-limited per IP.
    Public,
    /// Requires `X-Search-UI-Key` equal to the secret in `shared_key_env`.
    SharedKey,
    /// Trusts `X-Forwarded-User` / `X-Forwarded-Groups` from an upstream oauth2-proxy.
    OauthProxy,
}

/// `search_ui.auth.oauth_proxy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OauthProxyConfig {
    /// Header naming the user. Default `X-Forwarded-User`.
    pub user_header: String,
    /// Header listing the user's groups. Default `X-Forwarded-Groups`.
    pub groups_header: String,
    /// Filter baked into each session's JWT and ANDed with every search, e.g.
    /// `tenant IN [{groups}]`. Default: none.
    pub filter_template: Option<String>,
}

impl Default for OauthProxyConfig {
    fn default() -> Self {
        Self {
            user_header: "X-Forwarded-User".to_owned(),
            groups_header: "X-Forwarded-Groups".to_owned(),
            filter_template: None,
        }
    }
}

/// `search_ui.auth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchUiAuthConfig {
    /// Session mode. Default `public`.
    pub mode: SearchUiAuthMode,
    /// JWT lifetime in seconds. Default `900`.
    pub session_ttl_s: u64,
    /// Sessions minted per IP. Default `10/minute`.
    pub session_rate_limit: RateLimit,
    /// Environment variable holding the JWT signing secret (required to be set when the
    /// search UI is enabled). Default `SEARCH_UI_JWT_SECRET`.
    pub jwt_secret_env: String,
    /// Environment variable holding the shared key of `shared_key` mode.
    /// Default `SEARCH_UI_SHARED_KEY`.
    pub shared_key_env: String,
    /// `oauth_proxy` mode settings. Default: see [`OauthProxyConfig`].
    pub oauth_proxy: OauthProxyConfig,
}

impl Default for SearchUiAuthConfig {
    fn default() -> Self {
        Self {
            mode: SearchUiAuthMode::Public,
            session_ttl_s: 900,
            session_rate_limit: RateLimit {
                requests: 10,
                period: super::units::RatePeriod::Minute,
            },
            jwt_secret_env: "SEARCH_UI_JWT_SECRET".to_owned(),
            shared_key_env: "SEARCH_UI_SHARED_KEY".to_owned(),
            oauth_proxy: OauthProxyConfig::default(),
        }
    }
}

/// `search_ui.rate_limit`: search requests per IP (counted on each peer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchUiRateLimit {
    /// Searches per IP. Default `60/minute`.
    pub per_ip: RateLimit,
}

impl Default for SearchUiRateLimit {
    fn default() -> Self {
        Self {
            per_ip: RateLimit {
                requests: 60,
                period: super::units::RatePeriod::Minute,
            },
        }
    }
}

/// Where search UI analytics beacons go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalyticsSink {
    /// As CDC events.
    Cdc,
}

/// `search_ui.analytics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchUiAnalytics {
    /// Accept click-through and latency beacons. Default `false`.
    pub enabled: bool,
    /// Destination. Default `cdc`.
    pub sink: AnalyticsSink,
}

impl Default for SearchUiAnalytics {
    fn default() -> Self {
        Self {
            enabled: false,
            sink: AnalyticsSink::Cdc,
        }
    }
}

/// `search_ui` (§13.21): the embedded end-user search SPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchUiConfig {
    /// Serve the search UI. Default `false`: it is a public surface and needs the JWT
    /// secret, so it is switched on deliberately.
    pub enabled: bool,
    /// URL path prefix; starts with `/`. Default `/ui/search`.
    pub path: String,
    /// Serve `widget.js` (the web component). Default `true`.
    pub widget_script_enabled: bool,
    /// Allow iframe embedding. Default `true`.
    pub embeddable: bool,
    /// Sessions. Default: see [`SearchUiAuthConfig`].
    pub auth: SearchUiAuthConfig,
    /// Origins allowed on the session endpoint. Default `["*"]`.
    pub allowed_origins: Vec<String>,
    /// Hard expiry of the scoped Meilisearch search key, in days. Default `60`.
    pub scoped_key_max_age_days: u32,
    /// Rotate the scoped key this many days before expiry; must be below
    /// `scoped_key_max_age_days`. Default `30`.
    pub scoped_key_rotate_before_expiry_days: u32,
    /// Wait before revoking the previous scoped key, in seconds. Default `120`.
    pub scoped_key_rotation_drain_s: u64,
    /// Search rate limiting. Default: see [`SearchUiRateLimit`].
    pub rate_limit: SearchUiRateLimit,
    /// Origins answered with CORS headers. Default `[]`.
    pub cors_allowed_origins: Vec<String>,
    /// Content-Security-Policy of the SPA.
    /// Default `default-src 'self'; img-src 'self' https:; style-src 'self' 'unsafe-inline'`.
    pub csp: String,
    /// Analytics beacons. Default: off.
    pub analytics: SearchUiAnalytics,
}

impl Default for SearchUiConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            path: "/ui/search".to_owned(),
            widget_script_enabled: true,
            embeddable: true,
            auth: SearchUiAuthConfig::default(),
            allowed_origins: vec!["*".to_owned()],
            scoped_key_max_age_days: 60,
            scoped_key_rotate_before_expiry_days: 30,
            scoped_key_rotation_drain_s: 120,
            rate_limit: SearchUiRateLimit::default(),
            cors_allowed_origins: Vec::new(),
            csp: "default-src 'self'; img-src 'self' https:; style-src 'self' 'unsafe-inline'"
                .to_owned(),
            analytics: SearchUiAnalytics::default(),
        }
    }
}
