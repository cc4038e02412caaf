//! Reminders (催办) and each person's in-app notices.
//!
//! HR reminds those missing a target from the missing list; a member reminded of the same
//! target of the same campaign within 24 hours is skipped. A campaign's
//! `remind_before_days` makes the sweep remind those missing `study` (resp. `exam`) that
//! many days before `study_ends_on` (resp. `exam_closes_at`): each such notice carries a
//! unique key naming campaign, target, member and day, so it is stored once however many
//! instances sweep and however often.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use entity::{campaign, notice};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::OnConflict,
};

use super::{
    Page, PageReq, audit, campaigns, lock_named, outbox,
    report_turn::ReportTurn,
    targets::{self, Missing, Target},
    write,
};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, FieldError},
    policy::Scope,
};

/// [`lock_named`] key of manual reminders: two HR officers pressing at once send one.
const REMINDER_LOCK: i64 = 0x7875_6566_6102;

/// How long a manual reminder keeps a member from being reminded of the same target again.
pub const QUIET: Duration = Duration::hours(24);

/// What a manual reminder did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminded {
    pub notified: u64,
    /// Reminded of the same target within the last 24 hours.
    pub skipped: u64,
}

/// The notice a missing member gets, in the words of a 催办通知.
fn default_body(c: &campaign::Model, target: Target, m: &Missing, tz: FixedOffset) -> String {
    let closes = c.exam_closes_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
    match target {
        Target::Participation => format!(
            "您尚未参加“{}”，请于{}前完成学习，并于{closes}前参加考试。",
            c.title, c.study_ends_on
        ),
        Target::Study => format!(
            "您在“{}”中的学习尚未完成（还差{}分钟），请于{}前完成。",
            c.title,
            m.minutes_short(),
            c.study_ends_on
        ),
        Target::Exam => format!("您尚未参加“{}”的考试，请于{closes}前参加。", c.title),
        Target::Pass => format!(
            "您在“{}”中的考试尚未合格，还可考{}次，请于{closes}前参加。",
            c.title, m.attempts_left
        ),
    }
}

fn new_notice(
    user_id: i64,
    c: &campaign::Model,
    target: Target,
    body: String,
    now: DateTime<Utc>,
    dedupe_key: Option<String>,
) -> notice::ActiveModel {
    notice::ActiveModel {
        user_id: Set(user_id),
        campaign_id: Set(Some(c.id)),
        target: Set(Some(target.key().to_owned())),
        title: Set(format!("学法提醒：{}", c.title)),
        body: Set(body),
        created_at: Set(now),
        read_at: Set(None),
        dedupe_key: Set(dedupe_key),
        ..Default::default()
    }
}

