//! The text of an uploaded file (a roster or a question bank exported from Excel).

use crate::error::{AppError, AppResult, Code, FieldError};

/// A CSV upload as Excel writes it: decoded (see [`decode_text`]), its header line, and
/// every line that is not blank with its number (the header is line 1). A line the CSV
/// reader cannot read is an error at that line.
pub struct CsvFile {
    pub headers: csv::StringRecord,
    pub lines: Vec<Result<(u64, csv::StringRecord), FieldError>>,
}

/// Reads a CSV upload: cells trimmed, lines of different lengths allowed.
pub fn read_csv(bytes: &[u8], charset: Option<&str>) -> AppResult<CsvFile> {
    let text = decode_text(bytes, charset)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| AppError::BadRequest(format!("cannot read the header line: {e}")))?
        .clone();
    let lines = reader
        .records()
        .filter_map(|record| match record {
            Ok(r) if r.iter().all(|f| f.trim().is_empty()) => None,
            Ok(r) => Some(Ok((r.position().map(|p| p.line()).unwrap_or(0), r))),
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                Some(Err(FieldError::new(
                    "",
                    Code::Unreadable,
                    format!("unreadable line: {e}"),
                )
                .at(line)))
            }
        })
        .collect();
    Ok(CsvFile { headers, lines })
}

/// Decodes an upload. With a `charset` named by the client (`text/csv; charset=gbk`), in
/// that charset, strictly; without one, UTF-8 (a BOM is dropped) or, when the bytes are not
/// UTF-8, GBK/GB18030 — what Excel writes in a Chinese locale.
pub fn decode_text(bytes: &[u8], charset: Option<&str>) -> AppResult<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(label) = charset {
        let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| AppError::UnsupportedMediaType(format!("unknown charset {label:?}")))?;
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        if had_errors {
            return Err(AppError::BadRequest(format!(
                "the file is not valid {} text",
                encoding.name()
            )));
        }
        return Ok(text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(AppError::BadRequest(
            "the file is neither UTF-8 nor GBK text".into(),
        ));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_charset_is_honoured() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,张伟");
        assert_eq!(decode_text(&gbk, Some("gbk")).unwrap(), "姓名,张伟");
        assert_eq!(decode_text(&gbk, None).unwrap(), "姓名,张伟");
        assert_eq!(
            decode_text("姓名".as_bytes(), Some("UTF-8")).unwrap(),
            "姓名"
        );
        // GBK bytes declared as UTF-8 are refused, not guessed.
        assert!(matches!(
            decode_text(&gbk, Some("utf-8")),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            decode_text(b"a", Some("klingon")),
            Err(AppError::UnsupportedMediaType(_))
        ));
    }

    #[test]
    fn a_bom_is_dropped() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFname", None).unwrap(), "name");
    }
}
