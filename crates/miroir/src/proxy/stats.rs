//! `GET /indexes/{uid}/stats` and `GET /stats`: every node is asked; counts are merged into
//! logical ones (see `miroir_core::stats`). Nodes that cannot be reached are left out and named
//! in `X-Miroir-Degraded: nodes=…`.

use axum::http::Method;
use miroir_core::stats::{merge_global_stats, merge_index_stats};
use serde_json::{Map, Value};

use super::nodes::node_error;
use super::{Proxy, ProxyError, Reply};
use crate::nodes::NodeRequest;

impl Proxy {
    /// `GET /indexes/{uid}/stats`.
    pub async fn index_stats(&self, uid: &str) -> Result<Reply, ProxyError> {
        let request = NodeRequest::new(Method::GET, format!("/indexes/{uid}/stats"));
        let (answers, degraded) = self.gather(&request).await?;
        let answers: Vec<&Map<String, Value>> = answers.iter().collect();
        let mut reply = Reply::ok(Value::Object(merge_index_stats(
            &answers,
            self.copies_per_document(),
        )));
        reply.degraded = degraded;
        Ok(reply)
    }

    /// `GET /stats`.
    pub async fn global_stats(&self) -> Result<Reply, ProxyError> {
        let request = NodeRequest::new(Method::GET, "/stats");
        let (answers, degraded) = self.gather(&request).await?;
        let answers: Vec<&Map<String, Value>> = answers.iter().collect();
        let mut reply = Reply::ok(Value::Object(merge_global_stats(
            &answers,
            self.copies_per_document(),
        )));
        reply.degraded = degraded;
        Ok(reply)
    }

    /// The JSON object every reachable node answers; a node's own error is relayed.
    async fn gather(
        &self,
        request: &NodeRequest,
    ) -> Result<(Vec<Map<String, Value>>, Option<String>), ProxyError> {
        let mut answers = Vec::new();
        let mut missing = Vec::new();
        for (node, outcome) in self.broadcast(request).await {
            match outcome {
                Ok(response) if response.status.is_success() => match response.json() {
                    Ok(Value::Object(fields)) => answers.push(fields),
                    _ => missing.push(node.to_string()),
                },
                Ok(response) => return Err(node_error(&response)),
                Err(_) => missing.push(node.to_string()),
            }
        }
        if answers.is_empty() {
            return Err(ProxyError::NoQuorum {
                detail: format!("no node answered (unreachable: {})", missing.join(", ")),
            });
        }
        let degraded = (!missing.is_empty()).then(|| format!("nodes={}", missing.join(",")));
        Ok((answers, degraded))
    }
}
