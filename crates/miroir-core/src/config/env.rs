//! Environment overrides: `MIROIR_<PATH>=<value>` overlaid onto the parsed YAML tree before
//! it is deserialised, so overridden values go through exactly the same schema checks
//! (`deny_unknown_fields`, types, enums) as values from the file.
//!
//! ```text
//!   MIROIR_SCATTER__TIMEOUT_MS=500  ──►  ["scatter", "timeout_ms"] = 500
//! ```
//!
//! Variables are applied one at a time, in name order, and the tree is deserialised after
//! each, so an error is always attributed to the variable that caused it.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use super::error::ConfigError;
use super::Config;

/// Prefix of every environment variable read as a config override.
pub const ENV_PREFIX: &str = "MIROIR_";

/// Separator between nesting levels inside a variable name.
const LEVEL_SEPARATOR: &str = "__";

/// Whether `env` holds at least one override variable.
pub(super) fn has_overrides(env: &BTreeMap<String, String>) -> bool {
    env.keys().any(|name| name.starts_with(ENV_PREFIX))
}

/// Parses `yaml` into a tree, overlays every `MIROIR_*` variable of `env` and deserialises
/// the result. The caller has already checked that `yaml` alone deserialises.
pub(super) fn apply_overrides(
    yaml: &[u8],
    env: &BTreeMap<String, String>,
) -> Result<Config, ConfigError> {
    let mut tree = if super::is_blank(yaml) {
        Value::Mapping(Mapping::new())
    } else {
        serde_yaml::from_slice::<Value>(yaml)?
    };
    let mut config = serde_yaml::from_value::<Config>(tree.clone())?;
    for (var, raw_value) in env {
        let Some(suffix) = var.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let segments: Vec<String> = suffix
            .split(LEVEL_SEPARATOR)
            .map(str::to_ascii_lowercase)
            .collect();
        let path = segments.join(".");
        if segments.iter().any(String::is_empty) {
            return Err(ConfigError::UnknownEnvOverride {
                var: var.clone(),
                path,
                message: "the name has an empty path segment".to_owned(),
            });
        }
        let (next_tree, next_config) =
            overlay_one(&tree, &segments, raw_value).map_err(|failure| match failure {
                OverlayFailure::Unknown(message) => ConfigError::UnknownEnvOverride {
                    var: var.clone(),
                    path: path.clone(),
                    message,
                },
                OverlayFailure::Invalid(message) => ConfigError::InvalidEnvOverride {
                    var: var.clone(),
                    path: path.clone(),
                    message,
                },
            })?;
        tree = next_tree;
        config = next_config;
    }
    Ok(config)
}

/// Why one variable could not be applied.
enum OverlayFailure {
    /// The path does not name a field.
    Unknown(String),
    /// The path names a field but the value does not fit.
    Invalid(String),
}

/// Applies one variable to a copy of `tree`, trying the value as YAML first and as the raw
/// text second; returns the new tree and its deserialisation.
fn overlay_one(
    tree: &Value,
    segments: &[String],
    raw_value: &str,
) -> Result<(Value, Config), OverlayFailure> {
    let raw_text = Value::String(raw_value.to_owned());
    let as_yaml = serde_yaml::from_str::<Value>(raw_value).ok();
    let mut first_error = None;
    for candidate in as_yaml.into_iter().chain(std::iter::once(raw_text)) {
        let mut next_tree = tree.clone();
        set_path(&mut next_tree, segments, candidate)?;
        match serde_yaml::from_value::<Config>(next_tree.clone()) {
            Ok(config) => return Ok((next_tree, config)),
            Err(error) => {
                first_error.get_or_insert(error.to_string());
            }
        }
    }
    let message = first_error.unwrap_or_default();
    if message.contains("unknown field") {
        Err(OverlayFailure::Unknown(message))
    } else {
        Err(OverlayFailure::Invalid(message))
    }
}

/// Sets `segments` in `tree` to `value`, creating missing mappings on the way. Lists are
/// indexed by numeric segments but never extended.
fn set_path(tree: &mut Value, segments: &[String], value: Value) -> Result<(), OverlayFailure> {
    let Some((head, rest)) = segments.split_first() else {
        *tree = value;
        return Ok(());
    };
    if tree.is_null() {
        *tree = Value::Mapping(Mapping::new());
    }
    match tree {
        Value::Mapping(mapping) => {
            let child = mapping
                .entry(Value::String(head.clone()))
                .or_insert(Value::Null);
            set_path(child, rest, value)
        }
        Value::Sequence(items) => {
            let length = items.len();
            let child = head
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get_mut(index))
                .ok_or_else(|| {
                    OverlayFailure::Unknown(format!(
                        "`{head}` is not an index of this list of {length} entries"
                    ))
                })?;
            set_path(child, rest, value)
        }
        _ => Err(OverlayFailure::Invalid(format!(
            "cannot set `{head}` inside a value that is neither a mapping nor a list"
        ))),
    }
}
