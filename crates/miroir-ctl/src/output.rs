//! Printing results to stdout in the chosen format: a table (rendered by `render`) or JSON.

use std::io::Write;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::render::{json_document, json_line};

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    format: OutputFormat,
}

impl Output {
    /// Prints in `format`.
    pub fn new(format: OutputFormat) -> Output {
        Output { format }
    }

    /// Whether results are JSON (no spinners, no prose).
    pub fn is_json(self) -> bool {
        self.format == OutputFormat::Json
    }

    /// The result of a command: `message` as one JSON document, or `table(message)`.
    pub fn show<T: Serialize>(self, message: &T, table: impl FnOnce(&T) -> String) -> Result<()> {
        let text = match self.format {
            OutputFormat::Json => json_document(message).map_err(std::io::Error::from)?,
            OutputFormat::Table => table(message),
        };
        write_stdout(&text)
    }

    /// One streamed message as a JSON line (JSON output only; nothing for tables).
    pub fn stream_line<T: Serialize>(self, message: &T) -> Result<()> {
        if !self.is_json() {
            return Ok(());
        }
        write_stdout(&json_line(message).map_err(std::io::Error::from)?)
    }

    /// Prose for people (table output only; nothing for JSON).
    pub fn text(self, text: &str) -> Result<()> {
        if self.is_json() {
            return Ok(());
        }
        write_stdout(text)
    }
}

fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
