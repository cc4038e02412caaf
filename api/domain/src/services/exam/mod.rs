//! The online exam: random draws, server-side deadlines, grading, retakes, expiry.
//! Every write holds the cadre's lock (see [`lock_cadre`]), so two starts open one
//! attempt and two submits grade once.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{attempt, attempt_question, campaign, enrollment, question, unit, user};
use rand::seq::SliceRandom;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
    sea_query::{CaseStatement, Expr},
};

pub mod answer_writer;
pub mod fairness;

use answer_writer::AnswerWriter;

use super::{
    Page, PageReq, audit, begin_write, campaigns, lock_cadre, papers,
    questions::{Question, QuestionKind},
    roster,
};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Clash, FieldError, Thing},
    policy::{self, Scope},
    scoring,
};

/// A submission this late after the deadline is still accepted (network delays).
pub const GRACE_SECS: i64 = 30;

pub use entity::{
    attempt::{AttemptKind, AttemptStatus, FinishedReason},
    attempt_event::AttemptEventKind,
};
const OPEN: AttemptStatus = AttemptStatus::Open;

/// A question as one attempt shows it.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub position: i32,
    pub question: Question,
    /// What the question is worth in this attempt.
    pub points: i32,
    /// Shown option `i` is original option `option_order[i]`.
    pub option_order: Vec<usize>,
    /// Chosen original indices; `None` when unanswered.
    pub choices: Option<Vec<usize>>,
    pub correct: Option<bool>,
    /// Marked by the cadre for review.
    pub flagged: bool,
}

impl Drawn {
    /// The options in the order shown.
    pub fn shown_options(&self) -> Vec<String> {
        self.option_order
            .iter()
            .map(|i| self.question.options.get(*i).cloned().unwrap_or_default())
            .collect()
    }

    fn to_shown(&self, originals: &[usize]) -> Vec<usize> {
        let mut shown: Vec<usize> = originals
            .iter()
            .filter_map(|o| self.option_order.iter().position(|x| x == o))
            .collect();
        shown.sort_unstable();
        shown
    }

    /// The cadre's choices as positions in the shown options.
    pub fn shown_choices(&self) -> Vec<usize> {
        self.choices
            .as_deref()
            .map(|c| self.to_shown(c))
            .unwrap_or_default()
    }

    /// The right answer as positions in the shown options.
    pub fn shown_answer(&self) -> Vec<usize> {
        self.to_shown(&self.question.answer)
    }
}

/// An attempt with its questions and its campaign.
#[derive(Debug, Clone)]
pub struct AttemptFull {
    pub attempt: attempt::Model,
    pub campaign: campaign::Model,
    pub questions: Vec<Drawn>,
}

impl AttemptFull {
    pub fn score(&self) -> Option<f64> {
        self.attempt.score_centi.map(scoring::centi_to_score)
    }

    /// The grade of a finished attempt.
    pub fn grade(&self) -> Option<scoring::Grade> {
        self.attempt
            .score_centi
            .map(|s| scoring::grade(s, (&self.campaign).into()))
    }

    pub fn passed(&self) -> Option<bool> {
        self.attempt
            .score_centi
            .map(|s| scoring::passes(s, self.campaign.pass_score))
    }
}

/// What starting gave.
#[derive(Debug, Clone)]
pub enum Started {
    New(AttemptFull),
    /// An attempt was still open (the app crashed): the same one.
    Resumed(AttemptFull),
}

/// The result of a submission.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Graded {
    pub score: f64,
    pub passed: bool,
    pub grade: scoring::Grade,
    pub correct: i32,
    pub total: i32,
}

/// One answer as the app sends it: positions in the options as shown, and whether it is
/// flagged for review (`None`: as it was).
#[derive(Debug, Clone)]
pub struct Answer {
    pub question_id: i64,
    pub choices: Vec<usize>,
    pub flagged: Option<bool>,
}

fn state_conflict(code: Clash, detail: &str) -> AppError {
    AppError::conflict(code, detail)
}

/// A member's extra time (延时).
fn extra_time(e: &enrollment::Model) -> Duration {
    Duration::minutes(e.extra_minutes.into())
}

/// Passes when the request comes from the device the attempt belongs to (any device, for
/// an attempt started without one).
fn on_device(attempt: &attempt::Model, device: Option<&str>) -> AppResult<()> {
    match &attempt.device_id {
        Some(owner) if device != Some(owner.as_str()) => Err(state_conflict(
            Clash::AttemptOnAnotherDevice,
            "this attempt is open on another device; take it over to go on here",
        )),
        _ => Ok(()),
    }
}

