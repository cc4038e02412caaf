//! The online exam: the question bank (HR) and attempts (cadres).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiRequest, ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::{Binary, Json},
};

use super::ApiTags;
use crate::views::{
    enums::{AttemptKind, AttemptStatus, FinishedReason, Grade, QuestionKind, QuestionPool},
    exam::{AttemptView, attempt_view, device_id},
    files::{Download, TableFormat, Tables},
    paging::{Page, PageParam, PerPageParam, page_req},
    text::{Lenient, Text},
};
use domain::{
    policy::{self, Action},
    services::audit::{Disclosed, Disclosure},
    services::{
        self,
        exam::{Answer, AttemptFilter, AttemptRow, Started},
        questions::{Question, QuestionInput},
    },
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, middleware::Charset, validate::Checked};

pub struct ExamApi;

/// A question with its answer, as HR sees it.
#[derive(Debug, Object)]
pub struct QuestionView {
    pub id: i64,
    pub campaign_id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    /// Indices of the right options.
    pub answer: Vec<u32>,
    pub points: i32,
    /// The law (and article) it tests.
    pub law_ref: String,
    /// Retired questions are no longer drawn; attempts that drew them still grade.
    pub retired: bool,
    /// The laws the question tests (宪法, 民法典…).
    pub tags: Vec<String>,
    /// 1 easy, 2 medium, 3 hard.
    pub difficulty: i32,
    pub pool: QuestionPool,
}

impl From<Question> for QuestionView {
    fn from(q: Question) -> Self {
        Self {
            id: q.model.id,
            campaign_id: q.model.campaign_id,
            kind: q.kind.into(),
            stem: q.model.stem,
            options: q.options,
            answer: q.answer.into_iter().map(|a| a as u32).collect(),
            points: q.model.points,
            law_ref: q.model.law_ref,
            retired: q.model.retired,
            tags: q.tags,
            difficulty: q.model.difficulty,
            pool: q.model.pool.into(),
        }
    }
}

/// A new question. A single or judge question has exactly one answer; a judge question
/// exactly two options; options are non-empty and distinct.
#[derive(Debug, Clone, Object)]
pub struct CreateQuestion {
    pub kind: QuestionKind,
    #[oai(validator(max_length = 2000))]
    pub stem: Text,
    #[oai(validator(max_items = 10))]
    pub options: Vec<Text>,
    #[oai(validator(max_items = 10))]
    pub answer: Vec<u32>,
    /// 1 to 100; default 1.
    #[oai(default = "one")]
    pub points: i32,
    #[oai(default, validator(max_length = 200))]
    pub law_ref: Text,
    /// The laws the question tests, e.g. `["宪法"]`; at most 10.
    #[oai(default, validator(max_items = 10))]
    pub tags: Vec<Text>,
    /// 1 easy, 2 medium (default), 3 hard.
    #[oai(default = "two", validator(minimum(value = "1"), maximum(value = "3")))]
    pub difficulty: i32,
    /// `exam` (default) or `practice`.
    #[oai(default = "exam_pool")]
    pub pool: QuestionPool,
}

fn one() -> i32 {
    1
}

fn two() -> i32 {
    2
}

fn exam_pool() -> QuestionPool {
    QuestionPool::Exam
}

impl From<CreateQuestion> for QuestionInput {
    fn from(q: CreateQuestion) -> Self {
        Self {
            kind: q.kind.into(),
            stem: q.stem.into(),
            options: q.options.into_iter().map(String::from).collect(),
            answer: q.answer.into_iter().map(|a| a as usize).collect(),
            points: q.points,
            law_ref: q.law_ref.into(),
            tags: q.tags.into_iter().map(String::from).collect(),
            difficulty: q.difficulty,
            pool: q.pool.into(),
        }
    }
}

/// Changes to a question; absent fields stay. If an attempt has drawn the question it is
/// retired and the changed version is stored as a new question (returned, with its id).
#[derive(Debug, Object)]
pub struct UpdateQuestion {
    pub kind: Option<QuestionKind>,
    #[oai(validator(max_length = 2000))]
    pub stem: Option<Text>,
    #[oai(validator(max_items = 10))]
    pub options: Option<Vec<Text>>,
    #[oai(validator(max_items = 10))]
    pub answer: Option<Vec<u32>>,
    pub points: Option<i32>,
    #[oai(validator(max_length = 200))]
    pub law_ref: Option<Text>,
    #[oai(validator(max_items = 10))]
    pub tags: Option<Vec<Text>>,
    #[oai(validator(minimum(value = "1"), maximum(value = "3")))]
    pub difficulty: Option<i32>,
    pub pool: Option<QuestionPool>,
}

