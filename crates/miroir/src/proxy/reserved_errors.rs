//! Node errors worded for clients: the nodes know Miroir's reserved `_miroir_shard` attribute
//! (filterable on every node), the clients must not. A node's "not filterable" error lists the
//! filterable attributes; the reserved ones are taken out of that list, and a list left empty
//! reads like Meilisearch's message for an index without filterable attributes.

use miroir_core::document::SHARD_FIELD;
use miroir_core::error::ApiError;

use super::ProxyError;

/// Meilisearch's wording of the filterable-attributes list in a filter error.
const FILTERABLE_LIST: &str = "Available filterable attribute patterns are: ";
/// Meilisearch's wording when an index has no filterable attribute.
const NO_FILTERABLE: &str = "This index does not have configured filterable attributes.";

/// `error` with Miroir's reserved attribute removed from a relayed node message.
pub(super) fn hide_reserved_attributes(error: ProxyError) -> ProxyError {
    match error {
        ProxyError::Api(ApiError::Node { status, mut body }) => {
            body.message = hide_in_message(&body.message);
            ProxyError::Api(ApiError::Node { status, body })
        }
        other => other,
    }
}

fn hide_in_message(message: &str) -> String {
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
    use miroir_core::error::ErrorBody;

    use super::*;

    fn node_error(message: &str) -> ProxyError {
        ProxyError::Api(ApiError::from_node(
            400,
            ErrorBody {
                message: message.to_owned(),
                code: "invalid_search_filter".to_owned(),
                error_type: "invalid_request".to_owned(),
                link: "https://docs.meilisearch.com/errors#invalid_search_filter".to_owned(),
            },
        ))
    }

    fn message(error: ProxyError) -> String {
        match error {
            ProxyError::Api(error) => error.to_body().message,
            other => panic!("not an api error: {other}"),
        }
    }

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
            assert_eq!(
                message(hide_reserved_attributes(node_error(from_node))),
                for_client
            );
        }
    }

    #[test]
    fn miroir_errors_are_untouched() {
        let error = hide_reserved_attributes(ProxyError::Internal("`_miroir_shard`, x".into()));
        assert!(matches!(error, ProxyError::Internal(message) if message == "`_miroir_shard`, x"));
    }
}
