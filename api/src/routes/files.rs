//! A report that answers in JSON or, with `format=`, as a file. One 200 response lists
//! every content type it can carry (poem-openapi's derive keeps only one per status).

use std::marker::PhantomData;

use poem::{IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::{Json, Payload},
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
    types::{ToJSON, Type},
};

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const TEXT: &str = "text/plain; charset=utf-8";

/// The file formats an endpoint offers besides JSON.
pub trait Formats: Send + Sync {
    const TYPES: &'static [&'static str];
    const DESCRIPTION: &'static str;
}

/// CSV and XLSX.
pub struct Tables;
impl Formats for Tables {
    const TYPES: &'static [&'static str] = &[CSV, XLSX];
    const DESCRIPTION: &'static str =
        "JSON, or with `format=csv` (UTF-8 with BOM) or `format=xlsx` a file to download.";
}

/// CSV only.
pub struct CsvOnly;
impl Formats for CsvOnly {
    const TYPES: &'static [&'static str] = &[CSV];
    const DESCRIPTION: &'static str =
        "JSON, or with `format=csv` a file to download (UTF-8 with BOM).";
}

/// A zh-CN text, CSV and XLSX.
pub struct Summary;
impl Formats for Summary {
    const TYPES: &'static [&'static str] = &[TEXT, CSV, XLSX];
    const DESCRIPTION: &'static str = "JSON; with `format=text` a zh-CN narrative; with `format=csv` or `format=xlsx` the same figures as tables.";
}

/// JSON, or a file.
pub enum Exported<T, F> {
    Json(T),
    File {
        bytes: Vec<u8>,
        content_type: &'static str,
        filename: String,
    },
    #[doc(hidden)]
    _Formats(PhantomData<F>),
}

impl<T, F> Exported<T, F> {
    pub fn file(bytes: Vec<u8>, content_type: &'static str, filename: String) -> Self {
        Exported::File {
            bytes,
            content_type,
            filename,
        }
    }
}

impl<T: ToJSON + Send, F: Formats> IntoResponse for Exported<T, F> {
    fn into_response(self) -> Response {
        match self {
            Exported::Json(value) => Json(value).into_response(),
            Exported::File {
                bytes,
                content_type,
                filename,
            } => {
                let mut builder = Response::builder().content_type(content_type);
                if content_type != TEXT {
                    builder = builder.header(
                        "Content-Disposition",
                        format!("attachment; filename=\"{filename}\""),
                    );
                }
                builder.body(bytes)
            }
            Exported::_Formats(_) => Response::default(),
        }
    }
}

impl<T: Type + ToJSON + Send, F: Formats> ApiResponse for Exported<T, F> {
    fn meta() -> MetaResponses {
        let binary = || {
            MetaSchemaRef::Inline(Box::new(MetaSchema {
                format: Some("binary"),
                ..MetaSchema::new("string")
            }))
        };
        let mut content = vec![MetaMediaType {
            content_type: Json::<T>::CONTENT_TYPE,
            schema: T::schema_ref(),
        }];
        content.extend(F::TYPES.iter().map(|ct| MetaMediaType {
            content_type: ct,
            schema: if *ct == TEXT {
                String::schema_ref()
            } else {
                binary()
            },
        }));
        MetaResponses {
            responses: vec![MetaResponse {
                description: F::DESCRIPTION,
                status: Some(200),
                status_range: None,
                content,
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some("For a file: `attachment; filename=…`.".into()),
                    required: false,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
