//! An exam attempt as its owner (and HR) sees it, and the device an attempt belongs to:
//! shared by the exam's routes and its fairness routes.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use crate::{
    error::AppError,
    views::enums::{AttemptKind, AttemptStatus, FinishedReason, Grade, QuestionKind},
};
use domain::{
    error::{FieldError, Format},
    services::exam::{AttemptFull, fairness::answer_counts},
};

/// The header an app names its device in (a random id it keeps).
pub const DEVICE_HEADER: &str = "X-Device-Id";

/// The device id a request gives: 1–64 printable ASCII characters without spaces.
pub fn device_id(raw: Option<String>) -> Result<Option<String>, AppError> {
    match raw {
        None => Ok(None),
        Some(id) if (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(id))
        }
        Some(_) => Err(AppError::invalid(FieldError::bad_format(
            DEVICE_HEADER,
            Format::Key,
            "a device id is 1 to 64 printable characters without spaces",
        ))),
    }
}

/// A question of an attempt, as the cadre sees it.
#[derive(Debug, Object)]
pub struct AttemptQuestionView {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    /// In the order this attempt shows them.
    pub options: Vec<String>,
    /// What it is worth in this attempt (its paper rule's points, else its own).
    pub points: i32,
    /// The saved choices, as positions in `options`.
    pub choices: Vec<u32>,
    /// The right options (positions in `options`): only once the attempt is finished
    /// and every exam window of the campaign (main and make-up) has closed.
    #[oai(skip_serializing_if_is_none)]
    pub answer: Option<Vec<u32>>,
    /// Whether the saved choices were right: same condition as `answer`.
    #[oai(skip_serializing_if_is_none)]
    pub correct: Option<bool>,
    /// Flagged by the cadre for review.
    pub flagged: bool,
}

/// An exam attempt.
#[derive(Debug, Object)]
pub struct AttemptView {
    pub id: i64,
    pub campaign_id: i64,
    pub user_id: i64,
    pub status: AttemptStatus,
    /// `main`, or `makeup` (补考).
    pub kind: AttemptKind,
    /// The paper drawn (组卷), when one applies to the cadre.
    pub paper_key: Option<String>,
    pub started_at: DateTime<Utc>,
    /// Set by the server: min(started_at + duration, the close of its window:
    /// `exam_closes_at`, or `makeup_closes_at` for a make-up). Submissions are accepted
    /// until 30 seconds after it.
    pub deadline: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// 0–100 with 2 decimals, once finished.
    pub score: Option<f64>,
    pub passed: Option<bool>,
    /// The grade of a finished attempt.
    pub grade: Option<Grade>,
    /// Questions answered right, once finished.
    pub correct: Option<i32>,
    /// Questions drawn.
    pub total: i32,
    /// Of `total`: answered, unanswered, flagged for review (答题卡).
    pub answered: i32,
    pub unanswered: i32,
    pub flagged: i32,
    /// Why it finished, once it has: `submitted`, `deadline`, or `focus_limit`.
    pub finished_reason: Option<FinishedReason>,
    /// Times the exam page lost focus, and how many the campaign allows (`null`: no limit;
    /// the loss past it submits the attempt).
    pub focus_losses: i32,
    pub max_focus_losses: Option<i32>,
    /// Times it was moved to another device.
    pub takeovers: i32,
    pub questions: Vec<AttemptQuestionView>,
}

fn u32s(v: Vec<usize>) -> Vec<u32> {
    v.into_iter().map(|x| x as u32).collect()
}

pub fn attempt_view(full: AttemptFull, reveal: bool) -> AttemptView {
    let finished = full.attempt.status != domain::services::exam::AttemptStatus::Open;
    let (answered, unanswered, flagged) = answer_counts(&full);
    AttemptView {
        id: full.attempt.id,
        campaign_id: full.attempt.campaign_id,
        user_id: full.attempt.user_id,
        status: full.attempt.status.into(),
        kind: full.attempt.kind.into(),
        paper_key: full.attempt.paper_key.clone(),
        started_at: full.attempt.started_at,
        deadline: full.attempt.deadline,
        finished_at: full.attempt.finished_at,
        score: full.score(),
        passed: full.passed(),
        grade: full.grade().map(Into::into),
        correct: finished.then_some(full.attempt.correct_count),
        total: full.attempt.question_total,
        answered: answered as i32,
        unanswered: unanswered as i32,
        flagged: flagged as i32,
        finished_reason: full.attempt.finished_reason.map(Into::into),
        focus_losses: full.attempt.focus_losses,
        max_focus_losses: full.campaign.max_focus_losses,
        takeovers: full.attempt.takeovers,
        questions: full
            .questions
            .iter()
            .map(|q| AttemptQuestionView {
                id: q.question.model.id,
                kind: q.question.kind.into(),
                stem: q.question.model.stem.clone(),
                options: q.shown_options(),
                points: q.points,
                choices: u32s(q.shown_choices()),
                answer: reveal.then(|| u32s(q.shown_answer())),
                correct: if reveal { q.correct } else { None },
                flagged: q.flagged,
            })
            .collect(),
    }
}
