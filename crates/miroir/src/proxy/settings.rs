//! Index settings: changes go to every node as one logical `settingsUpdate` task through the
//! two-phase rollout (`settings_rollout`), with `_miroir_shard` kept filterable; reads come
//! from any node with `_miroir_shard` hidden.

use std::sync::Arc;

use axum::http::Method;
use miroir_core::document::SHARD_FIELD;
use miroir_core::shard_filterable::{hide_shard_filterable, with_shard_filterable};
use serde_json::{json, Map, Value};

use super::settings_rollout::SettingsChange;
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

/// Path segment of the per-setting route for `filterableAttributes`.
const FILTERABLE_ROUTE: &str = "filterable-attributes";
/// Its name in the settings object.
const FILTERABLE_FIELD: &str = "filterableAttributes";

/// What responses about an index say about its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsStamp {
    /// The index's committed settings version, when the index is registered.
    pub version: Option<u64>,
    /// Whether a settings rollout of the index is running on this peer.
    pub inconsistent: bool,
}

impl Proxy {
    /// The settings stamp of `index_uid` (from this peer's replica and rollouts).
    pub async fn settings_stamp(&self, index_uid: &str) -> SettingsStamp {
        let version = self
            .peer
            .read(|state| state.index(index_uid).map(|index| index.settings_version))
            .await;
        SettingsStamp {
            version,
            inconsistent: self.settings_rollouts.is_in_flight(index_uid),
        }
    }

    /// `GET /indexes/{uid}/settings` and `GET /indexes/{uid}/settings/{name}` (`setting`).
    pub async fn get_settings(
        &self,
        uid: &str,
        setting: Option<&str>,
    ) -> Result<Reply, ProxyError> {
        let mut reply = self
            .ask_any_node(&NodeRequest::new(Method::GET, settings_path(uid, setting)))
            .await?;
        match setting {
            None => {
                if let Some(filterable) = reply.body.get_mut(FILTERABLE_FIELD) {
                    hide_shard_filterable(filterable);
                }
            }
            Some(FILTERABLE_ROUTE) => hide_shard_filterable(&mut reply.body),
            Some(_) => {}
        }
        Ok(reply)
    }

    /// `PATCH /indexes/{uid}/settings` (`setting = None`, `body` an object) or
    /// `PUT`/`PATCH /indexes/{uid}/settings/{name}` (`body` that setting's value): rolled out
    /// to every node in two phases (see `settings_rollout`).
    pub async fn update_settings(
        self: &Arc<Self>,
        uid: &str,
        setting: Option<&str>,
        method: Method,
        body: Value,
    ) -> Result<Reply, ProxyError> {
        let (node_body, details) = match setting {
            None => {
                let mut node_body = body.clone();
                if let Some(filterable) = node_body.get_mut(FILTERABLE_FIELD) {
                    *filterable = with_shard_filterable(filterable);
                }
                (node_body, body)
            }
            Some(name) => {
                let node_body = if name == FILTERABLE_ROUTE {
                    with_shard_filterable(&body)
                } else {
                    body.clone()
                };
                let mut details = Map::new();
                details.insert(camel_case(name), body);
                (node_body, Value::Object(details))
            }
        };
        let change = SettingsChange {
            steps: vec![NodeRequest::json(
                method,
                settings_path(uid, setting),
                &node_body,
            )],
            details,
        };
        self.change_settings(uid, change).await
    }

    /// `DELETE /indexes/{uid}/settings` and `DELETE /indexes/{uid}/settings/{name}`: the reset,
    /// followed on each node by making `_miroir_shard` filterable again where the reset
    /// cleared it, rolled out like any settings change.
    pub async fn reset_settings(
        self: &Arc<Self>,
        uid: &str,
        setting: Option<&str>,
    ) -> Result<Reply, ProxyError> {
        let mut steps = vec![NodeRequest::new(
            Method::DELETE,
            settings_path(uid, setting),
        )];
        if setting.is_none() || setting == Some(FILTERABLE_ROUTE) {
            steps.push(NodeRequest::json(
                Method::PUT,
                settings_path(uid, Some(FILTERABLE_ROUTE)),
                &json!([SHARD_FIELD]),
            ));
        }
        let details = match setting {
            None => json!({}),
            Some(name) => {
                let mut details = Map::new();
                details.insert(camel_case(name), Value::Null);
                Value::Object(details)
            }
        };
        self.change_settings(uid, SettingsChange { steps, details })
            .await
    }
}

fn settings_path(uid: &str, setting: Option<&str>) -> String {
    match setting {
        Some(name) => format!("/indexes/{uid}/settings/{name}"),
        None => format!("/indexes/{uid}/settings"),
    }
}

/// `filterable-attributes` → `filterableAttributes`.
fn camel_case(route_name: &str) -> String {
    let mut name = String::with_capacity(route_name.len());
    let mut upper = false;
    for character in route_name.chars() {
        if character == '-' {
            upper = true;
        } else if upper {
            name.extend(character.to_uppercase());
            upper = false;
        } else {
            name.push(character);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn route_names_become_setting_names() {
        assert_eq!(camel_case("filterable-attributes"), "filterableAttributes");
        assert_eq!(camel_case("typo-tolerance"), "typoTolerance");
        assert_eq!(camel_case("synonyms"), "synonyms");
    }
}
