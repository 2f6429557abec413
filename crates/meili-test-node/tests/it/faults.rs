//! Fault injection through `/_testnode/faults` and the in-process controller.

use meili_test_node::{spawn, NodeOptions};
use serde_json::json;

use meili_test_node::conformance::http::send;

fn json_headers() -> Vec<(String, String)> {
    vec![("Content-Type".to_owned(), "application/json".to_owned())]
}

/// `failNext` answers the chosen status for exactly N matching requests, then the node is
/// healthy again.
#[tokio::test]
async fn fail_next_requests_then_recover() {
    let node = spawn(NodeOptions::default()).await.unwrap();
    let body = serde_json::to_vec(&json!({"failNext": {"count": 2, "status": 503}})).unwrap();
    let configured = send(
        node.address(),
        "PUT",
        "/_testnode/faults",
        &json_headers(),
        Some(&body),
    )
    .await
    .unwrap();
    assert_eq!(configured.status, 200);
    for _ in 0..2 {
        assert_eq!(
            send(node.address(), "GET", "/health", &[], None)
                .await
                .unwrap()
                .status,
            503
        );
    }
    assert_eq!(
        send(node.address(), "GET", "/health", &[], None)
            .await
            .unwrap()
            .status,
        200
    );
    node.shutdown().await;
}

/// A down node refuses to answer; once up again it serves requests.
#[tokio::test]
async fn down_node_does_not_answer_until_up() {
    let node = spawn(NodeOptions::default()).await.unwrap();
    node.faults().set_down(true);
    assert!(send(node.address(), "GET", "/health", &[], None)
        .await
        .map(|response| response.status)
        .is_err());
    node.faults().set_down(false);
    assert_eq!(
        send(node.address(), "GET", "/health", &[], None)
            .await
            .unwrap()
            .status,
        200
    );
    node.shutdown().await;
}

/// With task processing stalled, writes stay enqueued; releasing the stall processes them.
#[tokio::test]
async fn stalled_tasks_stay_enqueued_until_released() {
    let node = spawn(NodeOptions::default()).await.unwrap();
    node.faults().set_tasks_stalled(true);
    let body = serde_json::to_vec(&json!({"uid": "movies"})).unwrap();
    let created = send(
        node.address(),
        "POST",
        "/indexes",
        &json_headers(),
        Some(&body),
    )
    .await
    .unwrap();
    assert_eq!(created.status, 202);
    let task = send(node.address(), "GET", "/tasks/0", &[], None)
        .await
        .unwrap()
        .json()
        .unwrap()
        .unwrap();
    assert_eq!(task["status"], "enqueued");
    node.faults().set_tasks_stalled(false);
    let mut status = String::new();
    for _ in 0..500 {
        let task = send(node.address(), "GET", "/tasks/0", &[], None)
            .await
            .unwrap()
            .json()
            .unwrap()
            .unwrap();
        status = task["status"].as_str().unwrap().to_owned();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(status, "succeeded");
    node.shutdown().await;
}

/// Two nodes run side by side on distinct ports with separate state.
#[tokio::test]
async fn several_nodes_side_by_side() {
    let first = spawn(NodeOptions::default()).await.unwrap();
    let second = spawn(NodeOptions::default()).await.unwrap();
    assert_ne!(first.address(), second.address());
    first.faults().set_down(true);
    assert_eq!(
        send(second.address(), "GET", "/health", &[], None)
            .await
            .unwrap()
            .status,
        200
    );
    first.shutdown().await;
    second.shutdown().await;
}