/// Reminds every roster member in scope (of `unit_id` and its sub-units, if given) who
/// does not count for `target`, but those reminded of it within 24 hours. `message`
/// replaces the default text.
pub async fn remind(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    (campaign_id, target, unit_id): (i64, Target, Option<i64>),
    message: Option<String>,
    (tz, now, deliver): (FixedOffset, DateTime<Utc>, bool),
) -> AppResult<Reminded> {
    let message = message
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    if message.as_ref().is_some_and(|m| m.chars().count() > 500) {
        return Err(AppError::invalid(FieldError::too_long("message", 500)));
    }
    let c = campaigns::seen(db, scope, campaign_id).await?;
    let scope = scope.filtered(db, "unit_id", unit_id).await?;
    let missing = {
        let turn = ReportTurn::take().await;
        targets::missing(db, &turn, campaign_id, target, &scope, PageReq::all(), now).await?
    };
    write(db, async |txn| {
        lock_named(txn, REMINDER_LOCK).await?;
        let recent: std::collections::HashSet<i64> = notice::Entity::find()
            .select_only()
            .column(notice::Column::UserId)
            .filter(notice::Column::CampaignId.eq(campaign_id))
            .filter(notice::Column::Target.eq(target.key()))
            .filter(notice::Column::CreatedAt.gt(now - QUIET))
            .into_tuple::<i64>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        let mut outcome = Reminded {
            notified: 0,
            skipped: 0,
        };
        let mut rows = Vec::new();
        for m in &missing.items {
            if recent.contains(&m.user.id) {
                outcome.skipped += 1;
                continue;
            }
            let body = message
                .clone()
                .unwrap_or_else(|| default_body(&c, target, m, tz));
            rows.push(new_notice(m.user.id, &c, target, body, now, None));
        }
        outcome.notified = rows.len() as u64;
        for chunk in rows.chunks(1000) {
            notice::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        if deliver {
            outbox::enqueue(txn, now).await?;
        }
        audit::record(
            txn,
            Some(actor),
            now,
            audit::AuditAction::Remind,
            "campaign",
            Some(campaign_id.to_string()),
            format!(
                "target={} notified={} skipped={}",
                target.key(),
                outcome.notified,
                outcome.skipped
            ),
        )
        .await?;
        Ok(outcome)
    })
    .await
}

/// The targets a campaign's automatic reminders are due for on `today`.
pub fn due_today(c: &campaign::Model, today: NaiveDate, tz: FixedOffset) -> Vec<Target> {
    let exam_day = c.exam_closes_at.with_timezone(&tz).date_naive();
    let mut due = Vec::new();
    for days in campaigns::remind_before_days(c) {
        let days = Duration::days(days.into());
        if c.study_ends_on - days == today && !due.contains(&Target::Study) {
            due.push(Target::Study);
        }
        if exam_day - days == today && !due.contains(&Target::Exam) {
            due.push(Target::Exam);
        }
    }
    due
}

/// Sends today's automatic reminders: once per member, target and day, whichever
/// instance gets there first (the unique `dedupe_key`); with `deliver`, each goes to the
/// outbox in the same transaction. Returns how many were stored now.
/// When the automatic reminders run and whether their notices go to the gateway too.
#[derive(Debug, Clone, Copy)]
pub struct ReminderRun {
    /// The office's time zone: reminder days are its calendar days.
    pub tz: FixedOffset,
    pub now: DateTime<Utc>,
    /// Queue each notice for the webhook (`XUEFA_NOTIFY_WEBHOOK` is set).
    pub deliver: bool,
}

pub async fn remind_due(db: &DatabaseConnection, run: ReminderRun) -> AppResult<u64> {
    let ReminderRun { tz, now, deliver } = run;
    let today = now.with_timezone(&tz).date_naive();
    let open = campaign::Entity::find()
        .filter(campaign::Column::RemindBeforeDays.ne("[]"))
        .filter(
            sea_orm::Condition::any()
                .add(campaign::Column::ExamClosesAt.gt(now))
                .add(campaign::Column::StudyEndsOn.gte(today)),
        )
        .all(db)
        .await?;
    let mut stored = 0;
    for c in open {
        for target in due_today(&c, today, tz) {
            let missing = {
                let turn = ReportTurn::take().await;
                let everyone = Scope::whole_installation();
                targets::missing(db, &turn, c.id, target, &everyone, PageReq::all(), now).await?
            };
            let rows: Vec<notice::ActiveModel> = missing
                .items
                .iter()
                .map(|m| {
                    let key = format!("auto:{}:{}:{}:{today}", c.id, target.key(), m.user.id);
                    new_notice(
                        m.user.id,
                        &c,
                        target,
                        default_body(&c, target, m, tz),
                        now,
                        Some(key),
                    )
                })
                .collect();
            for chunk in rows.chunks(1000) {
                let inserted = write(db, async |txn| {
                    let inserted = notice::Entity::insert_many(chunk.to_vec())
                        .on_conflict(
                            OnConflict::column(notice::Column::DedupeKey)
                                .do_nothing()
                                .to_owned(),
                        )
                        .exec_without_returning(txn)
                        .await?;
                    if deliver && inserted > 0 {
                        outbox::enqueue(txn, now).await?;
                    }
                    Ok(inserted)
                })
                .await?;
                stored += inserted;
            }
        }
    }
    Ok(stored)
}

/// One's own notices, newest first; `unread` only those not read.
pub async fn mine(
    db: &impl ConnectionTrait,
    user_id: i64,
    unread: bool,
    page: PageReq,
) -> AppResult<(Page<notice::Model>, u64)> {
    let mut q = notice::Entity::find().filter(notice::Column::UserId.eq(user_id));
    let unread_count = q
        .clone()
        .filter(notice::Column::ReadAt.is_null())
        .count(db)
        .await?;
    if unread {
        q = q.filter(notice::Column::ReadAt.is_null());
    }
    let total = q.clone().count(db).await?;
    let items = q
        .order_by_desc(notice::Column::CreatedAt)
        .order_by_desc(notice::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok((page.of(items, total), unread_count))
}

/// Marks one's own notice read (again is harmless); another's is not found.
pub async fn mark_read(
    db: &DatabaseConnection,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<notice::Model> {
    write(db, async |txn| {
        let n = notice::Entity::find_by_id(id)
            .filter(notice::Column::UserId.eq(user_id))
            .one(txn)
            .await?
            .ok_or_else(|| AppError::not_found("notice"))?;
        if n.read_at.is_some() {
            return Ok(n);
        }
        let mut active: notice::ActiveModel = n.into();
        active.read_at = Set(Some(now));
        Ok(active.update(txn).await?)
    })
    .await
}
