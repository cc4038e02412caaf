//! Practice (模拟练习) and the wrong-answer book (错题本). Practice draws only from the
//! practice pool and answers each question at once; it counts for no target. The book
//! lists practice questions answered wrong, and exam questions answered wrong only once
//! every exam window of the campaign has closed.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, Utc};
use entity::{
    attempt, attempt_question, campaign, practice_question, practice_set, question,
    vocabulary::QuestionPool,
};
use rand::seq::SliceRandom;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::{campaigns, questions::Question};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Clash, FieldError, Thing},
    paging::{Page, PageReq},
};

/// Questions in a practice set unless the cadre asks for another number.
pub const DEFAULT_COUNT: u32 = 10;
/// The most questions one practice set holds.
pub const MAX_COUNT: u32 = 50;

/// A drawn practice set, without answers.
#[derive(Debug, Clone)]
pub struct PracticeSet {
    pub id: i64,
    pub questions: Vec<Question>,
}

/// The verdict on one practice answer.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub correct: bool,
    pub answer: Vec<usize>,
    pub law_ref: String,
}

/// Where a mistake was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Practice,
    Exam,
}

/// A question answered wrong, with the right answer.
#[derive(Debug, Clone)]
pub struct Mistake {
    pub question: Question,
    pub choices: Vec<usize>,
    pub source: Source,
    pub answered_at: DateTime<Utc>,
}

/// Practice is open from the first study day (in the office's time zone) until the last
/// exam window closes.
fn practice_open(c: &campaign::Model, now: DateTime<Utc>, tz: chrono::FixedOffset) -> bool {
    let opens = c
        .study_starts_on
        .and_time(NaiveTime::MIN)
        .and_local_timezone(tz)
        .single()
        .map(|t| t.with_timezone(&Utc));
    opens.is_some_and(|o| now >= o) && now < campaigns::last_window_close(c)
}

