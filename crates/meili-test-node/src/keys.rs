//! API keys: the four default keys Meilisearch creates when a master key is set, key
//! creation/update validation with Meilisearch's errors, and the authorization check of a key
//! against an action and an index.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::errors::{codes, NodeError, NodeResult};
use crate::index_store::is_valid_index_uid;
use crate::json_shape::{self, element_location};
use crate::time_format::{parse_timestamp, timestamp, timestamp_json};

/// Every action name Meilisearch v1.50 accepts, in its order.
pub const ACTIONS: &[&str] = &[
    "*",
    "search",
    "documents.*",
    "documents.add",
    "documents.get",
    "documents.delete",
    "indexes.*",
    "indexes.create",
    "indexes.get",
    "indexes.update",
    "indexes.delete",
    "indexes.swap",
    "tasks.*",
    "tasks.cancel",
    "tasks.delete",
    "tasks.get",
    "settings.*",
    "settings.get",
    "settings.update",
    "stats.*",
    "stats.get",
    "metrics.*",
    "metrics.get",
    "dumps.*",
    "dumps.create",
    "snapshots.*",
    "snapshots.create",
    "version",
    "keys.create",
    "keys.get",
    "keys.update",
    "keys.delete",
    "experimental.get",
    "experimental.update",
    "export",
    "network.get",
    "network.update",
    "chatCompletions",
    "chats.*",
    "chats.get",
    "chats.delete",
    "chatsSettings.*",
    "chatsSettings.get",
    "chatsSettings.update",
    "*.get",
    "webhooks.get",
    "webhooks.update",
    "webhooks.delete",
    "webhooks.create",
    "webhooks.*",
    "indexes.compact",
    "fields.post",
    "tasks.compact",
    "dynamicSearchRules.get",
    "dynamicSearchRules.create",
    "dynamicSearchRules.update",
    "dynamicSearchRules.delete",
    "dynamicSearchRules.*",
];

/// One API key.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    /// Optional name.
    pub name: Option<String>,
    /// Optional description.
    pub description: Option<String>,
    /// The secret bearer value.
    pub key: String,
    /// The key's uid.
    pub uid: String,
    /// Allowed actions.
    pub actions: Vec<String>,
    /// Allowed index uids or patterns (`*`, `movies*`).
    pub indexes: Vec<String>,
    /// Expiry, if any.
    pub expires_at: Option<OffsetDateTime>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last update time.
    pub updated_at: OffsetDateTime,
}

impl ApiKey {
    /// The key object of the keys API.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "description": self.description,
            "key": self.key,
            "uid": self.uid,
            "actions": self.actions,
            "indexes": self.indexes,
            "expiresAt": timestamp_json(self.expires_at),
            "createdAt": timestamp(self.created_at),
            "updatedAt": timestamp(self.updated_at),
        })
    }

    /// Whether the key allows `action` (wildcards `*`, `group.*`, `*.get`).
    pub fn allows_action(&self, action: &str) -> bool {
        self.actions.iter().any(|granted| {
            granted == "*"
                || granted == action
                || granted.strip_suffix(".*").is_some_and(|group| {
                    action
                        .strip_prefix(group)
                        .is_some_and(|rest| rest.starts_with('.'))
                })
                || (granted == "*.get" && action.ends_with(".get"))
        })
    }

    /// Whether the key allows `index_uid` (exact uid, `*` or a `prefix*` pattern).
    pub fn allows_index(&self, index_uid: &str) -> bool {
        self.indexes
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => index_uid.starts_with(prefix),
                None => pattern == index_uid,
            })
    }

    /// Whether the key has expired at `now`.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_some_and(|expires_at| expires_at <= now)
    }
}

fn new_key_value() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// The stored keys.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    keys: Vec<ApiKey>,
}