/// A bank in JSON: each question is checked on its own and every bad one is reported.
#[derive(Debug, Object)]
pub struct QuestionBank {
    #[oai(validator(max_items = 10000))]
    pub questions: Vec<Lenient<CreateQuestion>>,
}

/// A question bank to import, all or nothing.
#[derive(Debug, ApiRequest)]
pub enum QuestionImport {
    /// `{questions: [...]}`; errors name the item number (1-based) as `line`.
    Json(Checked<QuestionBank>),
    /// CSV (UTF-8 or GBK) with columns 题型/kind, 题干/stem, 选项A…选项J (or 选项 with `|`
    /// between options), 答案/answer (letters such as `AC`; 对/错 for judge), 分值/points,
    /// 法律依据/law_ref. Errors name the line.
    #[oai(content_type = "text/csv")]
    Csv(Binary<Vec<u8>>),
}

/// How many questions were imported.
#[derive(Debug, Object)]
pub struct ImportedQuestions {
    pub imported: u64,
}

/// One answer: positions (0-based) in the options as this attempt showed them. An empty
/// list clears the answer. `flagged` marks it for review (absent: as it was).
#[derive(Debug, Object)]
pub struct AnswerInput {
    pub question_id: i64,
    #[oai(validator(max_items = 10))]
    pub choices: Vec<u32>,
    pub flagged: Option<bool>,
}

/// Answers to save or submit.
#[derive(Debug, Object)]
pub struct AnswerSheet {
    #[oai(default, validator(max_items = 1000))]
    pub answers: Vec<AnswerInput>,
}

/// The result of a submission.
#[derive(Debug, Object)]
pub struct SubmitResult {
    /// 0–100, 2 decimals.
    pub score: f64,
    /// Score ≥ the campaign's pass score.
    pub passed: bool,
    /// 优秀 / 良好 / 合格 / 不合格 by the campaign's bands.
    pub grade: Grade,
    /// Questions answered right.
    pub correct: i32,
    /// Questions drawn.
    pub total: i32,
}

/// A certificate (合格证书). On the public verification the name is partly hidden (张*明).
#[derive(Debug, Object)]
pub struct CertificateView {
    /// Random, 20 characters (Crockford base32): check it at `GET /certificates/{code}`.
    pub code: String,
    pub name: String,
    /// The holder's unit.
    pub unit: Option<String>,
    /// The campaign's title.
    pub campaign: String,
    pub year: i32,
    /// The best finished score, 0–100, 2 decimals.
    pub score: f64,
    /// The best score's grade.
    pub grade: Grade,
    /// When the first passing attempt finished.
    pub passed_at: DateTime<Utc>,
}

impl From<services::certificates::Certificate> for CertificateView {
    fn from(c: services::certificates::Certificate) -> Self {
        Self {
            code: c.code,
            name: c.name,
            unit: c.unit,
            campaign: c.campaign,
            year: c.year,
            score: c.score,
            grade: c.grade.into(),
            passed_at: c.passed_at,
        }
    }
}

#[derive(ApiResponse)]
pub enum CertificateResponse {
    /// The certificate.
    #[oai(status = 200)]
    Ok(Json<CertificateView>),
}

/// An attempt in HR's list.
#[derive(Debug, Object)]
pub struct AttemptListItem {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub status: AttemptStatus,
    /// `main`, or `makeup` (补考).
    pub kind: AttemptKind,
    pub paper_key: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    /// The grade of a finished attempt.
    pub grade: Option<Grade>,
    /// Why it finished (`submitted`, `deadline`, `focus_limit`), once it has.
    pub finished_reason: Option<FinishedReason>,
    /// Times the exam page lost focus.
    pub focus_losses: i32,
    /// Times it was moved to another device.
    pub takeovers: i32,
}

