//! `GET /_miroir/rebalance/status` and the `GetRebalanceStatus` RPC: the most recent topology
//! operation as its committed progress shows it, one phase per shard copy.

use miroir_admin_proto::v1 as pb;
use miroir_meta::{format_timestamp_ms, JobRecord, MetadataState};

use super::operation::{
    latest_operation, CopyProgress, OperationProgress, Step, TopologyOperation,
};

/// The status of the most recent topology operation of `state` (empty when there never was
/// one).
pub fn rebalance_status(state: &MetadataState) -> pb::RebalanceStatus {
    latest_operation(state).map_or_else(pb::RebalanceStatus::default, job_status)
}

fn job_status(job: &JobRecord) -> pb::RebalanceStatus {
    let progress = OperationProgress::of(job);
    let triggered_by = serde_json::from_str::<TopologyOperation>(&job.payload)
        .map(|operation| operation.describe())
        .unwrap_or_else(|_| job.kind.clone());
    let phases: Vec<pb::ShardMigration> = progress
        .copies
        .iter()
        .map(|copy| phase(copy, progress.step))
        .collect();
    let overall_pct_complete = match progress.step {
        Step::Start => 0,
        Step::Copy if phases.is_empty() => 0,
        Step::Copy => {
            let sum: u64 = phases.iter().map(|p| u64::from(p.pct_complete)).sum();
            let count = u64::try_from(phases.len()).unwrap_or(u64::MAX);
            u32::try_from(sum / count).unwrap_or(100).min(99)
        }
        Step::Flip | Step::Cleanup => 99,
        Step::Done => 100,
    };
    pb::RebalanceStatus {
        in_progress: !job.state.is_terminal(),
        operation_id: job.id.clone(),
        triggered_by,
        started_at: format_timestamp_ms(job.created_at_ms),
        phases,
        overall_pct_complete: if job.state == miroir_meta::JobState::Completed {
            100
        } else {
            overall_pct_complete
        },
        documents_migrated: progress.documents_copied,
        state: job.state.to_string(),
        error: job.error.clone().unwrap_or_default(),
        waiting_for: progress.waiting_for.clone().unwrap_or_default(),
        step: step_name(progress.step).to_owned(),
    }
}

fn phase(copy: &CopyProgress, step: Step) -> pb::ShardMigration {
    let pct_complete = match (copy.done, copy.total) {
        (true, _) => 100,
        (false, Some(total)) if total > 0 => {
            u32::try_from((copy.offset.min(total) * 100) / total).unwrap_or(100)
        }
        _ => 0,
    };
    let state = match (step, copy.done) {
        (Step::Cleanup | Step::Done, _) => "OldReplicaDeleted",
        (Step::Flip, _) => "DualWriteStopped",
        (_, true) => "MigrationComplete",
        (_, false) if copy.offset > 0 => "MigrationInProgress",
        (_, false) => "DualWriteStarted",
    };
    let join = |nodes: &[miroir_core::topology::NodeId]| {
        nodes
            .iter()
            .map(|node| node.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    pb::ShardMigration {
        shard: copy.shard,
        state: state.to_owned(),
        pct_complete,
        source: join(&copy.sources),
        destination: join(&copy.destinations),
        index_uid: copy.index_uid.clone(),
        group: copy.group,
        documents_copied: copy.offset,
    }
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Start => "start",
        Step::Copy => "copy",
        Step::Flip => "flip",
        Step::Cleanup => "cleanup",
        Step::Done => "done",
    }
}

#[cfg(test)]
mod tests {
    use miroir_core::topology::NodeId;
    use miroir_meta::JobState;

    use super::*;

    fn job(progress: &OperationProgress, state: JobState) -> JobRecord {
        JobRecord {
            id: "op-1".into(),
            kind: super::super::JOB_KIND.into(),
            payload: r#"{"operation":"drain_node","node":"meili-1"}"#.into(),
            state,
            claim: None,
            cursor: progress.documents_copied,
            progress_json: Some(serde_json::to_string(progress).unwrap()),
            attempts: 1,
            error: None,
            created_at_ms: 0,
            updated_at_ms: 0,
        }
    }

    fn copy(offset: u64, total: u64, done: bool) -> CopyProgress {
        CopyProgress {
            index_uid: "movies".into(),
            shard: 3,
            group: 0,
            sources: vec![NodeId::new("meili-1"), NodeId::new("meili-0")],
            destinations: vec![NodeId::new("meili-2")],
            offset,
            total: Some(total),
            done,
        }
    }

    #[test]
    fn a_copy_in_progress_reports_its_share_and_the_operation_its_average() {
        let progress = OperationProgress {
            step: Step::Copy,
            copies_planned: true,
            copies: vec![copy(50, 200, false), copy(200, 200, true)],
            documents_copied: 250,
            waiting_for: Some("node `meili-1` is unreachable".into()),
            ..OperationProgress::default()
        };
        let status = job_status(&job(&progress, JobState::InProgress));
        assert!(status.in_progress);
        assert_eq!(status.triggered_by, "drain node meili-1");
        assert_eq!(status.phases[0].pct_complete, 25);
        assert_eq!(status.phases[0].state, "MigrationInProgress");
        assert_eq!(status.phases[0].source, "meili-1,meili-0");
        assert_eq!(status.phases[1].state, "MigrationComplete");
        assert_eq!(status.overall_pct_complete, 62);
        assert_eq!(status.documents_migrated, 250);
        assert_eq!(status.state, "in_progress");
        assert_eq!(status.step, "copy");
        assert!(status.waiting_for.contains("unreachable"));
    }

    #[test]
    fn a_completed_operation_is_not_in_progress() {
        let progress = OperationProgress {
            step: Step::Done,
            copies: vec![copy(200, 200, true)],
            ..OperationProgress::default()
        };
        let status = job_status(&job(&progress, JobState::Completed));
        assert!(!status.in_progress);
        assert_eq!(status.overall_pct_complete, 100);
        assert_eq!(status.phases[0].state, "OldReplicaDeleted");
        assert_eq!(
            rebalance_status(&MetadataState::default()),
            pb::RebalanceStatus::default()
        );
    }
}
