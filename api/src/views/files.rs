//! Exports: operations of their own that answer with a file to download, so that a
//! generated client types them as bytes (or text) and the JSON operations stay JSON only.

use std::marker::PhantomData;

use domain::services::exports::{ExportFile, FileFormat, SheetFormat};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use poem::{IntoResponse, Response};
use poem_openapi::{
    ApiResponse, Enum,
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
    types::Type,
};

pub const CSV: &str = FileFormat::Csv.content_type();
pub const XLSX: &str = FileFormat::Xlsx.content_type();
pub const TEXT: &str = FileFormat::Text.content_type();

/// The file types an export offers.
pub trait Formats: Send + Sync {
    const TYPES: &'static [&'static str];
    const DESCRIPTION: &'static str;
}

/// CSV and XLSX.
pub struct Tables;
impl Formats for Tables {
    const TYPES: &'static [&'static str] = &[CSV, XLSX];
    const DESCRIPTION: &'static str = "The file: CSV (UTF-8 with BOM) or XLSX (one sheet per \
        table, Chinese headers, rates as percentages).";
}

/// A zh-CN text, CSV and XLSX.
pub struct Summary;
impl Formats for Summary {
    const TYPES: &'static [&'static str] = &[TEXT, CSV, XLSX];
    const DESCRIPTION: &'static str = "The file: the zh-CN narrative (text), or the same \
        figures as CSV (UTF-8 with BOM) or XLSX.";
}

/// The file type of a table export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum TableFormat {
    /// UTF-8 with BOM, so that Excel and WPS open Chinese text correctly.
    Csv,
    /// Excel: one sheet per table, Chinese headers, numbers as numbers.
    Xlsx,
}

/// The file type of a summary export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SummaryFormat {
    /// The zh-CN narrative, ready to paste into the 工作总结.
    Text,
    /// UTF-8 with BOM.
    Csv,
    /// Excel, a sheet per section.
    Xlsx,
}

/// A file to download, named for a person (`name`, in Chinese) and with a plain ASCII
/// fallback (`ascii`) for clients that do not read RFC 5987.
pub struct Download<F> {
    bytes: Vec<u8>,
    content_type: &'static str,
    disposition: String,
    _formats: PhantomData<F>,
}

/// The characters RFC 5987 lets stand unescaped in `filename*` (its `attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="ascii.ext"; filename*=UTF-8''%E5…ext`.
pub fn content_disposition(name: &str, ascii: &str, ext: &str) -> String {
    let fallback: String = ascii
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&format!("{name}.{ext}"), ATTR_CHAR).to_string();
    format!("attachment; filename=\"{fallback}.{ext}\"; filename*=UTF-8''{encoded}")
}

impl<F> From<ExportFile> for Download<F> {
    fn from(f: ExportFile) -> Self {
        Self {
            disposition: content_disposition(&f.name, &f.ascii_name, f.format.extension()),
            content_type: f.format.content_type(),
            bytes: f.bytes,
            _formats: PhantomData,
        }
    }
}

impl From<TableFormat> for SheetFormat {
    fn from(f: TableFormat) -> Self {
        match f {
            TableFormat::Csv => SheetFormat::Csv,
            TableFormat::Xlsx => SheetFormat::Xlsx,
        }
    }
}

impl From<SummaryFormat> for FileFormat {
    fn from(f: SummaryFormat) -> Self {
        match f {
            SummaryFormat::Text => FileFormat::Text,
            SummaryFormat::Csv => FileFormat::Csv,
            SummaryFormat::Xlsx => FileFormat::Xlsx,
        }
    }
}

impl<F: Formats> IntoResponse for Download<F> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(self.content_type)
            .header("Content-Disposition", self.disposition)
            .body(self.bytes)
    }
}

impl<F: Formats> ApiResponse for Download<F> {
    fn meta() -> MetaResponses {
        let content = F::TYPES
            .iter()
            .map(|ct| MetaMediaType {
                content_type: ct,
                schema: if *ct == TEXT {
                    String::schema_ref()
                } else {
                    MetaSchemaRef::Inline(Box::new(MetaSchema {
                        format: Some("binary"),
                        ..MetaSchema::new("string")
                    }))
                },
            })
            .collect();
        MetaResponses {
            responses: vec![MetaResponse {
                description: F::DESCRIPTION,
                status: Some(200),
                status_range: None,
                content,
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some(
                        "`attachment` with the file's name: `filename` in ASCII and \
                         `filename*` (RFC 5987) in Chinese."
                            .into(),
                    ),
                    required: true,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}
