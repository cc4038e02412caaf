//! Study sessions from the mobile app: idempotent by client id, never overlapping,
//! credited once. Every check and the running totals happen in one write transaction
//! per request (a savepoint per item in a batch), serialised per cadre.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, SubsecRound, Utc};
use entity::{campaign, study_session, user};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::{Page, PageReq, begin_write, campaigns, lock_cadre, progress, units};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, FieldError},
};

/// The longest session accepted.
pub const MAX_SESSION_HOURS: i64 = 4;
/// How far in the future `ended_at` may be (clock skew between phone and server).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 5;
/// Items in one batch.
pub const MAX_BATCH: usize = 500;

/// A session as the app sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    pub id: Uuid,
    pub campaign_id: i64,
    pub course_id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
}

/// What happened to a session.
#[derive(Debug, Clone)]
pub enum Logged {
    /// Stored now.
    Created(study_session::Model),
    /// Already stored with the same content: nothing new stored.
    Replayed(study_session::Model),
}

impl Logged {
    pub fn session(&self) -> &study_session::Model {
        match self {
            Logged::Created(s) | Logged::Replayed(s) => s,
        }
    }
}

fn same_content(stored: &study_session::Model, input: &SessionInput, user_id: i64) -> bool {
    stored.user_id == user_id
        && stored.campaign_id == input.campaign_id
        && stored.course_id == input.course_id
        && stored.started_at == input.started_at
        && stored.ended_at == input.ended_at
}

fn check_times(input: &SessionInput, now: DateTime<Utc>) -> AppResult<()> {
    let mut errors = Vec::new();
    if input.ended_at <= input.started_at {
        errors.push(FieldError::new("ended_at", "must be after started_at"));
    } else if input.ended_at - input.started_at > Duration::hours(MAX_SESSION_HOURS) {
        errors.push(FieldError::new(
            "ended_at",
            format!("a session lasts at most {MAX_SESSION_HOURS} hours"),
        ));
    }
    if input.ended_at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        errors.push(FieldError::new("ended_at", "is in the future"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_many(errors))
    }
}

fn check_window(
    campaign: &campaign::Model,
    input: &SessionInput,
    tz: FixedOffset,
) -> AppResult<()> {
    let first = input.started_at.with_timezone(&tz).date_naive();
    let last = input.ended_at.with_timezone(&tz).date_naive();
    if first < campaign.study_starts_on || last > campaign.study_ends_on {
        return Err(AppError::invalid(
            "started_at",
            format!(
                "outside the campaign's study window ({} to {})",
                campaign.study_starts_on, campaign.study_ends_on
            ),
        ));
    }
    Ok(())
}

/// A campaign and its courses, read once per transaction (a group commit carries many
/// sessions of the same campaign).
pub type CampaignCache = HashMap<i64, Option<(campaign::Model, Vec<progress::CampaignCourse>)>>;

async fn campaign_of(
    db: &impl ConnectionTrait,
    cache: &mut CampaignCache,
    id: i64,
) -> AppResult<Option<(campaign::Model, Vec<progress::CampaignCourse>)>> {
    if let Some(hit) = cache.get(&id) {
        return Ok(hit.clone());
    }
    let found = match campaign::Entity::find_by_id(id).one(db).await? {
        Some(c) => {
            let courses = progress::campaign_courses(db, c.id).await?;
            Some((c, courses))
        }
        None => None,
    };
    cache.insert(id, found.clone());
    Ok(found)
}

