//! Running operations and the shard rebalance: tables for `status` and `rebalance status`,
//! and the list of progress bars `rebalance status --watch` keeps on screen.

use miroir_admin_proto::v1::{Operation, OperationsSnapshot, RebalanceStatus};

use super::table::{or_dash, Table};

/// `operations` as a table, or `none` when there are none.
pub fn operations_table(operations: &[Operation]) -> String {
    if operations.is_empty() {
        return "none\n".to_owned();
    }
    let mut table = Table::new([
        "ID", "KIND", "STATE", "INDEX", "PROGRESS", "STARTED", "DETAIL",
    ]);
    for operation in operations {
        table.row([
            operation.id.clone(),
            or_dash(&operation.kind),
            or_dash(&operation.state),
            or_dash(&operation.index_uid),
            operation
                .percent
                .map_or_else(|| "-".to_owned(), |percent| format!("{percent}%")),
            or_dash(&operation.started_at),
            or_dash(&operation.detail),
        ]);
    }
    table.render()
}

/// The line printed when no rebalance runs.
pub const NO_REBALANCE: &str = "no rebalance in progress\n";

/// `rebalance status`: [`NO_REBALANCE`] (and how the last operation ended), or the running
/// operation and one row per shard migration.
pub fn rebalance_status(status: &RebalanceStatus) -> String {
    if !status.in_progress {
        if status.operation_id.is_empty() {
            return NO_REBALANCE.to_owned();
        }
        let mut out = format!(
            "{}last operation {} ({}) {}",
            NO_REBALANCE.trim_end().to_owned() + "; ",
            status.operation_id,
            or_dash(&status.triggered_by),
            or_dash(&status.state)
        );
        if !status.error.is_empty() {
            out.push_str(&format!(": {}", status.error));
        }
        out.push('\n');
        return out;
    }
    let mut out = format!(
        "rebalance {} started {} by {}: {}% complete, step {}, {} documents migrated\n",
        or_dash(&status.operation_id),
        or_dash(&status.started_at),
        or_dash(&status.triggered_by),
        status.overall_pct_complete,
        or_dash(&status.step),
        status.documents_migrated
    );
    if !status.waiting_for.is_empty() {
        out.push_str(&format!("waiting for: {}\n", status.waiting_for));
    }
    out.push('\n');
    let mut table = Table::new([
        "INDEX",
        "SHARD",
        "GROUP",
        "STATE",
        "PROGRESS",
        "SOURCE",
        "DESTINATION",
    ]);
    for phase in &status.phases {
        table.row([
            or_dash(&phase.index_uid),
            phase.shard.to_string(),
            phase.group.to_string(),
            or_dash(&phase.state),
            format!("{}%", phase.pct_complete),
            or_dash(&phase.source),
            or_dash(&phase.destination),
        ]);
    }
    out.push_str(&table.render());
    out
}

/// One progress bar of the watch: what it follows and how far it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressItem {
    /// Stable identity across snapshots (operation id, or `shard-<n>`).
    pub key: String,
    /// The text shown beside the bar.
    pub label: String,
    /// Percent complete; `None` when the operation cannot tell (a spinner).
    pub percent: Option<u32>,
}

/// The bars a snapshot calls for: one per running operation, one per shard migration.
pub fn progress_items(snapshot: &OperationsSnapshot) -> Vec<ProgressItem> {
    let operations = snapshot.operations.iter().map(|operation| {
        let subject = match operation.index_uid.as_str() {
            "" => operation.kind.clone(),
            index => format!("{} on {index}", operation.kind),
        };
        let label = match operation.detail.as_str() {
            "" => format!("{} {subject} ({})", operation.id, operation.state),
            detail => format!("{} {subject} ({}): {detail}", operation.id, operation.state),
        };
        ProgressItem {
            key: operation.id.clone(),
            label,
            percent: operation.percent.map(|percent| percent.min(100)),
        }
    });
    let migrations = snapshot
        .rebalance
        .iter()
        .filter(|rebalance| rebalance.in_progress)
        .flat_map(|rebalance| &rebalance.phases)
        .map(|phase| ProgressItem {
            key: format!("shard-{}-{}-{}", phase.index_uid, phase.group, phase.shard),
            label: format!(
                "{} shard {} {} → {} ({})",
                phase.index_uid,
                phase.shard,
                or_dash(&phase.source),
                or_dash(&phase.destination),
                phase.state
            ),
            percent: Some(phase.pct_complete.min(100)),
        });
    operations.chain(migrations).collect()
}

