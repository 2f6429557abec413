//! Malformed or rule-breaking configs are refused with messages that name the field.

use super::{assert_problem, no_env, parse_error, problems_of, Config, ConfigError, MINIMAL_YAML};

#[test]
fn unknown_top_level_key_is_named() {
    let message = parse_error("shardz: 8\n");
    assert!(message.contains("unknown field `shardz`"), "{message}");
}

#[test]
fn unknown_nested_key_is_named_with_its_path() {
    let message = parse_error("scatter:\n  timeout_ms: 10\n  timeout_msx: 10\n");
    assert!(message.contains("unknown field `timeout_msx`"), "{message}");
    assert!(message.contains("scatter"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    let message = parse_error(
        "nodes:\n  - {id: a, address: \"http://a:7700\", replica_group: 0, weight: 3}\n",
    );
    assert!(message.contains("unknown field `weight`"), "{message}");
    assert!(message.contains("nodes[0]"), "{message}");
}

#[test]
fn removed_spec_blocks_are_unknown() {
    for block in ["task_store", "peer_discovery", "leader_election", "hpa"] {
        let message = parse_error(&format!("{block}: {{}}\n"));
        assert!(
            message.contains(&format!("unknown field `{block}`")),
            "{message}"
        );
    }
}

#[test]
fn writes_cannot_be_shadowed() {
    let message = parse_error(
        "shadow:\n  targets:\n    - {name: s, url: \"http://s:7700\", sample_rate: 0.1, operations: [documents]}\n",
    );
    assert!(message.contains("unknown variant `documents`"), "{message}");
}

#[test]
fn malformed_human_values_are_parse_errors() {
    let message = parse_error("anti_entropy:\n  schedule: daily\n");
    assert!(message.contains("every 6h"), "{message}");
    let message = parse_error("admin_ui:\n  rate_limit:\n    per_ip: 10/fortnight\n");
    assert!(message.contains("10/minute"), "{message}");
}

#[test]
fn zero_replication_factor_is_named() {
    let problems = problems_of(&format!("{MINIMAL_YAML}replication_factor: 0\n"));
    assert_problem(&problems, "replication_factor", "must be at least 1, got 0");
}

#[test]
fn zero_settings_repair_backoff_is_named() {
    let problems = problems_of(&format!(
        "{MINIMAL_YAML}settings_broadcast:\n  repair_backoff_ms: 0\n"
    ));
    assert_problem(
        &problems,
        "settings_broadcast.repair_backoff_ms",
        "must be at least 1, got 0",
    );
}

#[test]
fn zero_and_huge_shard_counts_are_named() {
    assert_problem(
        &problems_of(&format!("{MINIMAL_YAML}shards: 0\n")),
        "shards",
        "must be at least 1",
    );
    assert_problem(
        &problems_of(&format!("{MINIMAL_YAML}shards: 100000\n")),
        "shards",
        "must be at most 4096",
    );
}

#[test]
fn node_in_an_undeclared_group_is_named() {
    let yaml = MINIMAL_YAML.replace(
        "{id: meili-3, address: \"http://meili-3:7700\", replica_group: 1}",
        "{id: meili-3, address: \"http://meili-3:7700\", replica_group: 5}",
    );
    let problems = problems_of(&yaml);
    assert_problem(
        &problems,
        "nodes[3].replica_group",
        "group 5 is not declared in replica_groups",
    );
}

#[test]
fn duplicate_node_id_is_named() {
    let yaml = MINIMAL_YAML.replace("id: meili-2,", "id: meili-0,");
    assert_problem(
        &problems_of(&yaml),
        "nodes[2].id",
        "duplicate node id `meili-0` (also nodes[0].id)",
    );
}

#[test]
fn node_ids_and_addresses_are_checked() {
    let yaml = MINIMAL_YAML
        .replace("id: meili-1,", "id: \"meili 1\",")
        .replace("\"http://meili-2:7700\"", "\"meili-2:7700\"")
        .replace("\"http://meili-3:7700\"", "\"http://meili-0:7700\"");
    let problems = problems_of(&yaml);
    assert_problem(&problems, "nodes[1].id", "whitespace");
    assert_problem(&problems, "nodes[2].address", "http://");
    assert_problem(
        &problems,
        "nodes[3].address",
        "also the address of nodes[0]",
    );
}

#[test]
fn every_group_needs_replication_factor_nodes() {
    let problems = problems_of(&format!("{MINIMAL_YAML}replication_factor: 3\n"));
    assert_problem(&problems, "replication_factor", "group 0 has 2 node(s)");
    assert_problem(&problems, "replication_factor", "group 1 has 2 node(s)");

    let one_group_empty = MINIMAL_YAML.replace("replica_group: 1}", "replica_group: 0}");
    assert_problem(
        &problems_of(&one_group_empty),
        "replica_groups",
        "group 1 is declared but has no nodes",
    );
    assert_problem(
        &problems_of(
            &format!("{MINIMAL_YAML}replica_groups: 9\n").replace("replica_groups: 2\n", ""),
        ),
        "replica_groups",
        "9 groups are declared but only 4 node(s)",
    );
    assert_problem(&problems_of("{}"), "nodes", "at least one");
}

#[test]
fn all_problems_are_reported_at_once() {
    let yaml =
        format!("{MINIMAL_YAML}shards: 0\nreplication_factor: 0\nscatter: {{timeout_ms: 0}}\n");
    let error = Config::from_yaml(yaml.as_bytes())
        .unwrap()
        .validate()
        .unwrap_err();
    let fields: Vec<&str> = error.problems().iter().map(|p| p.field.as_str()).collect();
    assert!(fields.contains(&"shards"), "{fields:?}");
    assert!(fields.contains(&"replication_factor"), "{fields:?}");
    assert!(fields.contains(&"scatter.timeout_ms"), "{fields:?}");
    let message = error.to_string();
    assert!(
        message.contains("shards: must be at least 1, got 0"),
        "{message}"
    );
}

#[test]
fn redundant_topology_refuses_missing_and_development_keys() {
    let without_keys = MINIMAL_YAML
        .replace("master_key: client-key-0123456789abcdef\n", "")
        .replace("admin_api_key: operator-key-0123456789abcdef\n", "");
    let problems = problems_of(&without_keys);
    assert_problem(
        &problems,
        "master_key",
        "must be set because the topology is redundant",
    );
    assert_problem(&problems, "admin_api_key", "MIROIR_ADMIN_API_KEY");

    let dev_key = MINIMAL_YAML.replace("client-key-0123456789abcdef", "dev-key");
    assert_problem(
        &problems_of(&dev_key),
        "master_key",
        "well-known development key",
    );
    let short_key = MINIMAL_YAML.replace("client-key-0123456789abcdef", "short");
    assert_problem(&problems_of(&short_key), "master_key", "at least 16 bytes");

    let single_group_dev =
        "nodes: [{id: a, address: \"http://a:7700\", replica_group: 0}]\nmaster_key: dev-key\n";
    assert!(problems_of(single_group_dev).is_empty());
}

#[test]
fn keys_must_be_distinct_and_clean() {
    let same = MINIMAL_YAML.replace(
        "operator-key-0123456789abcdef",
        "client-key-0123456789abcdef",
    );
    assert_problem(
        &problems_of(&same),
        "admin_api_key",
        "must differ from master_key",
    );
    let newline = format!("{MINIMAL_YAML}node_master_key: \"node-key-0123456789abcdef\\n\"\n");
    assert_problem(&problems_of(&newline), "node_master_key", "whitespace");
}

#[test]
fn timing_inversions_are_refused() {
    let yaml = format!(
        "{MINIMAL_YAML}scatter: {{timeout_ms: 10}}\nhedging: {{min_trigger_ms: 10}}\n\
         search_ui: {{scoped_key_max_age_days: 60, scoped_key_rotate_before_expiry_days: 90}}\n\
         health: {{interval_ms: 1000, timeout_ms: 2000}}\n\
         multi_search: {{total_timeout_ms: 100, per_query_timeout_ms: 200}}\n\
         session_pinning: {{ttl_seconds: 5, max_wait_ms: 5000}}\n"
    );
    let problems = problems_of(&yaml);
    assert_problem(
        &problems,
        "hedging.min_trigger_ms",
        "below scatter.timeout_ms (10)",
    );
    assert_problem(
        &problems,
        "search_ui.scoped_key_rotate_before_expiry_days",
        "continuous rotation loop",
    );
    assert_problem(&problems, "health.timeout_ms", "health.interval_ms");
    assert_problem(
        &problems,
        "multi_search.per_query_timeout_ms",
        "total_timeout_ms",
    );
    assert_problem(&problems, "session_pinning.max_wait_ms", "ttl_seconds");

    let hedging_off = format!(
        "{MINIMAL_YAML}scatter: {{timeout_ms: 10}}\nhedging: {{enabled: false, min_trigger_ms: 10}}\n"
    );
    assert!(problems_of(&hedging_off).is_empty());
}

#[test]
fn tenant_groups_must_be_declared() {
    let yaml = format!(
        "{MINIMAL_YAML}tenant_affinity: {{static_map: {{acme: 7}}, dedicated_groups: [0, 1]}}\n"
    );
    let problems = problems_of(&yaml);
    assert_problem(
        &problems,
        "tenant_affinity.static_map.acme",
        "group 7 is not declared",
    );
    assert_problem(
        &problems,
        "tenant_affinity.dedicated_groups",
        "fallback: reject",
    );
}

#[test]
fn lists_of_named_things_are_checked() {
    let yaml = format!(
        "{MINIMAL_YAML}\
cdc:
  sinks:
    - {{type: webhook, name: a, url: \"http://hook:80\"}}
    - {{type: kafka, name: a, brokers: [\"kafka\"]}}
shadow:
  targets: [{{name: s, url: \"http://s:7700\", sample_rate: 1.5}}]
rollover_policies:
  - {{name: p, write_alias: logs, read_alias: logs, pattern: logs, rollover_triggers: {{}},
      retention: {{keep_indexes: 0}}, index_template: {{primary_key: id}}}}
canaries:
  - {{name: c, index: products, query: {{}}, assertions: []}}
admin_ui:
  csp_overrides: {{script_src: [\"*\"]}}
  theme: {{accent_color: blue}}
"
    );
    let problems = problems_of(&yaml);
    assert_problem(&problems, "cdc.sinks[1].name", "duplicate name `a`");
    assert_problem(&problems, "cdc.sinks[1].brokers[0]", "host:port");
    assert_problem(
        &problems,
        "shadow.targets[0].sample_rate",
        "between 0.0 and 1.0",
    );
    assert_problem(&problems, "rollover_policies[0].read_alias", "must differ");
    assert_problem(&problems, "rollover_policies[0].pattern", "placeholder");
    assert_problem(
        &problems,
        "rollover_policies[0].rollover_triggers",
        "at least one",
    );
    assert_problem(
        &problems,
        "rollover_policies[0].retention.keep_indexes",
        "at least 1",
    );
    assert_problem(
        &problems,
        "canaries[0].assertions",
        "at least one assertion",
    );
    assert_problem(
        &problems,
        "admin_ui.csp_overrides.script_src[0]",
        "wildcards",
    );
    assert_problem(&problems, "admin_ui.theme.accent_color", "#rrggbb");
}

#[test]
fn enabled_search_ui_needs_its_jwt_secret_in_the_environment() {
    let yaml = format!("{MINIMAL_YAML}search_ui: {{enabled: true, auth: {{mode: shared_key}}}}\n");
    let error = Config::load(yaml.as_bytes(), &no_env()).unwrap_err();
    let fields: Vec<&str> = error.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "search_ui.auth.jwt_secret_env",
            "search_ui.auth.shared_key_env"
        ]
    );
    assert!(error
        .to_string()
        .contains("SEARCH_UI_JWT_SECRET is not set"));
    let secrets = super::env(&[
        ("SEARCH_UI_JWT_SECRET", "jwt"),
        ("SEARCH_UI_SHARED_KEY", "shared"),
    ]);
    assert!(Config::load(yaml.as_bytes(), &secrets).is_ok());
    assert!(matches!(
        Config::load(b"nodes: 3\n", &no_env()),
        Err(ConfigError::Parse { .. })
    ));
}