/// The rules for one session, inside the caller's transaction.
async fn log_in(
    db: &impl ConnectionTrait,
    cache: &mut CampaignCache,
    actor: &Actor,
    input: &SessionInput,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> AppResult<Logged> {
    if let Some(stored) = study_session::Entity::find_by_id(input.id.to_string())
        .one(db)
        .await?
    {
        return if same_content(&stored, input, actor.id) {
            Ok(Logged::Replayed(stored))
        } else {
            Err(AppError::conflict(
                "id_conflict",
                "another session with this id is already stored",
            ))
        };
    }
    check_times(input, now)?;
    let (campaign, courses) = campaign_of(db, cache, input.campaign_id)
        .await?
        .ok_or_else(|| AppError::invalid("campaign_id", "no such campaign"))?;
    let enrollment = campaigns::find_enrollment(db, campaign.id, actor.id)
        .await?
        .ok_or_else(|| AppError::forbidden("you are not enrolled in this campaign"))?;
    if !courses.iter().any(|c| c.course_id == input.course_id) {
        return Err(AppError::invalid(
            "course_id",
            "the course is not part of this campaign",
        ));
    }
    check_window(&campaign, input, tz)?;
    let overlapping = study_session::Entity::find()
        .filter(study_session::Column::UserId.eq(actor.id))
        .filter(study_session::Column::StartedAt.lt(input.ended_at))
        .filter(study_session::Column::EndedAt.gt(input.started_at))
        .one(db)
        .await?;
    if let Some(other) = overlapping {
        return Err(AppError::conflict(
            "overlap",
            format!(
                "overlaps your session {} ({} to {})",
                other.id, other.started_at, other.ended_at
            ),
        ));
    }
    let seconds = (input.ended_at - input.started_at).num_seconds();
    let stored = study_session::Model {
        id: input.id.to_string(),
        user_id: actor.id,
        campaign_id: campaign.id,
        course_id: input.course_id,
        enrollment_id: enrollment.id,
        started_at: input.started_at,
        ended_at: input.ended_at,
        seconds: seconds as i32,
        created_at: now,
    };
    study_session::Entity::insert(study_session::ActiveModel::from(stored.clone()))
        .exec_without_returning(db)
        .await?;
    progress::add_study(
        db,
        &enrollment,
        &courses,
        campaign.required_minutes,
        input.course_id,
        seconds,
    )
    .await?;
    Ok(Logged::Created(stored))
}

/// Times are kept to the second: a replay compares equal on every database.
fn normalise(mut input: SessionInput) -> SessionInput {
    input.started_at = input.started_at.trunc_subsecs(0);
    input.ended_at = input.ended_at.trunc_subsecs(0);
    input
}

/// Logs one session.
pub async fn log_session(
    db: &DatabaseConnection,
    actor: &Actor,
    input: SessionInput,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> AppResult<Logged> {
    let input = normalise(input);
    let txn = begin_write(db).await?;
    lock_cadre(&txn, actor.id).await?;
    let logged = log_in(&txn, &mut CampaignCache::new(), actor, &input, now, tz).await?;
    txn.commit().await?;
    Ok(logged)
}

/// Logs up to [`MAX_BATCH`] sessions in one transaction, each in its own savepoint: a
/// refused item is rolled back alone and never takes its neighbours with it.
pub async fn log_batch(
    db: &DatabaseConnection,
    actor: &Actor,
    items: Vec<Result<SessionInput, AppError>>,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> AppResult<Vec<AppResult<Logged>>> {
    if items.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "sessions",
            format!("at most {MAX_BATCH} sessions per batch"),
        ));
    }
    let txn = begin_write(db).await?;
    lock_cadre(&txn, actor.id).await?;
    let mut results = Vec::with_capacity(items.len());
    let mut cache = CampaignCache::new();
    for item in items {
        let input = match item {
            Ok(input) => normalise(input),
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        let savepoint = txn.begin().await?;
        match log_in(&savepoint, &mut cache, actor, &input, now, tz).await {
            Ok(logged) => {
                savepoint.commit().await?;
                results.push(Ok(logged));
            }
            Err(AppError::Internal(e)) => return Err(AppError::Internal(e)),
            Err(e) => {
                savepoint.rollback().await?;
                results.push(Err(e));
            }
        }
    }
    txn.commit().await?;
    Ok(results)
}

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub campaign_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Sessions of cadres in this unit and its sub-units.
    pub unit_id: Option<i64>,
    /// Sessions that start at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Sessions that start before this time.
    pub to: Option<DateTime<Utc>>,
}

