//! Pure views of the work in flight: background jobs of the state machine and unfinished Miroir
//! tasks as operations with progress.

use miroir_admin_proto::v1 as pb;
use miroir_meta::{format_timestamp_ms, JobRecord, TaskRecord};

/// The unfinished jobs, then the unfinished tasks (by uid). Topology operations are left to
/// the rebalance status, which shows their per-shard progress.
pub fn operations(jobs: &[JobRecord], tasks: &[TaskRecord]) -> Vec<pb::Operation> {
    jobs.iter()
        .filter(|job| !job.state.is_terminal() && job.kind != crate::rebalance::JOB_KIND)
        .map(job_operation)
        .chain(
            tasks
                .iter()
                .filter(|task| !task.status.is_terminal())
                .map(task_operation),
        )
        .collect()
}

/// A job: its kind, state and committed progress (cursor and the job's own detail).
fn job_operation(job: &JobRecord) -> pb::Operation {
    let mut detail = format!("cursor {}", job.cursor);
    if let Some(progress) = &job.progress_json {
        detail.push_str(", ");
        detail.push_str(progress);
    }
    if let Some(claim) = &job.claim {
        detail.push_str(&format!(", claimed by {}", claim.holder));
    }
    pb::Operation {
        id: job.id.clone(),
        kind: job.kind.clone(),
        state: job.state.to_string(),
        index_uid: String::new(),
        percent: None,
        detail,
        started_at: format_timestamp_ms(job.created_at_ms),
    }
}

/// A task: progress is the share of its node tasks that finished (none for tasks Miroir runs
/// itself, such as settings rollouts).
fn task_operation(task: &TaskRecord) -> pb::Operation {
    let total = task.node_tasks.len();
    let finished = task
        .node_tasks
        .values()
        .filter(|node_task| node_task.status.is_terminal())
        .count();
    let (percent, detail) = match (finished * 100).checked_div(total) {
        None => (None, "run by a Miroir peer".to_owned()),
        Some(percent) => (
            Some(u32::try_from(percent).unwrap_or(100)),
            format!("{finished}/{total} node tasks finished"),
        ),
    };
    pb::Operation {
        id: format!("task-{}", task.uid),
        kind: task.task_type.clone(),
        state: task.status.as_str().to_owned(),
        index_uid: task.index_uid.clone().unwrap_or_default(),
        percent,
        detail,
        started_at: format_timestamp_ms(task.started_at_ms.unwrap_or(task.enqueued_at_ms)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use miroir_core::topology::NodeId;
    use miroir_meta::{JobState, NodeTask, TaskStatus};

    use super::*;

    fn task(uid: u64, status: TaskStatus, node_statuses: &[TaskStatus]) -> TaskRecord {
        TaskRecord {
            uid,
            index_uid: Some("movies".into()),
            task_type: "documentAdditionOrUpdate".into(),
            status,
            details_json: None,
            error_json: None,
            node_tasks: node_statuses
                .iter()
                .enumerate()
                .map(|(n, status)| {
                    (
                        NodeId::new(format!("n{n}")),
                        NodeTask {
                            task_uid: n as u64,
                            status: *status,
                            error_json: None,
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
            enqueued_at_ms: 1_000,
            started_at_ms: Some(2_000),
            finished_at_ms: None,
            canceled_by: None,
        }
    }

    #[test]
    fn unfinished_tasks_report_the_share_of_finished_node_tasks() {
        let tasks = [
            task(
                7,
                TaskStatus::Processing,
                &[
                    TaskStatus::Succeeded,
                    TaskStatus::Processing,
                    TaskStatus::Enqueued,
                    TaskStatus::Failed,
                ],
            ),
            task(8, TaskStatus::Succeeded, &[TaskStatus::Succeeded]),
            task(9, TaskStatus::Enqueued, &[]),
        ];
        let ops = operations(&[], &tasks);
        assert_eq!(ops.len(), 2, "finished tasks are not operations");
        assert_eq!(ops[0].id, "task-7");
        assert_eq!(ops[0].percent, Some(50));
        assert_eq!(ops[0].detail, "2/4 node tasks finished");
        assert_eq!(ops[0].state, "processing");
        assert_eq!(ops[0].index_uid, "movies");
        assert_eq!(ops[0].started_at, format_timestamp_ms(2_000));
        assert_eq!(ops[1].percent, None, "no node tasks: progress unknown");
    }

    #[test]
    fn jobs_come_first_and_finished_ones_are_left_out() {
        let job = |id: &str, state: JobState| JobRecord {
            id: id.into(),
            kind: "rebalance".into(),
            payload: "{}".into(),
            state,
            claim: None,
            cursor: 42,
            progress_json: Some("{\"shard\":3}".into()),
            attempts: 1,
            error: None,
            created_at_ms: 5_000,
            updated_at_ms: 6_000,
        };
        let jobs = [
            job("a", JobState::InProgress),
            job("b", JobState::Completed),
        ];
        let tasks = [task(1, TaskStatus::Enqueued, &[TaskStatus::Enqueued])];
        let ops = operations(&jobs, &tasks);
        let ids: Vec<&str> = ops.iter().map(|op| op.id.as_str()).collect();
        assert_eq!(ids, ["a", "task-1"]);
        assert_eq!(ops[0].state, "in_progress");
        assert_eq!(ops[0].detail, "cursor 42, {\"shard\":3}");
    }
}
