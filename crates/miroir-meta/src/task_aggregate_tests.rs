use proptest::prelude::*;
use serde_json::json;

use super::*;
use TaskStatus::{Canceled, Enqueued, Failed, Processing, Succeeded};

const ALL_STATUSES: [TaskStatus; 5] = [Enqueued, Processing, Succeeded, Failed, Canceled];

fn node_task(status: TaskStatus, error_json: Option<&str>) -> NodeTask {
    NodeTask {
        task_uid: 1,
        status,
        error_json: error_json.map(str::to_owned),
    }
}

/// Node `n0` gets the first status, `n1` the second, and so on.
fn nodes(statuses: &[TaskStatus]) -> BTreeMap<NodeId, NodeTask> {
    statuses
        .iter()
        .enumerate()
        .map(|(index, status)| (NodeId::new(format!("n{index}")), node_task(*status, None)))
        .collect()
}

fn meili_error(message: &str, code: &str) -> String {
    json!({
        "message": message,
        "code": code,
        "type": "invalid_request",
        "link": format!("https://docs.meilisearch.com/errors#{code}"),
    })
    .to_string()
}

#[test]
fn status_rules_table() {
    let table: &[(&[TaskStatus], TaskStatus)] = &[
        (&[], Enqueued),
        (&[Enqueued], Enqueued),
        (&[Enqueued, Enqueued, Enqueued], Enqueued),
        (&[Processing], Processing),
        (&[Enqueued, Processing], Processing),
        (&[Enqueued, Succeeded], Processing),
        (&[Enqueued, Failed], Processing),
        (&[Processing, Canceled], Processing),
        (&[Succeeded, Failed, Processing], Processing),
        (&[Succeeded], Succeeded),
        (&[Succeeded, Succeeded, Succeeded], Succeeded),
        (&[Failed], Failed),
        (&[Succeeded, Failed], Failed),
        (&[Canceled, Failed], Failed),
        (&[Succeeded, Canceled, Failed], Failed),
        (&[Canceled], Canceled),
        (&[Canceled, Canceled], Canceled),
        (&[Succeeded, Canceled], Canceled),
    ];
    for (statuses, expected) in table {
        assert_eq!(
            aggregate_status(&nodes(statuses)),
            *expected,
            "{statuses:?}"
        );
    }
}

#[test]
fn no_failed_node_means_no_error() {
    assert_eq!(aggregate_error(&BTreeMap::new()), None);
    let mut healthy = nodes(&[Succeeded, Canceled, Processing]);
    healthy.get_mut(&NodeId::new("n0")).unwrap().error_json =
        Some(meili_error("stale", "internal"));
    assert_eq!(
        aggregate_error(&healthy),
        None,
        "only failed nodes' errors count"
    );
}

#[test]
fn error_keeps_the_first_failed_nodes_code_type_and_link() {
    let node_tasks = BTreeMap::from([
        (NodeId::new("a"), node_task(Succeeded, None)),
        (
            NodeId::new("b"),
            node_task(
                Failed,
                Some(&meili_error(
                    "Index already has a primary key: `id`.",
                    "index_primary_key_already_exists",
                )),
            ),
        ),
        (
            NodeId::new("c"),
            node_task(
                Failed,
                Some(&meili_error("Index `movies` not found.", "index_not_found")),
            ),
        ),
    ]);
    let error = aggregate_error(&node_tasks).unwrap();
    assert_eq!(
        serde_json::to_string(&error).unwrap(),
        r#"{"message":"Index already has a primary key: `id`. (failed on 2 of 3 nodes: `b`, `c`)","code":"index_primary_key_already_exists","type":"invalid_request","link":"https://docs.meilisearch.com/errors#index_primary_key_already_exists"}"#
    );
}

#[test]
fn unreadable_errors_are_skipped_then_reported_as_internal() {
    let mut node_tasks = BTreeMap::from([
        (NodeId::new("a"), node_task(Failed, Some("not json"))),
        (NodeId::new("b"), node_task(Failed, None)),
        (
            NodeId::new("c"),
            node_task(
                Failed,
                Some(r#"{"message":"Bad.","code":"bad_request","type":"invalid_request"}"#),
            ),
        ),
    ]);
    let error = aggregate_error(&node_tasks).unwrap();
    assert_eq!(
        error["message"],
        json!("Bad. (failed on 3 of 3 nodes: `a`, `b`, `c`)")
    );
    assert_eq!(error["code"], json!("bad_request"));
    assert_eq!(
        error["link"],
        json!("https://docs.meilisearch.com/errors#bad_request"),
        "a missing link is derived from the code"
    );
    node_tasks.remove(&NodeId::new("c"));
    let error = aggregate_error(&node_tasks).unwrap();
    assert_eq!(
        serde_json::to_string(&error).unwrap(),
        r#"{"message":"the node task failed without a readable error (failed on 2 of 2 nodes: `a`, `b`)","code":"internal","type":"internal","link":"https://docs.meilisearch.com/errors#internal"}"#
    );
}

#[test]
fn long_failure_lists_name_five_nodes_and_count_the_rest() {
    let failed = nodes(&[Failed; 8]);
    let error = aggregate_error(&failed).unwrap();
    assert_eq!(
        error["message"],
        json!("the node task failed without a readable error (failed on 8 of 8 nodes: `n0`, `n1`, `n2`, `n3`, `n4` and 3 more)")
    );
    let single = nodes(&[Failed]);
    assert!(aggregate_error(&single).unwrap()["message"]
        .as_str()
        .unwrap()
        .ends_with("(failed on 1 of 1 node: `n0`)"));
}

fn statuses_strategy() -> impl Strategy<Value = Vec<TaskStatus>> {
    prop::collection::vec(prop::sample::select(ALL_STATUSES.to_vec()), 1..12)
}

proptest! {
    /// The aggregate depends only on the multiset of node statuses, not on which node holds which.
    #[test]
    fn status_is_independent_of_node_order(
        (statuses, shuffled) in statuses_strategy()
            .prop_flat_map(|statuses| (Just(statuses.clone()), Just(statuses).prop_shuffle()))
    ) {
        prop_assert_eq!(aggregate_status(&nodes(&statuses)), aggregate_status(&nodes(&shuffled)));
        prop_assert_eq!(
            aggregate_error(&nodes(&statuses)).is_some(),
            aggregate_error(&nodes(&shuffled)).is_some()
        );
    }

    /// Nodes that have all finished give a finished task, and a failure is never hidden.
    #[test]
    fn all_terminal_nodes_give_a_terminal_status(
        statuses in prop::collection::vec(prop::sample::select(vec![Succeeded, Failed, Canceled]), 1..12)
    ) {
        let status = aggregate_status(&nodes(&statuses));
        prop_assert!(status.is_terminal());
        prop_assert_eq!(status == Failed, statuses.contains(&Failed));
        prop_assert_eq!(aggregate_error(&nodes(&statuses)).is_some(), statuses.contains(&Failed));
    }

    /// A task is enqueued exactly while no node has started, and terminal exactly when every
    /// node is.
    #[test]
    fn aggregate_tracks_progress(statuses in statuses_strategy()) {
        let status = aggregate_status(&nodes(&statuses));
        prop_assert_eq!(status == Enqueued, statuses.iter().all(|s| *s == Enqueued));
        prop_assert_eq!(status.is_terminal(), statuses.iter().all(|s| s.is_terminal()));
    }
}
