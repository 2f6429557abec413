//! Document payloads: JSON (array or single object), NDJSON and CSV with Meilisearch's typed
//! headers (`year:number`, `seen:boolean`, `title:string`; untyped columns are strings, empty
//! cells are null), with Meilisearch's content-type and malformed-payload errors.

use serde_json::{Map, Number, Value};

use crate::errors::{codes, NodeError, NodeResult};

/// One document as stored and returned.
pub type Document = Map<String, Value>;

/// The three body formats the documents routes accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadFormat {
    /// `application/json`.
    Json,
    /// `application/x-ndjson`.
    Ndjson,
    /// `text/csv`.
    Csv,
}

const ACCEPTED_TYPES: &str =
    "Accepted values for the Content-Type header are: `application/json`, `application/x-ndjson`, `text/csv`";

impl PayloadFormat {
    /// The format named by a request's `Content-Type` (without parameters).
    pub fn from_content_type(content_type: Option<&str>) -> NodeResult<Self> {
        match content_type {
            Some("application/json") => Ok(Self::Json),
            Some("application/x-ndjson") => Ok(Self::Ndjson),
            Some("text/csv") => Ok(Self::Csv),
            Some(other) => Err(NodeError::new(
                codes::INVALID_CONTENT_TYPE,
                format!("The Content-Type `{other}` is invalid. {ACCEPTED_TYPES}"),
            )),
            None => Err(NodeError::new(
                codes::MISSING_CONTENT_TYPE,
                format!("A Content-Type header is missing. {ACCEPTED_TYPES}"),
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Csv => "csv",
        }
    }

    fn malformed(self, detail: impl std::fmt::Display) -> NodeError {
        NodeError::new(
            codes::MALFORMED_PAYLOAD,
            format!(
                "The `{}` payload provided is malformed. `{detail}`.",
                self.name()
            ),
        )
    }
}

/// Parses a documents payload; `csv_delimiter` only applies to CSV.
pub fn parse_documents(
    format: PayloadFormat,
    body: &[u8],
    csv_delimiter: u8,
) -> NodeResult<Vec<Document>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(NodeError::new(
            codes::MISSING_PAYLOAD,
            format!("A {} payload is missing.", format.name()),
        ));
    }
    match format {
        PayloadFormat::Json => parse_json(body),
        PayloadFormat::Ndjson => parse_ndjson(body),
        PayloadFormat::Csv => parse_csv(body, csv_delimiter),
    }
}

fn parse_json(body: &[u8]) -> NodeResult<Vec<Document>> {
    let malformed = |error: serde_json::Error| {
        PayloadFormat::Json.malformed(format!(
            "Couldn't serialize document value: {}",
            describe_json_error(&error, body)
        ))
    };
    let value: Value = serde_json::from_slice(body).map_err(malformed)?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|item| serde_json::from_value::<Document>(item).map_err(malformed))
            .collect(),
        other => serde_json::from_value::<Document>(other)
            .map(|document| vec![document])
            .map_err(malformed),
    }
}

/// serde_json's message, except that an end of input inside an unclosed object or array is
/// named after that container, as Meilisearch's streaming document reader reports it.
fn describe_json_error(error: &serde_json::Error, body: &[u8]) -> String {
    if error.classify() != serde_json::error::Category::Eof {
        return error.to_string();
    }
    let container = match innermost_open_container(body) {
        Some(b'{') => "an object",
        Some(_) => "a list",
        None => return error.to_string(),
    };
    format!(
        "EOF while parsing {container} at line {} column {}",
        error.line(),
        error.column()
    )
}

fn innermost_open_container(body: &[u8]) -> Option<u8> {
    let mut open = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => open.push(byte),
            b'}' | b']' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last().copied()
}

fn parse_ndjson(body: &[u8]) -> NodeResult<Vec<Document>> {
    let mut documents = Vec::new();
    for line in body.split(|byte| *byte == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let document = serde_json::from_slice::<Document>(line).map_err(|error| {
            PayloadFormat::Ndjson.malformed(format!("Couldn't serialize document value: {error}"))
        })?;
        documents.push(document);
    }
    Ok(documents)
}

