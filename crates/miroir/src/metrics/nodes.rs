//! The node families as the node client records them: duration of every node request by
//! node and operation, and errors by node and kind. Labels come from bounded sets: the node
//! ids of the topology, a fixed list of operations and a fixed list of error kinds.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::nodes::{NodeError, NodeRequest, NodeResponse};

use super::families::NodeFamilies;

/// Every `error_type` [`error_type`] gives.
const ERROR_TYPES: [&str; 5] = [
    "status_5xx",
    "timeout",
    "transport",
    "invalid_request",
    "invalid_body",
];

/// `node_id` of a request to an address outside the topology.
const UNKNOWN_NODE: &str = "unknown";

/// Records node requests; cheap to clone (clones share the node list).
#[derive(Clone)]
pub struct NodeMetrics {
    families: NodeFamilies,
    /// Node id by base URL; grows when nodes join the topology.
    ids: Arc<RwLock<BTreeMap<String, String>>>,
}

impl NodeMetrics {
    /// A recorder over `families` for the `(node id, base URL)` pairs of `nodes`; every node
    /// starts not healthy until the prober says otherwise, and with every error count at 0 (so
    /// the series exist before the first error).
    pub(super) fn new<'a>(
        families: NodeFamilies,
        nodes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let metrics = Self {
            families,
            ids: Arc::default(),
        };
        metrics.register(nodes);
        metrics
    }

    /// Adds the `(node id, base URL)` pairs of `nodes` not known yet, their series starting as
    /// [`NodeMetrics::new`] starts them.
    pub fn register<'a>(&self, nodes: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut ids = match self.ids.write() {
            Ok(ids) => ids,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (id, address) in nodes {
            if ids.insert(address.to_owned(), id.to_owned()).is_some() {
                continue;
            }
            self.families.healthy.with_label_values(&[id]).set(0);
            for kind in ERROR_TYPES {
                self.families.errors.with_label_values(&[id, kind]).reset();
            }
        }
    }

    /// Records one request to the node at `base_url` that took `elapsed` and ended in
    /// `outcome`.
    pub fn observe(
        &self,
        base_url: &str,
        request: &NodeRequest,
        elapsed: Duration,
        outcome: &Result<NodeResponse, NodeError>,
    ) {
        let ids = match self.ids.read() {
            Ok(ids) => ids,
            Err(poisoned) => poisoned.into_inner(),
        };
        let node = ids.get(base_url).map_or(UNKNOWN_NODE, String::as_str);
        self.families
            .duration
            .with_label_values(&[node, operation_label(&request.path_and_query)])
            .observe(elapsed.as_secs_f64());
        if let Some(kind) = error_type(outcome) {
            self.families.errors.with_label_values(&[node, kind]).inc();
        }
    }
}

/// The `operation` label of a node request, from its path: a fixed set of names.
pub fn operation_label(path_and_query: &str) -> &'static str {
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query, |(path, _query)| path);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["health"] => "health",
        ["multi-search"] => "multi_search",
        ["tasks", ..] => "tasks",
        ["keys", ..] => "keys",
        ["stats"] | ["indexes", _, "stats"] => "stats",
        ["version"] => "version",
        ["swap-indexes"] => "swap_indexes",
        ["indexes", _, "search"] => "search",
        ["indexes", _, "facet-search"] => "facet_search",
        ["indexes", _, "documents", ..] => "documents",
        ["indexes", _, "settings", ..] => "settings",
        ["indexes", ..] => "indexes",
        _ => "other",
    }
}

/// The `error_type` of an outcome, `None` when the node answered something usable (2xx, or a
/// 4xx that is the client's own error relayed as is).
pub fn error_type(outcome: &Result<NodeResponse, NodeError>) -> Option<&'static str> {
    match outcome {
        Ok(response) if response.status.is_server_error() => Some("status_5xx"),
        Ok(_) => None,
        Err(NodeError::Timeout(_)) => Some("timeout"),
        Err(NodeError::Transport(_)) => Some("transport"),
        Err(NodeError::InvalidRequest(_)) => Some("invalid_request"),
        Err(NodeError::InvalidBody(_)) => Some("invalid_body"),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use axum::http::{Method, StatusCode};

    use super::*;
    use crate::metrics::Metrics;

    fn answer(status: u16) -> Result<NodeResponse, NodeError> {
        Ok(NodeResponse {
            status: StatusCode::from_u16(status).unwrap(),
            body: Bytes::new(),
        })
    }

    #[test]
    fn operations_never_carry_index_uids_or_ids() {
        assert_eq!(operation_label("/indexes/movies/search"), "search");
        assert_eq!(
            operation_label("/indexes/movies/facet-search"),
            "facet_search"
        );
        assert_eq!(
            operation_label("/indexes/movies/documents/42?fields=a"),
            "documents"
        );
        assert_eq!(
            operation_label("/indexes/movies/settings/synonyms"),
            "settings"
        );
        assert_eq!(operation_label("/indexes/movies/stats"), "stats");
        assert_eq!(operation_label("/indexes?limit=5"), "indexes");
        assert_eq!(operation_label("/tasks/7/cancel"), "tasks");
        assert_eq!(operation_label("/health"), "health");
        assert_eq!(operation_label("/multi-search"), "multi_search");
        assert_eq!(operation_label("/something/else"), "other");
    }

    #[test]
    fn errors_are_classified_into_a_fixed_set() {
        assert_eq!(error_type(&answer(200)), None);
        assert_eq!(error_type(&answer(404)), None);
        assert_eq!(error_type(&answer(503)), Some("status_5xx"));
        let timeout = Err(NodeError::Timeout(Duration::from_millis(5)));
        assert_eq!(error_type(&timeout), Some("timeout"));
        let refused = Err(NodeError::Transport("connection refused".into()));
        assert_eq!(error_type(&refused), Some("transport"));
        let garbled = Err(NodeError::InvalidBody("not json".into()));
        assert_eq!(error_type(&garbled), Some("invalid_body"));
        let invalid = Err(NodeError::InvalidRequest("bad uri".into()));
        assert_eq!(error_type(&invalid), Some("invalid_request"));
        for outcome in [answer(500), timeout, refused, garbled, invalid] {
            assert!(ERROR_TYPES.contains(&error_type(&outcome).unwrap()));
        }
    }

    #[test]
    fn requests_are_labelled_with_the_node_id_of_their_address() {
        let metrics = Metrics::new().unwrap();
        let nodes = metrics.node_metrics([("n1", "http://10.0.0.1:7700")]);
        let search = NodeRequest::new(Method::POST, "/indexes/movies/search");
        nodes.observe(
            "http://10.0.0.1:7700",
            &search,
            Duration::ZERO,
            &answer(502),
        );
        nodes.observe(
            "http://10.9.9.9:7700",
            &search,
            Duration::ZERO,
            &answer(200),
        );
        let families = &metrics.families.nodes;
        assert_eq!(
            families
                .duration
                .with_label_values(&["n1", "search"])
                .get_sample_count(),
            1
        );
        assert_eq!(
            families
                .duration
                .with_label_values(&[UNKNOWN_NODE, "search"])
                .get_sample_count(),
            1
        );
        assert_eq!(
            families
                .errors
                .with_label_values(&["n1", "status_5xx"])
                .get(),
            1
        );
        assert_eq!(families.healthy.with_label_values(&["n1"]).get(), 0);
        metrics.set_node_healthy("n1", true);
        assert_eq!(families.healthy.with_label_values(&["n1"]).get(), 1);
    }
}
