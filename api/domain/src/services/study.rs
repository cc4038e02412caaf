//! Study sessions from the mobile app: idempotent by client id, never overlapping,
//! credited once. Single uploads are checked and stored in groups by the group-commit
//! writer ([`SessionWriter`]), a batch in one write transaction of its own; either way
//! each item is checked against what is stored and against the items before it, answered
//! on its own, and only accepted items are written ([`log_group`]), serialised per cadre.
//! The running figures they move are written by `services::roster`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, SubsecRound, Utc};
use entity::{campaign, course_progress, enrollment, study_session, vocabulary::StudySource};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{
    Page, PageReq, audit, begin_write, credit, fetch_page,
    group_commit::{GroupCommit, GroupWriter, WriterDb},
    lock_cadres, roster,
};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Clash, Code, FieldError, Thing},
    policy::{self, Scope},
};

/// The longest session accepted.
pub const MAX_SESSION_HOURS: i64 = 4;
/// How far in the future `ended_at` may be (clock skew between phone and server).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 5;
/// Items in one batch.
pub const MAX_BATCH: usize = 500;
/// A phone's clock within this many seconds of the server's is left alone.
pub const CLOCK_TOLERANCE_SECONDS: i64 = 60;
/// A phone's clock further than this from the server's is refused, not corrected.
pub const CLOCK_LIMIT_HOURS: i64 = 24;

/// Where a session's minutes come from, and for a live one what the server credited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Uploaded by the app (offline study): its length is what it claims.
    SelfReported,
    /// Timed by the server (`services::live`): only the visible, heartbeat-covered seconds.
    Live { credited_seconds: i32 },
}

impl Source {
    pub fn kind(self) -> StudySource {
        match self {
            Source::SelfReported => StudySource::SelfReported,
            Source::Live { .. } => StudySource::Live,
        }
    }
}

/// A session as the app sends it (or as a live session ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    pub id: Uuid,
    pub campaign_id: i64,
    pub course_id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub source: Source,
    /// The phone's clock when it sent the upload; the times are corrected by its
    /// difference from the server's (see [`correct_clock`]).
    pub device_time: Option<DateTime<Utc>>,
}

impl SessionInput {
    /// An upload from the app with the phone's own times.
    pub fn reported(
        id: Uuid,
        (campaign_id, course_id): (i64, i64),
        started_at: DateTime<Utc>,
        ended_at: DateTime<Utc>,
        device_time: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            id,
            campaign_id,
            course_id,
            started_at,
            ended_at,
            source: Source::SelfReported,
            device_time,
        }
    }
}

/// A session with its times in the server's clock: the phone's difference applied.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Corrected {
    input: SessionInput,
    /// Server minus phone, in seconds, added to both times; 0 when within tolerance.
    shift: i32,
}