/// Draws `count` practice-pool questions (all of them when the pool has fewer).
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    campaign_id: i64,
    count: Option<u32>,
    now: DateTime<Utc>,
    tz: chrono::FixedOffset,
) -> AppResult<PracticeSet> {
    let count = count.unwrap_or(DEFAULT_COUNT);
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(AppError::invalid(FieldError::out_of_range(
            "count",
            1,
            MAX_COUNT.into(),
        )));
    }
    let campaign = campaigns::find(db, campaign_id).await?;
    campaigns::enrolled(db, campaign_id, actor.id).await?;
    if !practice_open(&campaign, now, tz) {
        return Err(AppError::conflict(
            Clash::PracticeClosed,
            "practice is open from the first study day until the last exam window closes",
        ));
    }
    // Only the ids of the pool are read; the chosen questions are loaded afterwards.
    let mut ids: Vec<i64> = question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .filter(question::Column::CampaignId.eq(campaign_id))
        .filter(question::Column::Pool.eq(QuestionPool::Practice))
        .filter(question::Column::Retired.eq(false))
        .into_tuple()
        .all(db)
        .await?;
    ids.shuffle(&mut rand::rng());
    ids.truncate(count as usize);
    let mut by_id: HashMap<i64, Question> = question::Entity::find()
        .filter(question::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|q| (q.id, Question::decode(q)))
        .collect();
    let txn = db.begin().await?;
    let set = practice_set::Entity::insert(practice_set::ActiveModel {
        campaign_id: Set(campaign_id),
        user_id: Set(actor.id),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    if !ids.is_empty() {
        practice_question::Entity::insert_many(ids.iter().enumerate().map(|(i, id)| {
            practice_question::ActiveModel {
                practice_id: Set(set.id),
                position: Set(i as i32),
                question_id: Set(*id),
                choices: Set(None),
                correct: Set(None),
                answered_at: Set(None),
            }
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(PracticeSet {
        id: set.id,
        questions: ids.iter().filter_map(|id| by_id.remove(id)).collect(),
    })
}

/// Answers one question of the caller's practice set and tells at once whether it was
/// right. The first answer is the one kept: sending it again returns the same verdict.
pub async fn answer(
    db: &DatabaseConnection,
    actor: &Actor,
    practice_id: i64,
    question_id: i64,
    choices: Vec<usize>,
    now: DateTime<Utc>,
) -> AppResult<Verdict> {
    let set = practice_set::Entity::find_by_id(practice_id)
        .one(db)
        .await?
        .filter(|s| s.user_id == actor.id)
        .ok_or_else(|| AppError::not_found("practice set"))?;
    let row = practice_question::Entity::find()
        .filter(practice_question::Column::PracticeId.eq(set.id))
        .filter(practice_question::Column::QuestionId.eq(question_id))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::invalid(FieldError::not_part_of(
                "question_id",
                Thing::Practice,
                "not a question of this practice set",
            ))
        })?;
    let q = Question::decode(
        question::Entity::find_by_id(question_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("question"))?,
    );
    let mut choices = choices;
    choices.sort_unstable();
    choices.dedup();
    if choices.is_empty() || choices.iter().any(|c| *c >= q.options.len()) {
        return Err(AppError::invalid(FieldError::out_of_range(
            "choices",
            0,
            q.options.len() as i64 - 1,
        )));
    }
    let correct = match row.correct {
        Some(kept) => kept,
        None => {
            let right = choices == q.answer;
            // Two sends racing: only the first sets the answer; the second reads it back.
            let done = practice_question::Entity::update_many()
                .col_expr(
                    practice_question::Column::Choices,
                    sea_orm::sea_query::Expr::value(serde_json::to_string(&choices).ok()),
                )
                .col_expr(
                    practice_question::Column::Correct,
                    sea_orm::sea_query::Expr::value(Some(right)),
                )
                .col_expr(
                    practice_question::Column::AnsweredAt,
                    sea_orm::sea_query::Expr::value(Some(now)),
                )
                .filter(practice_question::Column::PracticeId.eq(row.practice_id))
                .filter(practice_question::Column::Position.eq(row.position))
                .filter(practice_question::Column::Correct.is_null())
                .exec(db)
                .await?;
            if done.rows_affected == 1 {
                right
            } else {
                practice_question::Entity::find_by_id((row.practice_id, row.position))
                    .one(db)
                    .await?
                    .and_then(|r| r.correct)
                    .unwrap_or(right)
            }
        }
    };
    Ok(Verdict {
        correct,
        answer: q.answer.clone(),
        law_ref: q.model.law_ref.clone(),
    })
}

/// The caller's wrong answers on a campaign, newest first, each question once.
pub async fn mistakes(
    db: &impl ConnectionTrait,
    actor: &Actor,
    campaign_id: i64,
    now: DateTime<Utc>,
    page: PageReq,
) -> AppResult<Page<Mistake>> {
    let campaign = campaigns::find(db, campaign_id).await?;
    campaigns::enrolled(db, campaign_id, actor.id).await?;
    // (question id, chosen, source, when)
    let mut wrong: Vec<(i64, Option<String>, Source, DateTime<Utc>)> = Vec::new();
    let sets: Vec<i64> = practice_set::Entity::find()
        .select_only()
        .column(practice_set::Column::Id)
        .filter(practice_set::Column::CampaignId.eq(campaign_id))
        .filter(practice_set::Column::UserId.eq(actor.id))
        .into_tuple()
        .all(db)
        .await?;
    for row in practice_question::Entity::find()
        .filter(practice_question::Column::PracticeId.is_in(sets))
        .filter(practice_question::Column::Correct.eq(false))
        .all(db)
        .await?
    {
        let at = row.answered_at.unwrap_or(now);
        wrong.push((row.question_id, row.choices, Source::Practice, at));
    }
    // Exam answers stay hidden until no exam window of the campaign is open any more.
    if now >= campaigns::last_window_close(&campaign) {
        let attempts: HashMap<i64, DateTime<Utc>> = attempt::Entity::find()
            .filter(attempt::Column::CampaignId.eq(campaign_id))
            .filter(attempt::Column::UserId.eq(actor.id))
            .filter(attempt::Column::FinishedAt.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.finished_at.unwrap_or(a.started_at)))
            .collect();
        for row in attempt_question::Entity::find()
            .filter(attempt_question::Column::AttemptId.is_in(attempts.keys().copied()))
            .filter(attempt_question::Column::Correct.eq(false))
            .all(db)
            .await?
        {
            wrong.push((
                row.question_id,
                row.choices,
                Source::Exam,
                attempts[&row.attempt_id],
            ));
        }
    }
    wrong.sort_by_key(|w| std::cmp::Reverse(w.3));
    let mut seen = std::collections::HashSet::new();
    wrong.retain(|w| seen.insert(w.0));
    let total = wrong.len() as u64;
    let shown: Vec<_> = wrong
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.per_page as usize)
        .collect();
    let bank: HashMap<i64, Question> = question::Entity::find()
        .filter(question::Column::Id.is_in(shown.iter().map(|w| w.0)))
        .order_by_asc(question::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|q| (q.id, Question::decode(q)))
        .collect();
    let items = shown
        .into_iter()
        .filter_map(|(id, chosen, source, answered_at)| {
            Some(Mistake {
                question: bank.get(&id).cloned()?,
                choices: chosen
                    .as_deref()
                    .and_then(|c| serde_json::from_str(c).ok())
                    .unwrap_or_default(),
                source,
                answered_at,
            })
        })
        .collect();
    Ok(page.of(items, total))
}