/// One drawn question of an attempt, as stored.
fn drawn(row: attempt_question::Model, question: Option<question::Model>) -> AppResult<Drawn> {
    let question = Question::decode(
        question.ok_or_else(|| AppError::Internal("a drawn question is missing".into()))?,
    );
    Ok(Drawn {
        position: row.position,
        points: row.points.unwrap_or(question.model.points),
        question,
        option_order: serde_json::from_str(&row.option_order).unwrap_or_default(),
        choices: row
            .choices
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok()),
        correct: row.correct,
        flagged: row.flagged,
    })
}

async fn load_full(db: &impl ConnectionTrait, attempt: attempt::Model) -> AppResult<AttemptFull> {
    let campaign = campaigns::find(db, attempt.campaign_id).await?;
    // One query: each drawn row with its question.
    let rows = attempt_question::Entity::find()
        .find_also_related(question::Entity)
        .filter(attempt_question::Column::AttemptId.eq(attempt.id))
        .order_by_asc(attempt_question::Column::Position)
        .all(db)
        .await?;
    let questions = rows
        .into_iter()
        .map(|(row, question)| drawn(row, question))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(AttemptFull {
        attempt,
        campaign,
        questions,
    })
}

/// Whether the saved choices are exactly the answer.
fn is_right(q: &Drawn) -> bool {
    q.choices.as_ref().is_some_and(|c| {
        let mut c = c.clone();
        c.sort_unstable();
        c == q.question.answer
    })
}

/// An attempt's points and which positions were answered right, from the saved choices.
struct Grading {
    earned: i64,
    total: i64,
    correct: i32,
    right_at: Vec<i32>,
    wrong_at: Vec<i32>,
}

fn grade(questions: &[Drawn]) -> Grading {
    let mut g = Grading {
        earned: 0,
        total: 0,
        correct: 0,
        right_at: Vec::new(),
        wrong_at: Vec::new(),
    };
    for q in questions {
        g.total += q.points as i64;
        if is_right(q) {
            g.earned += q.points as i64;
            g.correct += 1;
            g.right_at.push(q.position);
        } else {
            g.wrong_at.push(q.position);
        }
    }
    g
}

/// Grades and finishes an open attempt, and writes the outcome into `full` as well.
/// Returns `false` when it was already finished (someone else got there first), in which
/// case nothing is changed.
async fn finish(
    db: &impl ConnectionTrait,
    full: &mut AttemptFull,
    (status, reason): (AttemptStatus, FinishedReason),
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let Grading {
        earned,
        total,
        correct,
        right_at,
        wrong_at,
    } = grade(&full.questions);
    for q in &mut full.questions {
        q.correct = Some(is_right(q));
    }
    let centi = scoring::score_centi(earned, total);
    let done = attempt::Entity::update_many()
        .col_expr(attempt::Column::Status, Expr::value(status))
        .col_expr(attempt::Column::FinishedAt, Expr::value(at))
        .col_expr(attempt::Column::FinishedReason, Expr::value(reason))
        .col_expr(attempt::Column::ScoreCenti, Expr::value(centi))
        .col_expr(attempt::Column::PointsEarned, Expr::value(earned as i32))
        .col_expr(attempt::Column::PointsTotal, Expr::value(total as i32))
        .col_expr(attempt::Column::CorrectCount, Expr::value(correct))
        .filter(attempt::Column::Id.eq(full.attempt.id))
        .filter(attempt::Column::Status.eq(OPEN))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Ok(false);
    }
    // Two statements mark every question, however many there are.
    for (mark, positions) in [(true, right_at), (false, wrong_at)] {
        if !positions.is_empty() {
            attempt_question::Entity::update_many()
                .col_expr(attempt_question::Column::Correct, Expr::value(mark))
                .filter(attempt_question::Column::AttemptId.eq(full.attempt.id))
                .filter(attempt_question::Column::Position.is_in(positions))
                .exec(db)
                .await?;
        }
    }
    let enrollment = enrollment::Entity::find_by_id(full.attempt.enrollment_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("enrollment"))?;
    roster::record_attempt(db, &enrollment, full.attempt.kind, centi).await?;
    let a = &mut full.attempt;
    a.status = status;
    a.finished_reason = Some(reason);
    a.finished_at = Some(at);
    a.score_centi = Some(centi);
    a.points_earned = earned as i32;
    a.points_total = total as i32;
    a.correct_count = correct;
    Ok(true)
}

/// Open attempts whose deadline and grace have passed at `now` (the query form of
/// [`overdue`]).
fn overdue_attempts(now: DateTime<Utc>) -> sea_orm::Select<attempt::Entity> {
    attempt::Entity::find()
        .filter(attempt::Column::Status.eq(OPEN))
        .filter(attempt::Column::Deadline.lt(now - Duration::seconds(GRACE_SECS)))
}