/// Shifts the times by the phone's difference from the server's clock, when `device_time`
/// says it is more than a minute off; a difference of more than a day is a phone whose
/// clock is wrong, not slow, and is refused naming `device_time`.
fn correct_clock(input: SessionInput, now: DateTime<Utc>) -> AppResult<Corrected> {
    let Some(device) = input.device_time else {
        return Ok(Corrected { input, shift: 0 });
    };
    let difference = (now - device).num_seconds();
    if difference.abs() > CLOCK_LIMIT_HOURS * 3600 {
        return Err(AppError::invalid(
            FieldError::new(
                "device_time",
                Code::ClockTooFar,
                format!("differs from the server's clock by more than {CLOCK_LIMIT_HOURS} hours"),
            )
            .with(|p| p.max = Some(CLOCK_LIMIT_HOURS)),
        ));
    }
    if difference.abs() <= CLOCK_TOLERANCE_SECONDS {
        return Ok(Corrected { input, shift: 0 });
    }
    let by = Duration::seconds(difference);
    Ok(Corrected {
        input: SessionInput {
            started_at: input.started_at + by,
            ended_at: input.ended_at + by,
            ..input
        },
        shift: difference as i32,
    })
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

/// The same session sent again: the same times as the phone said them (a retry may carry
/// another `device_time`, and so another shift, for the same session).
fn same_content(stored: &study_session::Model, item: &Corrected, user_id: i64) -> bool {
    let phone = |at: DateTime<Utc>, shift: i32| at - Duration::seconds(shift.into());
    let input = &item.input;
    stored.user_id == user_id
        && stored.campaign_id == input.campaign_id
        && stored.course_id == input.course_id
        && stored.source == input.source.kind()
        && phone(stored.started_at, stored.clock_corrected_seconds)
            == phone(input.started_at, item.shift)
        && phone(stored.ended_at, stored.clock_corrected_seconds)
            == phone(input.ended_at, item.shift)
}

fn check_times(input: &SessionInput, now: DateTime<Utc>) -> AppResult<()> {
    let mut errors = Vec::new();
    if input.ended_at <= input.started_at {
        errors.push(FieldError::before_field(
            "ended_at",
            "started_at",
            "must be after",
        ));
    } else if input.ended_at - input.started_at > Duration::hours(MAX_SESSION_HOURS) {
        errors.push(
            FieldError::new(
                "ended_at",
                Code::SessionTooLong,
                format!("a session lasts at most {MAX_SESSION_HOURS} hours"),
            )
            .with(|p| p.max = Some(MAX_SESSION_HOURS)),
        );
    }
    if input.ended_at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        errors.push(FieldError::new(
            "ended_at",
            Code::InFuture,
            "is in the future",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_many(errors))
    }
}

/// The session lies within the study window `[starts_on, ends_on]`, both calendar days in
/// the office's time zone `tz` and both included.
fn check_window(
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    input: &SessionInput,
    tz: FixedOffset,
) -> AppResult<()> {
    let first = input.started_at.with_timezone(&tz).date_naive();
    let last = input.ended_at.with_timezone(&tz).date_naive();
    if first < starts_on || last > ends_on {
        return Err(AppError::invalid(
            FieldError::new(
                "started_at",
                Code::OutsideWindow,
                format!("outside the campaign's study window ({starts_on} to {ends_on})"),
            )
            .with(|p| {
                p.from = Some(starts_on.to_string());
                p.to = Some(ends_on.to_string());
            }),
        ));
    }
    Ok(())
}

/// One upload of a group, with the time it was received.
pub struct GroupItem {
    pub actor: Actor,
    pub input: Result<SessionInput, AppError>,
    pub now: DateTime<Utc>,
}

/// A campaign and its courses.
type CampaignInfo = (campaign::Model, Vec<credit::CampaignCourse>);

/// Checks and stores a group of uploads inside the caller's transaction, with the same
/// rules as one upload at a time: each item is replayed, refused or accepted on its own,
/// against what is stored and against the items before it in the group (so two items of
/// one cadre that overlap: the first wins). Only accepted items are written, so a refused
/// item never touches its neighbours. The reads and writes are done for the whole group
/// at once — a few statements per group instead of several per session.
pub async fn log_group(
    db: &impl ConnectionTrait,
    items: Vec<GroupItem>,
    tz: FixedOffset,
) -> AppResult<Vec<AppResult<Logged>>> {
    let nows: Vec<DateTime<Utc>> = items.iter().map(|i| i.now).collect();
    let items: Vec<Upload> = items
        .into_iter()
        .map(|i| {
            let now = i.now;
            let input = i
                .input
                .and_then(|input| correct_clock(normalise(input), now));
            (i.actor, input)
        })
        .collect();
    // One cadre's uploads are checked and stored one group at a time (PostgreSQL row
    // locks, in id order so two groups never wait on each other in a circle).
    let mut users: Vec<i64> = items.iter().map(|(a, _)| a.id).collect();
    users.sort_unstable();
    users.dedup();
    lock_cadres(db, &users).await?;

    let loaded = load_group(db, &items, &users).await?;

    // First pass: every rule that needs no look at other sessions.
    let mut outcomes: Vec<Option<AppResult<Logged>>> = Vec::with_capacity(items.len());
    for ((actor, item), now) in items.iter().zip(&nows) {
        let verdict = match item {
            Err(e) => Some(Err(e.clone())),
            Ok(c) => match loaded.stored.get(&c.input.id.to_string()) {
                Some(s) if same_content(s, c, actor.id) => Some(Ok(Logged::Replayed(s.clone()))),
                Some(_) => Some(Err(id_conflict())),
                None => precheck(&c.input, actor, &loaded, *now, tz).err().map(Err),
            },
        };
        outcomes.push(verdict);
    }

    // Overlaps with what is stored and the day's credit so far: a query each for the
    // whole group.
    let existing = stored_overlaps(db, &items, &outcomes).await?;
    let mut days = DayTotals::load(db, &items, &outcomes, &loaded.campaigns, tz).await?;

    let accepted = decide_in_order(&items, &nows, &mut outcomes, &existing, &loaded, &mut days);
    if !accepted.is_empty() {
        store(db, &accepted, &loaded.campaigns, &loaded.enrollments).await?;
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.expect("every item has an outcome"))
        .collect())
}

