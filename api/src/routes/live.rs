//! `/study-sessions/live`: study the server times while the course is on screen.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use super::ApiTags;
use crate::views::{
    enums::LiveState,
    study::{StudySessionView, centi},
};
use domain::{
    policy::{self, Action},
    services::{
        live::{Beat, LiveView},
        study::Logged,
    },
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, validate::Checked};

pub struct LiveApi;

/// What to study live.
#[derive(Debug, Object)]
pub struct StartLiveSession {
    pub campaign_id: i64,
    /// A course of the campaign.
    pub course_id: i64,
}

/// One heartbeat of the study page.
#[derive(Debug, Object)]
pub struct Heartbeat {
    /// Whether the page is on screen (the Page Visibility API's `visible`). A hidden
    /// stretch is not credited.
    pub visible: bool,
    /// The video's playback rate (1 for a text or a PDF): 0.1 to 10. A stretch played
    /// faster than the campaign's `max_playback_rate` is not credited.
    pub playback_rate: f64,
    /// The answer to the presence check the previous answer asked. While a check is
    /// unanswered nothing is credited; a wrong answer is not credited and asks again.
    #[oai(validator(max_length = 20))]
    pub presence_answer: Option<String>,
}

/// A presence check (还在学习吗？) to show with an answer box.
#[derive(Debug, Object)]
pub struct PresenceCheck {
    pub prompt: String,
}

/// A live study session as its owner sees it.
#[derive(Debug, Object)]
pub struct LiveSessionView {
    /// Also the id of the study session it becomes.
    pub id: String,
    pub campaign_id: i64,
    pub course_id: i64,
    /// Send a heartbeat this often; a stretch is credited when its heartbeat comes within
    /// twice this, and three silent intervals end the session.
    pub heartbeat_seconds: u32,
    /// What the server has credited so far.
    pub credited_seconds: i32,
    pub state: LiveState,
    /// A presence check waiting for its answer, else `null`.
    pub presence_check: Option<PresenceCheck>,
    pub started_at: DateTime<Utc>,
    pub last_heartbeat_at: DateTime<Utc>,
}

impl From<LiveView> for LiveSessionView {
    fn from(v: LiveView) -> Self {
        let s = v.session;
        Self {
            id: s.id,
            campaign_id: s.campaign_id,
            course_id: s.course_id,
            heartbeat_seconds: v.heartbeat_seconds,
            credited_seconds: s.credited_seconds,
            state: s.state.into(),
            presence_check: s.presence_prompt.map(|prompt| PresenceCheck { prompt }),
            started_at: s.started_at,
            last_heartbeat_at: s.last_heartbeat_at,
        }
    }
}

#[derive(ApiResponse)]
pub enum LiveStarted {
    /// Timing: send heartbeats every `heartbeat_seconds`.
    #[oai(status = 201)]
    Created(Json<LiveSessionView>),
}

#[derive(ApiResponse)]
pub enum LiveBeat {
    /// What is credited so far, and any presence check to answer.
    #[oai(status = 200)]
    Ok(Json<LiveSessionView>),
}

#[derive(ApiResponse)]
pub enum LiveEnded {
    /// Already ended and stored (a retry): the stored session.
    #[oai(status = 200)]
    Replayed(Json<StudySessionView>),
    /// Ended now and stored as a study session (`source: live`).
    #[oai(status = 201)]
    Created(Json<StudySessionView>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Study")]
impl LiveApi {
    /// Start a live study session (cadre, own): the server times the course from the
    /// page's heartbeats. The course must be in the campaign (422), the caller on its
    /// roster (403) and today in its study window (422). A session of the caller's still
    /// running (a page left open elsewhere) ends at its last heartbeat.
    #[oai(
        path = "/study-sessions/live",
        method = "post",
        operation_id = "startLiveSession"
    )]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<StartLiveSession>,
    ) -> ApiResult<LiveStarted> {
        policy::authorize(&auth.0, Action::LogStudy)?;
        let view = state
            .live
            .start(
                &state.db,
                &state.sessions,
                &auth.0,
                (body.campaign_id, body.course_id),
                state.clock.now(),
                state.config.tz,
            )
            .await?;
        Ok(LiveStarted::Created(Json(view.into())))
    }

    /// A heartbeat of a live session (its owner). Credits the server's own time since the
    /// previous heartbeat when it is at most twice `heartbeat_seconds`, the page was
    /// visible, the playback no faster than the campaign allows and no presence check is
    /// waiting; otherwise nothing for that stretch. Another's session is 404, an ended one
    /// 409 `session_ended`; a session past 4 hours is stored and ended (409).
    #[oai(
        path = "/study-sessions/live/:id/heartbeat",
        method = "post",
        operation_id = "liveSessionHeartbeat"
    )]
    async fn heartbeat(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<String>,
        body: Checked<Heartbeat>,
    ) -> ApiResult<LiveBeat> {
        policy::authorize(&auth.0, Action::LogStudy)?;
        let b = body.0;
        let beat = Beat {
            visible: b.visible,
            playback_rate_centi: centi(b.playback_rate),
            presence_answer: b.presence_answer,
        };
        let view = state
            .live
            .heartbeat(
                &state.db,
                &state.sessions,
                &auth.0,
                &id.0,
                beat,
                (state.clock.now(), state.config.tz),
            )
            .await?;
        Ok(LiveBeat::Ok(Json(view.into())))
    }

    /// End a live session (its owner): it is stored as a study session from its start to
    /// its last heartbeat, of the seconds credited, under the same rules as an upload
    /// (course cap, study window, overlap 409, daily caps). Ending again answers the
    /// stored session (200); a session of which nothing was credited is 409
    /// `nothing_credited`.
    #[oai(
        path = "/study-sessions/live/:id/end",
        method = "post",
        operation_id = "endLiveSession"
    )]
    async fn end(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<String>,
    ) -> ApiResult<LiveEnded> {
        policy::authorize(&auth.0, Action::LogStudy)?;
        let logged = state
            .live
            .end(
                &state.db,
                &state.sessions,
                &auth.0,
                &id.0,
                state.clock.now(),
                state.config.tz,
            )
            .await?;
        Ok(match logged {
            Logged::Created(s) => LiveEnded::Created(Json(s.into())),
            Logged::Replayed(s) => LiveEnded::Replayed(Json(s.into())),
        })
    }
}
