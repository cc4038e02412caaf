//! What keeps an online exam fair: the exam page's focus losses counted against the
//! campaign's `max_focus_losses` (the loss past it submits the attempt), and moving an
//! attempt to another device (takeover).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use entity::{attempt, attempt_event};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};

use super::{
    AttemptEventKind, AttemptFull, AttemptStatus, FinishedReason, OPEN, attempt_finished,
    deadline_passed, expire, finish, load_full, overdue,
};
use crate::{
    auth::Actor,
    error::{AppError, AppResult},
    services::{audit, begin_write, campaigns, lock_cadre},
};

/// At most this many events an attempt in any minute; past it, 429 and nothing stored.
pub const EVENTS_PER_MINUTE: u64 = 100;

/// Kinds that count as the page losing focus.
const LOSSES: [AttemptEventKind; 2] = [AttemptEventKind::Blur, AttemptEventKind::FullscreenExit];

/// What recording events gave: the losses so far, the campaign's limit, and whether this
/// batch went past it (the attempt is then submitted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focus {
    pub focus_losses: i32,
    pub limit: Option<i32>,
    pub submitted: bool,
}

/// The caller's own open attempt, read under their lock: another's is 404 (as if it did
/// not exist), a finished one 409, an overdue one is finished first (409
/// `deadline_passed`).
async fn own_open(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    attempt_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Result<attempt::Model, AppError>> {
    let attempt = attempt::Entity::find_by_id(attempt_id)
        .one(txn)
        .await?
        .filter(|a| a.user_id == actor.id)
        .ok_or_else(|| AppError::not_found("attempt"))?;
    if attempt.status != OPEN {
        return Ok(Err(attempt_finished()));
    }
    if overdue(&attempt, now) {
        expire(txn, attempt).await?;
        return Ok(Err(deadline_passed()));
    }
    Ok(Ok(attempt))
}

/// Records the page's events (each kept once: a resent batch adds nothing), counts the
/// focus losses, and submits the attempt — graded on its saved answers, `finished_reason:
/// focus_limit` — when they go past the campaign's limit.
pub async fn record_events(
    db: &DatabaseConnection,
    actor: &Actor,
    attempt_id: i64,
    events: &[(AttemptEventKind, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> AppResult<Focus> {
    let txn = begin_write(db).await?;
    lock_cadre(&txn, actor.id).await?;
    let attempt = match own_open(&txn, actor, attempt_id, now).await? {
        Ok(a) => a,
        Err(refusal) => {
            txn.commit().await?;
            return Err(refusal);
        }
    };
    let seen: HashSet<(AttemptEventKind, DateTime<Utc>)> = attempt_event::Entity::find()
        .select_only()
        .column(attempt_event::Column::Kind)
        .column(attempt_event::Column::At)
        .filter(attempt_event::Column::AttemptId.eq(attempt_id))
        .into_tuple()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let mut fresh = Vec::new();
    let mut batch = HashSet::new();
    for (kind, at) in events {
        if !seen.contains(&(*kind, *at)) && batch.insert((*kind, *at)) {
            fresh.push((*kind, *at));
        }
    }
    let recent = attempt_event::Entity::find()
        .filter(attempt_event::Column::AttemptId.eq(attempt_id))
        .filter(attempt_event::Column::ReceivedAt.gt(now - Duration::minutes(1)))
        .count(&txn)
        .await?;
    if recent + fresh.len() as u64 > EVENTS_PER_MINUTE {
        return Err(AppError::Throttled { retry_after: 60 });
    }
    if !fresh.is_empty() {
        attempt_event::Entity::insert_many(fresh.iter().map(|(kind, at)| {
            attempt_event::ActiveModel {
                attempt_id: Set(attempt_id),
                kind: Set(*kind),
                at: Set(*at),
                received_at: Set(now),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    let losses = attempt_event::Entity::find()
        .filter(attempt_event::Column::AttemptId.eq(attempt_id))
        .filter(attempt_event::Column::Kind.is_in(LOSSES))
        .count(&txn)
        .await? as i32;
    let limit = campaigns::find(&txn, attempt.campaign_id)
        .await?
        .max_focus_losses;
    let mut attempt = attempt;
    if losses != attempt.focus_losses {
        attempt = attempt::ActiveModel {
            id: Set(attempt_id),
            focus_losses: Set(losses),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    // The questions are read only when the attempt is to be graded.
    let over = limit.is_some_and(|l| losses > l);
    if over {
        let mut full = load_full(&txn, attempt).await?;
        let how = (AttemptStatus::Submitted, FinishedReason::FocusLimit);
        finish(&txn, &mut full, how, now).await?;
    }
    txn.commit().await?;
    Ok(Focus {
        focus_losses: losses,
        limit,
        submitted: over,
    })
}

/// Moves the caller's open attempt to `device` (audited and counted as `takeovers`).
pub async fn takeover(
    db: &DatabaseConnection,
    actor: &Actor,
    attempt_id: i64,
    device: &str,
    now: DateTime<Utc>,
) -> AppResult<AttemptFull> {
    let txn = begin_write(db).await?;
    lock_cadre(&txn, actor.id).await?;
    let attempt = match own_open(&txn, actor, attempt_id, now).await? {
        Ok(a) => a,
        Err(refusal) => {
            txn.commit().await?;
            return Err(refusal);
        }
    };
    let from = attempt.device_id.clone();
    let moved = attempt::ActiveModel {
        id: Set(attempt_id),
        device_id: Set(Some(device.to_owned())),
        takeovers: Set(attempt.takeovers + 1),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::Takeover,
        "attempt",
        Some(attempt_id.to_string()),
        format!(
            "moved from device {} to {device}",
            from.as_deref().unwrap_or("(none)")
        ),
    )
    .await?;
    let full = load_full(&txn, moved).await?;
    txn.commit().await?;
    Ok(full)
}

/// How many of an attempt's questions are answered and flagged.
pub fn answer_counts(full: &AttemptFull) -> (usize, usize, usize) {
    let answered = full
        .questions
        .iter()
        .filter(|q| q.choices.is_some())
        .count();
    let flagged = full.questions.iter().filter(|q| q.flagged).count();
    (answered, full.questions.len() - answered, flagged)
}
