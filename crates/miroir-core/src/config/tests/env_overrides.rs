//! `MIROIR_*` environment overrides.

use super::{env, Config, ConfigError, MINIMAL_YAML};
use crate::config::{Secret, UnavailableShardPolicy};

#[test]
fn nested_and_top_level_overrides_apply() {
    let vars = env(&[
        ("MIROIR_SCATTER__TIMEOUT_MS", "500"),
        ("MIROIR_SCATTER__UNAVAILABLE_SHARD_POLICY", "error"),
        ("MIROIR_SHARDS", "128"),
        ("MIROIR_MASTER_KEY", "from-env-0123456789abcdef"),
        ("MIROIR_ADMIN_UI__THEME__DEFAULT_MODE", "dark"),
        (
            "MIROIR_RESHARDING__ALLOWED_WINDOWS",
            "[\"01:00-02:00 UTC\"]",
        ),
        ("PATH", "/usr/bin"),
    ]);
    let config = Config::load(MINIMAL_YAML.as_bytes(), &vars).unwrap();
    assert_eq!(config.scatter.timeout_ms, 500);
    assert_eq!(
        config.scatter.unavailable_shard_policy,
        UnavailableShardPolicy::Error
    );
    assert_eq!(config.shards, 128);
    assert_eq!(
        config.master_key,
        Some(Secret::new("from-env-0123456789abcdef"))
    );
    assert_eq!(
        config.admin_ui.theme.default_mode,
        crate::config::ThemeMode::Dark
    );
    assert_eq!(config.resharding.allowed_windows.len(), 1);
    assert!(
        config.scatter.retry_on_timeout,
        "siblings keep file/default values"
    );
}

#[test]
fn secrets_that_look_like_numbers_or_yaml_stay_text() {
    let vars = env(&[
        ("MIROIR_MASTER_KEY", "12345678901234567890"),
        ("MIROIR_ADMIN_API_KEY", "- not: a list [at all"),
        ("MIROIR_NODE_MASTER_KEY", "true"),
    ]);
    let single_node = "nodes: [{id: a, address: \"http://a:7700\", replica_group: 0}]\n";
    let config = Config::load(single_node.as_bytes(), &vars).unwrap();
    assert_eq!(config.master_key.unwrap().expose(), "12345678901234567890");
    assert_eq!(
        config.admin_api_key.unwrap().expose(),
        "- not: a list [at all"
    );
    assert_eq!(config.node_master_key.unwrap().expose(), "true");
}

#[test]
fn list_entries_present_in_the_file_can_be_overridden() {
    let vars = env(&[("MIROIR_NODES__1__ADDRESS", "https://meili-1.internal:7700")]);
    let config = Config::load(MINIMAL_YAML.as_bytes(), &vars).unwrap();
    assert_eq!(config.nodes[1].address, "https://meili-1.internal:7700");

    let out_of_range = env(&[("MIROIR_NODES__9__ADDRESS", "http://x:7700")]);
    match Config::load(MINIMAL_YAML.as_bytes(), &out_of_range) {
        Err(ConfigError::UnknownEnvOverride { var, path, .. }) => {
            assert_eq!(var, "MIROIR_NODES__9__ADDRESS");
            assert_eq!(path, "nodes.9.address");
        }
        other => panic!("expected UnknownEnvOverride, got {other:?}"),
    }
}

#[test]
fn unknown_field_is_an_error_naming_the_variable_and_field() {
    let vars = env(&[("MIROIR_SCATTER__TIMEOUT_MSX", "500")]);
    match Config::load(MINIMAL_YAML.as_bytes(), &vars) {
        Err(error @ ConfigError::UnknownEnvOverride { .. }) => {
            let message = error.to_string();
            assert!(message.contains("MIROIR_SCATTER__TIMEOUT_MSX"), "{message}");
            assert!(message.contains("scatter.timeout_msx"), "{message}");
            assert!(message.contains("unknown field `timeout_msx`"), "{message}");
        }
        other => panic!("expected UnknownEnvOverride, got {other:?}"),
    }
    let top_level = env(&[("MIROIR_REDIS_URL", "redis://x")]);
    assert!(matches!(
        Config::load(MINIMAL_YAML.as_bytes(), &top_level),
        Err(ConfigError::UnknownEnvOverride { ref path, .. }) if path == "redis_url"
    ));
    let empty_segment = env(&[("MIROIR_SCATTER____TIMEOUT_MS", "1")]);
    assert!(matches!(
        Config::load(MINIMAL_YAML.as_bytes(), &empty_segment),
        Err(ConfigError::UnknownEnvOverride { .. })
    ));
}

#[test]
fn ill_typed_value_is_an_error_naming_the_variable() {
    for (name, value) in [
        ("MIROIR_SCATTER__TIMEOUT_MS", "soon"),
        ("MIROIR_SCATTER__TIMEOUT_MS", "-5"),
        ("MIROIR_HEDGING__ENABLED", "maybe"),
        ("MIROIR_REPLICA_SELECTION__STRATEGY", "fastest"),
        ("MIROIR_SHARDS__COUNT", "3"),
    ] {
        match Config::load(MINIMAL_YAML.as_bytes(), &env(&[(name, value)])) {
            Err(error @ ConfigError::InvalidEnvOverride { .. }) => {
                assert!(error.to_string().contains(name), "{error}");
            }
            other => panic!("{name}={value}: expected InvalidEnvOverride, got {other:?}"),
        }
    }
}

#[test]
fn overridden_values_are_validated() {
    let vars = env(&[("MIROIR_REPLICATION_FACTOR", "0")]);
    let error = Config::load(MINIMAL_YAML.as_bytes(), &vars).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("replication_factor: must be at least 1, got 0"),
        "{error}"
    );
}

#[test]
fn overrides_apply_to_an_empty_file() {
    let vars = env(&[
        (
            "MIROIR_NODES",
            "[{id: a, address: \"http://a:7700\", replica_group: 0}]",
        ),
        ("MIROIR_HEALTH__INTERVAL_MS", "9000"),
    ]);
    let config = Config::load(b"", &vars).unwrap();
    assert_eq!(config.nodes.len(), 1);
    assert_eq!(config.health.interval_ms, 9_000);
}
