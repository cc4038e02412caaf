//! What keeps the online exam fair: the exam page's events (focus lost, full screen left,
//! a paste), counted against the campaign's `max_focus_losses`, and moving an attempt to
//! another device.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path},
    payload::Json,
};

use super::ApiTags;
use crate::{
    auth::BearerAuth,
    error::{ApiResult, AppError},
    validate::Checked,
    views::{
        enums::AttemptEventKind,
        exam::{AttemptView, attempt_view, device_id},
    },
};
use domain::{
    error::FieldError,
    policy::{self, Action},
    services::exam::fairness,
    state::AppState,
};

pub struct ExamFairnessApi;

/// One thing the page saw, when the device saw it.
#[derive(Debug, Object)]
pub struct AttemptEvent {
    pub kind: AttemptEventKind,
    pub at: DateTime<Utc>,
}

/// Events the exam page reports (a resent batch counts nothing twice).
#[derive(Debug, Object)]
pub struct AttemptEvents {
    #[oai(validator(min_items = 1, max_items = 100))]
    pub events: Vec<AttemptEvent>,
}

/// The focus losses so far.
#[derive(Debug, Object)]
pub struct FocusCount {
    /// Times the page lost focus (`blur`) or left full screen (`fullscreen_exit`).
    pub focus_losses: i32,
    /// The campaign's `max_focus_losses` (`null`: no limit).
    pub limit: Option<i32>,
    /// This report went past the limit: the attempt was submitted (`finished_reason:
    /// focus_limit`), graded on its saved answers.
    pub submitted: bool,
}

#[derive(ApiResponse)]
pub enum EventsRecorded {
    /// Recorded.
    #[oai(status = 200)]
    Ok(Json<FocusCount>),
}

#[derive(ApiResponse)]
pub enum TakenOver {
    /// The attempt now belongs to this device.
    #[oai(status = 200)]
    Ok(Json<AttemptView>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Exam")]
impl ExamFairnessApi {
    /// Report the exam page's events (owner): `blur` and `fullscreen_exit` count as focus
    /// losses; the one past the campaign's `max_focus_losses` submits the attempt at once.
    /// Another's attempt 404, a finished one 409; more than 100 events an attempt in a
    /// minute 429 (nothing stored, the count unchanged).
    #[oai(
        path = "/attempts/:id/events",
        method = "post",
        operation_id = "reportAttemptEvents"
    )]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<AttemptEvents>,
    ) -> ApiResult<EventsRecorded> {
        policy::authorize(&auth.0, Action::SitExam)?;
        let events: Vec<_> = body
            .0
            .events
            .into_iter()
            .map(|e| (e.kind.into(), e.at))
            .collect();
        let focus =
            fairness::record_events(&state.db, &auth.0, id.0, &events, state.clock.now()).await?;
        Ok(EventsRecorded::Ok(Json(FocusCount {
            focus_losses: focus.focus_losses,
            limit: focus.limit,
            submitted: focus.submitted,
        })))
    }

    /// Move one's open attempt to this device (owner; audited, counted as `takeovers`):
    /// saves and submits from the device it was on are then refused. Another's attempt
    /// 404, a finished one 409; `X-Device-Id` is required.
    #[oai(
        path = "/attempts/:id/takeover",
        method = "post",
        operation_id = "takeOverAttempt"
    )]
    async fn takeover(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        /// The device taking the attempt over.
        #[oai(name = "X-Device-Id")]
        device: Header<Option<String>>,
    ) -> ApiResult<TakenOver> {
        policy::authorize(&auth.0, Action::SitExam)?;
        let device = device_id(device.0)?.ok_or_else(|| {
            AppError::invalid(FieldError::required(crate::views::exam::DEVICE_HEADER))
        })?;
        let full = fairness::takeover(&state.db, &auth.0, id.0, &device, state.clock.now()).await?;
        Ok(TakenOver::Ok(Json(attempt_view(full, false))))
    }
}
