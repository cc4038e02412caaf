//! The year-end archive: `POST /reports/annual/{year}/archive`, the list, each archive as
//! it was served (and as files), and what has changed since.

use chrono::{DateTime, Utc};
use poem::{IntoResponse, Response, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
};

use super::ApiTags;
use crate::views::{
    annual::{AnnualFigures, UnitRef},
    files::{Download, Summary, SummaryFormat},
    paging::{Page, PageParam, PerPageParam, page_req},
    targets::TargetsView,
};
use domain::{
    policy::{self, Action},
    services,
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult};

pub struct ArchivesApi;

/// One campaign's four targets, with every unit, as they stood.
#[derive(Debug, Object)]
#[allow(dead_code)]
pub struct CampaignTargetsArchive {
    pub campaign_id: i64,
    pub title: String,
    pub targets: TargetsView,
}

/// An archive's content: the annual summary and each of the year's campaigns' targets
/// (with `by_unit`) as they stood when it was frozen. Served byte for byte as stored; its
/// SHA-256 is the archive's `sha256`.
// This type only states the stored JSON's shape in the spec: the domain's
// `services::archives::v1::Archive` writes it, and `tests/archives.rs` checks that the two
// agree (an archive's summary and targets equal the live operations' answers).
#[derive(Debug, Object)]
#[allow(dead_code)]
pub struct ArchivedReport {
    pub year: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    /// The unit summarised; absent for the whole installation.
    pub unit: Option<UnitRef>,
    pub summary: AnnualFigures,
    pub targets: Vec<CampaignTargetsArchive>,
}

/// An archive's record.
#[derive(Debug, Object)]
pub struct ArchiveInfo {
    pub id: i64,
    pub year: i32,
    /// The unit summarised (its subtree); `null` for the whole installation.
    pub unit_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    /// Hex SHA-256 of `GET /reports/archives/{id}`'s body.
    pub sha256: String,
}

/// A figure that has moved since the archive.
#[derive(Debug, Object)]
pub struct ArchiveChange {
    /// Where in the archive's JSON: `summary.mediation.cases`, `targets[0].pass.count`.
    pub path: String,
    /// The value in the archive (any JSON value; `null` when it was not there).
    pub archived: serde_json::Value,
    /// The value now (any JSON value; `null` when it is gone).
    pub live: serde_json::Value,
}

#[derive(ApiResponse)]
pub enum ArchiveCreated {
    /// Frozen.
    #[oai(status = 201)]
    Created(Json<ArchiveInfo>),
}

#[derive(ApiResponse)]
pub enum ArchiveList {
    /// The year's archives, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<ArchiveInfo>>),
}

#[derive(ApiResponse)]
pub enum ArchiveDiff {
    /// Every figure that differs, in the archive's order; empty when nothing moved.
    #[oai(status = 200)]
    Ok(Json<Vec<ArchiveChange>>),
}

/// An archive's JSON exactly as stored, typed as [`ArchivedReport`].
pub struct StoredJson(String);

impl IntoResponse for StoredJson {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(self.0)
    }
}

impl ApiResponse for StoredJson {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The archive as it was frozen, byte for byte (its SHA-256 is the \
                              archive's `sha256`).",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: "application/json; charset=utf-8",
                    schema: ArchivedReport::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        ArchivedReport::register(registry);
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Activities")]
impl ArchivesApi {
    /// Freeze the year's annual summary and its campaigns' targets (admin, judicial).
    /// Later edits move the live report, never the archive.
    #[oai(
        path = "/reports/annual/:year/archive",
        method = "post",
        operation_id = "createArchive"
    )]
    async fn create_archive(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
        /// The unit whose summary to freeze; default the caller's scope unit (outside it
        /// → 404).
        unit_id: Query<Option<i64>>,
    ) -> ApiResult<ArchiveCreated> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ArchiveYear).await?;
        let a = services::archives::freeze(
            &state.db,
            &auth.0,
            (&scope, unit_id.0),
            year.0,
            state.as_of(),
        )
        .await?;
        Ok(ArchiveCreated::Created(Json(ArchiveInfo {
            id: a.id,
            year: a.year,
            unit_id: a.unit_id,
            created_at: a.created_at,
            created_by: a.created_by,
            sha256: a.sha256,
        })))
    }

    /// The year's archives, newest first (admin, judicial, hr).
    #[oai(
        path = "/reports/annual/:year/archives",
        method = "get",
        operation_id = "listArchives"
    )]
    async fn list_archives(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
        /// Only the archives of this unit (else every one of the caller's scope).
        unit_id: Query<Option<i64>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<ArchiveList> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadActivities).await?;
        let found = services::archives::list(
            &state.db,
            (&scope, unit_id.0),
            year.0,
            page_req(page, per_page),
        )
        .await?;
        Ok(ArchiveList::Ok(Json(Page::of(
            found,
            |(id, year, unit_id, created_at, created_by, sha256)| ArchiveInfo {
                id,
                year,
                unit_id,
                created_at,
                created_by,
                sha256,
            },
        ))))
    }

    /// An archive, byte for byte as frozen (admin, judicial, hr).
    #[oai(
        path = "/reports/archives/:id",
        method = "get",
        operation_id = "getArchive"
    )]
    async fn get_archive(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<StoredJson> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadActivities).await?;
        Ok(StoredJson(
            services::archives::get(&state.db, &scope, id.0).await?.body,
        ))
    }

    /// An archive as a file (admin, judicial, hr): the narrative, CSV or XLSX as they were
    /// when it was frozen.
    #[oai(
        path = "/reports/archives/:id/export",
        method = "get",
        operation_id = "exportArchive"
    )]
    async fn export_archive(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        format: Query<SummaryFormat>,
    ) -> ApiResult<Download<Summary>> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadActivities).await?;
        let file = services::exports::archive(&state.db, &scope, id.0, format.0.into()).await?;
        Ok(file.into())
    }

    /// The figures that differ between an archive and the live report now (admin,
    /// judicial, hr): `[{path, archived, live}]`.
    #[oai(
        path = "/reports/archives/:id/diff",
        method = "get",
        operation_id = "diffArchive"
    )]
    async fn diff_archive(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<ArchiveDiff> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadActivities).await?;
        let changes = services::archives::diff_live(&state.db, &scope, id.0, state.as_of()).await?;
        Ok(ArchiveDiff::Ok(Json(
            changes
                .into_iter()
                .map(|c| ArchiveChange {
                    path: c.path,
                    archived: c.archived.unwrap_or_default(),
                    live: c.live.unwrap_or_default(),
                })
                .collect(),
        )))
    }
}
