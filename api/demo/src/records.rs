//! Each cadre's year: enrollment, study sessions, the running totals they produce, and
//! exam attempts — every derived figure computed by the API's own rules
//! (`credit::credit`, `scoring`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::{
    error::AppResult,
    scoring::{self, score_centi},
    services::{
        credit::{self, Requirement, credit},
        exam::{AttemptKind, AttemptStatus, FinishedReason},
    },
};
use entity::{
    attempt, attempt_question, course_progress, enrollment, study_session, vocabulary::StudySource,
};

use crate::campaign::MIN_LIVE_SHARE_PERMILLE;
use rand::{Rng, seq::IndexedRandom};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};

use crate::{
    Gen,
    campaign::{BankQuestion, Plan},
    write::{bulk, local, new_year, next_id},
};

/// Rows waiting to be written; flushed every 60,000 sessions so memory stays flat for a
/// city-sized roster.
#[derive(Default)]
struct Batch {
    enrollments: Vec<enrollment::ActiveModel>,
    sessions: Vec<study_session::ActiveModel>,
    progress: Vec<course_progress::ActiveModel>,
    attempts: Vec<attempt::ActiveModel>,
    answers: Vec<attempt_question::ActiveModel>,
}

impl Batch {
    async fn flush(&mut self, g: &Gen<'_>) -> AppResult<()> {
        bulk(g.txn, std::mem::take(&mut self.enrollments)).await?;
        bulk(g.txn, std::mem::take(&mut self.sessions)).await?;
        bulk(g.txn, std::mem::take(&mut self.progress)).await?;
        bulk(g.txn, std::mem::take(&mut self.attempts)).await?;
        bulk(g.txn, std::mem::take(&mut self.answers)).await
    }
}

/// How many sessions and attempts were made.
pub struct Made {
    pub sessions: usize,
    pub attempts: usize,
}

/// Enrolls every cadre and generates their study and exam; the last two of a roster over
/// ten are exempt (免考, long sick leave).
pub async fn study_and_exams(
    g: &mut Gen<'_>,
    plan: &Plan,
    cadres: &[(i64, i64)],
    sessions_per_cadre: u32,
) -> AppResult<Made> {
    let mut enrollment_id = next_id::<enrollment::Entity>(g.txn, enrollment::Column::Id).await?;
    let mut attempt_id = next_id::<attempt::Entity>(g.txn, attempt::Column::Id).await?;
    let first_attempt_id = attempt_id;
    let mut batch = Batch::default();
    let mut sessions = 0;
    let mut flushed = 0;
    g.progress
        .phase("study sessions and exams", cadres.len() as u64);
    for (n, (cadre, unit)) in cadres.iter().enumerate() {
        let eid = enrollment_id;
        enrollment_id += 1;
        let member = Member {
            cadre: *cadre,
            enrollment: eid,
            n,
        };
        let studied = study(g, plan, &member, sessions_per_cadre, &mut batch);
        let earned = credit(
            &plan.courses,
            &studied.seconds,
            Requirement {
                required_minutes: plan.required_minutes,
                min_live_share_permille: MIN_LIVE_SHARE_PERMILLE,
            },
        );
        for (course, secs) in &studied.seconds {
            batch.progress.push(course_progress::ActiveModel {
                enrollment_id: Set(eid),
                course_id: Set(*course),
                seconds: Set(secs.seconds),
                live_seconds: Set(secs.live_seconds),
            });
        }
        // Most of those who finished studying sit the exam once or twice.
        let sat = if earned.study_complete && g.now > plan.exam_opens && g.rng.random_bool(0.9) {
            exam(g, plan, &member, &mut attempt_id, &mut batch)
        } else {
            Sat::default()
        };
        batch.enrollments.push(enrollment::ActiveModel {
            id: Set(eid),
            campaign_id: Set(plan.campaign_id),
            user_id: Set(*cadre),
            unit_id: Set(Some(*unit)),
            exempt: Set(false),
            exempt_reason: Set(None),
            extra_minutes: Set(0),
            credited_minutes: Set(earned.credited_minutes),
            live_minutes: Set(earned.live_minutes),
            study_complete: Set(earned.study_complete),
            session_count: Set(studied.count),
            participated: Set(studied.count > 0 || sat.used > 0),
            enrolled_at: Set(local(g.tz, new_year(g.year), 9, 0)),
            attempts_used: Set(sat.used),
            best_score_centi: Set(sat.best),
            makeup_attempts_used: Set(0),
            best_main_centi: Set(sat.best),
        });
        if batch.sessions.len() >= 60_000 || n + 1 == cadres.len() {
            sessions += batch.sessions.len();
            batch.flush(g).await?;
            g.progress.advance((n + 1 - flushed) as u64);
            flushed = n + 1;
        }
    }
    if cadres.len() > 10 {
        for (cadre, _) in cadres.iter().rev().take(2) {
            enrollment::Entity::update_many()
                .col_expr(enrollment::Column::Exempt, Expr::value(true))
                .col_expr(enrollment::Column::ExemptReason, Expr::value("长期病假"))
                .filter(enrollment::Column::UserId.eq(*cadre))
                .exec(g.txn)
                .await?;
        }
    }
    Ok(Made {
        sessions,
        attempts: (attempt_id - first_attempt_id) as usize,
    })
}

