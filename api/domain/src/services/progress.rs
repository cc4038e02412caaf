//! Credit: minutes per course capped at the course's length, and "study complete".
//! The running totals live in `course_progress` (per enrolment, per course) and the
//! enrolment row (credited minutes, complete), updated in the transaction of each session.

use std::collections::HashMap;

use entity::{campaign, campaign_course, course, course_progress, enrollment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
};

use crate::error::AppResult;

/// A course as the campaign counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignCourse {
    pub course_id: i64,
    pub minutes: i32,
    pub compulsory: bool,
}

/// Credit on one course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseCredit {
    pub course_id: i64,
    pub credited_minutes: i32,
    pub minutes: i32,
    pub compulsory: bool,
    pub complete: bool,
}

/// Credit over a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub credited_minutes: i32,
    pub courses: Vec<CourseCredit>,
    pub study_complete: bool,
}

/// The rule: each course credits at most its length (whole minutes of the summed study
/// time); study is complete when every compulsory course is full and the total reaches
/// `required_minutes`.
pub fn credit(
    courses: &[CampaignCourse],
    seconds_by_course: &HashMap<i64, i64>,
    required_minutes: i32,
) -> Credit {
    let courses: Vec<CourseCredit> = courses
        .iter()
        .map(|c| {
            let studied = seconds_by_course.get(&c.course_id).copied().unwrap_or(0) / 60;
            let credited = studied.min(c.minutes as i64) as i32;
            CourseCredit {
                course_id: c.course_id,
                credited_minutes: credited,
                minutes: c.minutes,
                compulsory: c.compulsory,
                complete: credited >= c.minutes,
            }
        })
        .collect();
    let credited_minutes = courses.iter().map(|c| c.credited_minutes).sum();
    let study_complete =
        courses.iter().all(|c| !c.compulsory || c.complete) && credited_minutes >= required_minutes;
    Credit {
        credited_minutes,
        courses,
        study_complete,
    }
}

/// The courses of a campaign with their lengths, in course-id order.
pub async fn campaign_courses(
    db: &impl ConnectionTrait,
    campaign_id: i64,
) -> AppResult<Vec<CampaignCourse>> {
    let links = campaign_course::Entity::find()
        .filter(campaign_course::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?;
    let ids: Vec<i64> = links.iter().map(|l| l.course_id).collect();
    let minutes: HashMap<i64, i32> = course::Entity::find()
        .filter(course::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.minutes))
        .collect();
    let mut courses: Vec<CampaignCourse> = links
        .into_iter()
        .map(|l| CampaignCourse {
            course_id: l.course_id,
            minutes: minutes.get(&l.course_id).copied().unwrap_or(0),
            compulsory: l.compulsory,
        })
        .collect();
    courses.sort_by_key(|c| c.course_id);
    Ok(courses)
}

async fn seconds_of(db: &impl ConnectionTrait, enrollment_id: i64) -> AppResult<HashMap<i64, i64>> {
    Ok(course_progress::Entity::find()
        .filter(course_progress::Column::EnrollmentId.eq(enrollment_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.course_id, p.seconds))
        .collect())
}

/// The credit of one enrolment of `campaign`, from its running totals.
pub async fn credit_of(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    enrollment: &enrollment::Model,
) -> AppResult<Credit> {
    let courses = campaign_courses(db, campaign.id).await?;
    Ok(credit(
        &courses,
        &seconds_of(db, enrollment.id).await?,
        campaign.required_minutes,
    ))
}

/// Adds study time to an enrolment's course and refreshes its credit. Call inside the
/// transaction that stores the session. Three statements: read the enrolment's totals,
/// write the course's, write the enrolment's.
pub async fn add_study(
    db: &impl ConnectionTrait,
    enrollment: &enrollment::Model,
    courses: &[CampaignCourse],
    required_minutes: i32,
    course_id: i64,
    seconds: i64,
) -> AppResult<()> {
    let mut totals = seconds_of(db, enrollment.id).await?;
    match totals.get_mut(&course_id) {
        Some(total) => {
            *total += seconds;
            course_progress::Entity::update_many()
                .col_expr(course_progress::Column::Seconds, Expr::value(*total))
                .filter(course_progress::Column::EnrollmentId.eq(enrollment.id))
                .filter(course_progress::Column::CourseId.eq(course_id))
                .exec(db)
                .await?;
        }
        None => {
            totals.insert(course_id, seconds);
            course_progress::Entity::insert(course_progress::ActiveModel {
                enrollment_id: Set(enrollment.id),
                course_id: Set(course_id),
                seconds: Set(seconds),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    let credit = credit(courses, &totals, required_minutes);
    enrollment::Entity::update_many()
        .col_expr(
            enrollment::Column::CreditedMinutes,
            Expr::value(credit.credited_minutes),
        )
        .col_expr(
            enrollment::Column::StudyComplete,
            Expr::value(credit.study_complete),
        )
        .col_expr(
            enrollment::Column::SessionCount,
            Expr::cust("session_count + 1"),
        )
        .filter(enrollment::Column::Id.eq(enrollment.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Re-credits every enrolment of a campaign (its courses, their lengths or the required
/// minutes changed). Reads the campaign's totals in one query.
pub async fn recompute_campaign(db: &impl ConnectionTrait, campaign_id: i64) -> AppResult<()> {
    let Some(campaign) = campaign::Entity::find_by_id(campaign_id).one(db).await? else {
        return Ok(());
    };
    let courses = campaign_courses(db, campaign_id).await?;
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?;
    let mut seconds: HashMap<i64, HashMap<i64, i64>> = HashMap::new();
    let rows = course_progress::Entity::find()
        .inner_join(enrollment::Entity)
        .filter(enrollment::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?;
    for row in rows {
        seconds
            .entry(row.enrollment_id)
            .or_default()
            .insert(row.course_id, row.seconds);
    }
    let empty = HashMap::new();
    for e in enrollments {
        let c = credit(
            &courses,
            seconds.get(&e.id).unwrap_or(&empty),
            campaign.required_minutes,
        );
        if c.credited_minutes != e.credited_minutes || c.study_complete != e.study_complete {
            let mut active: enrollment::ActiveModel = e.into();
            active.credited_minutes = Set(c.credited_minutes);
            active.study_complete = Set(c.study_complete);
            active.update(db).await?;
        }
    }
    Ok(())
}