impl From<AttemptRow> for AttemptListItem {
    fn from(r: AttemptRow) -> Self {
        Self {
            id: r.attempt.id,
            user_id: r.user.id,
            username: r.user.username,
            name: r.user.name,
            unit_id: r.user.unit_id,
            unit_name: r.unit_name,
            status: r.attempt.status.into(),
            kind: r.attempt.kind.into(),
            paper_key: r.attempt.paper_key,
            started_at: r.attempt.started_at,
            finished_at: r.attempt.finished_at,
            score: r.attempt.score_centi.map(domain::scoring::centi_to_score),
            passed: r.passed,
            grade: r.grade.map(Into::into),
            finished_reason: r.attempt.finished_reason.map(Into::into),
            focus_losses: r.attempt.focus_losses,
            takeovers: r.attempt.takeovers,
        }
    }
}

#[derive(ApiResponse)]
pub enum AttemptList {
    /// A page of attempts, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<AttemptListItem>>),
}

#[derive(ApiResponse)]
pub enum QuestionResponse {
    /// The question.
    #[oai(status = 200)]
    Ok(Json<QuestionView>),
    /// The question was added to the bank.
    #[oai(status = 201)]
    Created(Json<QuestionView>),
}

#[derive(ApiResponse)]
pub enum QuestionList {
    /// A page of the bank, by id.
    #[oai(status = 200)]
    Ok(Json<Page<QuestionView>>),
}

#[derive(ApiResponse)]
pub enum QuestionsImported {
    /// Every question was valid and has been stored.
    #[oai(status = 201)]
    Created(Json<ImportedQuestions>),
}

#[derive(ApiResponse)]
pub enum QuestionDeleted {
    /// Deleted (or retired, when an attempt has drawn it).
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum AttemptStarted {
    /// An attempt was still open: the same attempt, with the answers saved so far.
    #[oai(status = 200)]
    Resumed(Json<AttemptView>),
    /// A new attempt: the drawn questions, without answers.
    #[oai(status = 201)]
    Created(Json<AttemptView>),
}

#[derive(ApiResponse)]
pub enum AttemptResponse {
    /// The attempt.
    #[oai(status = 200)]
    Ok(Json<AttemptView>),
}

#[derive(ApiResponse)]
pub enum Submitted {
    /// Graded (or, for a retry, the grade already given).
    #[oai(status = 200)]
    Ok(Json<SubmitResult>),
}

fn answers_of(sheet: AnswerSheet) -> Vec<Answer> {
    sheet
        .answers
        .into_iter()
        .map(|a| Answer {
            question_id: a.question_id,
            choices: a.choices.into_iter().map(|c| c as usize).collect(),
            flagged: a.flagged,
        })
        .collect()
}

/// How one paper rule stands against the question bank.
#[derive(Debug, Object)]
pub struct PaperRuleCheck {
    /// The paper's key.
    pub paper: String,
    /// The rule's index in the paper's `rules` (from 0).
    pub rule: u32,
    pub kind: QuestionKind,
    pub tags: Vec<String>,
    pub difficulty: Option<i32>,
    /// Questions the rule draws.
    pub needed: i32,
    /// Live exam-pool questions it may draw from, counting the rule on its own (rules
    /// that share questions take them in turn at start).
    pub available: i32,
}

#[derive(ApiResponse)]
pub enum PaperCheck {
    /// Every rule of every paper, in order; none for a campaign without papers.
    #[oai(status = 200)]
    Ok(Json<Vec<PaperRuleCheck>>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Exam")]
impl ExamApi {
    /// Check the papers (组卷) against the bank (admin, hr): what each rule needs and
    /// what the bank has. A rule with `available < needed` makes starting that paper
    /// fail with 409 `not_enough_questions`.
    #[oai(
        path = "/campaigns/:id/papers/check",
        method = "get",
        operation_id = "checkPapers"
    )]
    async fn check_papers(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<PaperCheck> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageQuestions).await?;
        let campaign = services::campaigns::seen(&state.db, &scope, id.0).await?;
        let rules = services::papers::check(&state.db, &campaign).await?;
        Ok(PaperCheck::Ok(Json(
            rules
                .into_iter()
                .map(|r| PaperRuleCheck {
                    paper: r.paper,
                    rule: r.rule as u32,
                    kind: r.kind.into(),
                    tags: r.tags,
                    difficulty: r.difficulty,
                    needed: r.needed,
                    available: r.available,
                })
                .collect(),
        )))
    }

