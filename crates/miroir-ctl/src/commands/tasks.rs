//! `tasks list|get|cancel|watch`.

use miroir_admin_proto::v1::{
    CancelTasksRequest, GetTaskRequest, ListTasksRequest, Task, WatchTaskRequest,
};

use crate::cli::{CancelTasksArgs, ListTasksArgs, TasksCommand};
use crate::connect::AdminClient;
use crate::error::{CtlError, Result};
use crate::output::Output;
use crate::progress::Spinner;
use crate::render::tasks::{task_detail, task_list};

/// Runs one `tasks` subcommand.
pub async fn run(admin: &AdminClient, output: Output, command: TasksCommand) -> Result<()> {
    match command {
        TasksCommand::List(args) => {
            let list = admin
                .unary(
                    |mut client, request| async move { client.list_tasks(request).await },
                    list_request(args),
                )
                .await?;
            output.show(&list, task_list)
        }
        TasksCommand::Get { uid } => {
            let task = admin
                .unary(
                    |mut client, request| async move { client.get_task(request).await },
                    GetTaskRequest { uid },
                )
                .await?;
            output.show(&task, task_detail)
        }
        TasksCommand::Cancel(args) => {
            let task = admin
                .unary(
                    |mut client, request| async move { client.cancel_tasks(request).await },
                    cancel_request(args),
                )
                .await?;
            output.show(&task, |task| {
                format!(
                    "cancelation task {} {}\n\n{}",
                    task.uid,
                    task.status,
                    task_detail(task)
                )
            })
        }
        TasksCommand::Watch { uid } => watch(admin, output, uid).await,
    }
}

fn list_request(args: ListTasksArgs) -> ListTasksRequest {
    ListTasksRequest {
        statuses: args.status.join(","),
        types: args.task_type.join(","),
        index_uids: args.index.join(","),
        limit: args.limit.unwrap_or(0),
        from: args.from,
    }
}

fn cancel_request(args: CancelTasksArgs) -> CancelTasksRequest {
    let uids: Vec<String> = args.uids.iter().map(u64::to_string).collect();
    CancelTasksRequest {
        uids: uids.join(","),
        statuses: args.status.join(","),
        types: args.task_type.join(","),
        index_uids: args.index.join(","),
    }
}

/// Whether `status` is one a task never leaves.
fn is_terminal(status: &str) -> bool {
    matches!(status, "succeeded" | "failed" | "canceled")
}

fn spinner_message(task: &Task) -> String {
    match task.index_uid.as_str() {
        "" => format!("task {} {} ({})", task.uid, task.status, task.r#type),
        index => format!(
            "task {} {} ({} on {index})",
            task.uid, task.status, task.r#type
        ),
    }
}

/// `tasks watch` [WatchTask]: spinner (tables) or one JSON line per state, then the final
/// task; an error when it did not succeed.
async fn watch(admin: &AdminClient, output: Output, uid: u64) -> Result<()> {
    let mut stream = admin
        .stream(
            |mut client, request| async move { client.watch_task(request).await },
            WatchTaskRequest { uid },
        )
        .await?;
    let spinner = (!output.is_json()).then(|| Spinner::start(format!("task {uid}: waiting")));
    let finished = loop {
        let Some(task) = admin.next(&mut stream).await? else {
            return Err(CtlError::WatchEndedEarly {
                endpoint: admin.endpoint().to_owned(),
                uid,
            });
        };
        output.stream_line(&task)?;
        if let Some(spinner) = &spinner {
            spinner.update(spinner_message(&task));
        }
        if is_terminal(&task.status) {
            break task;
        }
    };
    drop(spinner);
    output.text(&task_detail(&finished))?;
    if finished.status == "succeeded" {
        return Ok(());
    }
    Err(CtlError::TaskUnsuccessful {
        uid,
        status: finished.status,
        error_code: finished.error_code,
        error_message: finished.error_message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_comma_separated_lists() {
        let request = cancel_request(CancelTasksArgs {
            uids: vec![3, 5],
            status: vec![],
            task_type: vec!["indexCreation".to_owned()],
            index: vec!["a".to_owned(), "b".to_owned()],
        });
        assert_eq!(request.uids, "3,5");
        assert_eq!(request.statuses, "");
        assert_eq!(request.types, "indexCreation");
        assert_eq!(request.index_uids, "a,b");
        let list = list_request(ListTasksArgs {
            status: vec!["failed".to_owned()],
            task_type: vec![],
            index: vec![],
            limit: None,
            from: Some(9),
        });
        assert_eq!(list.statuses, "failed");
        assert_eq!(list.limit, 0);
        assert_eq!(list.from, Some(9));
    }

    #[test]
    fn only_finished_states_end_a_watch() {
        for status in ["succeeded", "failed", "canceled"] {
            assert!(is_terminal(status));
        }
        for status in ["enqueued", "processing", ""] {
            assert!(!is_terminal(status));
        }
    }
}
