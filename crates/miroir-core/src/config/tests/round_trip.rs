//! Property: any config written as YAML parses back to an equal config
//! (YAML → Config → YAML → Config).

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::Config;
use crate::config::{
    CanaryAssertion, CanaryConfig, CdcSinkConfig, DurationUnit, HumanDuration, IndexTemplate,
    NodeConfig, ReplicaSelectionStrategy, RolloverPolicyConfig, RolloverRetention,
    RolloverTriggers, Schedule, Secret, ShadowOperation, ShadowTargetConfig, TenantFallback,
};
use crate::topology::NodeId;

/// Printable text, including strings YAML would otherwise read as numbers, booleans or null.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("0123".to_owned()),
        Just("- item: [x]".to_owned()),
    ]
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![-1.0e9..1.0e9f64, Just(0.0), Just(0.05), Just(1.0)]
}

fn human_duration() -> impl Strategy<Value = HumanDuration> {
    (
        1..100_000u64,
        prop_oneof![
            Just(DurationUnit::Seconds),
            Just(DurationUnit::Minutes),
            Just(DurationUnit::Hours),
            Just(DurationUnit::Days),
        ],
    )
        .prop_filter_map("fits in seconds", |(amount, unit)| {
            HumanDuration::new(amount, unit)
        })
}

fn node() -> impl Strategy<Value = NodeConfig> {
    (text(), text(), any::<u32>()).prop_map(|(id, address, replica_group)| NodeConfig {
        id: NodeId::new(id),
        address,
        replica_group,
    })
}

fn sink() -> impl Strategy<Value = CdcSinkConfig> {
    prop_oneof![
        (text(), text(), any::<u32>(), any::<u64>(), any::<bool>()).prop_map(
            |(name, url, batch_size, retry_max_s, include_body)| CdcSinkConfig::Webhook {
                name,
                url,
                batch_size,
                batch_flush_ms: 1_000,
                retry_max_s,
                include_body,
            }
        ),
        (text(), prop::collection::vec(text(), 0..3)).prop_map(|(name, brokers)| {
            CdcSinkConfig::Kafka {
                name,
                brokers,
                topic_prefix: "miroir.cdc".to_owned(),
            }
        }),
        (text(), any::<u64>()).prop_map(|(name, long_poll_timeout_s)| {
            CdcSinkConfig::Internal {
                name,
                long_poll_timeout_s,
            }
        }),
    ]
}

fn policy() -> impl Strategy<Value = RolloverPolicyConfig> {
    (
        text(),
        text(),
        prop::option::of(any::<u64>()),
        prop::option::of(human_duration()),
        any::<u32>(),
        prop::option::of(text()),
    )
        .prop_map(
            |(name, pattern, max_docs, max_age, keep_indexes, settings_ref)| RolloverPolicyConfig {
                name: name.clone(),
                write_alias: format!("{name}-write"),
                read_alias: format!("{name}-read"),
                pattern,
                rollover_triggers: RolloverTriggers {
                    max_docs,
                    max_age,
                    max_size_gb: None,
                },
                retention: RolloverRetention { keep_indexes },
                index_template: IndexTemplate {
                    primary_key: "id".to_owned(),
                    settings_ref,
                },
            },
        )
}

fn canary() -> impl Strategy<Value = CanaryConfig> {
    (text(), text(), any::<u64>(), any::<u32>()).prop_map(|(name, q, value, k)| CanaryConfig {
        name,
        index: "products".to_owned(),
        interval_s: value,
        query: serde_json::Map::from_iter([
            ("q".to_owned(), serde_json::Value::String(q.clone())),
            ("limit".to_owned(), serde_json::Value::from(k)),
        ]),
        assertions: vec![
            CanaryAssertion::TopHitId { value: q.clone() },
            CanaryAssertion::TopKContains { k, ids: vec![q] },
            CanaryAssertion::SettingsVersionAtLeast { value },
        ],
    })
}

prop_compose! {
    fn config()(
        (shards, replication_factor, replica_groups) in (any::<u32>(), any::<u32>(), any::<u32>()),
        nodes in prop::collection::vec(node(), 0..4),
        master_key in prop::option::of(text()),
        admin_api_key in prop::option::of(text()),
        timeout_ms in any::<u64>(),
        multiplier in finite(),
        strategy in prop_oneof![
            Just(ReplicaSelectionStrategy::Adaptive),
            Just(ReplicaSelectionStrategy::RoundRobin),
            Just(ReplicaSelectionStrategy::Random),
        ],
        epsilon in finite(),
        schedule in human_duration(),
        sinks in prop::collection::vec(sink(), 0..3),
        static_map in prop::collection::btree_map(text(), any::<u32>(), 0..3),
        fallback in prop_oneof![
            Just(TenantFallback::Hash),
            Just(TenantFallback::Random),
            Just(TenantFallback::Reject),
        ],
        targets in prop::collection::vec(
            (text(), text(), prop::option::of(text()), finite()),
            0..2,
        ),
        policies in prop::collection::vec(policy(), 0..2),
        canaries in prop::collection::vec(canary(), 0..2),
        (search_enabled, csp, accent) in (any::<bool>(), text(), text()),
    ) -> Config {
        let mut config = Config {
            shards,
            replication_factor,
            replica_groups,
            nodes,
            master_key: master_key.map(Secret::new),
            admin_api_key: admin_api_key.map(Secret::new),
            rollover_policies: policies,
            canaries,
            ..Config::default()
        };
        config.scatter.timeout_ms = timeout_ms;
        config.hedging.p95_trigger_multiplier = multiplier;
        config.replica_selection.strategy = strategy;
        config.replica_selection.exploration_epsilon = epsilon;
        config.anti_entropy.schedule = Schedule::every(schedule);
        config.cdc.sinks = sinks;
        config.tenant_affinity.static_map = static_map;
        config.tenant_affinity.fallback = fallback;
        config.shadow.targets = targets
            .into_iter()
            .map(|(name, url, api_key_env, sample_rate)| ShadowTargetConfig {
                name,
                url,
                api_key_env,
                sample_rate,
                operations: vec![ShadowOperation::Search],
            })
            .collect();
        config.search_ui.enabled = search_enabled;
        config.search_ui.csp = csp;
        config.admin_ui.theme.accent_color = accent;
        config
    }
}

proptest! {
    #[test]
    fn yaml_round_trip_preserves_the_config(original in config()) {
        let yaml = original.to_yaml().unwrap();
        let parsed = Config::from_yaml(yaml.as_bytes()).unwrap();
        prop_assert_eq!(&parsed, &original);
        let yaml_again = parsed.to_yaml().unwrap();
        prop_assert_eq!(yaml_again, yaml);
    }
}

#[test]
fn absent_optional_keys_are_not_written() {
    let yaml = Config::default().to_yaml().unwrap();
    assert!(!yaml.contains("master_key"), "{yaml}");
    let map: BTreeMap<String, serde_yaml::Value> = serde_yaml::from_str(&yaml).unwrap();
    assert!(map.contains_key("search_ui") && map.contains_key("tracing"));
}
