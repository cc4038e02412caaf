//! Credit, the study rule: minutes per course capped at the course's length, and "study
//! complete". A cadre's whole progress (credit and exam) is `services::progress`.
//! The running totals live in `course_progress` (per enrollment, per course) and the
//! enrollment row (credited minutes, complete), updated in the transaction of each session.

use std::collections::HashMap;

use entity::{campaign, campaign_course, course, course_progress, enrollment};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppResult;

/// A course as the campaign counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignCourse {
    pub course_id: i64,
    pub minutes: i32,
    pub compulsory: bool,
}

/// What a cadre studied of one course: every second stored, and those timed live.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Studied {
    pub seconds: i64,
    pub live_seconds: i64,
}

/// What "study complete" asks of a campaign's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub required_minutes: i32,
    /// Live minutes at least this share (thousandths) of the credited minutes.
    pub min_live_share_permille: i32,
}

impl Requirement {
    pub fn of(campaign: &campaign::Model) -> Self {
        Self {
            required_minutes: campaign.required_minutes,
            min_live_share_permille: campaign.min_live_share_permille,
        }
    }
}

/// Credit on one course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseCredit {
    pub course_id: i64,
    pub credited_minutes: i32,
    /// Of `credited_minutes`, those timed live.
    pub live_minutes: i32,
    pub minutes: i32,
    pub compulsory: bool,
    pub complete: bool,
}

impl Credit {
    /// The two figures the roster keeps of it.
    pub fn figures(&self) -> super::roster::StudyCredit {
        super::roster::StudyCredit {
            credited_minutes: self.credited_minutes,
            live_minutes: self.live_minutes,
            study_complete: self.study_complete,
        }
    }
}

/// Credit over a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub credited_minutes: i32,
    /// Of `credited_minutes`, those timed live (live study fills a course's cap first).
    pub live_minutes: i32,
    pub courses: Vec<CourseCredit>,
    pub study_complete: bool,
}