/// The type a CSV column declares in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvType {
    String,
    Number,
    Boolean,
}

fn parse_csv_header(header: &str) -> (String, CsvType) {
    match header.rsplit_once(':') {
        Some((name, "number")) => (name.to_owned(), CsvType::Number),
        Some((name, "boolean")) => (name.to_owned(), CsvType::Boolean),
        Some((name, "string")) => (name.to_owned(), CsvType::String),
        _ => (header.to_owned(), CsvType::String),
    }
}

fn parse_csv(body: &[u8], delimiter: u8) -> NodeResult<Vec<Document>> {
    let malformed = |detail: String| PayloadFormat::Csv.malformed(detail);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(body);
    let headers: Vec<(String, CsvType)> = reader
        .headers()
        .map_err(|error| malformed(error.to_string()))?
        .iter()
        .map(parse_csv_header)
        .collect();
    let mut documents = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|error| malformed(error.to_string()))?;
        let line = row + 2;
        let mut document = Document::new();
        for ((name, column_type), cell) in headers.iter().zip(record.iter()) {
            let value = if cell.is_empty() {
                Value::Null
            } else {
                match column_type {
                    CsvType::String => Value::String(cell.to_owned()),
                    CsvType::Number => parse_csv_number(cell).ok_or_else(|| {
                        malformed(format!("Error parsing number {cell:?} at line {line}"))
                    })?,
                    CsvType::Boolean => match cell.trim() {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        _ => {
                            return Err(malformed(format!(
                                "Error parsing boolean {cell:?} at line {line}"
                            )))
                        }
                    },
                }
            };
            document.insert(name.clone(), value);
        }
        documents.push(document);
    }
    Ok(documents)
}

fn parse_csv_number(cell: &str) -> Option<Value> {
    let trimmed = cell.trim();
    if let Ok(integer) = trimmed.parse::<i64>() {
        return Some(Value::Number(integer.into()));
    }
    trimmed
        .parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_accepts_arrays_and_single_objects() {
        let documents =
            parse_documents(PayloadFormat::Json, br#"[{"id":1},{"id":2}]"#, b',').unwrap();
        assert_eq!(documents.len(), 2);
        let single = parse_documents(PayloadFormat::Json, br#"{"id":1}"#, b',').unwrap();
        assert_eq!(single, vec![json!({"id": 1}).as_object().unwrap().clone()]);
    }

    #[test]
    fn truncated_json_is_malformed_with_the_parser_message() {
        let error = parse_documents(PayloadFormat::Json, br#"[{"id": 1,"#, b',').unwrap_err();
        assert_eq!(
            error.message,
            "The `json` payload provided is malformed. `Couldn't serialize document value: EOF while parsing an object at line 1 column 10`."
        );
    }

    #[test]
    fn ndjson_reads_one_document_per_line() {
        let documents =
            parse_documents(PayloadFormat::Ndjson, b"{\"id\":1}\n\n{\"id\":2}\n", b',').unwrap();
        assert_eq!(documents.len(), 2);
    }

    #[test]
    fn csv_headers_declare_types_and_default_to_strings() {
        let body = b"id,year:number,seen:boolean,note\n1,2001,true,\n";
        let documents = parse_documents(PayloadFormat::Csv, body, b',').unwrap();
        assert_eq!(
            Value::Object(documents[0].clone()),
            json!({"id": "1", "year": 2001, "seen": true, "note": null})
        );
        assert!(parse_documents(PayloadFormat::Csv, b"id,year:number\n1,abc\n", b',').is_err());
    }

    #[test]
    fn empty_and_unsupported_payloads_are_rejected() {
        assert_eq!(
            parse_documents(PayloadFormat::Json, b"", b',')
                .unwrap_err()
                .message,
            "A json payload is missing."
        );
        let error = PayloadFormat::from_content_type(Some("application/xml")).unwrap_err();
        assert_eq!(error.code, codes::INVALID_CONTENT_TYPE);
    }
}