fn id_conflict() -> AppError {
    AppError::conflict(
        Clash::IdConflict,
        "another session with this id is already stored",
    )
}

/// The second pass, in order: overlaps with stored sessions and with earlier items, then
/// the daily caps. Returns the sessions to store.
fn decide_in_order(
    items: &[Upload],
    nows: &[DateTime<Utc>],
    outcomes: &mut [Option<AppResult<Logged>>],
    existing: &[study_session::Model],
    loaded: &Loaded,
    days: &mut DayTotals,
) -> Vec<study_session::Model> {
    let mut accepted: Vec<study_session::Model> = Vec::new();
    for (i, (actor, item)) in items.iter().enumerate() {
        let Ok(c) = item else { continue };
        let input = &c.input;
        if let Some(Ok(Logged::Replayed(_)) | Err(_)) = &outcomes[i] {
            continue;
        }
        // The same id earlier in this group: a replay of it, or a conflict.
        if let Some(first) = accepted.iter().find(|s| s.id == input.id.to_string()) {
            outcomes[i] = Some(if same_content(first, c, actor.id) {
                Ok(Logged::Replayed(first.clone()))
            } else {
                Err(id_conflict())
            });
            continue;
        }
        let clash = existing.iter().chain(accepted.iter()).find(|o| {
            o.user_id == actor.id && o.started_at < input.ended_at && o.ended_at > input.started_at
        });
        if let Some(other) = clash {
            outcomes[i] = Some(Err(AppError::conflict(
                Clash::Overlap,
                format!(
                    "overlaps your session {} ({} to {})",
                    other.id, other.started_at, other.ended_at
                ),
            )));
            continue;
        }
        let enrollment = &loaded.enrollments[&(input.campaign_id, actor.id)];
        let length = (input.ended_at - input.started_at).num_seconds() as i32;
        let claimed = match input.source {
            Source::SelfReported => length,
            Source::Live { credited_seconds } => credited_seconds.clamp(0, length),
        };
        let seconds = match loaded.campaigns.get(&input.campaign_id) {
            Some(Some((campaign, _))) => days.credit(campaign, actor.id, input, claimed),
            _ => claimed,
        };
        let session = study_session::Model {
            id: input.id.to_string(),
            user_id: actor.id,
            campaign_id: input.campaign_id,
            course_id: input.course_id,
            enrollment_id: enrollment.id,
            started_at: input.started_at,
            ended_at: input.ended_at,
            seconds,
            created_at: nows[i],
            source: input.source.kind(),
            clock_corrected_seconds: c.shift,
        };
        outcomes[i] = Some(Ok(Logged::Created(session.clone())));
        accepted.push(session);
    }
    accepted
}

