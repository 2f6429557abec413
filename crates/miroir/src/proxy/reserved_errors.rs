//! Node errors worded for clients: the nodes know Miroir's reserved `_miroir_shard` attribute
//! (filterable on every node), the clients must not. A node's "not filterable" error lists the
//! filterable attributes; the reserved ones are taken out of that list, and a list left empty
//! reads like Meilisearch's message for an index without filterable attributes.

use miroir_core::document::SHARD_FIELD;

/// Meilisearch's wording of the filterable-attributes list in a filter error.
const FILTERABLE_LIST: &str = "Available filterable attribute patterns are: ";
/// Meilisearch's wording when an index has no filterable attribute.
const NO_FILTERABLE: &str = "This index does not have configured filterable attributes.";

/// A relayed node error message with Miroir's reserved attribute taken out of the attribute
/// lists it quotes; other messages unchanged.
pub(super) fn hide_reserved_attributes(message: &str) -> String {
    if !message.contains(SHARD_FIELD) {
        return message.to_owned();
    }
    let reserved = format!("`{SHARD_FIELD}`");
    let only_reserved = format!("{FILTERABLE_LIST}{reserved}.");
    message
        .replace(&only_reserved, NO_FILTERABLE)
        // Filter errors quote each attribute: "`a`, `_miroir_shard`, `b`".
        .replace(&format!("{reserved}, "), "")
        .replace(&format!(", {reserved}"), "")
        // Facet-search errors quote the joined list once: "`_miroir_shard, a, b`".
        .replace(&format!("`{SHARD_FIELD}, "), "`")
        .replace(&format!(", {SHARD_FIELD}`"), "`")
        .replace(&format!(", {SHARD_FIELD},"), ",")
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use axum::http::StatusCode;
    use miroir_core::error::ErrorBody;
    use serde_json::json;

    use super::*;
    use crate::nodes::NodeResponse;
    use crate::proxy::nodes::node_error;
    use crate::proxy::ProxyError;

    #[test]
    fn the_reserved_attribute_leaves_the_filterable_list() {
        let cases = [
            (
                "Index `movies`: Attribute `title` is not filterable. Available filterable attribute patterns are: `_miroir_shard`, `genre`.\n2:7 \"title\" = \"x\"",
                "Index `movies`: Attribute `title` is not filterable. Available filterable attribute patterns are: `genre`.\n2:7 \"title\" = \"x\"",
            ),
            (
                "Attribute `t` is not filterable. Available filterable attribute patterns are: `a`, `_miroir_shard`.",
                "Attribute `t` is not filterable. Available filterable attribute patterns are: `a`.",
            ),
            (
                "Attribute `t` is not filterable. Available filterable attribute patterns are: `_miroir_shard`.",
                "Attribute `t` is not filterable. This index does not have configured filterable attributes.",
            ),
            (
                "Attribute `title` is not facet-searchable. Available facet-searchable attributes patterns are: `_miroir_shard, director, genres`. To make it facet-searchable add it to the `filterableAttributes` index settings.",
                "Attribute `title` is not facet-searchable. Available facet-searchable attributes patterns are: `director, genres`. To make it facet-searchable add it to the `filterableAttributes` index settings.",
            ),
            (
                "Available facet-searchable attributes patterns are: `a, _miroir_shard, b`.",
                "Available facet-searchable attributes patterns are: `a, b`.",
            ),
            (
                "Available facet-searchable attributes patterns are: `a, _miroir_shard`.",
                "Available facet-searchable attributes patterns are: `a`.",
            ),
            ("Index `missing` not found.", "Index `missing` not found."),
        ];
        for (from_node, for_client) in cases {
            assert_eq!(hide_reserved_attributes(from_node), for_client);
        }
    }

    /// Every node error relayed to a client goes through the rewording.
    #[test]
    fn relayed_node_errors_are_reworded() {
        let body = json!({
            "message": "Attribute `t` is not filterable. Available filterable attribute patterns are: `a`, `_miroir_shard`.",
            "code": "invalid_search_filter",
            "type": "invalid_request",
            "link": "https://docs.meilisearch.com/errors#invalid_search_filter",
        });
        let response = NodeResponse {
            status: StatusCode::BAD_REQUEST,
            body: Bytes::from(body.to_string()),
        };
        match node_error(&response) {
            ProxyError::Api(error) => {
                let relayed: ErrorBody = error.to_body();
                assert_eq!(
                    relayed.message,
                    "Attribute `t` is not filterable. Available filterable attribute patterns are: `a`."
                );
                assert_eq!(relayed.code, "invalid_search_filter");
            }
            other => panic!("not a relayed error: {other}"),
        }
    }
}
