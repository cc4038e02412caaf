//! The roster's running figures: the one module that writes an enrollment's
//! `credited_minutes`, `study_complete`, `session_count`, `participated`,
//! `attempts_used`, `best_score_centi`, `best_main_centi`, `makeup_attempts_used` and the
//! `unit_id` the reports group by. The targets report (`services::targets`) counts what it
//! keeps; every rule that moves a figure is a pure function here, tested below.

use chrono::{DateTime, Utc};
use entity::{enrollment, vocabulary::AttemptKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, OnConflict},
};

use crate::error::AppResult;

/// A new enrollment: every figure at zero.
pub fn fresh(
    campaign_id: i64,
    user_id: i64,
    unit_id: Option<i64>,
    now: DateTime<Utc>,
) -> enrollment::ActiveModel {
    enrollment::ActiveModel {
        campaign_id: Set(campaign_id),
        user_id: Set(user_id),
        unit_id: Set(unit_id),
        exempt: Set(false),
        exempt_reason: Set(None),
        credited_minutes: Set(0),
        live_minutes: Set(0),
        study_complete: Set(false),
        session_count: Set(0),
        participated: Set(false),
        enrolled_at: Set(now),
        attempts_used: Set(0),
        best_score_centi: Set(None),
        makeup_attempts_used: Set(0),
        best_main_centi: Set(None),
        ..Default::default()
    }
}

/// The figures after one more finished attempt of `kind` scoring `centi`: it is counted
/// against its kind's allowance, and the best scores keep the higher.
pub fn after_attempt(e: &enrollment::Model, kind: AttemptKind, centi: i32) -> enrollment::Model {
    let better = |best: Option<i32>| Some(best.map_or(centi, |b| b.max(centi)));
    let mut next = e.clone();
    next.best_score_centi = better(e.best_score_centi);
    match kind {
        AttemptKind::Main => {
            next.attempts_used = e.attempts_used + 1;
            next.best_main_centi = better(e.best_main_centi);
        }
        AttemptKind::Makeup => next.makeup_attempts_used = e.makeup_attempts_used + 1,
    }
    next
}

/// Records a finished attempt (see [`after_attempt`]).
pub async fn record_attempt(
    db: &impl ConnectionTrait,
    e: &enrollment::Model,
    kind: AttemptKind,
    centi: i32,
) -> AppResult<()> {
    let next = after_attempt(e, kind, centi);
    let mut active: enrollment::ActiveModel = e.clone().into();
    active.best_score_centi = Set(next.best_score_centi);
    active.attempts_used = Set(next.attempts_used);
    active.best_main_centi = Set(next.best_main_centi);
    active.makeup_attempts_used = Set(next.makeup_attempts_used);
    active.update(db).await?;
    Ok(())
}

