//! Where the admin key comes from, first found wins:
//!
//! ```text
//! env MIROIR_ADMIN_API_KEY  →  ~/.config/miroir/credentials (TOML)  →  --admin-key
//! ```
//!
//! The resolver takes the environment variable, `$HOME` and the flag as values, so tests never
//! touch the real environment; the only I/O is reading the credentials file.

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Environment variable holding the admin key.
pub const ADMIN_KEY_ENV: &str = "MIROIR_ADMIN_API_KEY";

/// The credentials file, relative to the home directory.
pub const CREDENTIALS_FILE: &str = ".config/miroir/credentials";

/// Why no admin key could be obtained.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// None of the three sources holds a key.
    #[error("no admin key found: set {ADMIN_KEY_ENV}, write `admin_api_key = \"...\"` to {}, or pass --admin-key", describe_file(.credentials_file.as_deref()))]
    Missing {
        /// The credentials file that was looked for (`None` when `$HOME` is unset).
        credentials_file: Option<PathBuf>,
    },
    /// The credentials file exists but cannot be read.
    #[error("cannot read the credentials file {}: {source}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The credentials file is not the expected TOML.
    #[error("the credentials file {} is malformed: {reason}", .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, in a few words.
        reason: String,
    },
}

fn describe_file(path: Option<&Path>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => format!("~/{CREDENTIALS_FILE} ($HOME is unset)"),
    }
}

/// The contents of `~/.config/miroir/credentials`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    admin_api_key: String,
}

/// The admin key, or why there is none. `env_key` is the value of [`ADMIN_KEY_ENV`], `home`
/// the value of `$HOME`, `flag_key` the `--admin-key` flag. Empty values count as unset.
pub fn resolve_admin_key(
    env_key: Option<&str>,
    home: Option<&Path>,
    flag_key: Option<&str>,
) -> Result<String, CredentialsError> {
    if let Some(key) = env_key.filter(|key| !key.is_empty()) {
        return Ok(key.to_owned());
    }
    let credentials_file = home
        .filter(|home| !home.as_os_str().is_empty())
        .map(|home| home.join(CREDENTIALS_FILE));
    if let Some(path) = &credentials_file {
        if let Some(key) = read_credentials_file(path)? {
            return Ok(key);
        }
    }
    if let Some(key) = flag_key.filter(|key| !key.is_empty()) {
        return Ok(key.to_owned());
    }
    Err(CredentialsError::Missing { credentials_file })
}

/// The key in the credentials file at `path`; `None` when the file does not exist.
fn read_credentials_file(path: &Path) -> Result<Option<String>, CredentialsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CredentialsError::Unreadable {
                path: path.to_owned(),
                source,
            })
        }
    };
    let parsed: CredentialsFile =
        toml::from_str(&text).map_err(|error| CredentialsError::Malformed {
            path: path.to_owned(),
            reason: describe_toml_error(&text, &error),
        })?;
    if parsed.admin_api_key.is_empty() {
        return Err(CredentialsError::Malformed {
            path: path.to_owned(),
            reason: "admin_api_key is empty".to_owned(),
        });
    }
    Ok(Some(parsed.admin_api_key))
}

/// A TOML error as one line: its message and, when known, the line it is on.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    match error.span() {
        Some(span) => {
            let line = text
                .get(..span.start)
                .map_or(0, |before| before.matches('\n').count())
                + 1;
            format!("{message} (line {line})")
        }
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_with_file(contents: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(CREDENTIALS_FILE);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        home
    }

    #[test]
    fn the_environment_wins_over_the_file_and_the_flag() {
        let home = home_with_file("admin_api_key = \"from-file\"\n");
        let key = resolve_admin_key(Some("from-env"), Some(home.path()), Some("from-flag"));
        assert_eq!(key.unwrap(), "from-env");
    }

    #[test]
    fn the_file_wins_over_the_flag() {
        let home = home_with_file("admin_api_key = \"from-file\"\n");
        let key = resolve_admin_key(None, Some(home.path()), Some("from-flag"));
        assert_eq!(key.unwrap(), "from-file");
    }

    #[test]
    fn the_flag_is_used_when_nothing_else_is_set() {
        let home = tempfile::tempdir().unwrap();
        let key = resolve_admin_key(Some(""), Some(home.path()), Some("from-flag"));
        assert_eq!(key.unwrap(), "from-flag");
        assert_eq!(
            resolve_admin_key(None, None, Some("from-flag")).unwrap(),
            "from-flag"
        );
    }

    #[test]
    fn no_key_anywhere_names_every_source() {
        let home = tempfile::tempdir().unwrap();
        let error = resolve_admin_key(None, Some(home.path()), None).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, CredentialsError::Missing { .. }));
        assert!(message.contains(ADMIN_KEY_ENV), "{message}");
        assert!(message.contains("--admin-key"), "{message}");
        let file = home.path().join(CREDENTIALS_FILE);
        assert!(message.contains(&file.display().to_string()), "{message}");
    }

    #[test]
    fn a_malformed_file_is_an_error_naming_it_even_with_a_flag() {
        for contents in [
            "admin_api_key = ",
            "admin_key = \"typo\"\n",
            "admin_api_key = \"\"\n",
        ] {
            let home = home_with_file(contents);
            let error = resolve_admin_key(None, Some(home.path()), Some("flag")).unwrap_err();
            assert!(
                matches!(error, CredentialsError::Malformed { .. }),
                "{contents}: {error}"
            );
            let file = home.path().join(CREDENTIALS_FILE);
            assert!(error.to_string().contains(&file.display().to_string()));
        }
    }

    #[test]
    fn a_malformed_file_is_not_read_when_the_environment_has_a_key() {
        let home = home_with_file("not toml at all [");
        let key = resolve_admin_key(Some("from-env"), Some(home.path()), None);
        assert_eq!(key.unwrap(), "from-env");
    }

    #[test]
    fn an_unset_home_skips_the_file() {
        let error = resolve_admin_key(None, None, None).unwrap_err();
        assert!(error.to_string().contains("$HOME is unset"), "{error}");
    }
}
