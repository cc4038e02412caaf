//! A course's material as the API shows it, and the file response of
//! `GET /courses/{id}/material` (whole, or the byte range asked for).

use chrono::{DateTime, Utc};
use entity::{course, vocabulary::MaterialKind as Kind};
use poem::{Body, IntoResponse, Response, http::StatusCode};
use poem_openapi::{
    ApiResponse, Enum, Object,
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
    types::{ToJSON, Type},
};

use crate::error::Problem;

/// What a course's material is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "entity::vocabulary::MaterialKind", rename_all = "lowercase")]
pub enum MaterialKind {
    Article,
    Pdf,
    Video,
    Link,
}

/// A course's material: what the study page shows while the live session runs.
#[derive(Debug, Object)]
pub struct MaterialView {
    pub kind: MaterialKind,
    pub title: String,
    /// An article's Markdown (as written).
    pub text: Option<String>,
    /// An article as HTML to show: its Markdown rendered, any raw HTML shown as text,
    /// links only to http(s), mailto or this site.
    pub html: Option<String>,
    /// A link's address.
    pub url: Option<String>,
    /// An uploaded file: where to fetch it (range requests served), its type, length
    /// and SHA-256.
    pub file_path: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl MaterialView {
    pub fn of(c: &course::Model) -> Option<Self> {
        let kind = c.material_kind?;
        let file = matches!(kind, Kind::Pdf | Kind::Video);
        Some(Self {
            kind: kind.into(),
            title: c.material_title.clone().unwrap_or_default(),
            html: c
                .material_text
                .as_deref()
                .map(domain::services::material::article_html),
            text: c.material_text.clone(),
            url: c.material_url.clone(),
            file_path: file.then(|| format!("/api/v1/courses/{}/material", c.id)),
            content_type: c.material_content_type.clone(),
            size: c.material_size,
            sha256: c.material_sha256.clone(),
            updated_at: c.material_updated_at,
        })
    }
}

/// The media types a course file is served as (and uploaded with).
pub const FILE_TYPES: &[&str] = &[
    "application/pdf",
    "video/mp4",
    "video/webm",
    "video/ogg",
    "text/markdown",
];

/// A course's file, whole (200) or the range asked for (206), or 416 for a range
/// outside it.
pub enum MaterialFile {
    Whole {
        body: Body,
        content_type: String,
        length: u64,
        etag: String,
    },
    Part {
        body: Body,
        content_type: String,
        /// `bytes start-end/size`
        range: String,
        length: u64,
        etag: String,
    },
    NotSatisfiable {
        size: u64,
    },
}

impl IntoResponse for MaterialFile {
    fn into_response(self) -> Response {
        match self {
            MaterialFile::Whole {
                body,
                content_type,
                length,
                etag,
            } => Response::builder()
                .content_type(content_type)
                .header("Accept-Ranges", "bytes")
                .header("Content-Length", length)
                .header("ETag", etag)
                .body(body),
            MaterialFile::Part {
                body,
                content_type,
                range,
                length,
                etag,
            } => Response::builder()
                .status(StatusCode::PARTIAL_CONTENT)
                .content_type(content_type)
                .header("Accept-Ranges", "bytes")
                .header("Content-Range", range)
                .header("Content-Length", length)
                .header("ETag", etag)
                .body(body),
            MaterialFile::NotSatisfiable { size } => {
                let problem = Problem::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "range_not_satisfiable",
                    format!("the range lies outside the file of {size} bytes"),
                );
                Response::builder()
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .content_type("application/problem+json")
                    .header("Content-Range", format!("bytes */{size}"))
                    .body(problem.to_json_string())
            }
        }
    }
}

fn header(name: &str, description: &str, required: bool) -> MetaHeader {
    MetaHeader {
        name: name.into(),
        description: Some(description.into()),
        required,
        deprecated: false,
        schema: String::schema_ref(),
    }
}

impl ApiResponse for MaterialFile {
    fn meta() -> MetaResponses {
        let content = || {
            FILE_TYPES
                .iter()
                .map(|ct| MetaMediaType {
                    content_type: ct,
                    schema: MetaSchemaRef::Inline(Box::new(MetaSchema {
                        format: Some("binary"),
                        ..MetaSchema::new("string")
                    })),
                })
                .collect()
        };
        let common = || {
            vec![
                header("Accept-Ranges", "`bytes`", true),
                header("ETag", "the file's SHA-256 in quotes", true),
            ]
        };
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The whole file (an article: its Markdown).",
                    status: Some(200),
                    status_range: None,
                    content: content(),
                    headers: common(),
                },
                MetaResponse {
                    description: "The range asked for by `Range: bytes=…` (one range).",
                    status: Some(206),
                    status_range: None,
                    content: content(),
                    headers: {
                        let mut headers = common();
                        headers.push(header("Content-Range", "`bytes start-end/size`", true));
                        headers
                    },
                },
                MetaResponse {
                    description: "The range lies outside the file.",
                    status: Some(416),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/problem+json",
                        schema: Problem::schema_ref(),
                    }],
                    headers: vec![header("Content-Range", "`bytes */size`", true)],
                },
            ],
        }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}
