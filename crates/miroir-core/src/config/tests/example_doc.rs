//! The example in `docs/configuration.md` parses, validates and round-trips, so the page
//! cannot drift from the schema.

use super::{env, Config};
use crate::config::{CanaryAssertion, CdcSinkConfig, SearchUiAuthMode, TenantMode};

const DOC: &str = include_str!("../../../../../docs/configuration.md");

/// The first ```yaml fence of the page.
fn example_yaml() -> &'static str {
    let start = DOC.find("```yaml\n").expect("the doc has a ```yaml fence") + "```yaml\n".len();
    let length = DOC[start..].find("```").expect("the fence is closed");
    &DOC[start..start + length]
}

#[test]
fn documented_example_deserialises_with_every_block() {
    let config = Config::from_yaml(example_yaml().as_bytes()).unwrap();
    assert_eq!(config.replica_groups, 2);
    assert_eq!(config.nodes.len(), 6);
    assert_eq!(config.nodes[3].replica_group, 1);
    assert_eq!(config.cdc.sinks.len(), 4);
    assert!(matches!(config.cdc.sinks[2], CdcSinkConfig::Kafka { .. }));
    assert_eq!(config.tenant_affinity.mode, TenantMode::Header);
    assert_eq!(config.tenant_affinity.static_map["startup-inc"], 1);
    assert_eq!(config.shadow.targets[0].sample_rate, 0.05);
    assert_eq!(config.rollover_policies[0].retention.keep_indexes, 30);
    assert_eq!(
        config.rollover_policies[0]
            .rollover_triggers
            .max_age
            .map(|age| age.as_secs()),
        Some(7 * 86_400)
    );
    assert_eq!(config.canaries[0].assertions.len(), 6);
    assert_eq!(
        config.canaries[0].assertions[1],
        CanaryAssertion::TopKContains {
            k: 3,
            ids: vec!["movie_inception".into(), "movie_interstellar".into()],
        }
    );
    assert_eq!(config.search_ui.auth.mode, SearchUiAuthMode::OauthProxy);
    assert_eq!(config.resharding.allowed_windows.len(), 1);
    assert_eq!(config.anti_entropy.schedule.interval_secs(), 6 * 3_600);
}

#[test]
fn documented_example_loads_when_its_secrets_are_present() {
    let secrets = env(&[("SEARCH_UI_JWT_SECRET", "jwt-secret-for-tests")]);
    let config = Config::load(example_yaml().as_bytes(), &secrets).unwrap();
    assert!(config.is_redundant());
}

#[test]
fn documented_example_round_trips() {
    let config = Config::from_yaml(example_yaml().as_bytes()).unwrap();
    let again = Config::from_yaml(config.to_yaml().unwrap().as_bytes()).unwrap();
    assert_eq!(again, config);
}