impl KeyStore {
    /// The default keys Meilisearch creates at first launch with a master key.
    pub fn with_default_keys(now: OffsetDateTime) -> Self {
        let defaults: [(&str, &str, &[&str]); 4] = [
            ("Default Search API Key", "Use it to search from the frontend", &["search"]),
            ("Default Admin API Key", "Use it for anything that is not a search operation. Caution! Do not expose it on a public frontend", &["*"]),
            ("Default Read-Only Admin API Key", "Use it to read information across the whole database. Caution! Do not expose this key on a public frontend", &["*.get", "keys.get"]),
            ("Default Chat API Key", "Use it to chat and search from the frontend", &["chatCompletions", "search"]),
        ];
        let keys = defaults
            .iter()
            .map(|(name, description, actions)| ApiKey {
                name: Some((*name).to_owned()),
                description: Some((*description).to_owned()),
                key: new_key_value(),
                uid: Uuid::new_v4().to_string(),
                actions: actions.iter().map(|action| (*action).to_owned()).collect(),
                indexes: vec!["*".to_owned()],
                expires_at: None,
                created_at: now,
                updated_at: now,
            })
            .collect();
        Self { keys }
    }

    /// Every key, in listing order.
    pub fn all(&self) -> &[ApiKey] {
        &self.keys
    }

    /// The key whose uid or secret value is `uid_or_key`.
    pub fn find(&self, uid_or_key: &str) -> NodeResult<&ApiKey> {
        self.keys
            .iter()
            .find(|key| key.uid == uid_or_key || key.key == uid_or_key)
            .ok_or_else(|| api_key_not_found(uid_or_key))
    }

    /// The key whose secret value is `secret`.
    pub fn by_secret(&self, secret: &str) -> Option<&ApiKey> {
        self.keys.iter().find(|key| key.key == secret)
    }

    /// Creates a key from a `POST /keys` body.
    pub fn create(&mut self, body: &Value, now: OffsetDateTime) -> NodeResult<ApiKey> {
        let object = json_shape::object(body, "", codes::BAD_REQUEST)?;
        json_shape::reject_unknown_fields(
            object,
            &[
                "description",
                "name",
                "uid",
                "actions",
                "indexes",
                "expiresAt",
            ],
        )?;
        let text = |field: &str, code| -> NodeResult<Option<String>> {
            match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(value) => json_shape::string(value, &format!(".{field}"), code)
                    .map(|text| Some(text.to_owned())),
            }
        };
        let description = text("description", codes::INVALID_API_KEY_DESCRIPTION)?;
        let name = text("name", codes::INVALID_API_KEY_NAME)?;
        let uid = match text("uid", codes::INVALID_API_KEY_UID)? {
            Some(uid) => Uuid::parse_str(&uid)
                .map_err(|_| {
                    json_shape::invalid_value(
                        ".uid",
                        &format!(
                            "invalid length: expected length 32 for simple format, found {}",
                            uid.len()
                        ),
                        codes::INVALID_API_KEY_UID,
                    )
                })?
                .to_string(),
            None => Uuid::new_v4().to_string(),
        };
        let actions = parse_actions(object)?;
        let indexes = parse_indexes(object)?;
        let expires_at = parse_expires_at(object, now)?;
        if self.keys.iter().any(|key| key.uid == uid) {
            return Err(NodeError::new(
                codes::API_KEY_ALREADY_EXISTS,
                format!("`uid` field value `{uid}` is already an existing API key."),
            ));
        }
        let key = ApiKey {
            name,
            description,
            key: new_key_value(),
            uid,
            actions,
            indexes,
            expires_at,
            created_at: now,
            updated_at: now,
        };
        self.keys.push(key.clone());
        Ok(key)
    }

    /// Updates `name`/`description` from a `PATCH /keys/{key}` body.
    pub fn update(
        &mut self,
        uid_or_key: &str,
        body: &Value,
        now: OffsetDateTime,
    ) -> NodeResult<ApiKey> {
        let object = json_shape::object(body, "", codes::BAD_REQUEST)?;
        let immutable = [
            ("actions", codes::IMMUTABLE_API_KEY_ACTIONS),
            ("indexes", codes::IMMUTABLE_API_KEY_INDEXES),
            ("expiresAt", codes::IMMUTABLE_API_KEY_EXPIRES_AT),
            ("uid", codes::IMMUTABLE_API_KEY_UID),
            ("key", codes::IMMUTABLE_API_KEY_KEY),
            ("createdAt", codes::IMMUTABLE_API_KEY_CREATED_AT),
            ("updatedAt", codes::IMMUTABLE_API_KEY_UPDATED_AT),
        ];
        for field in object.keys() {
            if let Some((_, code)) = immutable.iter().find(|(name, _)| name == field) {
                return Err(NodeError::new(
                    *code,
                    format!("Immutable field `{field}`: expected one of `description`, `name`"),
                ));
            }
        }
        json_shape::reject_unknown_fields(object, &["description", "name"])?;
        let mut updates: Vec<(&str, Option<String>)> = Vec::new();
        for (field, code) in [
            ("description", codes::INVALID_API_KEY_DESCRIPTION),
            ("name", codes::INVALID_API_KEY_NAME),
        ] {
            match object.get(field) {
                None => {}
                Some(Value::Null) => updates.push((field, None)),
                Some(value) => updates.push((
                    field,
                    Some(json_shape::string(value, &format!(".{field}"), code)?.to_owned()),
                )),
            }
        }
        let key = self
            .keys
            .iter_mut()
            .find(|key| key.uid == uid_or_key || key.key == uid_or_key)
            .ok_or_else(|| api_key_not_found(uid_or_key))?;
        for (field, value) in updates {
            if field == "name" {
                key.name = value;
            } else {
                key.description = value;
            }
        }
        key.updated_at = now;
        Ok(key.clone())
    }

    /// Deletes a key.
    pub fn delete(&mut self, uid_or_key: &str) -> NodeResult<()> {
        let before = self.keys.len();
        self.keys
            .retain(|key| key.uid != uid_or_key && key.key != uid_or_key);
        if self.keys.len() == before {
            return Err(api_key_not_found(uid_or_key));
        }
        Ok(())
    }
}

