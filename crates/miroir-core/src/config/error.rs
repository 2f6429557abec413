//! What can go wrong while loading a config: unreadable YAML, a bad environment override, or
//! a well-formed config that breaks a rule. Every message names the field at fault.

use std::fmt;

/// One broken rule found by [`super::Config::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path of the offending field, e.g. `nodes[3].replica_group`.
    pub field: String,
    /// What is wrong and, where useful, the value found.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The YAML is malformed or does not fit the schema (unknown field, wrong type, bad
    /// value). The message is serde_yaml's: it names the field path and, when parsing the
    /// file, its line and column.
    #[error("invalid configuration file: {message}")]
    Parse {
        /// serde_yaml's message.
        message: String,
    },
    /// A `MIROIR_*` environment variable names a field the config does not have.
    #[error("environment variable {var} overrides unknown field `{path}`: {message}")]
    UnknownEnvOverride {
        /// The variable's name.
        var: String,
        /// The field path it maps to, dotted (`scatter.timeout_ms`).
        path: String,
        /// serde_yaml's message, naming the unknown field and the ones expected.
        message: String,
    },
    /// A `MIROIR_*` environment variable names a real field but its value does not fit it.
    #[error("environment variable {var} sets `{path}` to an invalid value: {message}")]
    InvalidEnvOverride {
        /// The variable's name.
        var: String,
        /// The field path it maps to, dotted.
        path: String,
        /// Why the value was refused.
        message: String,
    },
    /// The config parsed but breaks one or more rules; every problem found is listed.
    #[error("invalid configuration: {}", join_problems(.problems))]
    Invalid {
        /// All problems, in field order.
        problems: Vec<Problem>,
    },
}

fn join_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConfigError {
    /// The rule violations, when this is [`ConfigError::Invalid`]; empty otherwise.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

impl From<serde_yaml::Error> for ConfigError {
    fn from(error: serde_yaml::Error) -> Self {
        ConfigError::Parse {
            message: error.to_string(),
        }
    }
}