fn overdue(attempt: &attempt::Model, now: DateTime<Utc>) -> bool {
    attempt.status == OPEN && now > attempt.deadline + Duration::seconds(GRACE_SECS)
}

/// Finishes `attempt` as expired, at its deadline, with the answers saved so far.
async fn expire(db: &impl ConnectionTrait, attempt: attempt::Model) -> AppResult<AttemptFull> {
    let mut full = load_full(db, attempt).await?;
    let deadline = full.attempt.deadline;
    let how = (AttemptStatus::Expired, FinishedReason::Deadline);
    if !finish(db, &mut full, how, deadline).await? {
        // Finished meanwhile: show it as stored.
        let stored = attempt::Entity::find_by_id(full.attempt.id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("attempt"))?;
        return load_full(db, stored).await;
    }
    Ok(full)
}

/// Expires the cadre's overdue open attempts on a campaign. Returns the open attempt that
/// is still running, if any.
async fn settle(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Option<attempt::Model>> {
    let open = attempt::Entity::find()
        .filter(attempt::Column::CampaignId.eq(campaign_id))
        .filter(attempt::Column::UserId.eq(user_id))
        .filter(attempt::Column::Status.eq(OPEN))
        .all(db)
        .await?;
    let mut running = None;
    for a in open {
        if overdue(&a, now) {
            expire(db, a).await?;
        } else {
            running = Some(a);
        }
    }
    Ok(running)
}

/// Which window is open at `now` for a member with `extra` minutes (each window closes
/// that much later for them): the main exam, or the make-up (补考); otherwise why not.
fn window(c: &campaign::Model, now: DateTime<Utc>, extra: Duration) -> AppResult<AttemptKind> {
    if now < c.exam_opens_at {
        return Err(state_conflict(
            Clash::ExamNotOpen,
            "the exam has not opened yet",
        ));
    }
    if now < c.exam_closes_at + extra {
        return Ok(AttemptKind::Main);
    }
    match (c.makeup_opens_at, c.makeup_closes_at) {
        (Some(opens), _) if now < opens => Err(state_conflict(
            Clash::MakeupNotOpen,
            &format!(
                "the exam has closed; the make-up opens at {}",
                opens.to_rfc3339()
            ),
        )),
        (Some(_), Some(closes)) if now < closes + extra => Ok(AttemptKind::Makeup),
        _ => Err(state_conflict(Clash::ExamClosed, "the exam has closed")),
    }
}

/// The end of the window an attempt of `kind` belongs to.
pub fn window_close(c: &campaign::Model, kind: AttemptKind) -> DateTime<Utc> {
    match kind {
        AttemptKind::Main => c.exam_closes_at,
        AttemptKind::Makeup => c.makeup_closes_at.unwrap_or(c.exam_closes_at),
    }
}

/// Why this member may not start an attempt of `kind` now, if they may not.
fn refusal(c: &campaign::Model, e: &enrollment::Model, kind: AttemptKind) -> Option<AppError> {
    if c.exam_requires_study && !e.study_complete {
        return Some(state_conflict(
            Clash::StudyIncomplete,
            "finish the required study before the exam",
        ));
    }
    let no_attempts =
        || state_conflict(Clash::NoAttemptsLeft, "every allowed attempt has been used");
    match kind {
        AttemptKind::Main => (e.attempts_used >= c.max_attempts).then(no_attempts),
        AttemptKind::Makeup => {
            if e.best_score_centi
                .is_some_and(|b| scoring::passes(b, c.pass_score))
            {
                Some(state_conflict(
                    Clash::AlreadyPassed,
                    "the make-up is for those who have not passed",
                ))
            } else {
                (e.makeup_attempts_used >= c.makeup_attempts).then(no_attempts)
            }
        }
    }
}

/// A cadre's paper and questions, drawn before the write turn.
struct Draw {
    paper: Option<papers::Paper>,
    questions: Vec<Drawn>,
}

/// Draws the cadre's paper (or `question_count` at random) and loads the drawn questions
/// (only those), with each one's options shuffled.
async fn draw(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    user_id: i64,
) -> AppResult<Draw> {
    let all = papers::of(campaign)?;
    let paper = if all.is_empty() {
        None
    } else {
        let is_leader = user::Entity::find_by_id(user_id)
            .one(db)
            .await?
            .is_some_and(|u| u.is_leader);
        papers::for_cadre(&all, is_leader).cloned()
    };
    let picks = papers::draw(db, campaign, paper.as_ref()).await?;
    let ids: Vec<i64> = picks.iter().map(|(id, _)| *id).collect();
    let mut rows: HashMap<i64, question::Model> = question::Entity::find()
        .filter(question::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    Ok(Draw {
        paper,
        questions: order_options(&picks, &mut rows),
    })
}

/// Starts an attempt in whichever window is open (main or make-up), or returns the one
/// still open. The paper is drawn and its questions read beside the writers; under the
/// write turn and the cadre's lock only the checks that may have changed are made again
/// (an open attempt, the attempts used) before the attempt is stored.
///
/// The attempt belongs to `device` (the app's `X-Device-Id`); resuming one that belongs
/// to another device is 409 `attempt_on_another_device` (a takeover moves it). A member's
/// `extra_minutes` lengthen their attempt and move the window's close for them.
pub async fn start_attempt(
    db: &DatabaseConnection,
    actor: &Actor,
    (campaign_id, device): (i64, Option<&str>),
    now: DateTime<Utc>,
) -> AppResult<Started> {
    let campaign = campaigns::find(db, campaign_id).await?;
    let member = campaigns::enrolled(db, campaign_id, actor.id).await?;
    // Drawn ahead, beside the writers, when a window is open and no attempt is running
    // (an app reopening its exam resumes without drawing); a draw that fails is reported
    // after the checks below, which come first.
    let running_now = attempt::Entity::find()
        .filter(attempt::Column::CampaignId.eq(campaign_id))
        .filter(attempt::Column::UserId.eq(actor.id))
        .filter(attempt::Column::Status.eq(OPEN))
        .count(db)
        .await?
        > 0;
    let drawn = match window(&campaign, now, extra_time(&member)) {
        Ok(_) if !running_now => Some(draw(db, &campaign, actor.id).await),
        _ => None,
    };
    let txn = begin_write(db).await?;
    lock_cadre(&txn, actor.id).await?;
    let running = settle(&txn, campaign_id, actor.id, now).await?;
    if let Some(open) = running {
        let full = load_full(&txn, open).await?;
        txn.commit().await?;
        on_device(&full.attempt, device)?;
        return Ok(Started::Resumed(full));
    }
    // Expiry above may have used up an attempt: read the enrollment after it.
    let enrollment = campaigns::enrolled(&txn, campaign_id, actor.id).await?;
    let extra = extra_time(&enrollment);
    let checked = match window(&campaign, now, extra) {
        Ok(kind) => match refusal(&campaign, &enrollment, kind) {
            Some(err) => Err(err),
            // The attempt that was running ended meanwhile: draw now.
            None => match drawn {
                Some(d) => d,
                None => draw(&txn, &campaign, actor.id).await,
            }
            .map(|d| (kind, d)),
        },
        Err(err) => Err(err),
    };
    let (kind, Draw { paper, questions }) = match checked {
        Ok(ok) => ok,
        Err(err) => {
            // Keep any expiry done above.
            txn.commit().await?;
            return Err(err);
        }
    };
    let deadline = (now + Duration::minutes(campaign.duration_minutes as i64) + extra)
        .min(window_close(&campaign, kind) + extra);
    let attempt = attempt::ActiveModel {
        campaign_id: Set(campaign_id),
        user_id: Set(actor.id),
        enrollment_id: Set(enrollment.id),
        status: Set(OPEN),
        kind: Set(kind),
        paper_key: Set(paper.map(|p| p.key)),
        started_at: Set(now),
        deadline: Set(deadline),
        finished_at: Set(None),
        score_centi: Set(None),
        points_earned: Set(0),
        points_total: Set(0),
        correct_count: Set(0),
        question_total: Set(questions.len() as i32),
        device_id: Set(device.map(str::to_owned)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    roster::mark_participated(&txn, &enrollment).await?;
    store_drawn(&txn, attempt.id, &questions).await?;
    txn.commit().await?;
    Ok(Started::New(AttemptFull {
        attempt,
        campaign,
        questions,
    }))
}

/// Stores an attempt's drawn questions with the order of their options and their points.
async fn store_drawn(db: &impl ConnectionTrait, attempt_id: i64, drawn: &[Drawn]) -> AppResult<()> {
    let stored: Vec<attempt_question::ActiveModel> = drawn
        .iter()
        .map(|d| attempt_question::ActiveModel {
            attempt_id: Set(attempt_id),
            position: Set(d.position),
            question_id: Set(d.question.model.id),
            option_order: Set(serde_json::to_string(&d.option_order).expect("numbers serialise")),
            points: Set(Some(d.points)),
            choices: Set(None),
            correct: Set(None),
            flagged: Set(false),
        })
        .collect();
    for chunk in stored.chunks(500) {
        attempt_question::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Each picked question with its options in a shuffled order and the points it is worth.
fn order_options(picks: &[papers::Pick], rows: &mut HashMap<i64, question::Model>) -> Vec<Drawn> {
    let mut drawn = Vec::with_capacity(picks.len());
    let mut rng = rand::rng();
    for (id, points) in picks {
        let Some(m) = rows.remove(id) else { continue };
        let question = Question::decode(m);
        let mut order: Vec<usize> = (0..question.options.len()).collect();
        // 正确/错误 read best in their usual order.
        if question.kind != QuestionKind::Judge {
            order.shuffle(&mut rng);
        }
        drawn.push(Drawn {
            position: drawn.len() as i32,
            points: points.unwrap_or(question.model.points),
            question,
            option_order: order,
            choices: None,
            correct: None,
            flagged: false,
        });
    }
    drawn
}

async fn owned(
    db: &impl ConnectionTrait,
    actor: &Actor,
    attempt_id: i64,
) -> AppResult<attempt::Model> {
    let attempt = attempt::Entity::find_by_id(attempt_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("attempt"))?;
    policy::authorize_owner(actor, attempt.user_id, "this attempt")?;
    Ok(attempt)
}

/// One answer to store: the question's position, the chosen original options, and the
/// review flag when the app set it.
#[derive(Debug, Clone)]
pub struct Write {
    position: i32,
    choices: Vec<usize>,
    flagged: Option<bool>,
}

/// Checks answers against the attempt's questions (positions in the options as shown)
/// and turns them into original option indices.
fn check_answers(full: &AttemptFull, answers: &[Answer]) -> AppResult<Vec<Write>> {
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        let field = format!("answers[{i}]");
        let Some(q) = full
            .questions
            .iter()
            .find(|q| q.question.model.id == a.question_id)
        else {
            errors.push(FieldError::not_part_of(
                &field,
                Thing::Attempt,
                format!("question {} is not in this attempt", a.question_id),
            ));
            continue;
        };
        let n = q.option_order.len();
        let mut shown = a.choices.clone();
        shown.sort_unstable();
        shown.dedup();
        if shown.len() != a.choices.len() {
            errors.push(FieldError::not_unique(
                &field,
                "a choice appears twice",
                Vec::new(),
            ));
        } else if shown.iter().any(|c| *c >= n) {
            errors.push(FieldError::out_of_range(&field, 0, n as i64 - 1));
        } else if q.question.kind != QuestionKind::Multiple && shown.len() > 1 {
            errors.push(FieldError::count_out_of_range(&field, 0, 1));
        } else {
            let mut original: Vec<usize> = shown.iter().map(|s| q.option_order[*s]).collect();
            original.sort_unstable();
            writes.push(Write {
                position: q.position,
                choices: original,
                flagged: a.flagged,
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_many(errors));
    }
    Ok(writes)
}

/// Writes checked answers into an attempt's rows (each replaces the saved one for its
/// question, and its flag when one was sent): one statement for the whole batch,
/// `CASE position WHEN … THEN choices`.
pub(crate) async fn write_choices(
    db: &impl ConnectionTrait,
    attempt_id: i64,
    writes: &[Write],
) -> AppResult<()> {
    if writes.is_empty() {
        return Ok(());
    }
    let mut choices = CaseStatement::new();
    let mut flags = CaseStatement::new();
    let mut positions = Vec::with_capacity(writes.len());
    for w in writes {
        let value = (!w.choices.is_empty())
            .then(|| serde_json::to_string(&w.choices).expect("numbers serialise"));
        choices = choices.case(
            attempt_question::Column::Position.eq(w.position),
            Expr::value(value),
        );
        if let Some(flag) = w.flagged {
            flags = flags.case(
                attempt_question::Column::Position.eq(w.position),
                Expr::value(flag),
            );
        }
        positions.push(w.position);
    }
    let mut update = attempt_question::Entity::update_many().col_expr(
        attempt_question::Column::Choices,
        choices
            .finally(Expr::col(attempt_question::Column::Choices))
            .into(),
    );
    if writes.iter().any(|w| w.flagged.is_some()) {
        update = update.col_expr(
            attempt_question::Column::Flagged,
            flags
                .finally(Expr::col(attempt_question::Column::Flagged))
                .into(),
        );
    }
    update
        .filter(attempt_question::Column::AttemptId.eq(attempt_id))
        .filter(attempt_question::Column::Position.is_in(positions))
        .exec(db)
        .await?;
    Ok(())
}

/// The written answers, as `full` shows them.
fn show_choices(full: &mut AttemptFull, writes: Vec<Write>) {
    for w in writes {
        if let Some(q) = full.questions.iter_mut().find(|q| q.position == w.position) {
            q.choices = (!w.choices.is_empty()).then_some(w.choices);
            if let Some(flag) = w.flagged {
                q.flagged = flag;
            }
        }
    }
}

fn deadline_passed() -> AppError {
    state_conflict(
        Clash::DeadlinePassed,
        "the time for this attempt is over; it was finished with the answers saved before the deadline",
    )
}

pub(crate) fn attempt_finished() -> AppError {
    state_conflict(Clash::AttemptFinished, "this attempt is already finished")
}

/// Finishes an overdue attempt under the cadre's lock and says why the request failed.
async fn expire_overdue(
    db: &DatabaseConnection,
    actor: &Actor,
    attempt_id: i64,
    now: DateTime<Utc>,
) -> AppResult<AppError> {
    let txn = begin_write(db).await?;
    lock_cadre(&txn, actor.id).await?;
    let attempt = owned(&txn, actor, attempt_id).await?;
    if overdue(&attempt, now) {
        expire(&txn, attempt).await?;
    }
    txn.commit().await?;
    Ok(deadline_passed())
}

/// Saves answers as the cadre goes. The attempt and its questions are read and the
/// answers checked here, beside the writers; the write itself goes to the answer writer
/// (group commit: under the write turn it reads only the attempt's status again, since
/// the questions of an attempt never change).
pub async fn save_answers(
    db: &DatabaseConnection,
    writer: &AnswerWriter,
    actor: &Actor,
    (attempt_id, device): (i64, Option<&str>),
    answers: &[Answer],
    now: DateTime<Utc>,
) -> AppResult<AttemptFull> {
    let attempt = owned(db, actor, attempt_id).await?;
    if attempt.status != OPEN {
        return Err(attempt_finished());
    }
    on_device(&attempt, device)?;
    if overdue(&attempt, now) {
        return Err(expire_overdue(db, actor, attempt_id, now).await?);
    }
    let mut full = load_full(db, attempt).await?;
    let writes = check_answers(&full, answers)?;
    writer.save(actor.id, attempt_id, writes.clone()).await?;
    show_choices(&mut full, writes);
    Ok(full)
}

/// Submits: saves the given answers and grades on the server. Submitting an attempt that
/// was already submitted returns its result again (a retry); past the deadline and its
/// grace the submission is refused and the attempt finished with what was saved. Read
/// and checked before the write turn, as [`save_answers`].
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    (attempt_id, device): (i64, Option<&str>),
    answers: &[Answer],
    now: DateTime<Utc>,
) -> AppResult<Graded> {
    let attempt = owned(db, actor, attempt_id).await?;
    if attempt.status == OPEN {
        on_device(&attempt, device)?;
    }
    match attempt.status {
        AttemptStatus::Submitted => return Ok(graded(&load_full(db, attempt).await?)),
        AttemptStatus::Expired => return Err(deadline_passed()),
        AttemptStatus::Open if overdue(&attempt, now) => {
            return Err(expire_overdue(db, actor, attempt_id, now).await?);
        }
        AttemptStatus::Open => {}
    }
    let mut full = load_full(db, attempt).await?;
    let writes = check_answers(&full, answers)?;
    let txn = begin_write(db).await?;
    lock_cadre(&txn, actor.id).await?;
    let fresh = owned(&txn, actor, attempt_id).await?;
    match fresh.status {
        // A retry that crossed the first submission.
        AttemptStatus::Submitted => {
            let done = load_full(&txn, fresh).await?;
            txn.commit().await?;
            return Ok(graded(&done));
        }
        AttemptStatus::Expired => return Err(deadline_passed()),
        AttemptStatus::Open => on_device(&fresh, device)?,
    }
    full.attempt = fresh;
    write_choices(&txn, attempt_id, &writes).await?;
    show_choices(&mut full, writes);
    // Under the cadre's lock the attempt is still open, so this finishes it; should it
    // not, the stored outcome is what counts.
    let how = (AttemptStatus::Submitted, FinishedReason::Submitted);
    if !finish(&txn, &mut full, how, now).await? {
        let stored = owned(&txn, actor, attempt_id).await?;
        full = load_full(&txn, stored).await?;
    }
    txn.commit().await?;
    Ok(graded(&full))
}

fn graded(full: &AttemptFull) -> Graded {
    Graded {
        score: full.score().unwrap_or(0.0),
        passed: full.passed().unwrap_or(false),
        grade: full.grade().unwrap_or(scoring::Grade::Fail),
        correct: full.attempt.correct_count,
        total: full.attempt.question_total,
    }
}

/// An attempt for its owner or a manager, expired first if its time is over. The second
/// value says whether the right answers may be shown: to a manager always, to the cadre
/// only once the attempt is finished and the exam window has closed.
pub async fn view_attempt(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    attempt_id: i64,
    now: DateTime<Utc>,
) -> AppResult<(AttemptFull, bool)> {
    let manager = policy::manages_people(actor);
    let attempt = attempt::Entity::find_by_id(attempt_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("attempt"))?;
    policy::authorize_records_of(actor, attempt.user_id, "the attempt")?;
    if attempt.user_id != actor.id {
        // Someone else's attempt: a manager's, of a member in their scope only.
        super::users::find_in(db, scope, attempt.user_id)
            .await
            .map_err(|_| AppError::not_found("attempt"))?;
    }
    let full = if overdue(&attempt, now) {
        let txn = begin_write(db).await?;
        lock_cadre(&txn, attempt.user_id).await?;
        let fresh = attempt::Entity::find_by_id(attempt_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("attempt"))?;
        let full = if overdue(&fresh, now) {
            expire(&txn, fresh).await?
        } else {
            load_full(&txn, fresh).await?
        };
        txn.commit().await?;
        full
    } else {
        load_full(db, attempt).await?
    };
    let reveal = manager
        || (full.attempt.status != OPEN && now >= campaigns::last_window_close(&full.campaign));
    Ok((full, reveal))
}

/// Expires every open attempt whose deadline (plus grace) has passed, as of `now`; each
/// is finished at its deadline. Returns how many were expired. Run periodically.
pub async fn expire_due(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let due: Vec<(i64, i64)> = overdue_attempts(now)
        .select_only()
        .column(attempt::Column::Id)
        .column(attempt::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    let mut expired = 0;
    for (id, user_id) in due {
        let txn = begin_write(db).await?;
        lock_cadre(&txn, user_id).await?;
        if let Some(a) = attempt::Entity::find_by_id(id).one(&txn).await?
            && overdue(&a, now)
        {
            expire(&txn, a).await?;
            expired += 1;
        }
        txn.commit().await?;
    }
    Ok(expired)
}

/// An open attempt past its deadline (and grace) that nobody has finished yet, as it will
/// count once finished: graded on the answers saved by its deadline.
#[derive(Debug, Clone, Copy)]
pub struct Overdue {
    pub enrollment_id: i64,
    pub kind: AttemptKind,
    pub score_centi: i32,
}

/// The campaign's overdue open attempts as they will count once finished. Reads only:
/// reports count them this way, and writing them down stays with the sweep and with the
/// attempt's own requests (so a report never waits for, or holds, the write lock).
pub async fn overdue_outcomes(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Vec<Overdue>> {
    let due = overdue_attempts(now)
        .filter(attempt::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?;
    let mut drawn_of: HashMap<i64, Vec<Drawn>> = HashMap::new();
    let ids: Vec<i64> = due.iter().map(|a| a.id).collect();
    for chunk in ids.chunks(500) {
        for (row, question) in attempt_question::Entity::find()
            .find_also_related(question::Entity)
            .filter(attempt_question::Column::AttemptId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            drawn_of
                .entry(row.attempt_id)
                .or_default()
                .push(drawn(row, question)?);
        }
    }
    Ok(due
        .into_iter()
        .map(|a| {
            let g = grade(drawn_of.get(&a.id).map_or(&[][..], Vec::as_slice));
            Overdue {
                enrollment_id: a.enrollment_id,
                kind: a.kind,
                score_centi: scoring::score_centi(g.earned, g.total),
            }
        })
        .collect())
}

/// The exam part of a cadre's progress.
#[derive(Debug, Clone, Copy)]
pub struct ExamFigures {
    pub attempts_used: i32,
    pub attempts_left: i32,
    /// Best finished score in hundredths.
    pub best_centi: Option<i32>,
    pub passed: bool,
    /// The best score's grade.
    pub grade: Option<scoring::Grade>,
    /// Make-up attempts this member may still take (0 without a make-up window, or once
    /// passed).
    pub makeup_attempts_left: i32,
    /// The attempt still running, if any: `(id, deadline)`.
    pub open_attempt: Option<(i64, DateTime<Utc>)>,
}

/// The exam part of a cadre's progress, after expiring their overdue attempts.
pub async fn exam_figures(
    db: &DatabaseConnection,
    campaign: &campaign::Model,
    enrollment: &enrollment::Model,
    now: DateTime<Utc>,
) -> AppResult<ExamFigures> {
    let user_id = enrollment.user_id;
    let has_overdue = overdue_attempts(now)
        .filter(attempt::Column::CampaignId.eq(campaign.id))
        .filter(attempt::Column::UserId.eq(user_id))
        .count(db)
        .await?
        > 0;
    // Expiring an attempt changes the enrollment's figures: read it again only then.
    let refreshed;
    let enrollment = if has_overdue {
        let txn = begin_write(db).await?;
        lock_cadre(&txn, user_id).await?;
        settle(&txn, campaign.id, user_id, now).await?;
        txn.commit().await?;
        refreshed = campaigns::find_enrollment(db, campaign.id, user_id)
            .await?
            .ok_or_else(|| AppError::not_found("enrollment"))?;
        &refreshed
    } else {
        enrollment
    };
    let used = enrollment.attempts_used;
    let best = enrollment.best_score_centi;
    let passed = best.is_some_and(|b| scoring::passes(b, campaign.pass_score));
    let makeup_attempts_left = if campaign.makeup_closes_at.is_some() && !passed {
        (campaign.makeup_attempts - enrollment.makeup_attempts_used).max(0)
    } else {
        0
    };
    let open_attempt: Option<(i64, DateTime<Utc>)> = attempt::Entity::find()
        .select_only()
        .column(attempt::Column::Id)
        .column(attempt::Column::Deadline)
        .filter(attempt::Column::CampaignId.eq(campaign.id))
        .filter(attempt::Column::UserId.eq(user_id))
        .filter(attempt::Column::Status.eq(OPEN))
        .into_tuple()
        .one(db)
        .await?;
    Ok(ExamFigures {
        open_attempt,
        attempts_used: used,
        attempts_left: (campaign.max_attempts - used).max(0),
        best_centi: best,
        passed,
        grade: best.map(|b| scoring::grade(b, campaign.into())),
        makeup_attempts_left,
    })
}

#[derive(Debug, Clone, Default)]
pub struct AttemptFilter {
    pub user_id: Option<i64>,
    /// Attempts of cadres in this unit and its sub-units.
    pub unit_id: Option<i64>,
    /// Finished attempts that passed (`true`) or did not (`false`).
    pub passed: Option<bool>,
}

impl AttemptFilter {
    /// The filter on `campaign_id`'s records as an audit entry states it.
    pub fn audit_pairs(&self, campaign_id: i64) -> audit::FilterPairs {
        vec![
            ("campaign", Some(campaign_id.to_string())),
            ("user_id", audit::text(&self.user_id)),
            ("unit_id", audit::text(&self.unit_id)),
            ("passed", audit::text(&self.passed)),
        ]
    }
}

/// An attempt in HR's list.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub attempt: attempt::Model,
    pub user: user::Model,
    pub unit_name: Option<String>,
    pub passed: Option<bool>,
    /// The grade of a finished attempt.
    pub grade: Option<scoring::Grade>,
}

/// A campaign's attempts, newest first.
pub async fn list_attempts(
    db: &impl ConnectionTrait,
    scope: &Scope,
    campaign_id: i64,
    filter: AttemptFilter,
    page: PageReq,
) -> AppResult<Page<AttemptRow>> {
    let campaign = campaigns::seen(db, scope, campaign_id).await?;
    let mut query = attempt::Entity::find().filter(attempt::Column::CampaignId.eq(campaign_id));
    if let Some(user_id) = filter.user_id {
        query = query.filter(attempt::Column::UserId.eq(user_id));
    }
    let scope = scope.filtered(db, "unit_id", filter.unit_id).await?;
    if !scope.is_whole() {
        let members = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(scope.condition(user::Column::UnitId))
            .into_query();
        query = query.filter(attempt::Column::UserId.in_subquery(members));
    }
    let pass_mark = scoring::pass_mark_centi(campaign.pass_score);
    match filter.passed {
        Some(true) => query = query.filter(attempt::Column::ScoreCenti.gte(pass_mark)),
        Some(false) => query = query.filter(attempt::Column::ScoreCenti.lt(pass_mark)),
        None => {}
    }
    let total = query.clone().count(db).await?;
    let attempts = query
        .order_by_desc(attempt::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    let user_ids: Vec<i64> = attempts.iter().map(|a| a.user_id).collect();
    let users: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let unit_ids: Vec<i64> = users.values().filter_map(|u| u.unit_id).collect();
    let unit_names: HashMap<i64, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let items = attempts
        .into_iter()
        .filter_map(|a| {
            let user = users.get(&a.user_id)?.clone();
            Some(AttemptRow {
                passed: a.score_centi.map(|s| s >= pass_mark),
                grade: a.score_centi.map(|s| scoring::grade(s, (&campaign).into())),
                unit_name: user.unit_id.and_then(|id| unit_names.get(&id).cloned()),
                user,
                attempt: a,
            })
        })
        .collect();
    Ok(page.of(items, total))
}
