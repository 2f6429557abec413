//! Reads the configuration file and the process environment, and hands both to the pure
//! loader in `miroir_core::config`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miroir_core::config::{Config, ConfigError, ENV_PREFIX};

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The path given on the command line.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file or an override is invalid.
    #[error("invalid configuration in {path}:\n{source}")]
    Invalid {
        /// The path given on the command line.
        path: PathBuf,
        /// Every problem found.
        source: ConfigError,
    },
}

/// Loads `path` with the `MIROIR_*` variables of `environment` as overrides, validated.
pub fn load_config(
    path: &Path,
    environment: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    let overrides: BTreeMap<String, String> = environment
        .into_iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX))
        .collect();
    Config::load(&bytes, &overrides).map_err(|source| LoadError::Invalid {
        path: path.to_owned(),
        source,
    })
}