/// The seconds already credited each cadre on each office day of a capped campaign, by
/// source; a session counts on the day it starts. Only campaigns with a daily cap are
/// read, so an uncapped upload costs no query.
struct DayTotals {
    tz: FixedOffset,
    /// (user, campaign, office day) → (every source, self-reported).
    seconds: HashMap<(i64, i64, NaiveDate), (i64, i64)>,
}

fn capped(campaign: &campaign::Model) -> bool {
    campaign.daily_cap_minutes.is_some() || campaign.self_reported_daily_cap_minutes.is_some()
}

impl DayTotals {
    async fn load(
        db: &impl ConnectionTrait,
        items: &[Upload],
        outcomes: &[Option<AppResult<Logged>>],
        campaigns: &HashMap<i64, Option<CampaignInfo>>,
        tz: FixedOffset,
    ) -> AppResult<Self> {
        let mut totals = Self {
            tz,
            seconds: HashMap::new(),
        };
        let mut condition = sea_orm::Condition::any();
        let mut wanted = 0;
        for ((actor, item), verdict) in items.iter().zip(outcomes) {
            let (Ok(c), None) = (item, verdict) else {
                continue;
            };
            if !matches!(campaigns.get(&c.input.campaign_id), Some(Some((campaign, _))) if capped(campaign))
            {
                continue;
            }
            let (from, to) = office_day_bounds(c.input.started_at, tz);
            wanted += 1;
            condition = condition.add(
                sea_orm::Condition::all()
                    .add(study_session::Column::UserId.eq(actor.id))
                    .add(study_session::Column::CampaignId.eq(c.input.campaign_id))
                    .add(study_session::Column::StartedAt.gte(from))
                    .add(study_session::Column::StartedAt.lt(to)),
            );
        }
        if wanted == 0 {
            return Ok(totals);
        }
        for s in study_session::Entity::find()
            .filter(condition)
            .all(db)
            .await?
        {
            totals.add(s.user_id, s.campaign_id, s.started_at, s.source, s.seconds);
        }
        Ok(totals)
    }

    fn add(
        &mut self,
        user: i64,
        campaign: i64,
        started_at: DateTime<Utc>,
        source: StudySource,
        seconds: i32,
    ) {
        let day = started_at.with_timezone(&self.tz).date_naive();
        let entry = self.seconds.entry((user, campaign, day)).or_default();
        entry.0 += i64::from(seconds);
        if source == StudySource::SelfReported {
            entry.1 += i64::from(seconds);
        }
    }

    /// What a new session of `claimed` seconds is credited under the campaign's caps
    /// (possibly 0: the day is full), counted for the sessions after it.
    fn credit(
        &mut self,
        campaign: &campaign::Model,
        user: i64,
        input: &SessionInput,
        claimed: i32,
    ) -> i32 {
        if !capped(campaign) {
            return claimed;
        }
        let day = input.started_at.with_timezone(&self.tz).date_naive();
        let (all, reported) = self
            .seconds
            .get(&(user, campaign.id, day))
            .copied()
            .unwrap_or_default();
        let room = |cap: Option<i32>, used: i64| {
            cap.map_or(i64::MAX, |minutes| (i64::from(minutes) * 60 - used).max(0))
        };
        let mut allowed = room(campaign.daily_cap_minutes, all);
        let source = input.source.kind();
        if source == StudySource::SelfReported {
            allowed = allowed.min(room(campaign.self_reported_daily_cap_minutes, reported));
        }
        let seconds = i64::from(claimed).min(allowed) as i32;
        self.add(user, campaign.id, input.started_at, source, seconds);
        seconds
    }
}

