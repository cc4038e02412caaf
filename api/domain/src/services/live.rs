//! Live study sessions: the server times study from heartbeats, and credits only its own
//! elapsed time between heartbeats that came close enough, with the page visible, the
//! playback no faster than the campaign allows and any presence check (还在学习吗？)
//! answered. Ended, a live session becomes an ordinary study session (`source: live`)
//! through the same rules as an upload (course cap, window, overlap, daily caps).
//!
//! Heartbeats are frequent (10,000 cadres at 30 s is 333 a second), so a heartbeat costs
//! no durable write: the running sessions live in memory ([`LiveSessions`]) and are
//! written in groups every interval ([`LiveSessions::flush`]), so a `kill -9` loses at most
//! one interval of credit. Every instance may take any heartbeat: an instance that does
//! not hold a session claims it (`owner`) from its last write, and the instance that held
//! it finds at its next write that it no longer owns it and lets it go; a flush only ever
//! writes the sessions its instance owns. Credit is always the server time between two
//! heartbeats one instance saw in order, so a session handed over is never counted twice
//! (at worst the last unwritten stretch of the instance that lost it is not counted).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use entity::{live_session, vocabulary::LiveState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use super::{
    begin_write, campaigns,
    study::{self, Logged, MAX_SESSION_HOURS, SessionInput, SessionWriter, Source},
    write,
};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Clash, Code, FieldError, Thing},
};

/// The fastest and slowest playback a heartbeat may report (hundredths): outside, 422.
pub const PLAYBACK_RANGE_CENTI: (i32, i32) = (10, 1000);

/// One heartbeat as the page sends it.
#[derive(Debug, Clone)]
pub struct Beat {
    /// The page (and its course material) is on screen (Page Visibility API).
    pub visible: bool,
    /// The video's playback rate in hundredths (100 = 1×); 100 for a text.
    pub playback_rate_centi: i32,
    /// The answer to the presence check the last heartbeat asked, when there is one.
    pub presence_answer: Option<String>,
}

/// A live session as its owner reads it.
#[derive(Debug, Clone)]
pub struct LiveView {
    pub session: live_session::Model,
    pub heartbeat_seconds: u32,
}

/// A running session held by this instance, with the campaign rules its heartbeats need.
#[derive(Debug, Clone)]
struct Entry {
    model: live_session::Model,
    max_rate_centi: i32,
    presence_minutes: i32,
    /// Changed since the last write.
    dirty: bool,
}

/// The running live sessions this instance holds, written every interval.
pub struct LiveSessions {
    /// This process; a session's `owner` says which instance last wrote it.
    instance: String,
    heartbeat_seconds: u32,
    held: Mutex<HashMap<String, Entry>>,
}

impl LiveSessions {
    pub fn new(heartbeat_seconds: u32) -> Arc<Self> {
        crate::metrics::declare_writer("live");
        Arc::new(Self {
            instance: Uuid::new_v4().to_string(),
            heartbeat_seconds,
            held: Mutex::new(HashMap::new()),
        })
    }

    pub fn heartbeat_seconds(&self) -> u32 {
        self.heartbeat_seconds
    }

    fn interval(&self) -> Duration {
        Duration::seconds(self.heartbeat_seconds.into())
    }

