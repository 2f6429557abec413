//! Rules on the admin UI and search UI blocks, and the start-up check that the secrets the
//! search UI reads from the environment are present.

use std::collections::BTreeMap;

use super::Checker;
use crate::config::{Config, SearchUiAuthMode};

pub(super) fn check(config: &Config, checker: &mut Checker) {
    check_admin_ui(config, checker);
    check_search_ui(config, checker);
    let admin = &config.admin_ui;
    let search = &config.search_ui;
    if admin.enabled && search.enabled {
        let (admin_path, search_path) = (
            admin.path.trim_end_matches('/'),
            search.path.trim_end_matches('/'),
        );
        if is_path_prefix(admin_path, search_path) || is_path_prefix(search_path, admin_path) {
            checker.fail(
                "search_ui.path",
                format!(
                    "must not overlap admin_ui.path (`{}`), got `{}`",
                    admin.path, search.path
                ),
            );
        }
    }
}

fn is_path_prefix(prefix: &str, path: &str) -> bool {
    path == prefix || path.starts_with(&format!("{prefix}/")) || prefix.is_empty()
}

fn check_admin_ui(config: &Config, checker: &mut Checker) {
    let admin = &config.admin_ui;
    checker.url_path("admin_ui.path", &admin.path);
    checker.positive("admin_ui.session_ttl_s", admin.session_ttl_s);
    check_origins("admin_ui.allowed_origins", &admin.allowed_origins, checker);
    check_origins(
        "admin_ui.cors_allowed_origins",
        &admin.cors_allowed_origins,
        checker,
    );
    let csp = &admin.csp_overrides;
    for (directive, sources) in [
        ("script_src", &csp.script_src),
        ("img_src", &csp.img_src),
        ("connect_src", &csp.connect_src),
    ] {
        for (index, source) in sources.iter().enumerate() {
            if source.contains('*') || source.trim().is_empty() {
                checker.fail(
                    format!("admin_ui.csp_overrides.{directive}[{index}]"),
                    format!(
                        "must name a concrete source; wildcards would widen the policy, got `{source}`"
                    ),
                );
            }
        }
    }
    let accent = &admin.theme.accent_color;
    let is_hex_colour = accent.len() == 7
        && accent.starts_with('#')
        && accent[1..].bytes().all(|byte| byte.is_ascii_hexdigit());
    if !is_hex_colour {
        checker.fail(
            "admin_ui.theme.accent_color",
            format!("must be a `#rrggbb` colour, got `{accent}`"),
        );
    }
    let limit = &admin.rate_limit;
    checker.positive(
        "admin_ui.rate_limit.failed_attempt_threshold",
        u64::from(limit.failed_attempt_threshold),
    );
    checker.positive(
        "admin_ui.rate_limit.backoff_start_minutes",
        u64::from(limit.backoff_start_minutes),
    );
    if u64::from(limit.backoff_max_hours) * 60 < u64::from(limit.backoff_start_minutes) {
        checker.fail(
            "admin_ui.rate_limit.backoff_max_hours",
            format!(
                "must be at least the first backoff window ({} minutes), got {} hours",
                limit.backoff_start_minutes, limit.backoff_max_hours
            ),
        );
    }
}

fn check_search_ui(config: &Config, checker: &mut Checker) {
    let search = &config.search_ui;
    checker.url_path("search_ui.path", &search.path);
    checker.positive("search_ui.auth.session_ttl_s", search.auth.session_ttl_s);
    check_env_name(
        "search_ui.auth.jwt_secret_env",
        &search.auth.jwt_secret_env,
        checker,
    );
    check_env_name(
        "search_ui.auth.shared_key_env",
        &search.auth.shared_key_env,
        checker,
    );
    let oauth = &search.auth.oauth_proxy;
    for (field, header) in [
        ("search_ui.auth.oauth_proxy.user_header", &oauth.user_header),
        (
            "search_ui.auth.oauth_proxy.groups_header",
            &oauth.groups_header,
        ),
    ] {
        if !super::features::is_header_name(header) {
            checker.fail(
                field,
                format!("must be an HTTP header name, got `{header}`"),
            );
        }
    }
    if let Some(template) = &oauth.filter_template {
        checker.non_blank("search_ui.auth.oauth_proxy.filter_template", template);
    }
    check_origins(
        "search_ui.allowed_origins",
        &search.allowed_origins,
        checker,
    );
    check_origins(
        "search_ui.cors_allowed_origins",
        &search.cors_allowed_origins,
        checker,
    );
    checker.positive(
        "search_ui.scoped_key_max_age_days",
        u64::from(search.scoped_key_max_age_days),
    );
    checker.positive(
        "search_ui.scoped_key_rotate_before_expiry_days",
        u64::from(search.scoped_key_rotate_before_expiry_days),
    );
    if search.scoped_key_rotate_before_expiry_days >= search.scoped_key_max_age_days {
        checker.fail(
            "search_ui.scoped_key_rotate_before_expiry_days",
            format!(
                "must be below search_ui.scoped_key_max_age_days ({}), or every new key is \
                 already due for rotation (a continuous rotation loop), got {}",
                search.scoped_key_max_age_days, search.scoped_key_rotate_before_expiry_days
            ),
        );
    }
    checker.positive(
        "search_ui.scoped_key_rotation_drain_s",
        search.scoped_key_rotation_drain_s,
    );
    checker.non_blank("search_ui.csp", &search.csp);
}

fn check_origins(field: &str, origins: &[String], checker: &mut Checker) {
    for (index, origin) in origins.iter().enumerate() {
        if origin.trim().is_empty() {
            checker.fail(format!("{field}[{index}]"), "must not be empty");
        }
    }
}

/// The names of environment variables the config points at.
pub(super) fn check_env_name(field: &str, name: &str, checker: &mut Checker) {
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
    if !valid {
        checker.fail(
            field,
            format!("must be an environment variable name, got `{name}`"),
        );
    }
}

/// The search UI cannot run without its JWT secret (and, in `shared_key` mode, the shared
/// key); refusing to start is better than minting unverifiable sessions.
pub(super) fn check_env_secrets(
    config: &Config,
    env: &BTreeMap<String, String>,
    checker: &mut Checker,
) {
    let search = &config.search_ui;
    if !search.enabled {
        return;
    }
    let mut required = vec![("search_ui.auth.jwt_secret_env", &search.auth.jwt_secret_env)];
    if search.auth.mode == SearchUiAuthMode::SharedKey {
        required.push(("search_ui.auth.shared_key_env", &search.auth.shared_key_env));
    }
    for (field, var) in required {
        let present = env.get(var.as_str()).is_some_and(|value| !value.is_empty());
        if !present {
            checker.fail(
                field,
                format!("search_ui is enabled but environment variable {var} is not set"),
            );
        }
    }
}