/// The rule: each course credits at most its length (whole minutes of the summed study
/// time), its live minutes first; study is complete when every compulsory course is full,
/// the total reaches `required_minutes` and the live minutes are at least the required
/// share of the credited ones.
pub fn credit(
    courses: &[CampaignCourse],
    studied: &HashMap<i64, Studied>,
    requirement: Requirement,
) -> Credit {
    let courses: Vec<CourseCredit> = courses
        .iter()
        .map(|c| {
            let s = studied.get(&c.course_id).copied().unwrap_or_default();
            let credited = (s.seconds / 60).min(c.minutes as i64) as i32;
            let live = (s.live_seconds / 60).min(credited as i64) as i32;
            CourseCredit {
                course_id: c.course_id,
                credited_minutes: credited,
                live_minutes: live,
                minutes: c.minutes,
                compulsory: c.compulsory,
                complete: credited >= c.minutes,
            }
        })
        .collect();
    let credited_minutes: i32 = courses.iter().map(|c| c.credited_minutes).sum();
    let live_minutes: i32 = courses.iter().map(|c| c.live_minutes).sum();
    let live_enough = i64::from(live_minutes) * 1000
        >= i64::from(requirement.min_live_share_permille) * i64::from(credited_minutes);
    let study_complete = courses.iter().all(|c| !c.compulsory || c.complete)
        && credited_minutes >= requirement.required_minutes
        && live_enough;
    Credit {
        credited_minutes,
        live_minutes,
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

impl From<&course_progress::Model> for Studied {
    fn from(p: &course_progress::Model) -> Self {
        Self {
            seconds: p.seconds,
            live_seconds: p.live_seconds,
        }
    }
}

async fn seconds_of(
    db: &impl ConnectionTrait,
    enrollment_id: i64,
) -> AppResult<HashMap<i64, Studied>> {
    Ok(course_progress::Entity::find()
        .filter(course_progress::Column::EnrollmentId.eq(enrollment_id))
        .all(db)
        .await?
        .iter()
        .map(|p| (p.course_id, p.into()))
        .collect())
}

/// The credit of one enrollment of `campaign`, from its running totals.
pub async fn credit_of(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    enrollment: &enrollment::Model,
) -> AppResult<Credit> {
    let courses = campaign_courses(db, campaign.id).await?;
    Ok(credit(
        &courses,
        &seconds_of(db, enrollment.id).await?,
        Requirement::of(campaign),
    ))
}

/// Re-credits every enrollment of a campaign (its courses, their lengths, the required
/// minutes or the live share changed). Reads the campaign's totals in one query.
pub async fn recompute_campaign(db: &impl ConnectionTrait, campaign_id: i64) -> AppResult<()> {
    let Some(campaign) = campaign::Entity::find_by_id(campaign_id).one(db).await? else {
        return Ok(());
    };
    let courses = campaign_courses(db, campaign_id).await?;
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?;
    let mut seconds: HashMap<i64, HashMap<i64, Studied>> = HashMap::new();
    let rows = course_progress::Entity::find()
        .inner_join(enrollment::Entity)
        .filter(enrollment::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?;
    for row in rows {
        seconds
            .entry(row.enrollment_id)
            .or_default()
            .insert(row.course_id, (&row).into());
    }
    let empty = HashMap::new();
    for e in enrollments {
        let c = credit(
            &courses,
            seconds.get(&e.id).unwrap_or(&empty),
            Requirement::of(&campaign),
        );
        super::roster::record_credit(db, e, c.figures()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAW: i64 = 1;
    const EXTRA: i64 = 2;

    fn courses() -> Vec<CampaignCourse> {
        vec![
            CampaignCourse {
                course_id: LAW,
                minutes: 60,
                compulsory: true,
            },
            CampaignCourse {
                course_id: EXTRA,
                minutes: 45,
                compulsory: false,
            },
        ]
    }

    fn studied(pairs: &[(i64, i64)]) -> HashMap<i64, Studied> {
        pairs
            .iter()
            .map(|(c, minutes)| {
                (
                    *c,
                    Studied {
                        seconds: minutes * 60,
                        live_seconds: 0,
                    },
                )
            })
            .collect()
    }

    fn required(minutes: i32) -> Requirement {
        Requirement {
            required_minutes: minutes,
            min_live_share_permille: 0,
        }
    }

    #[test]
    fn a_course_credits_at_most_its_length() {
        let c = credit(&courses(), &studied(&[(LAW, 120)]), required(60));
        assert_eq!(c.credited_minutes, 60);
        assert_eq!(c.courses[0].credited_minutes, 60);
        assert!(c.courses[0].complete);
        assert!(c.study_complete);
    }

    #[test]
    fn partial_minutes_do_not_count() {
        let mut seconds = studied(&[(LAW, 59)]);
        seconds.get_mut(&LAW).unwrap().seconds += 59;
        let c = credit(&courses(), &seconds, required(60));
        assert_eq!(c.credited_minutes, 59);
        assert!(!c.study_complete);
    }

    #[test]
    fn complete_needs_every_compulsory_course_and_the_total() {
        // Enough minutes overall, but the compulsory course is short.
        let c = credit(
            &courses(),
            &studied(&[(LAW, 30), (EXTRA, 45)]),
            required(60),
        );
        assert_eq!(c.credited_minutes, 75);
        assert!(!c.study_complete);
        // The compulsory course is full, but the total is short of 90.
        let c = credit(
            &courses(),
            &studied(&[(LAW, 60), (EXTRA, 20)]),
            required(90),
        );
        assert!(!c.study_complete);
        let c = credit(
            &courses(),
            &studied(&[(LAW, 60), (EXTRA, 30)]),
            required(90),
        );
        assert!(c.study_complete);
    }

    #[test]
    fn study_of_a_course_outside_the_campaign_earns_nothing() {
        let c = credit(&courses(), &studied(&[(99, 600)]), required(0));
        assert_eq!(c.credited_minutes, 0);
        assert!(!c.study_complete);
    }

    #[test]
    fn live_minutes_fill_a_course_first_and_the_share_decides_complete() {
        let mut studied = studied(&[(LAW, 60), (EXTRA, 30)]);
        // 50 live minutes on LAW (of 60 credited), 40 on EXTRA (of only 30 credited).
        studied.get_mut(&LAW).unwrap().live_seconds = 50 * 60;
        studied.get_mut(&EXTRA).unwrap().live_seconds = 40 * 60;
        let share = |permille| Requirement {
            required_minutes: 90,
            min_live_share_permille: permille,
        };
        let c = credit(&courses(), &studied, share(0));
        assert_eq!((c.credited_minutes, c.live_minutes), (90, 80));
        assert!(c.study_complete);
        // 80 of 90 is 0.888…: enough for 0.888, not for 0.889.
        assert!(credit(&courses(), &studied, share(888)).study_complete);
        assert!(!credit(&courses(), &studied, share(889)).study_complete);
    }
}
