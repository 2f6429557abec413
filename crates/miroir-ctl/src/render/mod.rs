//! Pure renderers: proto messages in, text out. Tables for people, JSON for scripts.

pub mod indexes;
pub mod nodes;
pub mod operations;
pub mod peers;
pub mod status;
pub mod table;
pub mod tasks;

use serde::Serialize;

/// `message` as pretty JSON followed by a newline (one document per command).
pub fn json_document<T: Serialize>(message: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(message).map(|mut text| {
        text.push('\n');
        text
    })
}

/// `message` as one line of JSON (one per streamed message).
pub fn json_line<T: Serialize>(message: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(message).map(|mut text| {
        text.push('\n');
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use miroir_admin_proto::v1::TaskList;

    #[test]
    fn json_keeps_proto_field_names_and_absent_optionals() {
        let list = TaskList {
            tasks: vec![],
            total: 3,
            next: None,
        };
        let document = json_document(&list).unwrap();
        assert_eq!(
            document,
            "{\n  \"tasks\": [],\n  \"total\": 3,\n  \"next\": null\n}\n"
        );
        assert_eq!(
            json_line(&list).unwrap(),
            "{\"tasks\":[],\"total\":3,\"next\":null}\n"
        );
    }
}