fn api_key_not_found(uid_or_key: &str) -> NodeError {
    NodeError::new(
        codes::API_KEY_NOT_FOUND,
        format!("API key `{uid_or_key}` not found."),
    )
}

fn parse_actions(object: &Map<String, Value>) -> NodeResult<Vec<String>> {
    let value = object
        .get("actions")
        .ok_or_else(|| json_shape::missing_field("", "actions", codes::MISSING_API_KEY_ACTIONS))?;
    let actions = json_shape::string_array(value, ".actions", codes::INVALID_API_KEY_ACTIONS)?;
    for (position, action) in actions.iter().enumerate() {
        if !ACTIONS.contains(&action.as_str()) {
            let expected: Vec<String> = ACTIONS.iter().map(|known| format!("`{known}`")).collect();
            return Err(NodeError::new(
                codes::INVALID_API_KEY_ACTIONS,
                format!(
                    "Unknown value `{action}` at `{}`: expected one of {}",
                    element_location(".actions", position),
                    expected.join(", ")
                ),
            ));
        }
    }
    Ok(actions)
}

fn parse_indexes(object: &Map<String, Value>) -> NodeResult<Vec<String>> {
    let value = object
        .get("indexes")
        .ok_or_else(|| json_shape::missing_field("", "indexes", codes::MISSING_API_KEY_INDEXES))?;
    let indexes = json_shape::string_array(value, ".indexes", codes::INVALID_API_KEY_INDEXES)?;
    for (position, pattern) in indexes.iter().enumerate() {
        let uid_part = pattern.strip_suffix('*').unwrap_or(pattern);
        if !(uid_part.is_empty() || is_valid_index_uid(uid_part)) {
            return Err(json_shape::invalid_value(
                &element_location(".indexes", position),
                &format!("`{pattern}` is not a valid index uid pattern. Index uid patterns can be an integer or a string containing only alphanumeric characters, hyphens (-), underscores (_), and optionally end with a star (*)."),
                codes::INVALID_API_KEY_INDEXES,
            ));
        }
    }
    Ok(indexes)
}

