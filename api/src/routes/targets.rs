//! `/campaigns/{id}/targets`: the four 100% targets, and who is holding them back.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::views::{
    enums,
    files::{Download, TableFormat, Tables},
    paging::{PageParam, PerPageParam, page_req},
    targets::TargetsView,
};
use domain::{
    policy::{self, Action},
    services::audit::{Disclosed, Disclosure},
    services::report_turn::ReportTurn,
    services::{
        self,
        targets::{Missing, Target},
    },
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult};

pub struct TargetsApi;

/// A roster member who does not count yet, and what they lack.
#[derive(Debug, Object)]
pub struct MissingMember {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub employee_no: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub is_leader: bool,
    pub active: bool,
    pub credited_minutes: i32,
    /// Of `credited_minutes`, those timed live by the server.
    pub live_minutes: i32,
    /// Of `credited_minutes`, those uploaded by the app.
    pub self_reported_minutes: i32,
    pub required_minutes: i32,
    /// Minutes still needed to reach `required_minutes`.
    pub minutes_short: i32,
    /// Compulsory courses not yet fully studied (titles).
    pub compulsory_unfinished: Vec<String>,
    pub study_complete: bool,
    pub attempts_used: i32,
    pub attempts_left: i32,
    pub best_score: Option<f64>,
    /// The best finished attempt's grade.
    pub grade: Option<enums::Grade>,
}

impl From<Missing> for MissingMember {
    fn from(m: Missing) -> Self {
        let minutes_short = m.minutes_short();
        Self {
            user_id: m.user.id,
            username: m.user.username,
            name: m.user.name,
            employee_no: m.user.employee_no,
            unit_id: m.user.unit_id,
            unit_name: m.unit_name,
            is_leader: m.user.is_leader,
            active: m.user.active,
            credited_minutes: m.enrollment.credited_minutes,
            live_minutes: m.enrollment.live_minutes,
            self_reported_minutes: m.enrollment.credited_minutes - m.enrollment.live_minutes,
            required_minutes: m.required_minutes,
            minutes_short,
            compulsory_unfinished: m.compulsory_unfinished,
            study_complete: m.enrollment.study_complete,
            attempts_used: m.enrollment.attempts_used,
            attempts_left: m.attempts_left,
            best_score: m.best_score,
            grade: m.grade.map(Into::into),
        }
    }
}

#[derive(ApiResponse)]
pub enum TargetsResponse {
    /// The four targets, overall and per unit.
    #[oai(status = 200)]
    Ok(Json<TargetsView>),
}

#[derive(ApiResponse)]
pub enum MissingResponse {
    /// A page of the members who do not count yet.
    #[oai(status = 200)]
    Ok(Json<MissingPage>),
}

/// A page of the members who do not count yet.
#[derive(Debug, Object)]
pub struct MissingPage {
    pub target: enums::Target,
    pub items: Vec<MissingMember>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Targets")]
impl TargetsApi {
    /// The four 100% targets of a campaign (admin, hr), overall and per unit with its
    /// sub-units; `unit_id` looks at one branch.
    #[oai(
        path = "/campaigns/:id/targets",
        method = "get",
        operation_id = "getCampaignTargets"
    )]
    async fn campaign_targets(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        unit_id: Query<Option<i64>>,
    ) -> ApiResult<TargetsResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadTargets).await?;
        let scope = scope.filtered(&state.db, "unit_id", unit_id.0).await?;
        let turn = ReportTurn::take().await;
        let report =
            services::targets::campaign_targets(&state.db, &turn, id.0, &scope, state.clock.now())
                .await?;
        Ok(TargetsResponse::Ok(Json(report.into())))
    }

    /// The four targets as a file (admin, hr): a sheet for the whole and one with every
    /// unit.
    #[oai(
        path = "/campaigns/:id/targets/export",
        method = "get",
        operation_id = "exportCampaignTargets"
    )]
    async fn export_targets(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        format: Query<TableFormat>,
        unit_id: Query<Option<i64>>,
    ) -> ApiResult<Download<Tables>> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadTargets).await?;
        let file = services::exports::targets(
            &state.db,
            &auth.0,
            (&scope, unit_id.0),
            id.0,
            format.0.into(),
            state.clock.now(),
        )
        .await?;
        Ok(file.into())
    }

    /// The roster members who do not yet count for `target` (admin, hr), with what they
    /// lack, so HR can call them.
    #[oai(
        path = "/campaigns/:id/targets/missing",
        method = "get",
        operation_id = "listMissingMembers"
    )]
    async fn missing_members(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        target: Query<enums::Target>,
        unit_id: Query<Option<i64>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<MissingResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadTargets).await?;
        let scope = scope.filtered(&state.db, "unit_id", unit_id.0).await?;
        let turn = ReportTurn::take().await;
        let found = services::targets::missing(
            &state.db,
            &turn,
            id.0,
            target.0.into(),
            &scope,
            page_req(page, per_page),
            state.clock.now(),
        )
        .await?;
        super::disclosed(
            &state,
            &auth.0,
            Disclosed {
                kind: Disclosure::ReadPeople,
                what: "missing",
                filters: &[
                    ("campaign", Some(id.0.to_string())),
                    ("target", Some(Target::from(target.0).key().to_owned())),
                    ("unit_id", unit_id.0.map(|u| u.to_string())),
                ],
                rows: found.items.len(),
            },
        )
        .await?;
        Ok(MissingResponse::Ok(Json(MissingPage {
            target: target.0,
            items: found.items.into_iter().map(MissingMember::from).collect(),
            total: found.total,
            page: found.page,
            per_page: found.per_page,
        })))
    }

    /// Every roster member who does not yet count for `target`, as a file (admin, hr).
    #[oai(
        path = "/campaigns/:id/targets/missing/export",
        method = "get",
        operation_id = "exportMissingMembers"
    )]
    async fn export_missing(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        target: Query<enums::Target>,
        format: Query<TableFormat>,
        unit_id: Query<Option<i64>>,
    ) -> ApiResult<Download<Tables>> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadTargets).await?;
        let file = services::exports::missing(
            &state.db,
            &auth.0,
            (&scope, unit_id.0),
            id.0,
            target.0.into(),
            format.0.into(),
            state.clock.now(),
        )
        .await?;
        Ok(file.into())
    }
}