    fn view(&self, session: live_session::Model) -> LiveView {
        LiveView {
            session,
            heartbeat_seconds: self.heartbeat_seconds,
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while the map was held leaves it as it was between two heartbeats.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts timing `course_id` of `campaign_id` for `actor`: the campaign must have the
    /// course, the cadre be on its roster and today be in its study window. The cadre's
    /// other running session (a page left open elsewhere) ends at its last heartbeat.
    pub async fn start(
        &self,
        db: &DatabaseConnection,
        writer: &SessionWriter,
        actor: &Actor,
        (campaign_id, course_id): (i64, i64),
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> AppResult<LiveView> {
        let campaign = campaigns::find(db, campaign_id).await.map_err(|_| {
            AppError::invalid(FieldError::not_found(
                "campaign_id",
                Thing::Campaign,
                Vec::new(),
            ))
        })?;
        let enrollment = campaigns::find_enrollment(db, campaign_id, actor.id)
            .await?
            .ok_or_else(|| AppError::forbidden("you are not enrolled in this campaign"))?;
        let courses = super::credit::campaign_courses(db, campaign_id).await?;
        if !courses.iter().any(|c| c.course_id == course_id) {
            return Err(AppError::invalid(FieldError::not_part_of(
                "course_id",
                Thing::Campaign,
                "the course is not part of this campaign",
            )));
        }
        let today = now.with_timezone(&tz).date_naive();
        if today < campaign.study_starts_on || today > campaign.study_ends_on {
            return Err(AppError::invalid(
                FieldError::new(
                    "campaign_id",
                    Code::OutsideWindow,
                    format!(
                        "today is outside the campaign's study window ({} to {})",
                        campaign.study_starts_on, campaign.study_ends_on
                    ),
                )
                .with(|p| {
                    p.from = Some(campaign.study_starts_on.to_string());
                    p.to = Some(campaign.study_ends_on.to_string());
                }),
            ));
        }
        self.end_others(db, writer, actor, now, tz).await?;
        let now = trunc(now);
        let model = live_session::Model {
            id: Uuid::new_v4().to_string(),
            user_id: actor.id,
            campaign_id,
            course_id,
            enrollment_id: enrollment.id,
            state: LiveState::Running,
            started_at: now,
            last_heartbeat_at: now,
            credited_seconds: 0,
            presence_prompt: None,
            presence_answer: None,
            next_check_at: (campaign.presence_check_minutes > 0)
                .then(|| now + Duration::minutes(campaign.presence_check_minutes.into())),
            owner: self.instance.clone(),
            ended_at: None,
            study_session_id: None,
            end_reason: None,
        };
        let row = live_session::ActiveModel::from(model.clone());
        write(db, async |db| Ok(row.insert(db).await?)).await?;
        self.held().insert(
            model.id.clone(),
            Entry {
                model: model.clone(),
                max_rate_centi: campaign.max_playback_rate_centi,
                presence_minutes: campaign.presence_check_minutes,
                dirty: false,
            },
        );
        Ok(self.view(model))
    }

    /// The cadre's sessions still running end at their last heartbeat.
    async fn end_others(
        &self,
        db: &DatabaseConnection,
        writer: &SessionWriter,
        actor: &Actor,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> AppResult<()> {
        let running = live_session::Entity::find()
            .filter(live_session::Column::UserId.eq(actor.id))
            .filter(live_session::Column::State.eq(LiveState::Running))
            .all(db)
            .await?;
        for other in running {
            match self.finish(db, writer, actor, &other.id, now, tz).await {
                Ok(_) | Err(AppError::Conflict { .. }) | Err(AppError::Invalid { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// One heartbeat: credits the stretch since the previous one when it qualifies.
    /// Another's session is 404, an ended one 409; a second heartbeat within a second
    /// credits nothing more.
    pub async fn heartbeat(
        &self,
        db: &DatabaseConnection,
        writer: &SessionWriter,
        actor: &Actor,
        id: &str,
        beat: Beat,
        (now, tz): (DateTime<Utc>, FixedOffset),
    ) -> AppResult<LiveView> {
        check_rate(beat.playback_rate_centi)?;
        let now = trunc(now);
        self.hold(db, actor, id).await?;
        let (model, too_long) = {
            let mut held = self.held();
            let entry = held
                .get_mut(id)
                .ok_or_else(|| AppError::not_found("live session"))?;
            let too_long = now - entry.model.started_at >= Duration::hours(MAX_SESSION_HOURS);
            if !too_long {
                apply(entry, &beat, now, self.interval());
            }
            (entry.model.clone(), too_long)
        };
        if too_long {
            // Four hours is the longest session: it is stored and ends.
            let _ = self
                .finish(db, writer, actor, id, now, tz)
                .await
                .map_err(|e| tracing::info!(error = %e, "a live session past its length"));
            return Err(AppError::conflict(
                Clash::SessionEnded,
                format!("a session lasts at most {MAX_SESSION_HOURS} hours; start a new one"),
            ));
        }
        Ok(self.view(model))
    }

    /// Holds `id` in memory: already held, or claimed from its last write. 404 when it is
    /// not the actor's, 409 when it has ended.
    async fn hold(&self, db: &DatabaseConnection, actor: &Actor, id: &str) -> AppResult<()> {
        if let Some(entry) = self.held().get(id) {
            return if entry.model.user_id == actor.id {
                Ok(())
            } else {
                Err(AppError::not_found("live session"))
            };
        }
        let stored = own_row(db, actor, id).await?;
        if stored.state != LiveState::Running {
            return Err(ended());
        }
        // Claimed: from now on the other instance's writes of it are refused.
        write(db, async |db| {
            live_session::Entity::update_many()
                .col_expr(live_session::Column::Owner, Expr::value(&self.instance))
                .filter(live_session::Column::Id.eq(id))
                .filter(live_session::Column::State.eq(LiveState::Running))
                .exec(db)
                .await?;
            Ok(())
        })
        .await?;
        let latest = live_session::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("live session"))?;
        if latest.state != LiveState::Running {
            return Err(ended());
        }
        let campaign = campaigns::find(db, latest.campaign_id).await?;
        self.held().entry(id.to_owned()).or_insert(Entry {
            model: latest,
            max_rate_centi: campaign.max_playback_rate_centi,
            presence_minutes: campaign.presence_check_minutes,
            dirty: false,
        });
        Ok(())
    }

    /// Ends a session (its owner): it is stored as a study session of the seconds
    /// credited, from its start to its last heartbeat. Ending again answers the stored
    /// session; a session of which nothing was credited ends with 409 `nothing_credited`.
    pub async fn end(
        &self,
        db: &DatabaseConnection,
        writer: &SessionWriter,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> AppResult<Logged> {
        let stored = own_row(db, actor, id).await?;
        if stored.state == LiveState::Ended {
            return match stored.study_session_id {
                Some(sid) => Ok(Logged::Replayed(study::find(db, &sid).await?)),
                None => Err(ended()),
            };
        }
        self.finish(db, writer, actor, id, now, tz).await
    }

    /// Ends a running session held or claimed here; see [`LiveSessions::end`].
    async fn finish(
        &self,
        db: &DatabaseConnection,
        writer: &SessionWriter,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> AppResult<Logged> {
        self.hold(db, actor, id).await?;
        let model = self
            .held()
            .remove(id)
            .map(|e| e.model)
            .ok_or_else(|| AppError::not_found("live session"))?;
        let result = if model.credited_seconds > 0 {
            let input = SessionInput {
                id: Uuid::parse_str(&model.id).map_err(|_| AppError::not_found("live session"))?,
                campaign_id: model.campaign_id,
                course_id: model.course_id,
                started_at: model.started_at,
                ended_at: model.last_heartbeat_at,
                source: Source::Live {
                    credited_seconds: model.credited_seconds,
                },
                device_time: None,
            };
            writer.log(actor, input, now, tz).await
        } else {
            Err(AppError::conflict(
                Clash::NothingCredited,
                "no stretch of this session could be credited",
            ))
        };
        let reason = match &result {
            Ok(_) => "ended",
            Err(_) if model.credited_seconds == 0 => "nothing_credited",
            Err(_) => "refused",
        };
        let stored_id = result.as_ref().ok().map(|l| l.session().id.clone());
        write(db, async |db| {
            write_end(db, &model, now, reason, stored_id).await
        })
        .await?;
        result
    }

    /// Writes every session changed since the last write, in one transaction, and lets
    /// go of those another instance has claimed (or that ended elsewhere). Returns how
    /// many were written.
    pub async fn flush(&self, db: &DatabaseConnection) -> AppResult<usize> {
        let changed: Vec<live_session::Model> = {
            let mut held = self.held();
            held.values_mut()
                .filter(|e| e.dirty)
                .map(|e| {
                    e.dirty = false;
                    e.model.clone()
                })
                .collect()
        };
        if changed.is_empty() {
            return Ok(0);
        }
        let began = std::time::Instant::now();
        let txn = begin_write(db).await?;
        let mut lost = Vec::new();
        for chunk in changed.chunks(1000) {
            // Upserts, so one statement writes the chunk; the condition keeps a session
            // another instance has claimed (or that ended) as that instance wrote it.
            live_session::Entity::insert_many(
                chunk.iter().cloned().map(live_session::ActiveModel::from),
            )
            .on_conflict(
                OnConflict::column(live_session::Column::Id)
                    .update_columns([
                        live_session::Column::LastHeartbeatAt,
                        live_session::Column::CreditedSeconds,
                        live_session::Column::PresencePrompt,
                        live_session::Column::PresenceAnswer,
                        live_session::Column::NextCheckAt,
                    ])
                    .action_and_where(
                        Expr::col((live_session::Entity, live_session::Column::Owner))
                            .eq(self.instance.as_str())
                            .and(
                                Expr::col((live_session::Entity, live_session::Column::State))
                                    .eq(LiveState::Running.key()),
                            ),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            let ids: Vec<String> = chunk.iter().map(|m| m.id.clone()).collect();
            lost.extend(
                live_session::Entity::find()
                    .select_only()
                    .column(live_session::Column::Id)
                    .filter(live_session::Column::Id.is_in(ids))
                    .filter(
                        sea_orm::Condition::any()
                            .add(live_session::Column::Owner.ne(&self.instance))
                            .add(live_session::Column::State.ne(LiveState::Running)),
                    )
                    .into_tuple::<String>()
                    .all(&txn)
                    .await?,
            );
        }
        txn.commit().await?;
        // On /metrics as the `live` writer of `xuefa_group_commit_*`: its groups are the
        // sessions written together.
        crate::metrics::observe_group("live", changed.len(), began.elapsed().as_secs_f64());
        if !lost.is_empty() {
            let mut held = self.held();
            for id in &lost {
                held.remove(id);
            }
        }
        Ok(changed.len() - lost.len())
    }

    /// Ends the sessions silent for three intervals, each at its last heartbeat (stored
    /// like an end by its owner). Writes this instance's changes first, so a session it
    /// holds is judged by its latest heartbeat. Every instance may run it: ending is
    /// claimed first, so one instance ends each. Returns how many ended.
    pub async fn sweep(
        &self,
        db: &DatabaseConnection,
        writer: &SessionWriter,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> AppResult<usize> {
        self.flush(db).await?;
        let cutoff = now - self.interval() * 3;
        let silent = live_session::Entity::find()
            .filter(live_session::Column::State.eq(LiveState::Running))
            .filter(live_session::Column::LastHeartbeatAt.lt(cutoff))
            .order_by_asc(live_session::Column::LastHeartbeatAt)
            .limit(500)
            .all(db)
            .await?;
        let mut ended = 0;
        for s in silent {
            if self
                .held()
                .get(&s.id)
                .is_some_and(|e| e.model.last_heartbeat_at >= cutoff)
            {
                continue;
            }
            // The sweep ends it on the cadre's behalf.
            let actor = Actor {
                id: s.user_id,
                username: String::new(),
                roles: vec![crate::auth::Role::Cadre],
            };
            match self.finish(db, writer, &actor, &s.id, now, tz).await {
                Ok(_) => ended += 1,
                Err(AppError::Conflict { .. } | AppError::Invalid { .. }) => ended += 1,
                Err(AppError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(ended)
    }
}

/// The stored row of the actor's session `id` (another's is 404, as no such session).
async fn own_row(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: &str,
) -> AppResult<live_session::Model> {
    live_session::Entity::find_by_id(id.to_owned())
        .filter(live_session::Column::UserId.eq(actor.id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("live session"))
}

fn ended() -> AppError {
    AppError::conflict(Clash::SessionEnded, "this live session has ended")
}

fn check_rate(centi: i32) -> AppResult<()> {
    let (min, max) = PLAYBACK_RANGE_CENTI;
    if (min..=max).contains(&centi) {
        Ok(())
    } else {
        Err(AppError::invalid(FieldError::out_of_range(
            "playback_rate",
            0,
            10,
        )))
    }
}

/// Times are kept to the second, like an upload's.
fn trunc(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    at.trunc_subsecs(0)
}

/// The rule for one heartbeat at `now` (the server's clock). A heartbeat within a second
/// of the previous one credits nothing, but its presence answer still counts (the answer
/// box is sent as soon as it is filled, which may be just after a timed heartbeat).
fn apply(entry: &mut Entry, beat: &Beat, now: DateTime<Utc>, interval: Duration) {
    let m = &mut entry.model;
    let elapsed = now - m.last_heartbeat_at;
    let soon = elapsed < Duration::seconds(1);
    let mut credit = !soon
        && elapsed <= interval * 2
        && beat.visible
        && beat.playback_rate_centi <= entry.max_rate_centi;
    if let Some(expected) = m.presence_answer.clone() {
        match beat.presence_answer.as_deref().map(str::trim) {
            Some(answer) if answer == expected => {
                m.presence_prompt = None;
                m.presence_answer = None;
                m.next_check_at = Some(now + Duration::minutes(entry.presence_minutes.into()));
                entry.dirty = true;
            }
            Some(_) => {
                // A wrong answer: nothing for this stretch, and a new question.
                credit = false;
                ask(m);
                entry.dirty = true;
            }
            None => credit = false,
        }
    }
    if soon {
        return;
    }
    if credit {
        m.credited_seconds += elapsed.num_seconds() as i32;
    }
    m.last_heartbeat_at = now;
    if m.presence_prompt.is_none() && m.next_check_at.is_some_and(|due| now >= due) {
        ask(m);
    }
    entry.dirty = true;
}

/// A presence check: a sum of two small numbers, to type into the answer box.
fn ask(m: &mut live_session::Model) {
    use rand::Rng;
    let mut rng = rand::rng();
    let (a, b): (u8, u8) = (rng.random_range(1..10), rng.random_range(1..10));
    m.presence_prompt = Some(format!("还在学习吗？请输入 {a} + {b} 的结果"));
    m.presence_answer = Some((a + b).to_string());
}

/// Marks a session ended, whoever held it.
async fn write_end(
    db: &impl ConnectionTrait,
    model: &live_session::Model,
    now: DateTime<Utc>,
    reason: &str,
    study_session_id: Option<String>,
) -> AppResult<()> {
    let mut active: live_session::ActiveModel = model.clone().into();
    active.state = Set(LiveState::Ended);
    active.ended_at = Set(Some(now));
    active.end_reason = Set(Some(reason.to_owned()));
    active.study_session_id = Set(study_session_id);
    active.presence_prompt = Set(None);
    active.presence_answer = Set(None);
    active.reset_all().update(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: DateTime<Utc>) -> Entry {
        Entry {
            model: live_session::Model {
                id: "s".into(),
                user_id: 1,
                campaign_id: 1,
                course_id: 1,
                enrollment_id: 1,
                state: LiveState::Running,
                started_at: at,
                last_heartbeat_at: at,
                credited_seconds: 0,
                presence_prompt: None,
                presence_answer: None,
                next_check_at: None,
                owner: "me".into(),
                ended_at: None,
                study_session_id: None,
                end_reason: None,
            },
            max_rate_centi: 150,
            presence_minutes: 0,
            dirty: false,
        }
    }

    fn beat(visible: bool, rate: i32) -> Beat {
        Beat {
            visible,
            playback_rate_centi: rate,
            presence_answer: None,
        }
    }

    #[test]
    fn only_visible_timely_normal_speed_stretches_count() {
        let t0 = DateTime::parse_from_rfc3339("2026-06-15T09:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let interval = Duration::seconds(30);
        let mut e = entry(t0);
        let at = |s: i64| t0 + Duration::seconds(s);
        apply(&mut e, &beat(true, 100), at(30), interval);
        assert_eq!(e.model.credited_seconds, 30);
        apply(&mut e, &beat(false, 100), at(60), interval); // hidden
        apply(&mut e, &beat(true, 200), at(90), interval); // 2×
        assert_eq!(e.model.credited_seconds, 30);
        apply(&mut e, &beat(true, 150), at(150), interval); // 1.5× and 60 s: the limits
        assert_eq!(e.model.credited_seconds, 90);
        apply(&mut e, &beat(true, 100), at(211), interval); // 61 s: too late
        apply(&mut e, &beat(true, 100), at(211), interval); // twice in a second
        assert_eq!(e.model.credited_seconds, 90);
        apply(&mut e, &beat(true, 100), at(241), interval);
        assert_eq!(e.model.credited_seconds, 120);
    }

    #[test]
    fn a_presence_check_pauses_credit_until_answered() {
        let t0 = Utc::now().trunc_subsecs(0);
        use chrono::SubsecRound;
        let interval = Duration::seconds(30);
        let mut e = entry(t0);
        e.presence_minutes = 1;
        e.model.next_check_at = Some(t0 + Duration::minutes(1));
        let at = |s: i64| t0 + Duration::seconds(s);
        apply(&mut e, &beat(true, 100), at(30), interval);
        assert!(e.model.presence_prompt.is_none());
        apply(&mut e, &beat(true, 100), at(60), interval);
        assert_eq!(e.model.credited_seconds, 60);
        let answer = e
            .model
            .presence_answer
            .clone()
            .expect("a question is asked");
        apply(&mut e, &beat(true, 100), at(90), interval); // unanswered
        let wrong = Beat {
            presence_answer: Some("100".into()),
            ..beat(true, 100)
        };
        apply(&mut e, &wrong, at(120), interval);
        assert_eq!(e.model.credited_seconds, 60);
        let asked = e.model.presence_answer.clone().expect("asked again");
        assert!(asked.parse::<u8>().unwrap() < 19, "{answer} then {asked}");
        let right = Beat {
            presence_answer: Some(format!(" {asked} ")),
            ..beat(true, 100)
        };
        // Answered a moment after a timed heartbeat: the answer counts, the moment not.
        apply(&mut e, &beat(true, 100), at(150), interval);
        apply(&mut e, &right, at(150), interval);
        assert_eq!(e.model.credited_seconds, 60);
        assert!(e.model.presence_prompt.is_none());
        assert_eq!(e.model.next_check_at, Some(at(210)));
        apply(&mut e, &beat(true, 100), at(180), interval);
        assert_eq!(e.model.credited_seconds, 90);
    }
}
