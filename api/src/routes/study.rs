//! `/study-sessions`: what the mobile app uploads, one at a time or in batches.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Query, payload::Json};
use serde_json::Value;
use uuid::Uuid;

use super::ApiTags;
use crate::views::{
    paging::{Page, PageParam, PerPageParam, page_req},
    study::StudySessionView,
    text::{Lenient, item_error},
};
use domain::{
    policy::{self, Action},
    services::audit::{Disclosed, Disclosure},
    services::{
        self,
        study::{Logged, SessionFilter, SessionInput},
    },
    state::AppState,
};

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult, AppError, Problem},
    validate::Checked,
};

pub struct StudyApi;

/// One stretch of study of one course, as the app records it.
#[derive(Debug, Clone, Object)]
pub struct CreateStudySession {
    /// Made by the app (a UUID), so that sending the same session again is safe.
    pub id: Uuid,
    pub campaign_id: i64,
    pub course_id: i64,
    /// RFC 3339 with offset; kept to the second.
    pub started_at: DateTime<Utc>,
    /// After `started_at`, at most 4 hours later, not in the future.
    pub ended_at: DateTime<Utc>,
    /// The phone's clock when it sends this upload. When it differs from the server's by
    /// more than 60 s, both times are shifted by the difference before every check (a
    /// phone 6 minutes fast is stored 6 minutes earlier) and `clock_corrected_seconds`
    /// says by how much; more than a day apart is 422.
    pub device_time: Option<DateTime<Utc>>,
}

/// Up to 500 sessions.
#[derive(Debug, Object)]
pub struct StudySessionBatch {
    #[oai(validator(max_items = 500))]
    pub sessions: Vec<Lenient<CreateStudySession>>,
}

/// The outcome of one batch item.
#[derive(Debug, Object)]
pub struct BatchResult {
    /// The item's id (null when the item had none readable).
    pub id: Option<String>,
    /// As for a single upload: 201 stored now, 200 already stored (replay), 403 not
    /// enrolled, 409 overlap or id conflict, 422 invalid.
    pub status: u16,
    /// Why the item was refused.
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<Problem>,
}

/// One result per item, in the order sent.
#[derive(Debug, Object)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}

#[derive(ApiResponse)]
pub enum SessionLogged {
    /// Already stored with the same content (a retry): nothing new was stored.
    #[oai(status = 200)]
    Replayed(Json<StudySessionView>),
    /// Stored.
    #[oai(status = 201)]
    Created(Json<StudySessionView>),
}

#[derive(ApiResponse)]
pub enum BatchLogged {
    /// Every item was answered on its own; see `results`.
    #[oai(status = 200)]
    Ok(Json<BatchResponse>),
}

#[derive(ApiResponse)]
pub enum SessionList {
    /// A page of sessions by start time.
    #[oai(status = 200)]
    Ok(Json<Page<StudySessionView>>),
}

fn input_of(s: CreateStudySession) -> SessionInput {
    SessionInput::reported(
        s.id,
        (s.campaign_id, s.course_id),
        s.started_at,
        s.ended_at,
        s.device_time,
    )
}

/// The problem a refused item gets, as the single endpoint would answer (its `status`
/// is the item's status).
fn refusal(err: AppError) -> Problem {
    ApiError::from(err).into_problem()
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Study")]
impl StudyApi {
    /// Upload one study session (cadre, own).
    ///
    /// Safe to retry: the same id with the same content answers 200 with the stored
    /// session; the same id with other content is 409. A session overlapping another of
    /// the caller's sessions is 409 (intervals are half-open). Bad times, a course not in
    /// the campaign or a time outside the study window is 422; not enrolled is 403.
    #[oai(
        path = "/study-sessions",
        method = "post",
        operation_id = "logStudySession"
    )]
    async fn log_session(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<CreateStudySession>,
    ) -> ApiResult<SessionLogged> {
        policy::authorize(&auth.0, Action::LogStudy)?;
        let logged = state
            .sessions
            .log(
                &auth.0,
                input_of(body.0),
                state.clock.now(),
                state.config.tz,
            )
            .await?;
        Ok(match logged {
            Logged::Created(s) => SessionLogged::Created(Json(s.into())),
            Logged::Replayed(s) => SessionLogged::Replayed(Json(s.into())),
        })
    }

    /// Upload up to 500 sessions at once (cadre, own). Each item is accepted or refused
    /// on its own, with the status the single upload would give; a refused item never
    /// loses the others.
    #[oai(
        path = "/study-sessions/batch",
        method = "post",
        operation_id = "logStudySessionBatch"
    )]
    async fn log_batch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<StudySessionBatch>,
    ) -> ApiResult<BatchLogged> {
        policy::authorize(&auth.0, Action::LogStudy)?;
        let items = body.0.sessions;
        let ids: Vec<Option<String>> = items
            .iter()
            .map(|i| i.raw.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let inputs = items
            .into_iter()
            .map(|i| {
                i.parsed
                    .map(input_of)
                    .map_err(|m| item_error::<CreateStudySession>(&i.raw, m))
            })
            .collect();
        let outcomes = services::study::log_batch(
            &state.db,
            &auth.0,
            inputs,
            state.clock.now(),
            state.config.tz,
        )
        .await?;
        let results = outcomes
            .into_iter()
            .zip(ids)
            .map(|(outcome, id)| match outcome {
                Ok(logged) => BatchResult {
                    id: Some(logged.session().id.clone()),
                    status: if matches!(logged, Logged::Created(_)) {
                        201
                    } else {
                        200
                    },
                    error: None,
                },
                Err(err) => {
                    let problem = refusal(err);
                    BatchResult {
                        id,
                        status: problem.status,
                        error: Some(problem),
                    }
                }
            })
            .collect();
        Ok(BatchLogged::Ok(Json(BatchResponse { results })))
    }

    /// List sessions. A cadre sees only their own; admin and HR see anyone's.
    #[oai(
        path = "/study-sessions",
        method = "get",
        operation_id = "listStudySessions"
    )]
    async fn list_sessions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        campaign_id: Query<Option<i64>>,
        user_id: Query<Option<i64>>,
        /// Sessions of cadres in this unit and its sub-units (admin, hr).
        unit_id: Query<Option<i64>>,
        /// Sessions starting at or after this time.
        from: Query<Option<DateTime<Utc>>>,
        /// Sessions starting before this time.
        to: Query<Option<DateTime<Utc>>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<SessionList> {
        // Whose sessions are asked for decides: the service asks `policy::manages_people`,
        // and keeps a manager to their scope.
        let scope = policy::scope_of(&state.db, &auth.0).await?;
        let filter = SessionFilter {
            campaign_id: campaign_id.0,
            user_id: user_id.0,
            unit_id: unit_id.0,
            from: from.0,
            to: to.0,
        };
        let others = policy::manages_people(&auth.0) && filter.user_id != Some(auth.0.id);
        let described = filter.audit_pairs();
        let found =
            services::study::list(&state.db, &auth.0, &scope, filter, page_req(page, per_page))
                .await?;
        if others {
            super::disclosed(
                &state,
                &auth.0,
                Disclosed {
                    kind: Disclosure::ReadPeople,
                    what: "study_sessions",
                    filters: &described,
                    rows: found.items.len(),
                },
            )
            .await?;
        }
        Ok(SessionList::Ok(Json(Page::of(
            found,
            StudySessionView::from,
        ))))
    }
}
