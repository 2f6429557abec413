//! Miroir tasks: the `tasks list` table and the detail of one task.

use miroir_admin_proto::v1::{Task, TaskList};

use super::table::{or_dash, Table};

/// `tasks list`: one row per task, then how many matched and how to get the next page.
pub fn task_list(list: &TaskList) -> String {
    let mut table = Table::new([
        "UID", "INDEX", "TYPE", "STATUS", "ENQUEUED", "FINISHED", "ERROR",
    ]);
    for task in &list.tasks {
        table.row([
            task.uid.to_string(),
            or_dash(&task.index_uid),
            or_dash(&task.r#type),
            or_dash(&task.status),
            or_dash(&task.enqueued_at),
            or_dash(&task.finished_at),
            or_dash(&task.error_code),
        ]);
    }
    let mut out = table.render();
    out.push_str(&format!(
        "{} of {} matching tasks",
        list.tasks.len(),
        list.total
    ));
    match list.next {
        Some(next) => out.push_str(&format!("; next page: --from {next}\n")),
        None => out.push('\n'),
    }
    out
}

/// `tasks get`: every field of one task, one per line.
pub fn task_detail(task: &Task) -> String {
    let mut fields = vec![
        ("uid", task.uid.to_string()),
        ("index", or_dash(&task.index_uid)),
        ("type", or_dash(&task.r#type)),
        ("status", or_dash(&task.status)),
        ("enqueued at", or_dash(&task.enqueued_at)),
        ("started at", or_dash(&task.started_at)),
        ("finished at", or_dash(&task.finished_at)),
    ];
    if let Some(canceled_by) = task.canceled_by {
        fields.push(("canceled by", canceled_by.to_string()));
    }
    if !task.error_code.is_empty() || !task.error_message.is_empty() {
        fields.push((
            "error",
            format!(
                "{}: {}",
                or_dash(&task.error_code),
                or_dash(&task.error_message)
            ),
        ));
    }
    if !task.details_json.is_empty() && task.details_json != "null" {
        fields.push(("details", task.details_json.clone()));
    }
    let width = fields
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0);
    fields
        .iter()
        .map(|(label, value)| {
            format!(
                "{:width$}  {value}\n",
                format!("{label}:"),
                width = width + 1
            )
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A finished task.
    pub(crate) fn task(uid: u64, status: &str) -> Task {
        Task {
            uid,
            index_uid: "movies".to_owned(),
            status: status.to_owned(),
            r#type: "indexCreation".to_owned(),
            enqueued_at: "2026-11-02T10:00:00Z".to_owned(),
            started_at: "2026-11-02T10:00:01Z".to_owned(),
            finished_at: "2026-11-02T10:00:02Z".to_owned(),
            error_code: String::new(),
            error_message: String::new(),
            details_json: "{\"primaryKey\":\"id\"}".to_owned(),
            canceled_by: None,
            json: String::new(),
        }
    }

    #[test]
    fn the_list_shows_rows_total_and_next_page() {
        let list = TaskList {
            tasks: vec![task(2, "succeeded"), task(1, "succeeded")],
            total: 5,
            next: Some(0),
        };
        let text = task_list(&list);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "UID  INDEX   TYPE           STATUS     ENQUEUED              FINISHED              ERROR");
        assert_eq!(
            lines[1],
            "2    movies  indexCreation  succeeded  2026-11-02T10:00:00Z  2026-11-02T10:00:02Z  -"
        );
        assert_eq!(lines[3], "2 of 5 matching tasks; next page: --from 0");
    }

    #[test]
    fn the_last_page_has_no_next() {
        let list = TaskList {
            tasks: vec![],
            total: 0,
            next: None,
        };
        assert!(task_list(&list).ends_with("0 of 0 matching tasks\n"));
    }

    #[test]
    fn the_detail_shows_errors_and_details_only_when_present() {
        let succeeded = task_detail(&task(3, "succeeded"));
        assert!(
            succeeded.starts_with("uid:          3\nindex:        movies\n"),
            "{succeeded}"
        );
        assert!(
            succeeded.contains("details:      {\"primaryKey\":\"id\"}\n"),
            "{succeeded}"
        );
        assert!(!succeeded.contains("error:"));
        let mut failed = task(4, "failed");
        failed.error_code = "index_already_exists".to_owned();
        failed.error_message = "Index `movies` already exists.".to_owned();
        failed.details_json = "null".to_owned();
        failed.canceled_by = Some(9);
        let text = task_detail(&failed);
        assert!(
            text.contains("error:        index_already_exists: Index `movies` already exists.\n"),
            "{text}"
        );
        assert!(text.contains("canceled by:  9\n"), "{text}");
        assert!(!text.contains("details:"), "{text}");
    }
}
