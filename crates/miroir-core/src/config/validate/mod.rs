//! Rules a well-formed config must satisfy beyond its schema. Every check appends a
//! [`Problem`] naming the field instead of stopping, so one run reports everything wrong.

mod address;
mod features;
mod peer;
mod secrets;
mod serving;
mod streams;
mod topology;
mod ui;

use std::collections::BTreeMap;

use super::error::{ConfigError, Problem};
use super::Config;

pub use secrets::{DEV_DEFAULT_KEYS, MIN_PRODUCTION_KEY_BYTES};
pub use topology::MAX_SHARDS;

/// Runs every rule; with `env`, also checks that secrets the config relies on are present.
pub(super) fn validate_with_env(
    config: &Config,
    env: Option<&BTreeMap<String, String>>,
) -> Result<(), ConfigError> {
    let mut checker = Checker::default();
    topology::check(config, &mut checker);
    secrets::check(config, &mut checker);
    serving::check(config, &mut checker);
    peer::check(config, &mut checker);
    features::check(config, &mut checker);
    streams::check(config, &mut checker);
    ui::check(config, &mut checker);
    if let Some(env) = env {
        ui::check_env_secrets(config, env, &mut checker);
    }
    checker.finish()
}

/// Collects problems.
#[derive(Default)]
pub(super) struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    /// Records that `field` is wrong because of `reason`.
    pub(super) fn fail(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.problems.push(Problem {
            field: field.into(),
            reason: reason.into(),
        });
    }

    /// `value` must be at least 1.
    pub(super) fn positive(&mut self, field: &str, value: u64) {
        if value == 0 {
            self.fail(field, "must be at least 1, got 0");
        }
    }

    /// `value` must lie in `0.0..=1.0`.
    pub(super) fn fraction(&mut self, field: &str, value: f64) {
        if !(0.0..=1.0).contains(&value) {
            self.fail(field, format!("must be between 0.0 and 1.0, got {value}"));
        }
    }

    /// `value` must be finite and not negative.
    pub(super) fn non_negative(&mut self, field: &str, value: f64) {
        if !value.is_finite() || value < 0.0 {
            self.fail(
                field,
                format!("must be a finite number of at least 0, got {value}"),
            );
        }
    }

    /// `value` must not be empty or blank.
    pub(super) fn non_blank(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(field, "must not be empty");
        }
    }

    /// `value` must be an `http://` or `https://` URL.
    pub(super) fn http_url(&mut self, field: &str, value: &str) {
        if let Err(reason) = address::check_http_url(value) {
            self.fail(field, reason);
        }
    }

    /// `value` must be a `host:port` socket address.
    pub(super) fn host_port(&mut self, field: &str, value: &str) {
        if let Err(reason) = address::check_host_port(value) {
            self.fail(field, reason);
        }
    }

    /// `value` must be an absolute URL path.
    pub(super) fn url_path(&mut self, field: &str, value: &str) {
        if !value.starts_with('/') || value.chars().any(char::is_whitespace) {
            self.fail(
                field,
                format!("must be a URL path starting with `/`, got `{value}`"),
            );
        }
    }

    /// Every name must be non-blank and appear once; `field` is the list's path and `names`
    /// yields the entries' names in list order.
    pub(super) fn unique_names<'a>(
        &mut self,
        field: &str,
        names: impl IntoIterator<Item = &'a str>,
    ) {
        let mut first_index: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, name) in names.into_iter().enumerate() {
            if name.trim().is_empty() {
                self.fail(format!("{field}[{index}].name"), "must not be empty");
                continue;
            }
            if let Some(first) = first_index.insert(name, index) {
                self.fail(
                    format!("{field}[{index}].name"),
                    format!("duplicate name `{name}` (also {field}[{first}].name)"),
                );
            }
        }
    }

    fn finish(self) -> Result<(), ConfigError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                problems: self.problems,
            })
        }
    }
}