/// Whether a snapshot shows nothing running.
pub fn is_idle(snapshot: &OperationsSnapshot) -> bool {
    snapshot.operations.is_empty()
        && !snapshot
            .rebalance
            .as_ref()
            .is_some_and(|rebalance| rebalance.in_progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use miroir_admin_proto::v1::ShardMigration;

    fn operation(id: &str, percent: Option<u32>) -> Operation {
        Operation {
            id: id.to_owned(),
            kind: "documentAdditionOrUpdate".to_owned(),
            state: "processing".to_owned(),
            index_uid: "movies".to_owned(),
            percent,
            detail: String::new(),
            started_at: "2026-11-02T10:00:00Z".to_owned(),
        }
    }

    fn rebalance() -> RebalanceStatus {
        RebalanceStatus {
            in_progress: true,
            operation_id: "reb-1".to_owned(),
            triggered_by: "AddNode".to_owned(),
            started_at: "2026-11-02T10:00:00Z".to_owned(),
            phases: vec![ShardMigration {
                shard: 12,
                state: "MigrationInProgress".to_owned(),
                pct_complete: 42,
                source: "meili-0".to_owned(),
                destination: "meili-4".to_owned(),
                index_uid: "movies".to_owned(),
                group: 0,
                documents_copied: 420,
            }],
            overall_pct_complete: 38,
            documents_migrated: 420,
            state: "in_progress".to_owned(),
            error: String::new(),
            waiting_for: "node `meili-0` is unreachable".to_owned(),
            step: "copy".to_owned(),
        }
    }

    #[test]
    fn no_operations_reads_none() {
        assert_eq!(operations_table(&[]), "none\n");
    }

    #[test]
    fn operations_show_a_percent_only_when_known() {
        let text = operations_table(&[operation("task-3", Some(40)), operation("task-4", None)]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].contains(" 40% "), "{text}");
        assert!(lines[2].contains(" -  "), "{text}");
    }

    #[test]
    fn an_idle_rebalance_says_so() {
        assert_eq!(rebalance_status(&RebalanceStatus::default()), NO_REBALANCE);
    }

    #[test]
    fn a_running_rebalance_lists_its_migrations() {
        let text = rebalance_status(&rebalance());
        assert!(text.starts_with(
            "rebalance reb-1 started 2026-11-02T10:00:00Z by AddNode: 38% complete, step copy, \
             420 documents migrated\nwaiting for: node `meili-0` is unreachable\n"
        ));
        assert!(
            text.contains("movies  12     0      MigrationInProgress  42%       meili-0  meili-4"),
            "{text}"
        );
    }

    #[test]
    fn a_finished_rebalance_tells_how_it_ended() {
        let mut failed = rebalance();
        failed.in_progress = false;
        failed.state = "failed".to_owned();
        failed.error = "boom".to_owned();
        assert_eq!(
            rebalance_status(&failed),
            "no rebalance in progress; last operation reb-1 (AddNode) failed: boom\n"
        );
    }

    #[test]
    fn progress_items_cover_operations_and_migrations() {
        let snapshot = OperationsSnapshot {
            operations: vec![operation("task-3", Some(140)), operation("task-4", None)],
            rebalance: Some(rebalance()),
        };
        let items = progress_items(&snapshot);
        let keys: Vec<&str> = items.iter().map(|item| item.key.as_str()).collect();
        assert_eq!(keys, ["task-3", "task-4", "shard-movies-0-12"]);
        assert_eq!(items[0].percent, Some(100));
        assert_eq!(items[1].percent, None);
        assert_eq!(
            items[0].label,
            "task-3 documentAdditionOrUpdate on movies (processing)"
        );
        assert_eq!(items[2].percent, Some(42));
        assert!(!is_idle(&snapshot));
    }

    #[test]
    fn a_finished_rebalance_draws_no_bars() {
        let mut finished = rebalance();
        finished.in_progress = false;
        let snapshot = OperationsSnapshot {
            operations: vec![],
            rebalance: Some(finished),
        };
        assert!(progress_items(&snapshot).is_empty());
        assert!(is_idle(&snapshot));
        assert!(is_idle(&OperationsSnapshot::default()));
    }
}
