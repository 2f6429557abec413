//! Tests of the config loader as a whole: the documented example, defaults, rejections,
//! environment overrides and the YAML round-trip.

mod defaults;
mod env_overrides;
mod example_doc;
mod peer;
mod rejections;
mod round_trip;

use std::collections::BTreeMap;

use super::{Config, ConfigError};

/// Two groups of two nodes, nothing else: the smallest config that validates with RF 1.
const MINIMAL_YAML: &str = "\
replica_groups: 2
nodes:
  - {id: meili-0, address: \"http://meili-0:7700\", replica_group: 0}
  - {id: meili-1, address: \"http://meili-1:7700\", replica_group: 0}
  - {id: meili-2, address: \"http://meili-2:7700\", replica_group: 1}
  - {id: meili-3, address: \"http://meili-3:7700\", replica_group: 1}
master_key: client-key-0123456789abcdef
admin_api_key: operator-key-0123456789abcdef
";

fn no_env() -> BTreeMap<String, String> {
    BTreeMap::new()
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// Parses `yaml` (must succeed) and returns the validation problems as `field: reason`.
fn problems_of(yaml: &str) -> Vec<String> {
    let config = Config::from_yaml(yaml.as_bytes()).unwrap();
    match config.validate() {
        Ok(()) => Vec::new(),
        Err(error) => error.problems().iter().map(ToString::to_string).collect(),
    }
}

/// Asserts that some problem concerns `field` and mentions `needle`.
fn assert_problem(problems: &[String], field: &str, needle: &str) {
    assert!(
        problems
            .iter()
            .any(|problem| problem.starts_with(&format!("{field}: ")) && problem.contains(needle)),
        "no problem on `{field}` mentioning `{needle}` in {problems:#?}"
    );
}

fn parse_error(yaml: &str) -> String {
    match Config::from_yaml(yaml.as_bytes()) {
        Err(ConfigError::Parse { message }) => message,
        other => panic!("expected a parse error, got {other:?}"),
    }
}
