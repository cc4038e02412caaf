//! `/campaigns`: settings and courses, the roster (enrollment, 免考), progress.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{enrollment, user};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::views::{
    paging::{Page, PageParam, PerPageParam, page_req},
    study::{centi, permille},
    text::{self, Clearable, Text},
};
use domain::{
    policy::{self, Action},
    services::audit::{Disclosed, Disclosure},
    services::{
        self,
        campaigns::{
            CampaignChanges, CampaignFull, CampaignInput, RosterFilter, StudyRuleChanges,
            StudyRules,
        },
        progress::ProgressReport,
    },
    state::AppState,
};

use crate::{
    auth::{Actor, BearerAuth},
    error::ApiResult,
    validate::Checked,
};

pub struct CampaignsApi;

/// A course of a campaign.
#[derive(Debug, Object)]
pub struct CampaignCourseView {
    pub course_id: i64,
    /// A compulsory course must be studied in full for study to be complete.
    pub compulsory: bool,
    /// The course's title (read-only here).
    pub title: String,
    /// The course's length in minutes (read-only here).
    pub minutes: i32,
}

/// A course to list in a campaign.
#[derive(Debug, Object)]
pub struct CampaignCourseInput {
    pub course_id: i64,
    #[oai(default)]
    pub compulsory: bool,
}