/// The office day (in `tz`) that `at` falls on, as UTC bounds `[from, to)`.
fn office_day_bounds(at: DateTime<Utc>, tz: FixedOffset) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = at.with_timezone(&tz).date_naive();
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_local_timezone(tz)
        .single()
        .expect("a fixed offset has one midnight")
        .with_timezone(&Utc);
    (midnight, midnight + Duration::days(1))
}

/// An upload of a group: who sent it, and the session (or why it could not be read).
type Upload = (Actor, Result<Corrected, AppError>);

/// What checking a group needs, read once for the whole group.
struct Loaded {
    /// Sessions already stored under the group's ids.
    stored: HashMap<String, study_session::Model>,
    /// The group's campaigns (`None`: no such campaign) with their courses.
    campaigns: HashMap<i64, Option<CampaignInfo>>,
    /// The uploaders' enrollments in those campaigns, by (campaign, user).
    enrollments: HashMap<(i64, i64), enrollment::Model>,
}

async fn load_group(
    db: &impl ConnectionTrait,
    items: &[Upload],
    users: &[i64],
) -> AppResult<Loaded> {
    let ids: Vec<String> = items
        .iter()
        .filter_map(|(_, i)| i.as_ref().ok().map(|c| c.input.id.to_string()))
        .collect();
    let mut stored: HashMap<String, study_session::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for s in study_session::Entity::find()
            .filter(study_session::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            stored.insert(s.id.clone(), s);
        }
    }
    let mut campaigns: HashMap<i64, Option<CampaignInfo>> = HashMap::new();
    for (_, item) in items {
        if let Ok(Corrected { input, .. }) = item
            && !campaigns.contains_key(&input.campaign_id)
        {
            let info = match campaign::Entity::find_by_id(input.campaign_id)
                .one(db)
                .await?
            {
                Some(c) => {
                    let courses = credit::campaign_courses(db, c.id).await?;
                    Some((c, courses))
                }
                None => None,
            };
            campaigns.insert(input.campaign_id, info);
        }
    }
    let mut enrollments: HashMap<(i64, i64), enrollment::Model> = HashMap::new();
    for chunk in users.chunks(500) {
        for e in enrollment::Entity::find()
            .filter(enrollment::Column::UserId.is_in(chunk.to_vec()))
            .filter(
                enrollment::Column::CampaignId.is_in(campaigns.keys().copied().collect::<Vec<_>>()),
            )
            .all(db)
            .await?
        {
            enrollments.insert((e.campaign_id, e.user_id), e);
        }
    }
    Ok(Loaded {
        stored,
        campaigns,
        enrollments,
    })
}

/// The stored sessions that overlap any item still undecided (one query).
async fn stored_overlaps(
    db: &impl ConnectionTrait,
    items: &[Upload],
    outcomes: &[Option<AppResult<Logged>>],
) -> AppResult<Vec<study_session::Model>> {
    let mut condition = sea_orm::Condition::any();
    let mut candidates = 0;
    for ((actor, item), verdict) in items.iter().zip(outcomes) {
        if let (Ok(Corrected { input, .. }), None) = (item, verdict) {
            candidates += 1;
            condition = condition.add(
                sea_orm::Condition::all()
                    .add(study_session::Column::UserId.eq(actor.id))
                    // A session lasts at most MAX_SESSION_HOURS, so one that started
                    // earlier has ended before this one starts: the index range is the
                    // last few hours, however long the cadre's history, and the end is
                    // read from the index too (`idx_study_sessions_user_start_end`).
                    .add(
                        study_session::Column::StartedAt
                            .gt(input.started_at - Duration::hours(MAX_SESSION_HOURS)),
                    )
                    .add(study_session::Column::StartedAt.lt(input.ended_at))
                    .add(study_session::Column::EndedAt.gt(input.started_at)),
            );
        }
    }
    if candidates == 0 {
        return Ok(Vec::new());
    }
    Ok(study_session::Entity::find()
        .filter(condition)
        .all(db)
        .await?)
}

