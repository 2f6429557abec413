//! Index settings: changes are broadcast to every node as one logical `settingsUpdate` task,
//! with `_miroir_shard` kept filterable; reads come from any node with `_miroir_shard` hidden.

use axum::http::Method;
use miroir_core::document::SHARD_FIELD;
use miroir_core::shard_filterable::{hide_shard_filterable, with_shard_filterable};
use serde_json::{json, Map, Value};

use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

/// Path segment of the per-setting route for `filterableAttributes`.
const FILTERABLE_ROUTE: &str = "filterable-attributes";
/// Its name in the settings object.
const FILTERABLE_FIELD: &str = "filterableAttributes";

impl Proxy {
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
    /// `PUT`/`PATCH /indexes/{uid}/settings/{name}` (`body` that setting's value).
    pub async fn update_settings(
        &self,
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
        let request = NodeRequest::json(method, settings_path(uid, setting), &node_body);
        self.broadcast_task(&request, uid, "settingsUpdate", details)
            .await
    }

    /// `DELETE /indexes/{uid}/settings` and `DELETE /indexes/{uid}/settings/{name}`: resets
    /// on every node, then makes `_miroir_shard` filterable again where the reset cleared it.
    pub async fn reset_settings(
        &self,
        uid: &str,
        setting: Option<&str>,
    ) -> Result<Reply, ProxyError> {
        let request = NodeRequest::new(Method::DELETE, settings_path(uid, setting));
        let details = match setting {
            None => json!({}),
            Some(name) => {
                let mut details = Map::new();
                details.insert(camel_case(name), Value::Null);
                Value::Object(details)
            }
        };
        let reply = self
            .broadcast_task(&request, uid, "settingsUpdate", details)
            .await?;
        if setting.is_none() || setting == Some(FILTERABLE_ROUTE) {
            let restore = NodeRequest::json(
                Method::PUT,
                settings_path(uid, Some(FILTERABLE_ROUTE)),
                &json!([SHARD_FIELD]),
            );
            for (node, outcome) in self.broadcast(&restore).await {
                if !outcome
                    .as_ref()
                    .is_ok_and(|response| response.status.is_success())
                {
                    tracing::error!(%node, %uid, "cannot make _miroir_shard filterable again after a settings reset");
                }
            }
        }
        Ok(reply)
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