/// An annual campaign (年度领导干部网上学法用法考试).
#[derive(Debug, Object)]
pub struct CampaignView {
    pub id: i64,
    pub year: i32,
    pub title: String,
    /// First day of study (in the office's time zone).
    pub study_starts_on: NaiveDate,
    /// Last day of study.
    pub study_ends_on: NaiveDate,
    /// Credited minutes needed over all the campaign's courses.
    pub required_minutes: i32,
    pub courses: Vec<CampaignCourseView>,
    pub exam_opens_at: DateTime<Utc>,
    pub exam_closes_at: DateTime<Utc>,
    /// Time allowed for one attempt.
    pub duration_minutes: i32,
    /// Questions drawn per attempt.
    pub question_count: i32,
    /// Score (0–100) needed to pass (合格).
    pub pass_score: i32,
    /// 良好 from this score.
    pub good_score: i32,
    /// 优秀 from this score.
    pub excellent_score: i32,
    /// Finished attempts allowed; the best counts.
    pub max_attempts: i32,
    /// Whether a cadre must complete study before starting the exam.
    pub exam_requires_study: bool,
    /// 组卷 by rank. Empty: each attempt draws `question_count` at random.
    pub papers: Vec<Paper>,
    /// 补考 window (both or neither), at or after `exam_closes_at`.
    pub makeup_opens_at: Option<DateTime<Utc>>,
    pub makeup_closes_at: Option<DateTime<Utc>>,
    /// Make-up attempts allowed to each member who has not passed.
    pub makeup_attempts: i32,
    /// Days before `study_ends_on` and `exam_closes_at` on which those missing `study`
    /// (resp. `exam`) get an automatic reminder, largest first.
    pub remind_before_days: Vec<i32>,
    /// Most minutes credited a cadre a day (office day, live and uploaded together);
    /// `null`: no cap.
    pub daily_cap_minutes: Option<i32>,
    /// Most uploaded (self-reported) minutes credited a cadre a day; `null`: no cap.
    pub self_reported_daily_cap_minutes: Option<i32>,
    /// Study counts as complete only when live minutes are at least this share (0–1) of
    /// the credited minutes.
    pub min_live_share: f64,
    /// The fastest playback a live session is credited at (1.5 = 1.5×).
    pub max_playback_rate: f64,
    /// Minutes between presence checks (还在学习吗？) in a live session; 0: none.
    pub presence_check_minutes: i32,
    /// Times the exam page may lose focus; the loss past it submits the attempt
    /// (shown before the exam starts); `null`: not counted against anyone.
    pub max_focus_losses: Option<i32>,
    /// The unit that runs the campaign (its managers change its settings, bank and
    /// papers); `null` = the whole installation.
    pub owner_unit_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CampaignFull> for CampaignView {
    fn from(full: CampaignFull) -> Self {
        let c = full.campaign;
        // A stored value that does not read shows as no papers here; starting an
        // attempt refuses it loudly (see `papers::of`).
        let papers = services::papers::of(&c)
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let remind_before_days = services::campaigns::remind_before_days(&c);
        Self {
            id: c.id,
            year: c.year,
            title: c.title,
            study_starts_on: c.study_starts_on,
            study_ends_on: c.study_ends_on,
            required_minutes: c.required_minutes,
            courses: full
                .courses
                .into_iter()
                .map(|(link, course)| CampaignCourseView {
                    course_id: link.course_id,
                    compulsory: link.compulsory,
                    title: course.title,
                    minutes: course.minutes,
                })
                .collect(),
            exam_opens_at: c.exam_opens_at,
            exam_closes_at: c.exam_closes_at,
            duration_minutes: c.duration_minutes,
            question_count: c.question_count,
            pass_score: c.pass_score,
            good_score: c.good_score,
            excellent_score: c.excellent_score,
            max_attempts: c.max_attempts,
            exam_requires_study: c.exam_requires_study,
            owner_unit_id: c.owner_unit_id,
            papers,
            makeup_opens_at: c.makeup_opens_at,
            makeup_closes_at: c.makeup_closes_at,
            makeup_attempts: c.makeup_attempts,
            remind_before_days,
            daily_cap_minutes: c.daily_cap_minutes,
            self_reported_daily_cap_minutes: c.self_reported_daily_cap_minutes,
            min_live_share: f64::from(c.min_live_share_permille) / 1000.0,
            max_playback_rate: f64::from(c.max_playback_rate_centi) / 100.0,
            presence_check_minutes: c.presence_check_minutes,
            max_focus_losses: c.max_focus_losses,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// One rule of a paper: `count` exam-pool questions of `kind` (with any of `tags` and of
/// `difficulty`, when given), each worth `points`.
#[derive(Debug, Object)]
pub struct PaperRule {
    pub kind: crate::views::enums::QuestionKind,
    /// 1 to 500.
    pub count: i32,
    /// Points each question of this rule is worth in the attempt: 1 to 100.
    pub points: i32,
    /// Any of these (the laws tested); empty: any question.
    #[oai(default, validator(max_items = 10))]
    pub tags: Vec<String>,
    /// 1 easy, 2 medium, 3 hard; absent: any.
    pub difficulty: Option<i32>,
}

/// A paper (组卷) and whom it is for. At most one paper may apply to a cadre.
#[derive(Debug, Object)]
pub struct Paper {
    /// 1 to 30 letters, digits, `-` or `_`; unique in the campaign.
    #[oai(validator(max_length = 30))]
    pub key: String,
    #[oai(validator(max_length = 100))]
    pub name: Text,
    /// `leaders` (领导干部), `others` or `all`.
    #[oai(rename = "for")]
    pub audience: crate::views::enums::PaperAudience,
    #[oai(validator(max_items = 20))]
    pub rules: Vec<PaperRule>,
}

impl From<services::papers::Paper> for Paper {
    fn from(p: services::papers::Paper) -> Self {
        Self {
            key: p.key,
            name: Text(p.name),
            audience: p.audience.into(),
            rules: p
                .rules
                .into_iter()
                .map(|r| PaperRule {
                    kind: r.kind.into(),
                    count: r.count,
                    points: r.points,
                    tags: r.tags,
                    difficulty: r.difficulty,
                })
                .collect(),
        }
    }
}

fn papers_of(list: Vec<Paper>) -> Vec<services::papers::Paper> {
    list.into_iter()
        .map(|p| services::papers::Paper {
            key: p.key,
            name: p.name.into(),
            audience: p.audience.into(),
            rules: p
                .rules
                .into_iter()
                .map(|r| services::papers::Rule {
                    kind: r.kind.into(),
                    count: r.count,
                    points: r.points,
                    tags: r.tags,
                    difficulty: r.difficulty,
                })
                .collect(),
        })
        .collect()
}

/// A campaign in a list (without its courses).
#[derive(Debug, Object)]
pub struct CampaignSummary {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub study_starts_on: NaiveDate,
    pub study_ends_on: NaiveDate,
    pub exam_opens_at: DateTime<Utc>,
    pub exam_closes_at: DateTime<Utc>,
    /// The unit that runs it; `null` = the whole installation.
    pub owner_unit_id: Option<i64>,
}

/// A new campaign.
#[derive(Debug, Object)]
pub struct CreateCampaign {
    /// 2000 to 2100.
    pub year: i32,
    #[oai(validator(max_length = 200))]
    pub title: Text,
    pub study_starts_on: NaiveDate,
    /// Not before `study_starts_on`.
    pub study_ends_on: NaiveDate,
    /// 1 to 100000.
    pub required_minutes: i32,
    #[oai(default, validator(max_items = 500))]
    pub courses: Vec<CampaignCourseInput>,
    pub exam_opens_at: DateTime<Utc>,
    /// After `exam_opens_at`.
    pub exam_closes_at: DateTime<Utc>,
    /// 1 to 1440; default 60.
    #[oai(default = "default_duration")]
    pub duration_minutes: i32,
    /// 1 to 1000; default 50.
    #[oai(default = "default_question_count")]
    pub question_count: i32,
    /// 0 to 100; default 60.
    #[oai(default = "default_pass_score")]
    pub pass_score: i32,
    /// 良好 from this score: pass_score to 100; default 80.
    #[oai(default = "default_good_score")]
    pub good_score: i32,
    /// 优秀 from this score: good_score to 100; default 90.
    #[oai(default = "default_excellent_score")]
    pub excellent_score: i32,
    /// 1 to 100; default 3.
    #[oai(default = "default_max_attempts")]
    pub max_attempts: i32,
    /// Default true.
    #[oai(default = "default_true")]
    pub exam_requires_study: bool,
    /// 组卷 by rank; default none (`question_count` at random).
    #[oai(default, validator(max_items = 10))]
    pub papers: Vec<Paper>,
    /// 补考 opens: at or after `exam_closes_at`; with `makeup_closes_at`.
    pub makeup_opens_at: Option<DateTime<Utc>>,
    /// 补考 closes: after `makeup_opens_at`.
    pub makeup_closes_at: Option<DateTime<Utc>>,
    /// 1 to 10; default 1.
    #[oai(default = "default_makeup_attempts")]
    pub makeup_attempts: i32,
    /// Automatic reminders this many days before each deadline (each 1–60, at most 10);
    /// none by default.
    #[oai(default, validator(max_items = 10))]
    pub remind_before_days: Vec<i32>,
    /// Most minutes credited a cadre a day, every source (1–1440); absent or `null`: no
    /// cap. A session counts on the office day it starts; one past the cap is stored
    /// with the seconds left that day (possibly 0).
    pub daily_cap_minutes: Option<i32>,
    /// Most uploaded (self-reported) minutes credited a cadre a day (1–1440); absent or
    /// `null`: no cap.
    pub self_reported_daily_cap_minutes: Option<i32>,
    /// 0 to 1; default 0: study is complete only when live minutes are at least this
    /// share of the credited minutes.
    #[oai(default)]
    pub min_live_share: f64,
    /// 1 to 4; default 1.5: a live stretch played faster is not credited.
    #[oai(default = "default_playback_rate")]
    pub max_playback_rate: f64,
    /// 0 to 120; default 0 (none): minutes between presence checks in a live session.
    #[oai(default)]
    pub presence_check_minutes: i32,
    /// 0 to 100: times the exam page may lose focus before the attempt is submitted;
    /// absent or `null`: no limit.
    pub max_focus_losses: Option<i32>,
    /// The unit that runs it (管理范围): absent or `null`, the creator's scope unit. Must
    /// be in the creator's scope (else 403 `out_of_scope`).
    pub owner_unit_id: Option<i64>,
}

fn default_duration() -> i32 {
    60
}
fn default_question_count() -> i32 {
    50
}
fn default_pass_score() -> i32 {
    60
}
fn default_good_score() -> i32 {
    80
}
fn default_excellent_score() -> i32 {
    90
}
fn default_max_attempts() -> i32 {
    3
}
fn default_makeup_attempts() -> i32 {
    1
}
fn default_true() -> bool {
    true
}
fn default_playback_rate() -> f64 {
    1.5
}

/// Changes to a campaign; absent fields stay. `courses` replaces the whole list.
/// Changing the courses or `required_minutes` re-credits every roster member.
#[derive(Debug, Object)]
pub struct UpdateCampaign {
    pub year: Option<i32>,
    #[oai(validator(max_length = 200))]
    pub title: Option<Text>,
    pub study_starts_on: Option<NaiveDate>,
    pub study_ends_on: Option<NaiveDate>,
    pub required_minutes: Option<i32>,
    #[oai(validator(max_items = 500))]
    pub courses: Option<Vec<CampaignCourseInput>>,
    pub exam_opens_at: Option<DateTime<Utc>>,
    pub exam_closes_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i32>,
    pub question_count: Option<i32>,
    pub pass_score: Option<i32>,
    pub good_score: Option<i32>,
    pub excellent_score: Option<i32>,
    pub max_attempts: Option<i32>,
    pub exam_requires_study: Option<bool>,
    /// Replaces every paper; `[]` removes them.
    #[oai(validator(max_items = 10))]
    pub papers: Option<Vec<Paper>>,
    /// `null` (with `makeup_closes_at: null`) removes the make-up window.
    pub makeup_opens_at: Clearable<DateTime<Utc>>,
    pub makeup_closes_at: Clearable<DateTime<Utc>>,
    pub makeup_attempts: Option<i32>,
    /// Replaces the list; `[]` stops automatic reminders.
    #[oai(validator(max_items = 10))]
    pub remind_before_days: Option<Vec<i32>>,
    /// `null` lifts the cap.
    pub daily_cap_minutes: Clearable<i32>,
    /// `null` lifts the cap.
    pub self_reported_daily_cap_minutes: Clearable<i32>,
    /// Changing it re-credits every roster member.
    pub min_live_share: Option<f64>,
    pub max_playback_rate: Option<f64>,
    pub presence_check_minutes: Option<i32>,
    /// `null` lifts the limit.
    pub max_focus_losses: Clearable<i32>,
}

/// Whom to enroll: accounts, and/or every active cadre of units and their sub-units.
#[derive(Debug, Object)]
pub struct EnrollRequest {
    #[oai(default, validator(max_items = 100000))]
    pub user_ids: Vec<i64>,
    #[oai(default, validator(max_items = 10000))]
    pub unit_ids: Vec<i64>,
}

/// How many were newly enrolled (those already on the roster are not counted again).
#[derive(Debug, Object)]
pub struct EnrollResult {
    pub enrolled: u64,
}

/// A member of a campaign's roster.
#[derive(Debug, Object)]
pub struct RosterEntry {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub unit_id: Option<i64>,
    pub is_leader: bool,
    pub employee_no: Option<String>,
    /// Whether the account is still active (a disabled cadre stays on the roster).
    pub active: bool,
    /// 免考: exempt members leave the roster for the four targets.
    pub exempt: bool,
    pub exempt_reason: Option<String>,
    /// Extra exam time (延时), minutes.
    pub extra_minutes: i32,
    pub credited_minutes: i32,
    /// Of `credited_minutes`, those timed live by the server.
    pub live_minutes: i32,
    /// Of `credited_minutes`, those uploaded by the app (`credited_minutes` −
    /// `live_minutes`).
    pub self_reported_minutes: i32,
    pub study_complete: bool,
    pub enrolled_at: DateTime<Utc>,
}

impl From<(enrollment::Model, user::Model)> for RosterEntry {
    fn from((e, u): (enrollment::Model, user::Model)) -> Self {
        Self {
            user_id: u.id,
            username: u.username,
            name: u.name,
            unit_id: u.unit_id,
            is_leader: u.is_leader,
            employee_no: u.employee_no,
            active: u.active,
            exempt: e.exempt,
            exempt_reason: e.exempt_reason,
            extra_minutes: e.extra_minutes,
            credited_minutes: e.credited_minutes,
            live_minutes: e.live_minutes,
            self_reported_minutes: e.credited_minutes - e.live_minutes,
            study_complete: e.study_complete,
            enrolled_at: e.enrolled_at,
        }
    }
}

/// Exempt a member (免考, a reason is required) or lift the exemption; give them extra
/// exam time (延时). Absent fields stay.
#[derive(Debug, Object)]
pub struct UpdateEnrollment {
    pub exempt: Option<bool>,
    #[oai(validator(max_length = 500))]
    pub exempt_reason: Option<Text>,
    /// 0–120: added to this member's attempt deadline and to the exam window's close for
    /// them (适老化, disability accommodation).
    pub extra_minutes: Option<i32>,
}

/// Progress on one course.
#[derive(Debug, Object)]
pub struct CourseProgressView {
    pub course_id: i64,
    /// Minutes credited: studied minutes capped at the course's length.
    pub credited_minutes: i32,
    /// Of `credited_minutes`, those timed live (live minutes fill the course first).
    pub live_minutes: i32,
    /// The course's length.
    pub minutes: i32,
    pub compulsory: bool,
    /// Fully credited.
    pub complete: bool,
}

/// A cadre's progress on a campaign.
#[derive(Debug, Object)]
pub struct ProgressView {
    /// Credited minutes over all the campaign's courses.
    pub credited_minutes: i32,
    /// Of `credited_minutes`, those timed live by the server.
    pub live_minutes: i32,
    /// Of `credited_minutes`, those uploaded by the app.
    pub self_reported_minutes: i32,
    /// The live share study needs (the campaign's `min_live_share`).
    pub min_live_share: f64,
    pub required_minutes: i32,
    pub courses: Vec<CourseProgressView>,
    /// Every compulsory course full, `credited_minutes` ≥ `required_minutes` and
    /// `live_minutes` ≥ `min_live_share` × `credited_minutes`.
    pub study_complete: bool,
    /// Finished exam attempts.
    pub attempts_used: i32,
    pub attempts_left: i32,
    /// Best finished score, if any.
    pub best_score: Option<f64>,
    /// Best score ≥ the campaign's pass score.
    pub passed: bool,
    /// The best finished attempt's grade (优秀/良好/合格/不合格).
    pub grade: Option<crate::views::enums::Grade>,
    /// 补考 attempts still open to this member (0 without a make-up window or once passed).
    pub makeup_attempts_left: i32,
    /// The exam attempt still running, if any: after a reload or on another device the
    /// page resumes it (`GET /attempts/{id}`) instead of offering a new one.
    pub open_attempt: Option<OpenAttempt>,
    /// Extra exam time (延时) HR gave this member, in minutes: their attempt and the
    /// window's close are that much later.
    pub extra_minutes: i32,
    /// The campaign's focus-loss limit (离开考试页面超过N次将自动交卷); `null`: none.
    pub max_focus_losses: Option<i32>,
}

/// A running exam attempt.
#[derive(Debug, Object)]
pub struct OpenAttempt {
    pub id: i64,
    pub deadline: DateTime<Utc>,
}

impl From<ProgressReport> for ProgressView {
    fn from(p: ProgressReport) -> Self {
        Self {
            credited_minutes: p.credit.credited_minutes,
            live_minutes: p.credit.live_minutes,
            self_reported_minutes: p.credit.credited_minutes - p.credit.live_minutes,
            min_live_share: f64::from(p.min_live_share_permille) / 1000.0,
            required_minutes: p.required_minutes,
            courses: p
                .credit
                .courses
                .into_iter()
                .map(|c| CourseProgressView {
                    course_id: c.course_id,
                    credited_minutes: c.credited_minutes,
                    live_minutes: c.live_minutes,
                    minutes: c.minutes,
                    compulsory: c.compulsory,
                    complete: c.complete,
                })
                .collect(),
            study_complete: p.credit.study_complete,
            attempts_used: p.attempts_used,
            attempts_left: p.attempts_left,
            best_score: p.best_score,
            passed: p.passed,
            grade: p.grade.map(Into::into),
            makeup_attempts_left: p.makeup_attempts_left,
            open_attempt: p
                .open_attempt
                .map(|(id, deadline)| OpenAttempt { id, deadline }),
            extra_minutes: p.extra_minutes,
            max_focus_losses: p.max_focus_losses,
        }
    }
}

#[derive(ApiResponse)]
pub enum CampaignResponse {
    /// The campaign.
    #[oai(status = 200)]
    Ok(Json<CampaignView>),
    /// The campaign was created.
    #[oai(status = 201)]
    Created(Json<CampaignView>),
}

#[derive(ApiResponse)]
pub enum CampaignList {
    /// A page of campaigns, newest year first.
    #[oai(status = 200)]
    Ok(Json<Page<CampaignSummary>>),
}

#[derive(ApiResponse)]
pub enum Enrolled {
    /// The accounts are on the roster.
    #[oai(status = 200)]
    Ok(Json<EnrollResult>),
}

#[derive(ApiResponse)]
pub enum Roster {
    /// A page of the roster, in enrollment order.
    #[oai(status = 200)]
    Ok(Json<Page<RosterEntry>>),
}

#[derive(ApiResponse)]
pub enum RosterMember {
    /// The roster entry as it is now.
    #[oai(status = 200)]
    Ok(Json<RosterEntry>),
}

#[derive(ApiResponse)]
pub enum Progress {
    /// The progress.
    #[oai(status = 200)]
    Ok(Json<ProgressView>),
}

fn courses_of(list: Vec<CampaignCourseInput>) -> Vec<(i64, bool)> {
    list.into_iter()
        .map(|c| (c.course_id, c.compulsory))
        .collect()
}

async fn progress_for(
    state: &AppState,
    actor: &Actor,
    campaign_id: i64,
    user_id: i64,
) -> ApiResult<Progress> {
    policy::authorize_records_of(actor, user_id, "the progress")?;
    let report = if user_id == actor.id {
        services::progress::progress_of(&state.db, campaign_id, user_id, state.clock.now()).await?
    } else {
        let scope = policy::scope_of(&state.db, actor).await?;
        services::progress::progress_of_member(
            &state.db,
            &scope,
            campaign_id,
            user_id,
            state.clock.now(),
        )
        .await?
    };
    Ok(Progress::Ok(Json(report.into())))
}

#[derive(ApiResponse)]
pub enum Unenrolled {
    /// Taken off the roster.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Campaigns")]
impl CampaignsApi {
    /// List campaigns. Cadres see only the campaigns they are enrolled in.
    #[oai(path = "/campaigns", method = "get", operation_id = "listCampaigns")]
    async fn list_campaigns(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Query<Option<i32>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<CampaignList> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadCatalogue).await?;
        let found =
            services::campaigns::list(&state.db, &auth.0, &scope, year.0, page_req(page, per_page))
                .await?;
        Ok(CampaignList::Ok(Json(Page::of(found, |c| {
            CampaignSummary {
                id: c.id,
                year: c.year,
                title: c.title,
                study_starts_on: c.study_starts_on,
                study_ends_on: c.study_ends_on,
                exam_opens_at: c.exam_opens_at,
                exam_closes_at: c.exam_closes_at,
                owner_unit_id: c.owner_unit_id,
            }
        }))))
    }

    /// Create a campaign (admin, hr).
    #[oai(path = "/campaigns", method = "post", operation_id = "createCampaign")]
    async fn create_campaign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<CreateCampaign>,
    ) -> ApiResult<CampaignResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCampaigns).await?;
        let b = body.0;
        let input = CampaignInput {
            year: b.year,
            title: b.title.into(),
            study_starts_on: b.study_starts_on,
            study_ends_on: b.study_ends_on,
            required_minutes: b.required_minutes,
            courses: courses_of(b.courses),
            exam_opens_at: b.exam_opens_at,
            exam_closes_at: b.exam_closes_at,
            duration_minutes: b.duration_minutes,
            question_count: b.question_count,
            pass_score: b.pass_score,
            good_score: b.good_score,
            excellent_score: b.excellent_score,
            max_attempts: b.max_attempts,
            exam_requires_study: b.exam_requires_study,
            papers: papers_of(b.papers),
            makeup_opens_at: b.makeup_opens_at,
            makeup_closes_at: b.makeup_closes_at,
            makeup_attempts: b.makeup_attempts,
            remind_before_days: b.remind_before_days,
            study: StudyRules {
                daily_cap_minutes: b.daily_cap_minutes,
                self_reported_daily_cap_minutes: b.self_reported_daily_cap_minutes,
                min_live_share_permille: permille(b.min_live_share),
                max_playback_rate_centi: centi(b.max_playback_rate),
                presence_check_minutes: b.presence_check_minutes,
            },
            max_focus_losses: b.max_focus_losses,
            owner_unit_id: b.owner_unit_id,
        };
        let campaign =
            services::campaigns::create(&state.db, &auth.0, &scope, input, state.clock.now())
                .await?;
        Ok(CampaignResponse::Created(Json(campaign.into())))
    }

    /// One campaign with its courses. Cadres: only a campaign they are enrolled in (else 404).
    #[oai(path = "/campaigns/:id", method = "get", operation_id = "getCampaign")]
    async fn get_campaign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<CampaignResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadCatalogue).await?;
        let campaign = services::campaigns::get_visible(&state.db, &auth.0, &scope, id.0).await?;
        Ok(CampaignResponse::Ok(Json(campaign.into())))
    }

    /// Change a campaign (admin, hr).
    #[oai(
        path = "/campaigns/:id",
        method = "patch",
        operation_id = "updateCampaign"
    )]
    async fn update_campaign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<UpdateCampaign>,
    ) -> ApiResult<CampaignResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCampaigns).await?;
        let b = body.0;
        let changes = CampaignChanges {
            year: b.year,
            title: text::opt(b.title),
            study_starts_on: b.study_starts_on,
            study_ends_on: b.study_ends_on,
            required_minutes: b.required_minutes,
            courses: b.courses.map(courses_of),
            exam_opens_at: b.exam_opens_at,
            exam_closes_at: b.exam_closes_at,
            duration_minutes: b.duration_minutes,
            question_count: b.question_count,
            pass_score: b.pass_score,
            good_score: b.good_score,
            excellent_score: b.excellent_score,
            max_attempts: b.max_attempts,
            exam_requires_study: b.exam_requires_study,
            papers: b.papers.map(papers_of),
            makeup_opens_at: b.makeup_opens_at.into_change(),
            makeup_closes_at: b.makeup_closes_at.into_change(),
            makeup_attempts: b.makeup_attempts,
            remind_before_days: b.remind_before_days,
            study: StudyRuleChanges {
                daily_cap_minutes: b.daily_cap_minutes.into_change(),
                self_reported_daily_cap_minutes: b.self_reported_daily_cap_minutes.into_change(),
                min_live_share_permille: b.min_live_share.map(permille),
                max_playback_rate_centi: b.max_playback_rate.map(centi),
                presence_check_minutes: b.presence_check_minutes,
            },
            max_focus_losses: b.max_focus_losses.into_change(),
        };
        let campaign = services::campaigns::update(
            &state.db,
            &auth.0,
            &scope,
            id.0,
            changes,
            state.clock.now(),
        )
        .await?;
        Ok(CampaignResponse::Ok(Json(campaign.into())))
    }

    /// Enroll accounts (admin, hr): by id, and/or every active account holding the `cadre`
    /// role in the given units and their sub-units. Enrolling twice is harmless.
    #[oai(
        path = "/campaigns/:id/enrollments",
        method = "post",
        operation_id = "enrollInCampaign"
    )]
    async fn enroll(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<EnrollRequest>,
    ) -> ApiResult<Enrolled> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCampaigns).await?;
        let enrolled = services::campaigns::enroll(
            &state.db,
            &auth.0,
            &scope,
            id.0,
            &body.user_ids,
            &body.unit_ids,
            state.clock.now(),
        )
        .await?;
        Ok(Enrolled::Ok(Json(EnrollResult { enrolled })))
    }

    /// The roster (admin, hr).
    #[oai(
        path = "/campaigns/:id/enrollments",
        method = "get",
        operation_id = "listEnrollments"
    )]
    async fn list_enrollments(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        /// Members of this unit and its sub-units.
        unit_id: Query<Option<i64>>,
        exempt: Query<Option<bool>>,
        study_complete: Query<Option<bool>>,
        /// Part of the name, username or employee number.
        q: Query<Option<String>>,
        /// The order: `name`, `username`, `employee_no`, `credited_minutes`,
        /// `study_complete` or `exempt`, with `-` first for descending; by enrolment when
        /// absent.
        #[oai(validator(max_length = 40))]
        sort: Query<Option<String>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<Roster> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCampaigns).await?;
        let filter = RosterFilter {
            unit_id: unit_id.0,
            exempt: exempt.0,
            study_complete: study_complete.0,
            q: q.0,
            sort: domain::paging::SortReq::parse(sort.0.as_deref()),
        };
        let described = filter.audit_pairs(id.0);
        let found =
            services::campaigns::roster(&state.db, &scope, id.0, filter, page_req(page, per_page))
                .await?;
        super::disclosed(
            &state,
            &auth.0,
            Disclosed {
                kind: Disclosure::ReadPeople,
                what: "roster",
                filters: &described,
                rows: found.items.len(),
            },
        )
        .await?;
        Ok(Roster::Ok(Json(Page::of(found, RosterEntry::from))))
    }

    /// Change a roster member (admin, hr): exempt them (免考) or lift it; give them extra
    /// exam time (延时, `extra_minutes` 0–120). Audited.
    #[oai(
        path = "/campaigns/:id/enrollments/:user_id",
        method = "patch",
        operation_id = "updateEnrollment"
    )]
    async fn update_enrollment(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        user_id: Path<i64>,
        body: Checked<UpdateEnrollment>,
    ) -> ApiResult<RosterMember> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCampaigns).await?;
        let b = body.0;
        let change = services::campaigns::EnrollmentChange {
            exempt: b.exempt,
            exempt_reason: text::opt(b.exempt_reason),
            extra_minutes: b.extra_minutes,
        };
        let entry = services::campaigns::update_enrollment(
            &state.db,
            &auth.0,
            &scope,
            (id.0, user_id.0),
            change,
            state.clock.now(),
        )
        .await?;
        let account = services::users::get(&state.db, user_id.0).await?;
        Ok(RosterMember::Ok(Json((entry, account).into())))
    }

    /// Take someone enrolled by mistake off the roster (admin, hr within scope): only
    /// while they have not studied, practised or sat the exam (409 `started`; exempt them
    /// instead). Audited.
    #[oai(
        path = "/campaigns/:id/enrollments/:user_id",
        method = "delete",
        operation_id = "deleteEnrollment"
    )]
    async fn delete_enrollment(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        user_id: Path<i64>,
    ) -> ApiResult<Unenrolled> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCampaigns).await?;
        services::campaigns::unenroll(
            &state.db,
            &auth.0,
            &scope,
            (id.0, user_id.0),
            state.clock.now(),
        )
        .await?;
        Ok(Unenrolled::NoContent)
    }

    /// The caller's own progress on a campaign they are enrolled in.
    #[oai(
        path = "/campaigns/:id/progress/me",
        method = "get",
        operation_id = "getMyProgress"
    )]
    async fn my_progress(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<Progress> {
        progress_for(&state, &auth.0, id.0, auth.0.id).await
    }

    /// A roster member's progress (admin, hr; a cadre may ask only for themself).
    #[oai(
        path = "/campaigns/:id/progress/:user_id",
        method = "get",
        operation_id = "getUserProgress"
    )]
    async fn user_progress(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        user_id: Path<i64>,
    ) -> ApiResult<Progress> {
        progress_for(&state, &auth.0, id.0, user_id.0).await
    }
}
