//! Tables as files HR and the judicial office open in Excel: CSV (UTF-8 with BOM, so
//! Chinese text opens correctly) and XLSX (numbers as numbers, rates as percentages).

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{AppError, AppResult};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    /// A fraction shown as a percentage; `None` is an empty cell.
    Rate(Option<f64>),
    /// Yuan, held as cents and written as text with two decimals (`0.30`), so that no
    /// binary float ever touches it.
    Money(i64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Cell::Int(n as i64)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Self {
        Cell::Int(n as i64)
    }
}

/// A named table.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, headers: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// A rate as the narrative and CSV show it: `95.24%`.
pub fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.2}%", r * 100.0))
        .unwrap_or_default()
}

/// A text cell that Excel or WPS would read as a formula (it starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) is written with a leading `'`, so it shows as text and never
/// runs (CSV injection, as OWASP advises). Numbers are written as numbers, untouched.
pub fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The sheets one after another in one CSV, separated by a blank line and a title line
/// when there are several.
pub fn csv(sheets: &[Sheet]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        for (i, sheet) in sheets.iter().enumerate() {
            if sheets.len() > 1 {
                if i > 0 {
                    let _ = w.write_record([""]);
                }
                let _ = w.write_record([sheet.name.as_str()]);
            }
            let _ = w.write_record(&sheet.headers);
            for row in &sheet.rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        Cell::Text(s) => inert(s),
                        Cell::Int(n) => n.to_string(),
                        Cell::Num(x) => format!("{x}"),
                        Cell::Rate(r) => percent(*r),
                        Cell::Money(cents) => crate::money::yuan(*cents),
                    })
                    .collect();
                let _ = w.write_record(&cells);
            }
        }
        let _ = w.flush();
    }
    out
}

/// One worksheet per sheet. A workbook built from our own tables cannot fail on client
/// input; if it does, the fault is ours (an internal error).
pub fn xlsx(sheets: &[Sheet]) -> AppResult<Vec<u8>> {
    let internal = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    let rate = Format::new().set_num_format("0.00%");
    let money = Format::new().set_align(rust_xlsxwriter::FormatAlign::Right);
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name).map_err(internal)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &header)
                .map_err(internal)?;
            ws.set_column_width(c as u16, 14).map_err(internal)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => ws.write_string(r, c, s),
                    Cell::Int(n) => ws.write_number(r, c, *n as f64),
                    Cell::Num(x) => ws.write_number(r, c, *x),
                    Cell::Rate(Some(x)) => ws.write_number_with_format(r, c, *x, &rate),
                    Cell::Rate(None) => ws.write_string(r, c, ""),
                    Cell::Money(cents) => {
                        ws.write_string_with_format(r, c, crate::money::yuan(*cents), &money)
                    }
                }
                .map_err(internal)?;
            }
        }
    }
    book.save_to_buffer().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_written_as_text() {
        for (raw, written) in [
            (
                "=HYPERLINK(\"http://x\",\"点我\")",
                "'=HYPERLINK(\"http://x\",\"点我\")",
            ),
            ("+1", "'+1"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("张伟", "张伟"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(inert(raw), written);
        }
    }

    #[test]
    fn every_csv_text_cell_goes_through_the_helper_and_numbers_do_not() {
        let mut sheet = Sheet::new("s", &["name", "n"]);
        sheet.rows.push(vec![Cell::from("=1+1"), Cell::Int(-5)]);
        let text = String::from_utf8(csv(&[sheet])).unwrap();
        assert!(text.contains("'=1+1,-5"), "{text}");
    }
}
