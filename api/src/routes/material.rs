//! `/courses/{id}/material`: what a course gives to study — an article, a PDF, a video or
//! a link — written and uploaded by admin and HR, served to those who study it.

use poem::{Body, web::Data};
use poem_openapi::{
    ApiRequest, ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::{Binary, Json},
};

use super::ApiTags;
use crate::{
    auth::BearerAuth,
    config::HttpConfig,
    error::ApiResult,
    validate::Checked,
    views::material::{MaterialFile, MaterialKind, MaterialView},
};
use domain::{
    error::{AppError, Code, FieldError},
    policy::{self, Action},
    services::material::{self, ByteRange, Served, Upload, Written},
    state::AppState,
};

pub struct MaterialApi;

/// An article or a link.
#[derive(Debug, Object)]
pub struct WrittenMaterial {
    /// `article` or `link` (a PDF or video is uploaded as itself).
    pub kind: MaterialKind,
    /// 1 to 200 characters.
    #[oai(validator(max_length = 200))]
    pub title: String,
    /// An article's Markdown: required for `article`, up to 200,000 characters.
    #[oai(validator(max_length = 200000))]
    pub text: Option<String>,
    /// A link's `http://` or `https://` address: required for `link`.
    #[oai(validator(max_length = 2000))]
    pub url: Option<String>,
}

/// The material: JSON for an article or a link, or the file itself — a PDF or an MP4, WebM
/// or Ogg video, told apart by its first bytes, whatever media type it is sent with
/// (`application/octet-stream`, `application/pdf`, `video/mp4`…).
#[derive(ApiRequest)]
pub enum MaterialUpload {
    #[oai(content_type = "application/json")]
    Written(Checked<WrittenMaterial>),
    File(Binary<Body>),
}

#[derive(ApiResponse)]
pub enum MaterialSet {
    /// The course's material as the study page shows it.
    #[oai(status = 200)]
    Ok(Json<MaterialView>),
}

#[derive(ApiResponse)]
pub enum MaterialRemoved {
    /// The course has no material now.
    #[oai(status = 204)]
    Removed,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Courses")]
impl MaterialApi {
    /// Set a course's material (admin, hr; audited): an article or a link as JSON, or a
    /// PDF or video (MP4, WebM, Ogg: read from its first bytes) as the body, named by
    /// `title`. A file replaces what the course had once it is stored whole; a file past
    /// `XUEFA_MAX_MATERIAL_BYTES` is 413, anything but a PDF or a video 415.
    #[oai(
        path = "/courses/:id/material",
        method = "put",
        operation_id = "setCourseMaterial"
    )]
    async fn set(
        &self,
        state: Data<&AppState>,
        http: Data<&HttpConfig>,
        auth: BearerAuth,
        id: Path<i64>,
        /// The file's title (required with a file; the JSON carries its own).
        #[oai(validator(max_length = 200))]
        title: Query<Option<String>>,
        body: MaterialUpload,
    ) -> ApiResult<MaterialSet> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCourses).await?;
        let now = state.clock.now();
        let file = match body {
            MaterialUpload::Written(w) => {
                let w = w.0;
                let written = match w.kind {
                    MaterialKind::Article => Written::Article {
                        title: w.title,
                        text: w.text.unwrap_or_default(),
                    },
                    MaterialKind::Link => Written::Link {
                        title: w.title,
                        url: w.url.unwrap_or_default(),
                    },
                    MaterialKind::Pdf | MaterialKind::Video => {
                        return Err(AppError::invalid(FieldError::new(
                            "kind",
                            Code::UnknownValue,
                            "a PDF or a video is uploaded as the file itself, not as JSON",
                        ))
                        .into());
                    }
                };
                let course =
                    material::set_written(&state.db, &auth.0, &scope, id.0, Some(written), now)
                        .await?;
                return Ok(view(&course));
            }
            MaterialUpload::File(b) => b.0,
        };
        let title = title.0.unwrap_or_default();
        let upload = Upload {
            course_id: id.0,
            title: &title,
            max_bytes: http.max_material_bytes,
        };
        let stream = Box::pin(file.into_bytes_stream());
        let course = material::upload(&state.db, &auth.0, &scope, upload, stream, now).await?;
        Ok(view(&course))
    }

    /// Remove a course's material (admin, hr; audited).
    #[oai(
        path = "/courses/:id/material",
        method = "delete",
        operation_id = "removeCourseMaterial"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<MaterialRemoved> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCourses).await?;
        material::set_written(&state.db, &auth.0, &scope, id.0, None, state.clock.now()).await?;
        Ok(MaterialRemoved::Removed)
    }

    /// A course's file (a PDF or video; an article as Markdown), to those who keep courses
    /// or campaigns and to cadres on a campaign that lists the course (else 404). One
    /// range (`Range: bytes=…`) is answered with 206, so a video seeks; a range outside
    /// the file is 416. A link, or no material, is 404.
    #[oai(
        path = "/courses/:id/material",
        method = "get",
        operation_id = "getCourseMaterial"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        /// One byte range, e.g. `bytes=0-1048575`.
        #[oai(name = "Range")]
        range: Header<Option<String>>,
    ) -> ApiResult<MaterialFile> {
        policy::authorize(&auth.0, Action::ReadCatalogue)?;
        let (file_id, size, content_type, etag) =
            match material::served(&state.db, &auth.0, id.0).await? {
                Served::Text { text, etag } => {
                    return Ok(MaterialFile::Whole {
                        length: text.len() as u64,
                        body: Body::from_string(text),
                        content_type: "text/markdown; charset=utf-8".into(),
                        etag,
                    });
                }
                Served::File {
                    file_id,
                    size,
                    content_type,
                    etag,
                } => (file_id, size, content_type, etag),
            };
        let (start, end, partial) = match material::byte_range(range.0.as_deref(), size) {
            ByteRange::Whole => (0, size - 1, false),
            ByteRange::Part(start, end) => (start, end, true),
            ByteRange::NotSatisfiable => return Ok(MaterialFile::NotSatisfiable { size }),
        };
        let body =
            Body::from_bytes_stream(material::read_range(state.db.clone(), file_id, start, end));
        let length = end - start + 1;
        Ok(if partial {
            MaterialFile::Part {
                body,
                content_type,
                range: format!("bytes {start}-{end}/{size}"),
                length,
                etag,
            }
        } else {
            MaterialFile::Whole {
                body,
                content_type,
                length,
                etag,
            }
        })
    }
}

fn view(course: &entity::course::Model) -> MaterialSet {
    MaterialSet::Ok(Json(
        MaterialView::of(course).expect("material was just set"),
    ))
}
