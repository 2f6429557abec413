//! Rules on the three API keys: well-formed when set, distinct from each other, and real
//! secrets (set, long enough, not a well-known development value) in a redundant — that is,
//! production — topology.

use super::Checker;
use crate::config::{Config, Secret};

/// Shortest key accepted in a redundant topology; Meilisearch itself refuses master keys
/// shorter than 16 bytes in production.
pub const MIN_PRODUCTION_KEY_BYTES: usize = 16;

/// Keys from examples and development setups, refused in a redundant topology.
pub const DEV_DEFAULT_KEYS: &[&str] = &[
    "dev-key",
    "masterKey",
    "MASTER_KEY",
    "changeme",
    "change-me",
    "secret",
    "password",
    "miroir",
    "aSampleMasterKey",
];

pub(super) fn check(config: &Config, checker: &mut Checker) {
    let keys = [
        ("master_key", config.master_key.as_ref()),
        ("node_master_key", config.node_master_key.as_ref()),
        ("admin_api_key", config.admin_api_key.as_ref()),
    ];
    for (field, key) in keys {
        if let Some(key) = key {
            check_shape(field, key, checker);
        }
    }
    if let Some(admin) = &config.admin_api_key {
        for (field, other) in [
            ("master_key", &config.master_key),
            ("node_master_key", &config.node_master_key),
        ] {
            if other.as_ref() == Some(admin) {
                checker.fail(
                    "admin_api_key",
                    format!("must differ from {field}: one token would open both APIs"),
                );
            }
        }
    }
    if config.is_redundant() {
        // The node key may stay unset: the master key is then forwarded to the nodes.
        let production_keys = [
            ("master_key", config.master_key.as_ref(), true),
            ("node_master_key", config.node_master_key.as_ref(), false),
            ("admin_api_key", config.admin_api_key.as_ref(), true),
        ];
        check_production_keys(config, &production_keys, checker);
    }
}

fn check_shape(field: &str, key: &Secret, checker: &mut Checker) {
    let value = key.expose();
    if value.is_empty() {
        checker.fail(field, "must not be empty; leave it unset instead");
    } else if value.trim() != value {
        checker.fail(
            field,
            "must not start or end with whitespace (a trailing newline from a secret file?)",
        );
    }
}

fn check_production_keys(
    config: &Config,
    keys: &[(&str, Option<&Secret>, bool)],
    checker: &mut Checker,
) {
    let topology = format!(
        "the topology is redundant (replica_groups {}, replication_factor {})",
        config.replica_groups, config.replication_factor
    );
    for (field, key, required) in keys {
        match key {
            None if *required => checker.fail(
                *field,
                format!(
                    "must be set because {topology}; set MIROIR_{}",
                    field.to_ascii_uppercase()
                ),
            ),
            None => {}
            Some(key) if DEV_DEFAULT_KEYS.contains(&key.expose()) => checker.fail(
                *field,
                format!("is a well-known development key, refused because {topology}"),
            ),
            Some(key) if key.expose().len() < MIN_PRODUCTION_KEY_BYTES => checker.fail(
                *field,
                format!(
                    "must be at least {MIN_PRODUCTION_KEY_BYTES} bytes because {topology}, got {}",
                    key.expose().len()
                ),
            ),
            Some(_) => {}
        }
    }
}
