//! A minimal aligned-columns table: a header row, then one row per item, columns separated by
//! two spaces and padded to their widest cell (counted in characters). No trailing spaces.
//!
//! ```text
//! ID  NAME      ROLE
//! 1   miroir-1  leader
//! ```

/// Rows of cells under a header.
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new<const N: usize>(header: [&str; N]) -> Table {
        Table {
            header: header.iter().map(|title| (*title).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are blank, extra cells are dropped.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut row: Vec<String> = cells
            .into_iter()
            .map(Into::into)
            .take(self.header.len())
            .collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// The table as text, one line per row, each ending with a newline.
    pub fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|column| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|row| row[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (column, cell) in row.iter().enumerate() {
                if column > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                let padding = widths[column] - cell.chars().count();
                line.extend(std::iter::repeat_n(' ', padding));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `text`, or `-` when it is empty (so columns never look shifted).
pub fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell() {
        let mut table = Table::new(["ID", "NAME", "ROLE"]);
        table.row(["1", "miroir-1", "leader"]);
        table.row(["10", "m", ""]);
        assert_eq!(
            table.render(),
            "ID  NAME      ROLE\n1   miroir-1  leader\n10  m\n"
        );
    }

    #[test]
    fn rows_are_padded_or_cut_to_the_header() {
        let mut table = Table::new(["A", "B"]);
        table.row(["1"]);
        table.row(["1", "2", "3"]);
        assert_eq!(table.render(), "A  B\n1\n1  2\n");
    }

    #[test]
    fn widths_count_characters_not_bytes() {
        let mut table = Table::new(["NAME", "X"]);
        table.row(["été", "1"]);
        assert_eq!(table.render(), "NAME  X\nété   1\n");
    }

    #[test]
    fn empty_cells_become_dashes() {
        assert_eq!(or_dash(""), "-");
        assert_eq!(or_dash("x"), "x");
    }
}