/// Sessions by start time. The caller decides whose sessions may be asked for.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: SessionFilter,
    page: PageReq,
) -> AppResult<Page<study_session::Model>> {
    let mut query = study_session::Entity::find();
    if let Some(id) = filter.campaign_id {
        query = query.filter(study_session::Column::CampaignId.eq(id));
    }
    if let Some(id) = filter.user_id {
        query = query.filter(study_session::Column::UserId.eq(id));
    }
    if let Some(unit) = filter.unit_id {
        let scope = units::subtree_ids(db, unit).await?;
        let members: Vec<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::UnitId.is_in(scope))
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(study_session::Column::UserId.is_in(members));
    }
    if let Some(from) = filter.from {
        query = query.filter(study_session::Column::StartedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(study_session::Column::StartedAt.lt(to));
    }
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_asc(study_session::Column::StartedAt)
        .order_by_asc(study_session::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// A cadre's progress on a campaign.
#[derive(Debug, Clone)]
pub struct ProgressReport {
    pub credit: progress::Credit,
    pub required_minutes: i32,
    pub attempts_used: i32,
    pub attempts_left: i32,
    pub best_score: Option<f64>,
    pub passed: bool,
}

/// Progress of `user_id` on a campaign, read from the running totals (overdue exam
/// attempts are expired first). 404 when the account is not on the roster.
pub async fn progress_of(
    db: &DatabaseConnection,
    campaign_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<ProgressReport> {
    let campaign = campaign::Entity::find_by_id(campaign_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("campaign"))?;
    let enrollment = campaigns::find_enrollment(db, campaign_id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("enrolment"))?;
    let credit = progress::credit_of(db, &enrollment).await?;
    let (attempts_used, attempts_left, best_score, passed) =
        super::exam::exam_figures(db, &campaign, user_id, now).await?;
    Ok(ProgressReport {
        credit,
        required_minutes: campaign.required_minutes,
        attempts_used,
        attempts_left,
        best_score,
        passed,
    })
}

/// One upload waiting for the group commit.
struct Job {
    actor: Actor,
    input: SessionInput,
    now: DateTime<Utc>,
    tz: FixedOffset,
    reply: tokio::sync::oneshot::Sender<AppResult<Logged>>,
}

/// Group commit for single uploads on SQLite: one writer task takes every upload queued
/// while the previous commit was on disk and commits them together. Each upload keeps its
/// own rules inside the shared transaction (a savepoint each, so a refused one never rolls
/// back its neighbours), and nobody is answered before the commit that holds their
/// session is durable. One fsync then serves many uploads instead of one.
#[derive(Clone)]
pub struct SessionWriter {
    queue: tokio::sync::mpsc::Sender<Job>,
}

/// The most uploads one commit carries.
const GROUP_LIMIT: usize = 512;

impl SessionWriter {
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, mut jobs) = tokio::sync::mpsc::channel::<Job>(8192);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(GROUP_LIMIT);
            while let Some(first) = jobs.recv().await {
                group.push(first);
                while group.len() < GROUP_LIMIT {
                    match jobs.try_recv() {
                        Ok(job) => group.push(job),
                        Err(_) => break,
                    }
                }
                let outcomes = commit_group(&db, &group).await;
                for (i, job) in group.drain(..).enumerate() {
                    let outcome = match &outcomes {
                        Ok(each) => each[i].clone(),
                        Err(e) => Err(e.clone()),
                    };
                    // The client may have gone; its session is stored all the same.
                    let _ = job.reply.send(outcome);
                }
            }
        });
        Self { queue }
    }

    /// Queues one upload and waits for its commit.
    pub async fn log(
        &self,
        actor: &Actor,
        input: SessionInput,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> AppResult<Logged> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            actor: actor.clone(),
            input: normalise(input),
            now,
            tz,
            reply,
        };
        self.queue
            .send(job)
            .await
            .map_err(|_| AppError::Internal("the session writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("the session writer stopped".into()))?
    }
}

async fn commit_group(db: &DatabaseConnection, jobs: &[Job]) -> AppResult<Vec<AppResult<Logged>>> {
    let txn = begin_write(db).await?;
    let mut cache = CampaignCache::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let savepoint = txn.begin().await?;
        match log_in(
            &savepoint, &mut cache, &job.actor, &job.input, job.now, job.tz,
        )
        .await
        {
            Ok(logged) => {
                savepoint.commit().await?;
                outcomes.push(Ok(logged));
            }
            Err(AppError::Internal(e)) => return Err(AppError::Internal(e)),
            Err(e) => {
                savepoint.rollback().await?;
                outcomes.push(Err(e));
            }
        }
    }
    txn.commit().await?;
    Ok(outcomes)
}