fn parse_expires_at(
    object: &Map<String, Value>,
    now: OffsetDateTime,
) -> NodeResult<Option<OffsetDateTime>> {
    let value = object.get("expiresAt").ok_or_else(|| {
        json_shape::missing_field("", "expiresAt", codes::MISSING_API_KEY_EXPIRES_AT)
    })?;
    if value.is_null() {
        return Ok(None);
    }
    let text = json_shape::string(value, ".expiresAt", codes::INVALID_API_KEY_EXPIRES_AT)?;
    let parsed = parse_timestamp(text).or_else(|| parse_timestamp(&format!("{text}T00:00:00Z")));
    match parsed {
        Some(at) if at > now => Ok(Some(at)),
        _ => Err(json_shape::invalid_value(
            ".expiresAt",
            &format!("`{text}` is not a valid date. It should follow the RFC 3339 format to represents a date or datetime in the future or specified as a null value. e.g. 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'."),
            codes::INVALID_API_KEY_EXPIRES_AT,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time_format::now;

    #[test]
    fn default_keys_match_meilisearch() {
        let store = KeyStore::with_default_keys(now());
        let names: Vec<_> = store
            .all()
            .iter()
            .map(|key| key.name.clone().unwrap())
            .collect();
        assert_eq!(names[0], "Default Search API Key");
        assert_eq!(store.all().len(), 4);
        assert!(store.all()[2].allows_action("documents.get"));
        assert!(!store.all()[2].allows_action("documents.add"));
    }

    #[test]
    fn created_keys_are_scoped_to_actions_and_indexes() {
        let mut store = KeyStore::default();
        let key = store.create(&json!({"actions": ["search", "documents.*"], "indexes": ["movies*"], "expiresAt": null}), now()).unwrap();
        assert!(key.allows_action("search") && key.allows_action("documents.add"));
        assert!(!key.allows_action("settings.update"));
        assert!(key.allows_index("movies_v2") && !key.allows_index("books"));
        assert_eq!(
            store.by_secret(&key.key).map(|found| found.uid.clone()),
            Some(key.uid)
        );
    }

    #[test]
    fn invalid_action_lists_every_action() {
        let error = KeyStore::default()
            .create(
                &json!({"actions": ["fly"], "indexes": ["*"], "expiresAt": null}),
                now(),
            )
            .unwrap_err();
        assert!(error
            .message
            .starts_with("Unknown value `fly` at `.actions[0]`: expected one of `*`, `search`,"));
        assert_eq!(error.code, codes::INVALID_API_KEY_ACTIONS);
    }

    #[test]
    fn expired_keys_are_detected_and_past_dates_rejected() {
        let mut store = KeyStore::default();
        assert!(store
            .create(
                &json!({"actions": ["*"], "indexes": ["*"], "expiresAt": "2000-01-01"}),
                now()
            )
            .is_err());
        let key = store
            .create(
                &json!({"actions": ["*"], "indexes": ["*"], "expiresAt": "2999-01-01T00:00:00Z"}),
                now(),
            )
            .unwrap();
        assert!(!key.is_expired(now()));
    }

    #[test]
    fn only_name_and_description_are_mutable() {
        let mut store = KeyStore::default();
        let key = store
            .create(
                &json!({"actions": ["*"], "indexes": ["*"], "expiresAt": null}),
                now(),
            )
            .unwrap();
        let updated = store
            .update(&key.uid, &json!({"description": "renamed"}), now())
            .unwrap();
        assert_eq!(updated.description.as_deref(), Some("renamed"));
        assert_eq!(
            store
                .update(&key.uid, &json!({"actions": []}), now())
                .unwrap_err()
                .code,
            codes::IMMUTABLE_API_KEY_ACTIONS
        );
        store.delete(&key.uid).unwrap();
        assert_eq!(
            store.find(&key.uid).unwrap_err().code,
            codes::API_KEY_NOT_FOUND
        );
    }
}