/// A roster member being generated.
struct Member {
    cadre: i64,
    enrollment: i64,
    /// Their place on the roster (spreads their study over the week).
    n: usize,
}

/// A cadre's study: seconds per course and how many sessions.
struct Studied {
    seconds: HashMap<i64, credit::Studied>,
    count: i32,
}

/// Most finish; some are partway; a few have not started (HR's phone list). Sessions
/// take the courses in order, from 2 January, four a day, never past `now` and never
/// past the end of a course (so a course boundary may add one).
fn study(g: &mut Gen<'_>, plan: &Plan, m: &Member, per_cadre: u32, batch: &mut Batch) -> Studied {
    let profile = g.rng.random_range(0..100);
    let share = if profile < 82 {
        1.0
    } else if profile < 94 {
        g.rng.random_range(0.2..0.8)
    } else {
        0.0
    };
    let compulsory: i32 = plan
        .courses
        .iter()
        .filter(|c| c.compulsory)
        .map(|c| c.minutes)
        .sum();
    let target_minutes = (compulsory.max(plan.required_minutes) as f64 * share).ceil() as i32;
    let per = per_cadre.max(1) as i32;
    let length = ((target_minutes + per - 1) / per).clamp(1, 180);
    let first_day = NaiveDate::from_ymd_opt(g.year, 1, 2).expect("a date");
    let mut studied = Studied {
        seconds: HashMap::new(),
        count: 0,
    };
    let mut remaining = target_minutes;
    let mut course_index = 0;
    let mut course_left = plan.courses[0].minutes;
    for k in 0..per + plan.courses.len() as i32 {
        if remaining <= 0 {
            break;
        }
        let day = first_day + Duration::days((k / 4) as i64 + (m.n % 7) as i64);
        let start = local(g.tz, day, 8 + 3 * (k % 4) as u32, 0);
        let minutes = length.min(remaining).min(course_left);
        if minutes <= 0 {
            break;
        }
        let end = start + Duration::minutes(minutes as i64);
        if end >= g.now {
            break;
        }
        let course = plan.courses[course_index].course_id;
        // Most study online, timed by the server; some on a train, uploaded later.
        let source = if g.rng.random_bool(0.75) {
            StudySource::Live
        } else {
            StudySource::SelfReported
        };
        let total = studied.seconds.entry(course).or_default();
        total.seconds += minutes as i64 * 60;
        if source == StudySource::Live {
            total.live_seconds += minutes as i64 * 60;
        }
        course_left -= minutes;
        if course_left <= 0 && course_index + 1 < plan.courses.len() {
            course_index += 1;
            course_left = plan.courses[course_index].minutes;
        }
        remaining -= minutes;
        studied.count += 1;
        batch.sessions.push(study_session::ActiveModel {
            id: Set(uuid::Uuid::from_u128(g.rng.random()).to_string()),
            user_id: Set(m.cadre),
            campaign_id: Set(plan.campaign_id),
            course_id: Set(course),
            enrollment_id: Set(m.enrollment),
            started_at: Set(start),
            ended_at: Set(end),
            seconds: Set(minutes * 60),
            created_at: Set(end),
            source: Set(source),
            clock_corrected_seconds: Set(0),
        });
    }
    studied
}

