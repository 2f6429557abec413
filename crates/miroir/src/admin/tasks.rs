//! Task operations of the admin API, served by the same code as `GET /tasks`, `GET
//! /tasks/{uid}` and `POST /tasks/cancel`.

use miroir_admin_proto::v1 as pb;
use miroir_meta::{parse_task_filter_for_delete_or_cancel, parse_task_list_query, TaskBulkAction};

use super::task_messages::{cancel_query, list_query, task_list, task_message};
use super::{Admin, AdminError};

impl Admin {
    /// One task, its status refreshed from the nodes.
    pub async fn task(&self, uid: u64) -> Result<pb::Task, AdminError> {
        let reply = self
            .proxy
            .get_task(uid)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("Task `{uid}` not found.")))?;
        Ok(task_message(&reply.body))
    }

    /// A page of tasks, newest first.
    pub async fn list_tasks(
        &self,
        request: &pb::ListTasksRequest,
    ) -> Result<pb::TaskList, AdminError> {
        let query = parse_task_list_query(&list_query(request))
            .map_err(|error| AdminError::Api(error.into()))?;
        let reply = self.proxy.list_tasks(query).await?;
        Ok(task_list(&reply.body))
    }

    /// Cancels the matching tasks; returns the cancelation task.
    pub async fn cancel_tasks(
        &self,
        request: &pb::CancelTasksRequest,
    ) -> Result<pb::Task, AdminError> {
        let query = cancel_query(request);
        let filter = parse_task_filter_for_delete_or_cancel(&query, TaskBulkAction::Cancel)
            .map_err(|error| AdminError::Api(error.into()))?;
        let summary = self.proxy.cancel_tasks(filter, &query).await?;
        let uid = summary.body["taskUid"].as_u64().ok_or_else(|| {
            AdminError::Internal(format!(
                "cancelation answered without a task uid: {}",
                summary.body
            ))
        })?;
        self.task(uid).await
    }
}