/// 参与: set once (an attempt started, or a session stored), never cleared.
pub async fn mark_participated(db: &impl ConnectionTrait, e: &enrollment::Model) -> AppResult<()> {
    if !e.participated {
        enrollment::Entity::update_many()
            .col_expr(enrollment::Column::Participated, Expr::value(true))
            .filter(enrollment::Column::Id.eq(e.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// What a cadre's study totals credit on a campaign (`services::credit::credit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyCredit {
    pub credited_minutes: i32,
    pub live_minutes: i32,
    pub study_complete: bool,
}

/// The figures after `added` more stored sessions whose totals credit `credit`.
pub fn after_upload(e: &enrollment::Model, credit: StudyCredit, added: i32) -> enrollment::Model {
    let mut next = e.clone();
    next.credited_minutes = credit.credited_minutes;
    next.live_minutes = credit.live_minutes;
    next.study_complete = credit.study_complete;
    next.session_count += added;
    next.participated = true;
    next
}

/// Writes a group of uploads' figures, `(before, after)` each. The minutes are in the
/// report index (`idx_enrollments_figures`: the targets sum them for the live share), so an
/// upload that moves them rewrites the enrollment's entry (~0.2 ms a group of 32); session
/// counts are in no index; what the reports count (complete, participated) is written
/// only for the few enrollments whose figures changed.
pub async fn record_uploads(
    db: &impl ConnectionTrait,
    changes: Vec<(&enrollment::Model, enrollment::Model)>,
) -> AppResult<()> {
    let mut rows = Vec::with_capacity(changes.len());
    let mut counted = Vec::new();
    for (before, after) in changes {
        if (after.study_complete, after.participated)
            != (before.study_complete, before.participated)
        {
            counted.push(enrollment::ActiveModel::from(after.clone()));
        }
        rows.push(enrollment::ActiveModel::from(after));
    }
    upsert_columns(
        db,
        rows,
        &[
            enrollment::Column::CreditedMinutes,
            enrollment::Column::LiveMinutes,
            enrollment::Column::SessionCount,
        ],
    )
    .await?;
    upsert_columns(
        db,
        counted,
        &[
            enrollment::Column::StudyComplete,
            enrollment::Column::Participated,
        ],
    )
    .await
}

/// Writes these columns of existing enrollments, one statement for them all.
async fn upsert_columns(
    db: &impl ConnectionTrait,
    rows: Vec<enrollment::ActiveModel>,
    columns: &[enrollment::Column],
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    enrollment::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(enrollment::Column::Id)
                .update_columns(columns.iter().copied())
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Re-credits one enrollment (the campaign's courses or requirement changed); nothing is
/// written when the credit stands.
pub async fn record_credit(
    db: &impl ConnectionTrait,
    e: enrollment::Model,
    credit: StudyCredit,
) -> AppResult<()> {
    if credit.credited_minutes != e.credited_minutes
        || credit.live_minutes != e.live_minutes
        || credit.study_complete != e.study_complete
    {
        let mut active: enrollment::ActiveModel = e.into();
        active.credited_minutes = Set(credit.credited_minutes);
        active.live_minutes = Set(credit.live_minutes);
        active.study_complete = Set(credit.study_complete);
        active.update(db).await?;
    }
    Ok(())
}

/// Moves a cadre's enrollments (every campaign's: the reports count a member under their
/// current unit) with the account.
pub async fn move_member(
    db: &impl ConnectionTrait,
    user_id: i64,
    unit_id: Option<i64>,
) -> AppResult<()> {
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::UnitId, Expr::value(unit_id))
        .filter(enrollment::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enrollment() -> enrollment::Model {
        enrollment::Model {
            id: 7,
            campaign_id: 1,
            user_id: 2,
            unit_id: Some(3),
            exempt: false,
            exempt_reason: None,
            extra_minutes: 0,
            credited_minutes: 0,
            live_minutes: 0,
            study_complete: false,
            session_count: 0,
            participated: false,
            enrolled_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            attempts_used: 0,
            best_score_centi: None,
            makeup_attempts_used: 0,
            best_main_centi: None,
        }
    }

    #[test]
    fn a_main_attempt_counts_against_the_main_allowance_and_keeps_the_best() {
        let first = after_attempt(&enrollment(), AttemptKind::Main, 7250);
        assert_eq!(first.attempts_used, 1);
        assert_eq!(first.best_score_centi, Some(7250));
        assert_eq!(first.best_main_centi, Some(7250));
        assert_eq!(first.makeup_attempts_used, 0);
        let worse = after_attempt(&first, AttemptKind::Main, 5000);
        assert_eq!(worse.attempts_used, 2);
        assert_eq!(
            worse.best_score_centi,
            Some(7250),
            "a worse score never lowers the best"
        );
        assert_eq!(worse.best_main_centi, Some(7250));
    }

    #[test]
    fn a_makeup_attempt_moves_the_best_score_but_not_the_main_figures() {
        let main = after_attempt(&enrollment(), AttemptKind::Main, 4000);
        let makeup = after_attempt(&main, AttemptKind::Makeup, 8000);
        assert_eq!(makeup.makeup_attempts_used, 1);
        assert_eq!(makeup.attempts_used, 1);
        assert_eq!(makeup.best_score_centi, Some(8000));
        assert_eq!(
            makeup.best_main_centi,
            Some(4000),
            "补考 is not the main exam's best"
        );
    }

    #[test]
    fn an_upload_sets_the_credit_counts_its_sessions_and_marks_participation() {
        let credit = StudyCredit {
            credited_minutes: 45,
            live_minutes: 0,
            study_complete: false,
        };
        let once = after_upload(&enrollment(), credit, 2);
        assert_eq!(
            (once.credited_minutes, once.session_count, once.participated),
            (45, 2, true)
        );
        let done = StudyCredit {
            credited_minutes: 90,
            live_minutes: 30,
            study_complete: true,
        };
        let twice = after_upload(&once, done, 1);
        assert_eq!(
            (
                twice.credited_minutes,
                twice.session_count,
                twice.study_complete
            ),
            (90, 3, true)
        );
    }

    #[test]
    fn a_fresh_enrollment_starts_at_zero() {
        let f = fresh(1, 2, Some(3), "2026-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(f.credited_minutes, Set(0));
        assert_eq!(f.participated, Set(false));
        assert_eq!(f.attempts_used, Set(0));
        assert_eq!(f.best_score_centi, Set(None));
    }
}
