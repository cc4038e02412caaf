//! `/activities` and `/reports/annual/{year}`: the judicial office's records and the
//! year-end figures.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::views::{
    annual::AnnualReport,
    enums::{self, ActivityKind, Audience, GroupBy, OrganizerLevel, Theme, Venue},
    files::{Download, Summary, SummaryFormat},
    paging::{Page, PageParam, PerPageParam, page_req},
    text::{Clearable, Text},
};
use domain::{
    policy::{self, Action},
    services::report_turn::ReportTurn,
    services::{
        self,
        activities::{ActivityFilter, ActivityFull, ActivityInput, Tally},
    },
    state::AppState,
};

use crate::{
    auth::BearerAuth,
    error::{ApiResult, AppError},
    validate::Checked,
};

pub struct ActivitiesApi;

/// A recorded activity.
#[derive(Debug, Object)]
pub struct ActivityView {
    pub id: i64,
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub organizer_unit_id: i64,
    /// From the organiser unit's kind: street/department → `street`, community/village →
    /// `community`, anything else → `other`.
    pub organizer_level: OrganizerLevel,
    /// The six-into target (法律"六进"), if any.
    pub venue: Option<Venue>,
    pub themes: Vec<Theme>,
    pub audience: Audience,
    /// 人次
    pub attendance: i32,
    /// 宣传品份数 (publicity only).
    pub materials: i32,
    /// Cadres who attended (trainings).
    pub attendee_ids: Vec<i64>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ActivityFull> for ActivityView {
    fn from(a: ActivityFull) -> Self {
        Self {
            id: a.model.id,
            kind: a.kind().into(),
            venue: a.venue().map(Into::into),
            audience: a.audience().into(),
            organizer_level: a.organizer_level.into(),
            title: a.model.title,
            held_on: a.model.held_on,
            organizer_unit_id: a.model.organizer_unit_id,
            themes: enums::all(a.themes),
            attendance: a.model.attendance,
            materials: a.model.materials,
            attendee_ids: a.attendee_ids,
            notes: a.model.notes,
            created_at: a.model.created_at,
            updated_at: a.model.updated_at,
        }
    }
}

/// A new activity.
#[derive(Debug, Object)]
pub struct CreateActivity {
    pub kind: ActivityKind,
    #[oai(validator(max_length = 200))]
    pub title: Text,
    /// A date (`2026-12-04`), or a timestamp with offset, which is read as a date in the
    /// office's time zone.
    #[oai(validator(max_length = 40))]
    pub held_on: Text,
    pub organizer_unit_id: i64,
    pub venue: Option<Venue>,
    #[oai(default, validator(max_items = 8))]
    pub themes: Vec<Theme>,
    pub audience: Audience,
    /// ≥ 0; at least the number of `attendee_ids`.
    #[oai(validator(minimum(value = "0")))]
    pub attendance: i32,
    /// ≥ 0; publicity events only.
    #[oai(default, validator(minimum(value = "0")))]
    pub materials: i32,
    /// Cadres who attended a training.
    #[oai(default, validator(max_items = 100000))]
    pub attendee_ids: Vec<i64>,
    #[oai(default, validator(max_length = 5000))]
    pub notes: Text,
}

/// Changes to an activity; absent fields stay. `venue: null` clears it.
#[derive(Debug, Object)]
pub struct UpdateActivity {
    pub kind: Option<ActivityKind>,
    #[oai(validator(max_length = 200))]
    pub title: Option<Text>,
    #[oai(validator(max_length = 40))]
    pub held_on: Option<Text>,
    pub organizer_unit_id: Option<i64>,
    pub venue: Clearable<Venue>,
    #[oai(validator(max_items = 8))]
    pub themes: Option<Vec<Theme>>,
    pub audience: Option<Audience>,
    #[oai(validator(minimum(value = "0")))]
    pub attendance: Option<i32>,
    #[oai(validator(minimum(value = "0")))]
    pub materials: Option<i32>,
    #[oai(validator(max_items = 100000))]
    pub attendee_ids: Option<Vec<i64>>,
    #[oai(validator(max_length = 5000))]
    pub notes: Option<Text>,
}

/// Events, attendance and materials of a group.
#[derive(Debug, Object)]
pub struct GroupTally {
    pub key: String,
    pub events: u64,
    /// 人次
    pub attendance: u64,
    /// 宣传品份数
    pub materials: u64,
}

/// Totals, each event counted once.
#[derive(Debug, Object)]
pub struct TotalTally {
    pub events: u64,
    pub attendance: u64,
    pub materials: u64,
}

impl From<Tally> for TotalTally {
    fn from(t: Tally) -> Self {
        Self {
            events: t.events,
            attendance: t.attendance,
            materials: t.materials,
        }
    }
}

/// Statistics grouped one way. An event with two themes counts under each theme; the
/// total counts it once.
#[derive(Debug, Object)]
pub struct StatsView {
    pub group_by: GroupBy,
    pub groups: Vec<GroupTally>,
    pub total: TotalTally,
}

#[derive(ApiResponse)]
pub enum ActivityResponse {
    /// The activity.
    #[oai(status = 200)]
    Ok(Json<ActivityView>),
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<ActivityView>),
}