    /// The question bank, with answers (admin, hr).
    #[oai(
        path = "/campaigns/:id/questions",
        method = "get",
        operation_id = "listQuestions"
    )]
    async fn list_questions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        /// Include retired questions.
        #[oai(default)]
        include_retired: Query<bool>,
        /// Words in the stem or the legal reference.
        #[oai(validator(max_length = 100))]
        q: Query<Option<String>>,
        kind: Query<Option<QuestionKind>>,
        pool: Query<Option<QuestionPool>>,
        /// The order: `kind`, `points` or `difficulty`, with `-` first for descending; by
        /// id when absent.
        #[oai(validator(max_length = 40))]
        sort: Query<Option<String>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<QuestionList> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageQuestions).await?;
        let filter = services::questions::QuestionFilter {
            include_retired: include_retired.0,
            q: q.0,
            kind: kind.0.map(Into::into),
            pool: pool.0.map(Into::into),
            sort: domain::paging::SortReq::parse(sort.0.as_deref()),
        };
        let found =
            services::questions::list(&state.db, &scope, id.0, filter, page_req(page, per_page))
                .await?;
        Ok(QuestionList::Ok(Json(Page::of(found, QuestionView::from))))
    }

    /// Add a question to the bank (admin, hr).
    #[oai(
        path = "/campaigns/:id/questions",
        method = "post",
        operation_id = "createQuestion"
    )]
    async fn create_question(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<CreateQuestion>,
    ) -> ApiResult<QuestionResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageQuestions).await?;
        let q = services::questions::create(
            &state.db,
            &auth.0,
            &scope,
            id.0,
            body.0.into(),
            state.clock.now(),
        )
        .await?;
        Ok(QuestionResponse::Created(Json(q.into())))
    }

    /// Import a bank (admin, hr), as JSON or CSV, all or nothing: any bad question → 422
    /// listing every bad one, and nothing is stored.
    #[oai(
        path = "/campaigns/:id/questions/import",
        method = "post",
        operation_id = "importQuestions"
    )]
    async fn import_questions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: QuestionImport,
        charset: Option<Data<&Charset>>,
    ) -> ApiResult<QuestionsImported> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageQuestions).await?;
        let items = match body {
            QuestionImport::Json(bank) => bank
                .0
                .questions
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    (
                        i as u64 + 1,
                        item.parsed.map(QuestionInput::from).map_err(|m| {
                            match crate::validate::check_as::<CreateQuestion>(&item.raw) {
                                errors if errors.is_empty() => {
                                    vec![domain::error::FieldError::new(
                                        "question",
                                        domain::error::Code::BadFormat,
                                        m,
                                    )]
                                }
                                errors => errors,
                            }
                        }),
                    )
                })
                .collect(),
            QuestionImport::Csv(bytes) => {
                services::questions::parse_csv(&bytes.0, charset.map(|c| c.0.0.as_str()))?
            }
        };
        let imported =
            services::questions::import(&state.db, &auth.0, &scope, id.0, items, state.clock.now())
                .await?;
        Ok(QuestionsImported::Created(Json(ImportedQuestions {
            imported,
        })))
    }

    /// Change a question (admin, hr).
    #[oai(
        path = "/questions/:id",
        method = "patch",
        operation_id = "updateQuestion"
    )]
    async fn update_question(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<UpdateQuestion>,
    ) -> ApiResult<QuestionResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageQuestions).await?;
        let b = body.0;
        let q = services::questions::update(
            &state.db,
            &auth.0,
            &scope,
            id.0,
            |input| {
                if let Some(kind) = b.kind {
                    input.kind = kind.into();
                }
                if let Some(stem) = b.stem {
                    input.stem = stem.into();
                }
                if let Some(options) = b.options {
                    input.options = options.into_iter().map(String::from).collect();
                }
                if let Some(answer) = b.answer {
                    input.answer = answer.into_iter().map(|a| a as usize).collect();
                }
                if let Some(points) = b.points {
                    input.points = points;
                }
                if let Some(law_ref) = b.law_ref {
                    input.law_ref = law_ref.into();
                }
                if let Some(tags) = b.tags {
                    input.tags = tags.into_iter().map(String::from).collect();
                }
                if let Some(difficulty) = b.difficulty {
                    input.difficulty = difficulty;
                }
                if let Some(pool) = b.pool {
                    input.pool = pool.into();
                }
            },
            state.clock.now(),
        )
        .await?;
        Ok(QuestionResponse::Ok(Json(q.into())))
    }

    /// Remove a question (admin, hr): deleted, or retired if an attempt has drawn it.
    #[oai(
        path = "/questions/:id",
        method = "delete",
        operation_id = "deleteQuestion"
    )]
    async fn delete_question(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<QuestionDeleted> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageQuestions).await?;
        services::questions::delete(&state.db, &auth.0, &scope, id.0, state.clock.now()).await?;
        Ok(QuestionDeleted::NoContent)
    }

    /// Start an exam attempt (cadre, enrolled).
    ///
    /// In the main window a `main` attempt; in the make-up window (补考) a `makeup` one,
    /// for members who have not passed. Draws the cadre's paper (组卷: rule by rule, each
    /// question worth its rule's points), or `question_count` questions at random when no
    /// paper applies; shuffled, options shuffled, without answers. If an attempt is still
    /// open it is returned instead (200). Refusals (409, with `code`): `exam_not_open`,
    /// `makeup_not_open`, `exam_closed`, `study_incomplete`, `no_attempts_left`,
    /// `already_passed` (make-up), `no_questions`, `not_enough_questions` (a paper rule
    /// the bank cannot fill: see `papers/check`); 403 when not enrolled.
    #[oai(
        path = "/campaigns/:id/attempts",
        method = "post",
        operation_id = "startAttempt"
    )]
    async fn start_attempt(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        /// The device starting it: the attempt then belongs to it (saves and submits from
        /// another are 409 `attempt_on_another_device`, a resume too).
        #[oai(name = "X-Device-Id")]
        device: Header<Option<String>>,
    ) -> ApiResult<AttemptStarted> {
        policy::authorize(&auth.0, Action::SitExam)?;
        let device = device_id(device.0)?;
        let started = services::exam::start_attempt(
            &state.db,
            &auth.0,
            (id.0, device.as_deref()),
            state.clock.now(),
        )
        .await?;
        Ok(match started {
            Started::New(full) => AttemptStarted::Created(Json(attempt_view(full, false))),
            Started::Resumed(full) => AttemptStarted::Resumed(Json(attempt_view(full, false))),
        })
    }

    /// The caller's certificate (合格证书) for a campaign, issued the first time they ask
    /// after passing. 404 when they are not on the roster or have not passed.
    #[oai(
        path = "/campaigns/:id/certificate/me",
        method = "get",
        operation_id = "getMyCertificate"
    )]
    async fn my_certificate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<CertificateResponse> {
        // Only ever the caller's own: nothing for the policy to decide.
        let c = services::certificates::mine(&state.db, id.0, auth.0.id, state.clock.now()).await?;
        Ok(CertificateResponse::Ok(Json(c.into())))
    }

    /// Verify a certificate by its code; no sign-in needed. The holder's name is partly
    /// hidden. An unknown code is 404, and costs the same lookup as a right one.
    #[oai(
        path = "/certificates/:code",
        method = "get",
        operation_id = "verifyCertificate"
    )]
    async fn verify_certificate(
        &self,
        state: Data<&AppState>,
        code: Path<String>,
    ) -> ApiResult<CertificateResponse> {
        let c = services::certificates::verify(&state.db, &code.0).await?;
        Ok(CertificateResponse::Ok(Json(c.into())))
    }

    /// One attempt (its owner; admin, hr). A cadre sees the right answers only once the
    /// attempt is finished and the exam window has closed.
    #[oai(path = "/attempts/:id", method = "get", operation_id = "getAttempt")]
    async fn get_attempt(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<AttemptResponse> {
        // Whose attempt it is decides: the service asks `policy::authorize_records_of`,
        // and a manager's scope for someone else's.
        let scope = policy::scope_of(&state.db, &auth.0).await?;
        let (full, reveal) =
            services::exam::view_attempt(&state.db, &auth.0, &scope, id.0, state.clock.now())
                .await?;
        Ok(AttemptResponse::Ok(Json(attempt_view(full, reveal))))
    }

    /// Save answers as the cadre goes (owner). After the deadline (+30 s): 409
    /// `deadline_passed`, and the attempt is finished with what was saved.
    #[oai(
        path = "/attempts/:id/answers",
        method = "put",
        operation_id = "saveAttemptAnswers"
    )]
    async fn save_answers(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        /// The device the attempt belongs to.
        #[oai(name = "X-Device-Id")]
        device: Header<Option<String>>,
        body: Checked<AnswerSheet>,
    ) -> ApiResult<AttemptResponse> {
        policy::authorize(&auth.0, Action::SitExam)?;
        let device = device_id(device.0)?;
        let full = services::exam::save_answers(
            &state.db,
            &state.answers,
            &auth.0,
            (id.0, device.as_deref()),
            &answers_of(body.0),
            state.clock.now(),
        )
        .await?;
        Ok(AttemptResponse::Ok(Json(attempt_view(full, false))))
    }

    /// Submit (owner): saves the given answers and grades on the server. A retry after a
    /// lost response returns the same grade. After the deadline (+30 s): 409
    /// `deadline_passed`, and the attempt is finished with what was saved before.
    #[oai(
        path = "/attempts/:id/submit",
        method = "post",
        operation_id = "submitAttempt"
    )]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        /// The device the attempt belongs to.
        #[oai(name = "X-Device-Id")]
        device: Header<Option<String>>,
        body: Checked<AnswerSheet>,
    ) -> ApiResult<Submitted> {
        policy::authorize(&auth.0, Action::SitExam)?;
        let device = device_id(device.0)?;
        let g = services::exam::submit(
            &state.db,
            &auth.0,
            (id.0, device.as_deref()),
            &answers_of(body.0),
            state.clock.now(),
        )
        .await?;
        Ok(Submitted::Ok(Json(SubmitResult {
            score: g.score,
            passed: g.passed,
            grade: g.grade.into(),
            correct: g.correct,
            total: g.total,
        })))
    }

    /// A campaign's attempts (admin, hr), newest first.
    #[oai(
        path = "/campaigns/:id/attempts",
        method = "get",
        operation_id = "listAttempts"
    )]
    async fn list_attempts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        user_id: Query<Option<i64>>,
        /// Attempts of cadres in this unit and its sub-units.
        unit_id: Query<Option<i64>>,
        /// Finished attempts that passed (true) or failed (false).
        passed: Query<Option<bool>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<AttemptList> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAttempts).await?;
        let filter = AttemptFilter {
            user_id: user_id.0,
            unit_id: unit_id.0,
            passed: passed.0,
        };
        let described = filter.audit_pairs(id.0);
        let found = services::exam::list_attempts(
            &state.db,
            &scope,
            id.0,
            filter,
            page_req(page, per_page),
        )
        .await?;
        super::disclosed(
            &state,
            &auth.0,
            Disclosed {
                kind: Disclosure::ReadPeople,
                what: "attempts",
                filters: &described,
                rows: found.items.len(),
            },
        )
        .await?;
        Ok(AttemptList::Ok(Json(Page::of(
            found,
            AttemptListItem::from,
        ))))
    }

    /// Every attempt of a campaign matching the filters, as a file (admin, hr).
    #[oai(
        path = "/campaigns/:id/attempts/export",
        method = "get",
        operation_id = "exportAttempts"
    )]
    async fn export_attempts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        format: Query<TableFormat>,
        user_id: Query<Option<i64>>,
        /// Attempts of cadres in this unit and its sub-units.
        unit_id: Query<Option<i64>>,
        /// Finished attempts that passed (true) or failed (false).
        passed: Query<Option<bool>>,
    ) -> ApiResult<Download<Tables>> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAttempts).await?;
        let filter = AttemptFilter {
            user_id: user_id.0,
            unit_id: unit_id.0,
            passed: passed.0,
        };
        let file = services::exports::attempts(
            &state.db,
            &auth.0,
            &scope,
            id.0,
            filter,
            format.0.into(),
            state.clock.now(),
        )
        .await?;
        Ok(file.into())
    }
}