/// The rules that need nothing but the item, its campaign and the enrollment.
fn precheck(
    input: &SessionInput,
    actor: &Actor,
    Loaded {
        campaigns,
        enrollments,
        ..
    }: &Loaded,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> AppResult<()> {
    check_times(input, now)?;
    let Some(Some((campaign, courses))) = campaigns.get(&input.campaign_id) else {
        return Err(AppError::invalid(FieldError::not_found(
            "campaign_id",
            Thing::Campaign,
            Vec::new(),
        )));
    };
    if !enrollments.contains_key(&(campaign.id, actor.id)) {
        return Err(AppError::forbidden("you are not enrolled in this campaign"));
    }
    if !courses.iter().any(|c| c.course_id == input.course_id) {
        return Err(AppError::invalid(FieldError::not_part_of(
            "course_id",
            Thing::Campaign,
            "the course is not part of this campaign",
        )));
    }
    check_window(
        (campaign.study_starts_on, campaign.study_ends_on),
        input,
        tz,
    )
}

/// Writes accepted sessions and the running totals they change, a statement per table.
async fn store(
    db: &impl ConnectionTrait,
    accepted: &[study_session::Model],
    campaigns: &HashMap<i64, Option<CampaignInfo>>,
    enrollments: &HashMap<(i64, i64), enrollment::Model>,
) -> AppResult<()> {
    for chunk in accepted.chunks(3000) {
        study_session::Entity::insert_many(
            chunk.iter().cloned().map(study_session::ActiveModel::from),
        )
        .exec_without_returning(db)
        .await?;
    }
    let touched: Vec<i64> = {
        let mut ids: Vec<i64> = accepted.iter().map(|s| s.enrollment_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let mut totals: HashMap<i64, HashMap<i64, credit::Studied>> = HashMap::new();
    for p in course_progress::Entity::find()
        .filter(course_progress::Column::EnrollmentId.is_in(touched.clone()))
        .all(db)
        .await?
    {
        totals
            .entry(p.enrollment_id)
            .or_default()
            .insert(p.course_id, (&p).into());
    }
    let mut added: HashMap<i64, i32> = HashMap::new();
    for s in accepted {
        let total = totals
            .entry(s.enrollment_id)
            .or_default()
            .entry(s.course_id)
            .or_default();
        total.seconds += i64::from(s.seconds);
        if s.source == StudySource::Live {
            total.live_seconds += i64::from(s.seconds);
        }
        *added.entry(s.enrollment_id).or_default() += 1;
    }
    let progress_rows: Vec<course_progress::ActiveModel> = totals
        .iter()
        .flat_map(|(e, courses)| {
            courses
                .iter()
                .map(|(c, studied)| course_progress::ActiveModel {
                    enrollment_id: Set(*e),
                    course_id: Set(*c),
                    seconds: Set(studied.seconds),
                    live_seconds: Set(studied.live_seconds),
                })
        })
        .collect();
    course_progress::Entity::insert_many(progress_rows)
        .on_conflict(
            OnConflict::columns([
                course_progress::Column::EnrollmentId,
                course_progress::Column::CourseId,
            ])
            .update_columns([
                course_progress::Column::Seconds,
                course_progress::Column::LiveSeconds,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let by_id: HashMap<i64, &enrollment::Model> = enrollments.values().map(|e| (e.id, e)).collect();
    let mut changes = Vec::with_capacity(touched.len());
    for id in touched {
        let e = by_id[&id];
        let Some(Some((campaign, courses))) = campaigns.get(&e.campaign_id) else {
            continue;
        };
        let credit = credit::credit(courses, &totals[&id], credit::Requirement::of(campaign));
        changes.push((e, roster::after_upload(e, credit.figures(), added[&id])));
    }
    roster::record_uploads(db, changes).await
}

/// Times are kept to the second: a replay compares equal on every database.
fn normalise(mut input: SessionInput) -> SessionInput {
    input.started_at = input.started_at.trunc_subsecs(0);
    input.ended_at = input.ended_at.trunc_subsecs(0);
    input
}

/// Logs up to [`MAX_BATCH`] sessions in one transaction; each is answered on its own and a
/// refused one never takes its neighbours with it.
pub async fn log_batch(
    db: &DatabaseConnection,
    actor: &Actor,
    items: Vec<Result<SessionInput, AppError>>,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> AppResult<Vec<AppResult<Logged>>> {
    if items.len() > MAX_BATCH {
        return Err(AppError::invalid(FieldError::count_out_of_range(
            "sessions", 0, MAX_BATCH,
        )));
    }
    let txn = begin_write(db).await?;
    let items = items
        .into_iter()
        .map(|input| GroupItem {
            actor: actor.clone(),
            input,
            now,
        })
        .collect();
    let outcomes = log_group(&txn, items, tz).await?;
    txn.commit().await?;
    Ok(outcomes)
}

/// A stored session by id.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> AppResult<study_session::Model> {
    study_session::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("study session"))
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

impl SessionFilter {
    /// The filter as an audit entry states it.
    pub fn audit_pairs(&self) -> audit::FilterPairs {
        vec![
            ("campaign_id", audit::text(&self.campaign_id)),
            ("user_id", audit::text(&self.user_id)),
            ("unit_id", audit::text(&self.unit_id)),
            ("from", self.from.map(|t| t.to_rfc3339())),
            ("to", self.to.map(|t| t.to_rfc3339())),
        ]
    }
}

/// Sessions by start time, as `actor` may see them: admin and HR anyone's, everyone
/// else only their own (asking for another cadre or a unit is refused).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
    mut filter: SessionFilter,
    page: PageReq,
) -> AppResult<Page<study_session::Model>> {
    if !policy::manages_people(actor) {
        if filter.user_id.is_some_and(|id| id != actor.id) || filter.unit_id.is_some() {
            return Err(AppError::forbidden("you can list only your own sessions"));
        }
        filter.user_id = Some(actor.id);
    }
    let mut query = study_session::Entity::find();
    if filter.user_id != Some(actor.id) || filter.unit_id.is_some() {
        // Others' sessions, or a unit's: of people in the manager's scope (narrowed to the
        // unit asked for) only.
        let scope = scope.filtered(db, "unit_id", filter.unit_id).await?;
        query = query.filter(scope.people_condition(study_session::Column::UserId));
    }
    if let Some(id) = filter.campaign_id {
        query = query.filter(study_session::Column::CampaignId.eq(id));
    }
    if let Some(id) = filter.user_id {
        query = query.filter(study_session::Column::UserId.eq(id));
    }
    if let Some(from) = filter.from {
        query = query.filter(study_session::Column::StartedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(study_session::Column::StartedAt.lt(to));
    }
    fetch_page(
        db,
        query
            .order_by_asc(study_session::Column::StartedAt)
            .order_by_asc(study_session::Column::Id),
        page,
    )
    .await
}

/// One upload waiting for the group commit.
pub struct Job {
    actor: Actor,
    input: SessionInput,
    now: DateTime<Utc>,
    tz: FixedOffset,
}

/// Group commit for single uploads, on SQLite and PostgreSQL alike (see
/// `services::group_commit`): each upload keeps its own rules inside the shared
/// transaction and a refused one never touches its neighbours. One commit (one fsync,
/// one WAL flush) then serves many uploads instead of one. Several instances on one
/// PostgreSQL each run a writer; the cadres' row locks keep one cadre's uploads in order.
pub struct Uploads;

impl GroupCommit for Uploads {
    type Job = Job;
    type Outcome = Logged;
    const LIMIT: usize = 512;
    const NAME: &'static str = "session";

    fn commit(
        db: &DatabaseConnection,
        jobs: &[Job],
    ) -> impl Future<Output = AppResult<Vec<AppResult<Logged>>>> + Send {
        commit_group(db, jobs)
    }
}

/// The study-upload writer.
#[derive(Clone)]
pub struct SessionWriter(GroupWriter<Uploads>);

impl SessionWriter {
    pub async fn start(db: WriterDb) -> Result<Self, DbErr> {
        Ok(Self(GroupWriter::start(db).await?))
    }

    /// Queues one upload and waits for its commit.
    pub async fn log(
        &self,
        actor: &Actor,
        input: SessionInput,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> AppResult<Logged> {
        self.0
            .submit(Job {
                actor: actor.clone(),
                input: normalise(input),
                now,
                tz,
            })
            .await
    }
}

async fn commit_group(db: &DatabaseConnection, jobs: &[Job]) -> AppResult<Vec<AppResult<Logged>>> {
    let txn = begin_write(db).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    // One time zone per process, so one group; split only if that ever changes.
    let mut start = 0;
    while start < jobs.len() {
        let tz = jobs[start].tz;
        let end = jobs[start..]
            .iter()
            .position(|j| j.tz != tz)
            .map_or(jobs.len(), |p| start + p);
        let items = jobs[start..end]
            .iter()
            .map(|j| GroupItem {
                actor: j.actor.clone(),
                input: Ok(j.input.clone()),
                now: j.now,
            })
            .collect();
        outcomes.extend(log_group(&txn, items, tz).await?);
        start = end;
    }
    txn.commit().await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn session(from: &str, to: &str) -> SessionInput {
        SessionInput::reported(Uuid::nil(), (1, 1), at(from), at(to), None)
    }

    fn fields(result: AppResult<()>) -> Vec<String> {
        match result {
            Ok(()) => vec![],
            Err(AppError::Invalid { errors, .. }) => {
                errors.into_iter().map(|e| e.message).collect()
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn times_must_run_forward_for_at_most_four_hours() {
        let now = at("2026-06-15T12:00:00+08:00");
        let ok = session("2026-06-15T08:00:00+08:00", "2026-06-15T12:00:00+08:00");
        assert!(fields(check_times(&ok, now)).is_empty());
        let empty = session("2026-06-15T08:00:00+08:00", "2026-06-15T08:00:00+08:00");
        assert_eq!(
            fields(check_times(&empty, now)),
            ["must be after started_at"]
        );
        let long = session("2026-06-15T07:59:59+08:00", "2026-06-15T12:00:00+08:00");
        assert_eq!(
            fields(check_times(&long, now)),
            ["a session lasts at most 4 hours"]
        );
    }

    #[test]
    fn the_future_is_tolerated_for_five_minutes() {
        let now = at("2026-06-15T12:00:00+08:00");
        let edge = session("2026-06-15T11:00:00+08:00", "2026-06-15T12:05:00+08:00");
        assert!(fields(check_times(&edge, now)).is_empty());
        let beyond = session("2026-06-15T11:00:00+08:00", "2026-06-15T12:05:01+08:00");
        assert_eq!(fields(check_times(&beyond, now)), ["is in the future"]);
    }

    #[test]
    fn the_window_is_read_in_the_office_time_zone() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        let window = (
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        );
        // 23:30 on 30 November in Beijing is still inside, though it is 15:30 UTC…
        let last_evening = session("2026-11-30T23:00:00+08:00", "2026-11-30T23:30:00+08:00");
        assert!(check_window(window, &last_evening, tz).is_ok());
        // …and 00:10 on 1 December in Beijing is outside, though UTC still says 30 November.
        let next_day = session("2026-11-30T23:50:00+08:00", "2026-12-01T00:10:00+08:00");
        assert!(check_window(window, &next_day, tz).is_err());
        let too_early = session("2026-02-28T23:00:00+08:00", "2026-02-28T23:30:00+08:00");
        assert!(check_window(window, &too_early, tz).is_err());
    }
}