#[derive(ApiResponse)]
pub enum ActivityList {
    /// A page of activities, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<ActivityView>>),
}

#[derive(ApiResponse)]
pub enum ActivityDeleted {
    /// Deleted (kept for the audit trail, counted nowhere).
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum AnnualResponse {
    /// The year's figures.
    #[oai(status = 200)]
    Ok(Json<AnnualReport>),
}

#[derive(ApiResponse)]
pub enum StatsResponse {
    /// The statistics.
    #[oai(status = 200)]
    Ok(Json<StatsView>),
}

#[allow(clippy::too_many_arguments)]
fn filter_of(
    year: Option<i32>,
    kind: Option<ActivityKind>,
    venue: Option<Venue>,
    theme: Option<Theme>,
    audience: Option<Audience>,
    organizer_unit_id: Option<i64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<ActivityFilter, AppError> {
    if year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(AppError::invalid(domain::error::FieldError::out_of_range(
            "year", 2000, 2100,
        )));
    }
    Ok(ActivityFilter {
        year,
        kind: kind.map(Into::into),
        venue: venue.map(Into::into),
        theme: theme.map(Into::into),
        audience: audience.map(Into::into),
        organizer_unit_id,
        from,
        to,
        sort: None,
    })
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Activities")]
impl ActivitiesApi {
    /// List activities (admin, judicial), newest first.
    #[oai(path = "/activities", method = "get", operation_id = "listActivities")]
    async fn list_activities(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Calendar year of `held_on`.
        year: Query<Option<i32>>,
        kind: Query<Option<ActivityKind>>,
        venue: Query<Option<Venue>>,
        theme: Query<Option<Theme>>,
        audience: Query<Option<Audience>>,
        /// The organiser and its sub-units.
        organizer_unit_id: Query<Option<i64>>,
        /// Held on or after this date.
        from: Query<Option<NaiveDate>>,
        /// Held on or before this date.
        to: Query<Option<NaiveDate>>,
        /// The order: `held_on`, `title`, `attendance` or `materials`, with `-` first for
        /// descending; newest first when absent.
        #[oai(validator(max_length = 40))]
        sort: Query<Option<String>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<ActivityList> {
        let scope =
            policy::authorize_in_scope(&state.db, &auth.0, Action::RecordActivities).await?;
        let mut filter = filter_of(
            year.0,
            kind.0,
            venue.0,
            theme.0,
            audience.0,
            organizer_unit_id.0,
            from.0,
            to.0,
        )?;
        filter.sort = domain::paging::SortReq::parse(sort.0.as_deref());
        let found =
            services::activities::list(&state.db, &scope, &filter, page_req(page, per_page))
                .await?;
        Ok(ActivityList::Ok(Json(Page::of(found, ActivityView::from))))
    }

    /// Record an activity (admin, judicial).
    #[oai(path = "/activities", method = "post", operation_id = "createActivity")]
    async fn create_activity(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<CreateActivity>,
    ) -> ApiResult<ActivityResponse> {
        let scope =
            policy::authorize_in_scope(&state.db, &auth.0, Action::RecordActivities).await?;
        let b = body.0;
        let input = ActivityInput {
            kind: b.kind.into(),
            title: b.title.into(),
            held_on: domain::clock::parse_day("held_on", &b.held_on, state.config.tz)?,
            organizer_unit_id: b.organizer_unit_id,
            venue: b.venue.map(Into::into),
            themes: enums::all(b.themes),
            audience: b.audience.into(),
            attendance: b.attendance,
            materials: b.materials,
            attendee_ids: b.attendee_ids,
            notes: b.notes.into(),
        };
        let activity = services::activities::create(
            &state.db,
            &auth.0,
            &scope,
            input,
            (state.clock.now(), state.today()),
        )
        .await?;
        Ok(ActivityResponse::Created(Json(activity.into())))
    }

    /// Statistics (admin, judicial, hr): `group_by` one of organizer_level, venue, theme,
    /// audience, kind, month; the same filters as the list.
    #[oai(
        path = "/activities/stats",
        method = "get",
        operation_id = "getActivityStats"
    )]
    async fn activity_stats(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        group_by: Query<GroupBy>,
        year: Query<Option<i32>>,
        kind: Query<Option<ActivityKind>>,
        venue: Query<Option<Venue>>,
        theme: Query<Option<Theme>>,
        audience: Query<Option<Audience>>,
        organizer_unit_id: Query<Option<i64>>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> ApiResult<StatsResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadActivities).await?;
        let filter = filter_of(
            year.0,
            kind.0,
            venue.0,
            theme.0,
            audience.0,
            organizer_unit_id.0,
            from.0,
            to.0,
        )?;
        let all = services::activities::all(&state.db, &scope, &filter).await?;
        let stats = services::activities::stats(&all, group_by.0.into(), year.0);
        Ok(StatsResponse::Ok(Json(StatsView {
            group_by: group_by.0,
            groups: stats
                .groups
                .into_iter()
                .map(|(key, t)| GroupTally {
                    key,
                    events: t.events,
                    attendance: t.attendance,
                    materials: t.materials,
                })
                .collect(),
            total: stats.total.into(),
        })))
    }

