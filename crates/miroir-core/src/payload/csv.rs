//! `text/csv` bodies, read like Meilisearch's `read_csv` (with the same `csv` crate settings:
//! first row is the header, `"` quotes, every row as wide as the header, no trimming).
//!
//! ```text
//!   id,title,year:number,seen:boolean      header: name[:number|:boolean|:string]
//!   1,"Hello, world",2001, true            →  {"id":"1","title":"Hello, world","year":2001,"seen":true}
//!   2,,,                                   →  {"id":"2","title":null,"year":null,"seen":null}
//! ```
//!
//! A header splits on its *last* `:`; an unknown type keeps the whole header as a string
//! column's name. Cells: string columns keep the cell verbatim, an empty cell is `null`; number
//! and boolean columns trim the cell first (blank is `null`). A number is an `i64` if it parses
//! as one, else an `f64` (a non-finite one — `NaN`, `inf`, `1e999` — becomes `null`); a boolean is
//! exactly `true` or `false`. Rows are numbered from 1 (the first row after the header) in
//! error messages, as Meilisearch does.

use std::num::ParseFloatError;
use std::str::ParseBoolError;

use serde_json::{Map, Number, Value};

use super::errors::malformed_csv;
use crate::error::ApiError;

/// The type a header gives its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    String,
    Number,
    Boolean,
}

/// A column as its header declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    column_type: ColumnType,
}

impl Column {
    fn from_header(header: &str) -> Column {
        let typed = header.rsplit_once(':').and_then(|(name, type_name)| {
            let column_type = match type_name {
                "string" => ColumnType::String,
                "number" => ColumnType::Number,
                "boolean" => ColumnType::Boolean,
                _ => return None,
            };
            Some((name, column_type))
        });
        let (name, column_type) = typed.unwrap_or((header, ColumnType::String));
        Column {
            name: name.to_owned(),
            column_type,
        }
    }
}

/// Why a typed cell was refused; displayed as Meilisearch's milli `documents::Error` is.
#[derive(Debug, thiserror::Error)]
enum CellError {
    #[error("Error parsing number {cell:?} at line {row}: {source}")]
    Number {
        cell: String,
        row: usize,
        source: ParseFloatError,
    },
    #[error("Error parsing boolean {cell:?} at line {row}: {source}")]
    Boolean {
        cell: String,
        row: usize,
        source: ParseBoolError,
    },
}

pub(super) fn parse_csv_documents(
    body: &[u8],
    delimiter: u8,
) -> Result<Vec<Map<String, Value>>, ApiError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(body);
    let columns: Vec<Column> = reader
        .headers()
        .map_err(malformed_csv)?
        .iter()
        .map(Column::from_header)
        .collect();

    let mut documents = Vec::new();
    for (row_index, record) in reader.records().enumerate() {
        let record = record.map_err(malformed_csv)?;
        let row = row_index + 1;
        let mut document = Map::with_capacity(columns.len());
        for (column, cell) in columns.iter().zip(record.iter()) {
            let value = cell_value(column.column_type, cell, row).map_err(malformed_csv)?;
            document.insert(column.name.clone(), value);
        }
        documents.push(document);
    }
    Ok(documents)
}

fn cell_value(column_type: ColumnType, cell: &str, row: usize) -> Result<Value, CellError> {
    let trimmed = cell.trim();
    match column_type {
        ColumnType::String if cell.is_empty() => Ok(Value::Null),
        ColumnType::String => Ok(Value::String(cell.to_owned())),
        ColumnType::Number | ColumnType::Boolean if trimmed.is_empty() => Ok(Value::Null),
        ColumnType::Number => number_value(trimmed).map_err(|source| CellError::Number {
            cell: cell.to_owned(),
            row,
            source,
        }),
        ColumnType::Boolean => {
            trimmed
                .parse::<bool>()
                .map(Value::Bool)
                .map_err(|source| CellError::Boolean {
                    cell: cell.to_owned(),
                    row,
                    source,
                })
        }
    }
}

fn number_value(trimmed: &str) -> Result<Value, ParseFloatError> {
    if let Ok(integer) = trimmed.parse::<i64>() {
        return Ok(Value::Number(integer.into()));
    }
    let float = trimmed.parse::<f64>()?;
    Ok(Number::from_f64(float).map_or(Value::Null, Value::Number))
}
