//! Practice (模拟练习) and the wrong-answer book (错题本), for cadres.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use super::ApiTags;
use crate::views::{
    enums::QuestionKind,
    paging::{Page, PageParam, PerPageParam, page_req},
};
use domain::{
    services::{
        practice::{self, Mistake, Source, Verdict},
        questions::Question,
    },
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, validate::Checked};

pub struct PracticeApi;

/// How many questions to practise.
#[derive(Debug, Object)]
pub struct StartPractice {
    /// Default 10, at most 50; all of the practice pool when it has fewer.
    #[oai(validator(minimum(value = "1"), maximum(value = "50")))]
    pub count: Option<u32>,
}

/// A practice question, without its answer.
#[derive(Debug, Object)]
pub struct PracticeQuestionView {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    /// Answer with positions in this list (0-based).
    pub options: Vec<String>,
    pub tags: Vec<String>,
    pub difficulty: i32,
}

impl From<Question> for PracticeQuestionView {
    fn from(q: Question) -> Self {
        Self {
            id: q.model.id,
            kind: q.kind.into(),
            stem: q.model.stem,
            options: q.options,
            tags: q.tags,
            difficulty: q.model.difficulty,
        }
    }
}

/// A practice set drawn from the practice pool.
#[derive(Debug, Object)]
pub struct PracticeView {
    pub id: i64,
    pub questions: Vec<PracticeQuestionView>,
}

/// One answer to a practice question.
#[derive(Debug, Object)]
pub struct PracticeAnswer {
    pub question_id: i64,
    /// Positions in the question's `options`.
    #[oai(validator(min_items = 1, max_items = 10))]
    pub choices: Vec<u32>,
}

/// Whether the answer was right, with the right answer and the law it tests.
#[derive(Debug, Object)]
pub struct PracticeVerdict {
    pub correct: bool,
    /// Positions of the right options.
    pub answer: Vec<u32>,
    pub law_ref: String,
}

impl From<Verdict> for PracticeVerdict {
    fn from(v: Verdict) -> Self {
        Self {
            correct: v.correct,
            answer: positions(&v.answer),
            law_ref: v.law_ref,
        }
    }
}

/// Where a mistake was made.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum MistakeSource {
    /// 模拟练习
    Practice,
    /// 考试 (shown only once every exam window of the campaign has closed).
    Exam,
}

/// A question answered wrong (错题), with the right answer.
#[derive(Debug, Object)]
pub struct MistakeView {
    pub question_id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    /// In the bank's order (not as an exam attempt shuffled them).
    pub options: Vec<String>,
    /// What was chosen (positions in `options`; empty when unanswered).
    pub choices: Vec<u32>,
    /// The right options (positions in `options`).
    pub answer: Vec<u32>,
    pub law_ref: String,
    pub source: MistakeSource,
    pub answered_at: DateTime<Utc>,
}

impl From<Mistake> for MistakeView {
    fn from(m: Mistake) -> Self {
        Self {
            question_id: m.question.model.id,
            kind: m.question.kind.into(),
            stem: m.question.model.stem,
            options: m.question.options,
            choices: positions(&m.choices),
            answer: positions(&m.question.answer),
            law_ref: m.question.model.law_ref,
            source: match m.source {
                Source::Practice => MistakeSource::Practice,
                Source::Exam => MistakeSource::Exam,
            },
            answered_at: m.answered_at,
        }
    }
}

fn positions(p: &[usize]) -> Vec<u32> {
    p.iter().map(|&i| i as u32).collect()
}

#[derive(ApiResponse)]
pub enum PracticeResponse {
    /// The practice set was drawn.
    #[oai(status = 201)]
    Created(Json<PracticeView>),
}

#[derive(ApiResponse)]
pub enum VerdictResponse {
    /// The verdict; sending the same question again returns the first verdict.
    #[oai(status = 200)]
    Ok(Json<PracticeVerdict>),
}

#[derive(ApiResponse)]
pub enum MistakeList {
    /// A page of mistakes, newest first, each question once.
    #[oai(status = 200)]
    Ok(Json<Page<MistakeView>>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Exam")]
impl PracticeApi {
    /// Draw a practice set (an enrolled cadre, from the first study day until the last
    /// exam window closes; otherwise 409 `practice_closed`). Practice questions only,
    /// without answers; practice counts for no target.
    #[oai(
        path = "/campaigns/:id/practice",
        method = "post",
        operation_id = "startPractice"
    )]
    async fn start_practice(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<StartPractice>,
    ) -> ApiResult<PracticeResponse> {
        let set = practice::start(
            &state.db,
            &auth.0,
            id.0,
            body.0.count,
            state.clock.now(),
            state.config.tz,
        )
        .await?;
        Ok(PracticeResponse::Created(Json(PracticeView {
            id: set.id,
            questions: set.questions.into_iter().map(Into::into).collect(),
        })))
    }

    /// Answer one question of the caller's practice set: right or wrong at once, with the
    /// right answer and the law.
    #[oai(
        path = "/practice/:id/answers",
        method = "post",
        operation_id = "answerPractice"
    )]
    async fn answer_practice(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<PracticeAnswer>,
    ) -> ApiResult<VerdictResponse> {
        let b = body.0;
        let verdict = practice::answer(
            &state.db,
            &auth.0,
            id.0,
            b.question_id,
            b.choices.into_iter().map(|c| c as usize).collect(),
            state.clock.now(),
        )
        .await?;
        Ok(VerdictResponse::Ok(Json(verdict.into())))
    }

    /// The caller's 错题本: practice questions answered wrong, and exam questions answered
    /// wrong once every exam window of the campaign has closed; newest first.
    #[oai(
        path = "/campaigns/:id/mistakes/me",
        method = "get",
        operation_id = "listMyMistakes"
    )]
    async fn my_mistakes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<MistakeList> {
        let found = practice::mistakes(
            &state.db,
            &auth.0,
            id.0,
            state.clock.now(),
            page_req(page, per_page),
        )
        .await?;
        Ok(MistakeList::Ok(Json(Page::of(found, Into::into))))
    }
}