    /// One activity (admin, judicial).
    #[oai(path = "/activities/:id", method = "get", operation_id = "getActivity")]
    async fn get_activity(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<ActivityResponse> {
        let scope =
            policy::authorize_in_scope(&state.db, &auth.0, Action::RecordActivities).await?;
        Ok(ActivityResponse::Ok(Json(
            services::activities::get(&state.db, &scope, id.0)
                .await?
                .into(),
        )))
    }

    /// Change an activity (admin, judicial).
    #[oai(
        path = "/activities/:id",
        method = "patch",
        operation_id = "updateActivity"
    )]
    async fn update_activity(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<UpdateActivity>,
    ) -> ApiResult<ActivityResponse> {
        let scope =
            policy::authorize_in_scope(&state.db, &auth.0, Action::RecordActivities).await?;
        let b = body.0;
        let date = match &b.held_on {
            Some(raw) => Some(domain::clock::parse_day("held_on", raw, state.config.tz)?),
            None => None,
        };
        let activity = services::activities::update(
            &state.db,
            &auth.0,
            &scope,
            id.0,
            |a| {
                if let Some(v) = b.kind {
                    a.kind = v.into();
                }
                if let Some(v) = b.title {
                    a.title = v.into();
                }
                if let Some(v) = date {
                    a.held_on = v;
                }
                if let Some(v) = b.organizer_unit_id {
                    a.organizer_unit_id = v;
                }
                if let Some(v) = b.venue.into_change() {
                    a.venue = v.map(Into::into);
                }
                if let Some(v) = b.themes {
                    a.themes = enums::all(v);
                }
                if let Some(v) = b.audience {
                    a.audience = v.into();
                }
                if let Some(v) = b.attendance {
                    a.attendance = v;
                }
                if let Some(v) = b.materials {
                    a.materials = v;
                }
                if let Some(v) = b.attendee_ids {
                    a.attendee_ids = v;
                }
                if let Some(v) = b.notes {
                    a.notes = v.into();
                }
            },
            (state.clock.now(), state.today()),
        )
        .await?;
        Ok(ActivityResponse::Ok(Json(activity.into())))
    }

    /// Delete an activity (admin, judicial): kept for the audit trail, counted nowhere.
    #[oai(
        path = "/activities/:id",
        method = "delete",
        operation_id = "deleteActivity"
    )]
    async fn delete_activity(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<ActivityDeleted> {
        let scope =
            policy::authorize_in_scope(&state.db, &auth.0, Action::RecordActivities).await?;
        services::activities::delete(&state.db, &auth.0, &scope, id.0, state.clock.now()).await?;
        Ok(ActivityDeleted::NoContent)
    }

    /// The annual summary (admin, judicial, hr) for one calendar year in the office's
    /// time zone: the four targets of each campaign of the year, trainings, publicity,
    /// themes and the six-into venues — of one unit's subtree (`unit_id`, default the
    /// caller's scope), with `by_unit` a row per child unit.
    #[oai(
        path = "/reports/annual/:year",
        method = "get",
        operation_id = "getAnnualReport"
    )]
    async fn annual_report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
        /// The unit whose 工作总结 this is (its subtree); default the caller's scope unit.
        /// A unit outside the caller's scope → 404.
        unit_id: Query<Option<i64>>,
    ) -> ApiResult<AnnualResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadActivities).await?;
        let scope = scope.narrowed_opt(&state.db, unit_id.0).await?;
        let turn = ReportTurn::take().await;
        let summary =
            services::reports::annual_summary(&state.db, &turn, &scope, year.0, state.as_of())
                .await?;
        Ok(AnnualResponse::Ok(Json((&summary).into())))
    }

    /// The annual summary as a file (admin, judicial, hr): `text` is the zh-CN narrative
    /// ready for the 工作总结 (every figure that is not zero, in plain digits); `csv` and
    /// `xlsx` give the same figures as tables.
    #[oai(
        path = "/reports/annual/:year/export",
        method = "get",
        operation_id = "exportAnnualReport"
    )]
    async fn export_annual_report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
        format: Query<SummaryFormat>,
        /// As on the summary: default the caller's scope unit; outside it → 404.
        unit_id: Query<Option<i64>>,
    ) -> ApiResult<Download<Summary>> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadActivities).await?;
        let file = services::exports::annual(
            &state.db,
            &auth.0,
            (&scope, unit_id.0),
            year.0,
            format.0.into(),
            state.as_of(),
        )
        .await?;
        Ok(file.into())
    }
}