/// A cadre's exam: attempts used and best score.
#[derive(Default)]
struct Sat {
    used: i32,
    best: Option<i32>,
}

/// One or (a quarter of the time) two attempts, stopping at a pass, each answered with
/// the cadre's skill and graded by the API's rule.
fn exam(g: &mut Gen<'_>, plan: &Plan, m: &Member, next_id: &mut i64, batch: &mut Batch) -> Sat {
    let skill: f64 = g.rng.random_range(0.55..0.99);
    let tries = if g.rng.random_bool(0.25) { 2 } else { 1 };
    let mut sat = Sat::default();
    for t in 0..tries {
        let window = (g.now - plan.exam_opens).num_minutes().max(120) - 61;
        let started = plan.exam_opens
            + Duration::minutes(g.rng.random_range(0..window))
            + Duration::minutes(t * 90);
        if started + Duration::minutes(60) >= g.now {
            break;
        }
        let score = attempt(g, plan, m, *next_id, started, skill, batch);
        *next_id += 1;
        sat.used += 1;
        sat.best = Some(sat.best.map_or(score, |b| b.max(score)));
        if scoring::passes(score, plan.pass_score) {
            break;
        }
    }
    sat
}

/// One submitted attempt; returns its score in hundredths.
fn attempt(
    g: &mut Gen<'_>,
    plan: &Plan,
    m: &Member,
    id: i64,
    started: DateTime<Utc>,
    skill: f64,
    batch: &mut Batch,
) -> i32 {
    let drawn: Vec<&BankQuestion> = plan
        .bank
        .choose_multiple(&mut g.rng, plan.question_count as usize)
        .collect();
    let (mut got, mut total, mut right_count) = (0i64, 0i64, 0);
    for (position, q) in drawn.iter().enumerate() {
        let right = g.rng.random_bool(skill);
        let choices = if right {
            q.answer.clone()
        } else {
            vec![(0..q.options).find(|i| !q.answer.contains(i)).unwrap_or(0)]
        };
        total += q.points as i64;
        if right {
            got += q.points as i64;
            right_count += 1;
        }
        let order: Vec<usize> = (0..q.options).collect();
        batch.answers.push(attempt_question::ActiveModel {
            attempt_id: Set(id),
            position: Set(position as i32),
            question_id: Set(q.id),
            option_order: Set(serde_json::to_string(&order).expect("numbers")),
            points: Set(Some(q.points)),
            choices: Set(Some(serde_json::to_string(&choices).expect("numbers"))),
            correct: Set(Some(right)),
            flagged: Set(false),
        });
    }
    let score = score_centi(got, total);
    let finished = started + Duration::minutes(g.rng.random_range(15..58));
    batch.attempts.push(attempt::ActiveModel {
        id: Set(id),
        campaign_id: Set(plan.campaign_id),
        user_id: Set(m.cadre),
        enrollment_id: Set(m.enrollment),
        status: Set(AttemptStatus::Submitted),
        kind: Set(AttemptKind::Main),
        paper_key: Set(None),
        started_at: Set(started),
        deadline: Set(started + Duration::minutes(60)),
        finished_at: Set(Some(finished)),
        score_centi: Set(Some(score)),
        points_earned: Set(got as i32),
        points_total: Set(total as i32),
        correct_count: Set(right_count),
        question_total: Set(drawn.len() as i32),
        focus_losses: Set(0),
        finished_reason: Set(Some(FinishedReason::Submitted)),
        device_id: Set(None),
        takeovers: Set(0),
    });
    score
}
