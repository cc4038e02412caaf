//! Campaigns (年度网上学法用法考试): settings, courses, the roster (enrollment, 免考).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{campaign, campaign_course, course, enrollment, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{
    Page, PageReq, audit, credit, fetch_page,
    papers::{self, Paper},
    roster, units, write,
};
use crate::{
    auth::{Actor, Role},
    error::{AppError, AppResult, Clash, Code, FieldError, Thing},
    policy::{self, Scope},
};

/// How a campaign believes study time: daily caps, the live share, the fastest playback
/// credited and presence checks. The default is how campaigns were before live sessions:
/// no caps, any share, 1.5×, no checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyRules {
    pub daily_cap_minutes: Option<i32>,
    pub self_reported_daily_cap_minutes: Option<i32>,
    pub min_live_share_permille: i32,
    pub max_playback_rate_centi: i32,
    pub presence_check_minutes: i32,
}

impl Default for StudyRules {
    fn default() -> Self {
        Self {
            daily_cap_minutes: None,
            self_reported_daily_cap_minutes: None,
            min_live_share_permille: 0,
            max_playback_rate_centi: 150,
            presence_check_minutes: 0,
        }
    }
}

impl StudyRules {
    pub fn of(c: &campaign::Model) -> Self {
        Self {
            daily_cap_minutes: c.daily_cap_minutes,
            self_reported_daily_cap_minutes: c.self_reported_daily_cap_minutes,
            min_live_share_permille: c.min_live_share_permille,
            max_playback_rate_centi: c.max_playback_rate_centi,
            presence_check_minutes: c.presence_check_minutes,
        }
    }

    fn errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (field, cap) in [
            ("daily_cap_minutes", self.daily_cap_minutes),
            (
                "self_reported_daily_cap_minutes",
                self.self_reported_daily_cap_minutes,
            ),
        ] {
            if cap.is_some_and(|m| !(1..=24 * 60).contains(&m)) {
                errors.push(FieldError::out_of_range(field, 1, 24 * 60));
            }
        }
        if !(0..=1000).contains(&self.min_live_share_permille) {
            errors.push(FieldError::out_of_range("min_live_share", 0, 1));
        }
        if !(100..=400).contains(&self.max_playback_rate_centi) {
            errors.push(FieldError::out_of_range("max_playback_rate", 1, 4));
        }
        if !(0..=120).contains(&self.presence_check_minutes) {
            errors.push(FieldError::out_of_range("presence_check_minutes", 0, 120));
        }
        errors
    }
}

/// Changes to a campaign's [`StudyRules`]; `None` keeps the stored value, `Some(None)`
/// lifts a cap.
#[derive(Debug, Clone, Copy, Default)]
pub struct StudyRuleChanges {
    pub daily_cap_minutes: Option<Option<i32>>,
    pub self_reported_daily_cap_minutes: Option<Option<i32>>,
    pub min_live_share_permille: Option<i32>,
    pub max_playback_rate_centi: Option<i32>,
    pub presence_check_minutes: Option<i32>,
}

impl StudyRuleChanges {
    fn apply(self, to: StudyRules) -> StudyRules {
        StudyRules {
            daily_cap_minutes: self.daily_cap_minutes.unwrap_or(to.daily_cap_minutes),
            self_reported_daily_cap_minutes: self
                .self_reported_daily_cap_minutes
                .unwrap_or(to.self_reported_daily_cap_minutes),
            min_live_share_permille: self
                .min_live_share_permille
                .unwrap_or(to.min_live_share_permille),
            max_playback_rate_centi: self
                .max_playback_rate_centi
                .unwrap_or(to.max_playback_rate_centi),
            presence_check_minutes: self
                .presence_check_minutes
                .unwrap_or(to.presence_check_minutes),
        }
    }
}

/// A campaign's settings, complete.
#[derive(Debug, Clone)]
pub struct CampaignInput {
    pub year: i32,
    pub title: String,
    pub study_starts_on: NaiveDate,
    pub study_ends_on: NaiveDate,
    pub required_minutes: i32,
    /// `(course_id, compulsory)`.
    pub courses: Vec<(i64, bool)>,
    pub exam_opens_at: DateTime<Utc>,
    pub exam_closes_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub question_count: i32,
    pub pass_score: i32,
    /// 良好 and 优秀 from these scores: pass ≤ good ≤ excellent ≤ 100.
    pub good_score: i32,
    pub excellent_score: i32,
    pub max_attempts: i32,
    pub exam_requires_study: bool,
    /// 组卷 by rank; empty: `question_count` at random.
    pub papers: Vec<Paper>,
    /// 补考: both or neither, opening at or after `exam_closes_at`.
    pub makeup_opens_at: Option<DateTime<Utc>>,
    pub makeup_closes_at: Option<DateTime<Utc>>,
    pub makeup_attempts: i32,
    /// Days before each deadline on which those missing are reminded automatically.
    pub remind_before_days: Vec<i32>,
    pub study: StudyRules,
    /// Focus losses allowed an attempt (0–100); `None`: not counted against anyone.
    pub max_focus_losses: Option<i32>,
    /// The unit that runs it; `None`: the creator's scope unit (or the whole
    /// installation for an unscoped creator).
    pub owner_unit_id: Option<i64>,
}

/// Changes to a campaign; `None` keeps the stored value. `courses` replaces the list.
#[derive(Debug, Clone, Default)]
pub struct CampaignChanges {
    pub year: Option<i32>,
    pub title: Option<String>,
    pub study_starts_on: Option<NaiveDate>,
    pub study_ends_on: Option<NaiveDate>,
    pub required_minutes: Option<i32>,
    pub courses: Option<Vec<(i64, bool)>>,
    pub exam_opens_at: Option<DateTime<Utc>>,
    pub exam_closes_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i32>,
    pub question_count: Option<i32>,
    pub pass_score: Option<i32>,
    pub good_score: Option<i32>,
    pub excellent_score: Option<i32>,
    pub max_attempts: Option<i32>,
    pub exam_requires_study: Option<bool>,
    pub papers: Option<Vec<Paper>>,
    /// `Some(None)` clears the make-up window.
    pub makeup_opens_at: Option<Option<DateTime<Utc>>>,
    pub makeup_closes_at: Option<Option<DateTime<Utc>>>,
    pub makeup_attempts: Option<i32>,
    pub remind_before_days: Option<Vec<i32>>,
    pub study: StudyRuleChanges,
    /// `Some(None)` lifts the limit.
    pub max_focus_losses: Option<Option<i32>>,
}

/// A campaign with its courses.
#[derive(Debug, Clone)]
pub struct CampaignFull {
    pub campaign: campaign::Model,
    pub courses: Vec<(campaign_course::Model, course::Model)>,
}

fn validate(input: &CampaignInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut range = |field: &str, value: i32, min: i32, max: i32| {
        if !(min..=max).contains(&value) {
            errors.push(FieldError::out_of_range(field, min.into(), max.into()));
        }
    };
    range("year", input.year, 2000, 2100);
    range("required_minutes", input.required_minutes, 1, 100_000);
    range("duration_minutes", input.duration_minutes, 1, 24 * 60);
    range("question_count", input.question_count, 1, 1000);
    range("pass_score", input.pass_score, 0, 100);
    range("good_score", input.good_score, 0, 100);
    range("excellent_score", input.excellent_score, 0, 100);
    range("max_attempts", input.max_attempts, 1, 100);
    range("makeup_attempts", input.makeup_attempts, 1, 10);
    if let Some(limit) = input.max_focus_losses {
        range("max_focus_losses", limit, 0, 100);
    }
    if input.good_score < input.pass_score {
        errors.push(FieldError::less_than_field("good_score", "pass_score"));
    }
    if input.excellent_score < input.good_score {
        errors.push(FieldError::less_than_field("excellent_score", "good_score"));
    }
    let title = input.title.trim();
    if title.is_empty() {
        errors.push(FieldError::required("title"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::too_long("title", 200));
    }
    if input.study_ends_on < input.study_starts_on {
        errors.push(FieldError::before_field(
            "study_ends_on",
            "study_starts_on",
            "must not be before",
        ));
    }
    if input.exam_closes_at <= input.exam_opens_at {
        errors.push(FieldError::before_field(
            "exam_closes_at",
            "exam_opens_at",
            "must be after",
        ));
    }
    let mut seen = HashSet::new();
    let twice: Vec<String> = input
        .courses
        .iter()
        .filter(|(id, _)| !seen.insert(*id))
        .map(|(id, _)| id.to_string())
        .collect();
    if !twice.is_empty() {
        errors.push(FieldError::not_unique(
            "courses",
            "a course is listed twice",
            twice,
        ));
    }
    errors.extend(makeup_errors(input));
    let mut days = HashSet::new();
    if input.remind_before_days.len() > 10 {
        errors.push(FieldError::count_out_of_range("remind_before_days", 0, 10));
    } else if input
        .remind_before_days
        .iter()
        .any(|d| !(1..=60).contains(d))
    {
        errors.push(FieldError::out_of_range("remind_before_days", 1, 60));
    } else if input.remind_before_days.iter().any(|d| !days.insert(*d)) {
        errors.push(FieldError::not_unique(
            "remind_before_days",
            "a day is listed twice",
            Vec::new(),
        ));
    }
    errors.extend(papers::validate(&input.papers));
    errors.extend(input.study.errors());
    errors
}

/// The make-up window: both ends or neither, after the exam.
fn makeup_errors(input: &CampaignInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match (input.makeup_opens_at, input.makeup_closes_at) {
        (None, None) => {}
        (Some(opens), Some(closes)) => {
            if opens < input.exam_closes_at {
                errors.push(FieldError::before_field(
                    "makeup_opens_at",
                    "exam_closes_at",
                    "must not be before",
                ));
            }
            if closes <= opens {
                errors.push(FieldError::before_field(
                    "makeup_closes_at",
                    "makeup_opens_at",
                    "must be after",
                ));
            }
        }
        (None, Some(_)) => errors.push(FieldError::required("makeup_opens_at")),
        (Some(_), None) => errors.push(FieldError::required("makeup_closes_at")),
    }
    errors
}

/// The reminder days as stored: a JSON array, largest first.
fn encode_days(days: &[i32]) -> String {
    let mut days = days.to_vec();
    days.sort_unstable_by(|a, b| b.cmp(a));
    serde_json::to_string(&days).unwrap_or_else(|_| "[]".into())
}

/// A campaign's automatic reminder days (none when the stored text is not an array).
pub fn remind_before_days(c: &campaign::Model) -> Vec<i32> {
    serde_json::from_str(&c.remind_before_days).unwrap_or_default()
}

/// The last moment any exam window of the campaign (main or make-up) is open: exam
/// answers stay hidden from cadres until then.
pub fn last_window_close(c: &campaign::Model) -> DateTime<Utc> {
    c.makeup_closes_at
        .map_or(c.exam_closes_at, |m| m.max(c.exam_closes_at))
}

async fn check_courses(db: &impl ConnectionTrait, courses: &[(i64, bool)]) -> AppResult<()> {
    let ids: Vec<i64> = courses.iter().map(|(id, _)| *id).collect();
    let found: HashSet<i64> = course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .filter(course::Column::Id.is_in(ids.clone()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(|id| id.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(FieldError::not_found(
            "courses",
            Thing::Course,
            missing,
        )));
    }
    Ok(())
}

async fn write_courses(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    courses: &[(i64, bool)],
) -> AppResult<()> {
    campaign_course::Entity::delete_many()
        .filter(campaign_course::Column::CampaignId.eq(campaign_id))
        .exec(db)
        .await?;
    if courses.is_empty() {
        return Ok(());
    }
    campaign_course::Entity::insert_many(courses.iter().map(|(course_id, compulsory)| {
        campaign_course::ActiveModel {
            campaign_id: Set(campaign_id),
            course_id: Set(*course_id),
            compulsory: Set(*compulsory),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// The campaign row alone (no courses); 404 when there is none.
pub async fn find(db: &impl ConnectionTrait, id: i64) -> AppResult<campaign::Model> {
    campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("campaign"))
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<CampaignFull> {
    let campaign = find(db, id).await?;
    let links = campaign_course::Entity::find()
        .filter(campaign_course::Column::CampaignId.eq(id))
        .order_by_asc(campaign_course::Column::CourseId)
        .all(db)
        .await?;
    let ids: Vec<i64> = links.iter().map(|l| l.course_id).collect();
    let mut courses = course::Entity::find()
        .filter(course::Column::Id.is_in(ids))
        .all(db)
        .await?;
    courses.sort_by_key(|c| c.id);
    Ok(CampaignFull {
        campaign,
        courses: links.into_iter().zip(courses).collect(),
    })
}

/// A campaign as the caller may see it: a plain cadre sees only campaigns they are on; a
/// manager those run by a unit in their scope or above it (and any they are on).
pub async fn get_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
    id: i64,
) -> AppResult<CampaignFull> {
    let campaign = find(db, id).await?;
    let seen =
        !policy::sees_only_own_campaigns(actor) && scope.sees_campaign(campaign.owner_unit_id);
    if !seen && find_enrollment(db, id, actor.id).await?.is_none() {
        return Err(AppError::not_found("campaign"));
    }
    get(db, id).await
}

/// A campaign a manager sees (run by a unit in their scope or above it); any other is
/// 404. Its figures are still counted over the scope's members only.
pub async fn seen(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<campaign::Model> {
    let campaign = find(db, id).await?;
    if scope.sees_campaign(campaign.owner_unit_id) {
        Ok(campaign)
    } else {
        Err(AppError::not_found("campaign"))
    }
}

/// A campaign whose settings, bank and papers the manager may change: run by a unit in
/// their scope. One they only see (a district's, seen from a street) is 403
/// `out_of_scope`.
pub async fn owned(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> AppResult<campaign::Model> {
    let campaign = seen(db, scope, id).await?;
    if scope.sees(campaign.owner_unit_id) {
        Ok(campaign)
    } else {
        Err(AppError::out_of_scope(
            "campaign_id",
            "the campaign is run by a unit above your scope; only its own managers change it",
        ))
    }
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    input: CampaignInput,
    now: DateTime<Utc>,
) -> AppResult<CampaignFull> {
    let owner = input.owner_unit_id.or(scope.root());
    scope.check("owner_unit_id", owner)?;
    if let Some(unit) = owner {
        units::find_in(db, scope, unit).await.map_err(|_| {
            AppError::invalid(FieldError::not_found(
                "owner_unit_id",
                Thing::Unit,
                Vec::new(),
            ))
        })?;
    }
    let input = CampaignInput {
        papers: papers::clean(input.papers),
        ..input
    };
    write(db, async |db| {
        let errors = validate(&input);
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        check_courses(db, &input.courses).await?;
        let model = campaign::ActiveModel {
            year: Set(input.year),
            title: Set(input.title.trim().to_owned()),
            study_starts_on: Set(input.study_starts_on),
            study_ends_on: Set(input.study_ends_on),
            required_minutes: Set(input.required_minutes),
            exam_opens_at: Set(input.exam_opens_at),
            exam_closes_at: Set(input.exam_closes_at),
            duration_minutes: Set(input.duration_minutes),
            question_count: Set(input.question_count),
            pass_score: Set(input.pass_score),
            good_score: Set(input.good_score),
            excellent_score: Set(input.excellent_score),
            max_attempts: Set(input.max_attempts),
            exam_requires_study: Set(input.exam_requires_study),
            papers: Set(papers::encode(&input.papers)),
            makeup_opens_at: Set(input.makeup_opens_at),
            makeup_closes_at: Set(input.makeup_closes_at),
            makeup_attempts: Set(input.makeup_attempts),
            remind_before_days: Set(encode_days(&input.remind_before_days)),
            daily_cap_minutes: Set(input.study.daily_cap_minutes),
            self_reported_daily_cap_minutes: Set(input.study.self_reported_daily_cap_minutes),
            min_live_share_permille: Set(input.study.min_live_share_permille),
            max_playback_rate_centi: Set(input.study.max_playback_rate_centi),
            presence_check_minutes: Set(input.study.presence_check_minutes),
            max_focus_losses: Set(input.max_focus_losses),
            owner_unit_id: Set(owner),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        write_courses(db, model.id, &input.courses).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Create,
            "campaign",
            Some(model.id.to_string()),
            format!("campaign {} {}", model.year, model.title),
        )
        .await?;
        get(db, model.id).await
    })
    .await
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    changes: CampaignChanges,
    now: DateTime<Utc>,
) -> AppResult<CampaignFull> {
    write(db, async |db| {
        owned(db, scope, id).await?;
        let current = get(db, id).await?;
        let c = &current.campaign;
        let old_courses: Vec<(i64, bool)> = current
            .courses
            .iter()
            .map(|(l, _)| (l.course_id, l.compulsory))
            .collect();
        let merged = CampaignInput {
            year: changes.year.unwrap_or(c.year),
            title: changes.title.clone().unwrap_or_else(|| c.title.clone()),
            study_starts_on: changes.study_starts_on.unwrap_or(c.study_starts_on),
            study_ends_on: changes.study_ends_on.unwrap_or(c.study_ends_on),
            required_minutes: changes.required_minutes.unwrap_or(c.required_minutes),
            courses: changes
                .courses
                .clone()
                .unwrap_or_else(|| old_courses.clone()),
            exam_opens_at: changes.exam_opens_at.unwrap_or(c.exam_opens_at),
            exam_closes_at: changes.exam_closes_at.unwrap_or(c.exam_closes_at),
            duration_minutes: changes.duration_minutes.unwrap_or(c.duration_minutes),
            question_count: changes.question_count.unwrap_or(c.question_count),
            pass_score: changes.pass_score.unwrap_or(c.pass_score),
            good_score: changes.good_score.unwrap_or(c.good_score),
            excellent_score: changes.excellent_score.unwrap_or(c.excellent_score),
            max_attempts: changes.max_attempts.unwrap_or(c.max_attempts),
            exam_requires_study: changes.exam_requires_study.unwrap_or(c.exam_requires_study),
            papers: match changes.papers.clone() {
                Some(p) => papers::clean(p),
                None => papers::of(c)?,
            },
            makeup_opens_at: changes.makeup_opens_at.unwrap_or(c.makeup_opens_at),
            makeup_closes_at: changes.makeup_closes_at.unwrap_or(c.makeup_closes_at),
            makeup_attempts: changes.makeup_attempts.unwrap_or(c.makeup_attempts),
            remind_before_days: changes
                .remind_before_days
                .clone()
                .unwrap_or_else(|| remind_before_days(c)),
            study: changes.study.apply(StudyRules::of(c)),
            max_focus_losses: changes.max_focus_losses.unwrap_or(c.max_focus_losses),
            owner_unit_id: c.owner_unit_id,
        };
        let errors = validate(&merged);
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        let courses_changed = changes.courses.is_some() && {
            let mut a = merged.courses.clone();
            let mut b = old_courses;
            a.sort();
            b.sort();
            a != b
        };
        if courses_changed {
            check_courses(db, &merged.courses).await?;
        }
        let mut active: campaign::ActiveModel = c.clone().into();
        active.year.set_ne(merged.year);
        active.title.set_ne(merged.title.trim().to_owned());
        active.study_starts_on.set_ne(merged.study_starts_on);
        active.study_ends_on.set_ne(merged.study_ends_on);
        active.required_minutes.set_ne(merged.required_minutes);
        active.exam_opens_at.set_ne(merged.exam_opens_at);
        active.exam_closes_at.set_ne(merged.exam_closes_at);
        active.duration_minutes.set_ne(merged.duration_minutes);
        active.question_count.set_ne(merged.question_count);
        active.pass_score.set_ne(merged.pass_score);
        active.good_score.set_ne(merged.good_score);
        active.excellent_score.set_ne(merged.excellent_score);
        active.max_attempts.set_ne(merged.max_attempts);
        active
            .exam_requires_study
            .set_ne(merged.exam_requires_study);
        active.papers.set_ne(papers::encode(&merged.papers));
        active.makeup_opens_at.set_ne(merged.makeup_opens_at);
        active.makeup_closes_at.set_ne(merged.makeup_closes_at);
        active.makeup_attempts.set_ne(merged.makeup_attempts);
        active.max_focus_losses.set_ne(merged.max_focus_losses);
        active
            .remind_before_days
            .set_ne(encode_days(&merged.remind_before_days));
        let study = merged.study;
        active.daily_cap_minutes.set_ne(study.daily_cap_minutes);
        active
            .self_reported_daily_cap_minutes
            .set_ne(study.self_reported_daily_cap_minutes);
        active
            .min_live_share_permille
            .set_ne(study.min_live_share_permille);
        active
            .max_playback_rate_centi
            .set_ne(study.max_playback_rate_centi);
        active
            .presence_check_minutes
            .set_ne(study.presence_check_minutes);
        if !active.is_changed() && !courses_changed {
            return Ok(current);
        }
        active.updated_at = Set(now);
        active.update(db).await?;
        if courses_changed {
            write_courses(db, id, &merged.courses).await?;
        }
        if courses_changed
            || merged.required_minutes != c.required_minutes
            || study.min_live_share_permille != c.min_live_share_permille
        {
            credit::recompute_campaign(db, id).await?;
        }
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Update,
            "campaign",
            Some(id.to_string()),
            format!("campaign {} {}", merged.year, merged.title.trim()),
        )
        .await?;
        get(db, id).await
    })
    .await
}

/// Campaigns, newest year first. A plain cadre sees only the campaigns they are on.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
    year: Option<i32>,
    page: PageReq,
) -> AppResult<Page<campaign::Model>> {
    let mut query = campaign::Entity::find();
    if let Some(year) = year {
        query = query.filter(campaign::Column::Year.eq(year));
    }
    if policy::sees_only_own_campaigns(actor) {
        let mine: Vec<i64> = enrollment::Entity::find()
            .select_only()
            .column(enrollment::Column::CampaignId)
            .filter(enrollment::Column::UserId.eq(actor.id))
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(campaign::Column::Id.is_in(mine));
    } else if let (Some(units), Some(above)) = (scope.units(), scope.units_above()) {
        let mut owners: Vec<i64> = units.iter().chain(above).copied().collect();
        owners.sort_unstable();
        query = query.filter(
            Condition::any()
                .add(campaign::Column::OwnerUnitId.is_null())
                .add(campaign::Column::OwnerUnitId.is_in(owners)),
        );
    }
    fetch_page(
        db,
        query
            .order_by_desc(campaign::Column::Year)
            .order_by_asc(campaign::Column::Id),
        page,
    )
    .await
}

pub async fn find_enrollment(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    user_id: i64,
) -> AppResult<Option<enrollment::Model>> {
    Ok(enrollment::Entity::find()
        .filter(enrollment::Column::CampaignId.eq(campaign_id))
        .filter(enrollment::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// A roster member of a campaign the caller sees, when the member's unit is in the
/// caller's scope; 404 otherwise.
async fn enrollment_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    campaign_id: i64,
    user_id: i64,
) -> AppResult<enrollment::Model> {
    seen(db, scope, campaign_id).await?;
    find_enrollment(db, campaign_id, user_id)
        .await?
        .filter(|e| scope.sees(e.unit_id))
        .ok_or_else(|| AppError::not_found("enrollment"))
}

/// The caller's enrollment; 403 when they are not on the campaign.
pub async fn enrolled(
    db: &impl ConnectionTrait,
    campaign_id: i64,
    user_id: i64,
) -> AppResult<enrollment::Model> {
    find_enrollment(db, campaign_id, user_id)
        .await?
        .ok_or_else(|| AppError::forbidden("you are not enrolled in this campaign"))
}

/// The accounts an enrolment names by id: each must exist, be active and be in scope.
async fn named_accounts(
    db: &impl ConnectionTrait,
    scope: &Scope,
    user_ids: &[i64],
) -> AppResult<HashSet<i64>> {
    let found: Vec<(i64, bool, Option<i64>)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Active)
        .column(user::Column::UnitId)
        .filter(user::Column::Id.is_in(user_ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let outside: Vec<String> = found
        .iter()
        .filter(|(_, _, unit)| !scope.sees(*unit))
        .map(|(id, _, _)| id.to_string())
        .collect();
    if !outside.is_empty() {
        let message = format!("outside your scope: {}", outside.join(", "));
        return Err(AppError::out_of_scope_many(vec![FieldError::out_of_scope(
            "user_ids", message, outside,
        )]));
    }
    let known: HashSet<i64> = found.iter().map(|(id, _, _)| *id).collect();
    let missing: Vec<String> = user_ids
        .iter()
        .filter(|id| !known.contains(id))
        .map(|id| id.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(FieldError::not_found(
            "user_ids",
            Thing::Account,
            missing,
        )));
    }
    let inactive: Vec<String> = found
        .iter()
        .filter(|(_, a, _)| !a)
        .map(|(id, _, _)| id.to_string())
        .collect();
    if !inactive.is_empty() {
        let message = format!("disabled account: {}", inactive.join(", "));
        return Err(AppError::invalid(
            FieldError::new("user_ids", Code::Disabled, message)
                .with(|p| p.values = Some(inactive)),
        ));
    }
    Ok(known)
}

/// Enrolls the given accounts, and every active account holding the `cadre` role in the
/// given units and their sub-units. Enrolling someone twice is harmless. Returns how many
/// were newly enrolled.
pub async fn enroll(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    campaign_id: i64,
    user_ids: &[i64],
    unit_ids: &[i64],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    write(db, async |db| {
        seen(db, scope, campaign_id).await?;
        let outside: Vec<String> = unit_ids
            .iter()
            .filter(|u| !scope.sees(Some(**u)))
            .map(|u| u.to_string())
            .collect();
        if !outside.is_empty() {
            let message = format!("outside your scope: {}", outside.join(", "));
            return Err(AppError::out_of_scope_many(vec![FieldError::out_of_scope(
                "unit_ids", message, outside,
            )]));
        }
        if user_ids.is_empty() && unit_ids.is_empty() {
            return Err(AppError::invalid(FieldError::new(
                "user_ids",
                Code::Required,
                "give user_ids, unit_ids or both",
            )));
        }
        let mut targets: HashSet<i64> = HashSet::new();
        if !user_ids.is_empty() {
            targets.extend(named_accounts(db, scope, user_ids).await?);
        }
        if !unit_ids.is_empty() {
            let tree = units::tree(db).await?;
            let known: HashSet<i64> = tree.values().flatten().copied().collect();
            let missing: Vec<String> = unit_ids
                .iter()
                .filter(|id| !known.contains(id))
                .map(|id| id.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(AppError::invalid(FieldError::not_found(
                    "unit_ids",
                    Thing::Unit,
                    missing,
                )));
            }
            let mut scope = HashSet::new();
            for root in unit_ids {
                scope.extend(units::subtree_in(&tree, *root));
            }
            let cadres: Vec<i64> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::UnitId.is_in(scope))
                .filter(user::Column::Active.eq(true))
                .filter(user::Column::Roles.contains(Role::Cadre.key()))
                .into_tuple()
                .all(db)
                .await?;
            targets.extend(cadres);
        }
        let already: HashSet<i64> = enrollment::Entity::find()
            .select_only()
            .column(enrollment::Column::UserId)
            .filter(enrollment::Column::CampaignId.eq(campaign_id))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut new: Vec<i64> = targets.difference(&already).copied().collect();
        new.sort_unstable();
        for chunk in new.chunks(1000) {
            let units: HashMap<i64, Option<i64>> = user::Entity::find()
                .select_only()
                .columns([user::Column::Id, user::Column::UnitId])
                .filter(user::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?
                .into_iter()
                .collect();
            enrollment::Entity::insert_many(chunk.iter().map(|user_id| {
                roster::fresh(
                    campaign_id,
                    *user_id,
                    units.get(user_id).copied().flatten(),
                    now,
                )
            }))
            .on_conflict_do_nothing_on([enrollment::Column::CampaignId, enrollment::Column::UserId])
            .exec(db)
            .await?;
        }
        if !new.is_empty() {
            audit::record(
                db,
                Some(actor),
                now,
                audit::AuditAction::Enroll,
                "campaign",
                Some(campaign_id.to_string()),
                format!("{} enrolled", new.len()),
            )
            .await?;
        }
        Ok(new.len() as u64)
    })
    .await
}

#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    pub unit_id: Option<i64>,
    pub exempt: Option<bool>,
    pub study_complete: Option<bool>,
    /// Part of the name, username or employee number.
    pub q: Option<String>,
    /// By `name`, `username`, `employee_no`, `credited_minutes`, `study_complete` or
    /// `exempt` (else by enrolment).
    pub sort: Option<crate::paging::SortReq>,
}

impl RosterFilter {
    /// The filter on `campaign_id`'s records as an audit entry states it.
    pub fn audit_pairs(&self, campaign_id: i64) -> audit::FilterPairs {
        vec![
            ("campaign", Some(campaign_id.to_string())),
            ("unit_id", audit::text(&self.unit_id)),
            ("exempt", audit::text(&self.exempt)),
            ("study_complete", audit::text(&self.study_complete)),
            ("q", self.q.clone()),
        ]
    }
}

/// The roster, in enrollment order, with each member's account.
pub async fn roster(
    db: &impl ConnectionTrait,
    scope: &Scope,
    campaign_id: i64,
    filter: RosterFilter,
    page: PageReq,
) -> AppResult<Page<(enrollment::Model, user::Model)>> {
    seen(db, scope, campaign_id).await?;
    let scope = scope.filtered(db, "unit_id", filter.unit_id).await?;
    let mut query = enrollment::Entity::find()
        .find_also_related(user::Entity)
        .filter(enrollment::Column::CampaignId.eq(campaign_id))
        .filter(scope.condition(enrollment::Column::UnitId));
    if let Some(exempt) = filter.exempt {
        query = query.filter(enrollment::Column::Exempt.eq(exempt));
    }
    if let Some(done) = filter.study_complete {
        query = query.filter(enrollment::Column::StudyComplete.eq(done));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(user::Column::Name.contains(q))
                .add(user::Column::Username.contains(q))
                .add(user::Column::EmployeeNo.contains(q)),
        );
    }
    let total = query.clone().count(db).await?;
    use sea_orm::IntoSimpleExpr;
    let query = crate::paging::sorted(
        query,
        filter.sort.as_ref(),
        &[
            ("name", user::Column::Name.into_simple_expr()),
            ("username", user::Column::Username.into_simple_expr()),
            ("employee_no", user::Column::EmployeeNo.into_simple_expr()),
            (
                "credited_minutes",
                enrollment::Column::CreditedMinutes.into_simple_expr(),
            ),
            (
                "study_complete",
                enrollment::Column::StudyComplete.into_simple_expr(),
            ),
            ("exempt", enrollment::Column::Exempt.into_simple_expr()),
        ],
        enrollment::Column::Id.into_simple_expr(),
    )?;
    let rows = query
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .filter_map(|(e, u)| u.map(|u| (e, u)))
        .collect();
    Ok(page.of(items, total))
}

/// Takes someone enrolled by mistake off a campaign's roster, while they have neither
/// studied nor sat the exam nor practised: their records would lose their place (409
/// `started`; 免考 is the way for them). Within the caller's scope; audited.
pub async fn unenroll(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    (campaign_id, user_id): (i64, i64),
    now: DateTime<Utc>,
) -> AppResult<()> {
    use entity::{attempt, course_progress, practice_set, study_session};
    write(db, async |db| {
        let current = enrollment_in_scope(db, scope, campaign_id, user_id).await?;
        let studied = study_session::Entity::find()
            .filter(study_session::Column::EnrollmentId.eq(current.id))
            .count(db)
            .await?;
        let sat = attempt::Entity::find()
            .filter(attempt::Column::EnrollmentId.eq(current.id))
            .count(db)
            .await?;
        let practised = practice_set::Entity::find()
            .filter(practice_set::Column::CampaignId.eq(campaign_id))
            .filter(practice_set::Column::UserId.eq(user_id))
            .count(db)
            .await?;
        if studied + sat + practised > 0 {
            return Err(AppError::conflict(
                Clash::Started,
                "this person has studied, practised or sat the exam; exempt them instead",
            ));
        }
        course_progress::Entity::delete_many()
            .filter(course_progress::Column::EnrollmentId.eq(current.id))
            .exec(db)
            .await?;
        enrollment::Entity::delete_by_id(current.id)
            .exec(db)
            .await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Unenroll,
            "enrollment",
            Some(current.id.to_string()),
            format!("user {user_id} taken off the roster of campaign {campaign_id}"),
        )
        .await?;
        Ok(())
    })
    .await
}

/// What a manager changes on a roster member: the exemption (免考, with a reason) and the
/// extra exam time (延时, 0–120 minutes); `None` keeps it.
#[derive(Debug, Clone, Default)]
pub struct EnrollmentChange {
    pub exempt: Option<bool>,
    pub exempt_reason: Option<String>,
    pub extra_minutes: Option<i32>,
}

/// Changes a roster member: each change audited.
pub async fn update_enrollment(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    (campaign_id, user_id): (i64, i64),
    change: EnrollmentChange,
    now: DateTime<Utc>,
) -> AppResult<enrollment::Model> {
    if change
        .extra_minutes
        .is_some_and(|m| !(0..=120).contains(&m))
    {
        return Err(AppError::invalid(FieldError::out_of_range(
            "extra_minutes",
            0,
            120,
        )));
    }
    write(db, async |db| {
        let current = enrollment_in_scope(db, scope, campaign_id, user_id).await?;
        let mut model = current.clone();
        if let Some(exempt) = change.exempt {
            model = exemption(
                db,
                actor,
                (current, user_id),
                exempt,
                change.exempt_reason.clone(),
                now,
            )
            .await?;
        }
        if let Some(minutes) = change.extra_minutes.filter(|m| *m != model.extra_minutes) {
            let before = model.extra_minutes;
            let mut active: enrollment::ActiveModel = model.into();
            active.extra_minutes = Set(minutes);
            model = active.update(db).await?;
            audit::record(
                db,
                Some(actor),
                now,
                audit::AuditAction::Update,
                "enrollment",
                Some(model.id.to_string()),
                format!("user {user_id} extra exam minutes {before} → {minutes}"),
            )
            .await?;
        }
        Ok(model)
    })
    .await
}

/// Exempts a roster member (免考, with a reason) or lifts the exemption.
async fn exemption(
    db: &impl ConnectionTrait,
    actor: &Actor,
    (current, user_id): (enrollment::Model, i64),
    exempt: bool,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<enrollment::Model> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if exempt && reason.is_none() {
        return Err(AppError::invalid(FieldError::new(
            "exempt_reason",
            Code::Required,
            "an exemption needs a reason",
        )));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::invalid(FieldError::too_long(
            "exempt_reason",
            500,
        )));
    }
    let mut active: enrollment::ActiveModel = current.into();
    active.exempt = Set(exempt);
    active.exempt_reason = Set(if exempt { reason.clone() } else { None });
    let model = active.update(db).await?;
    let summary = match (exempt, reason) {
        (true, Some(r)) => format!("user {user_id} exempted: {r}"),
        _ => format!("user {user_id} exemption lifted"),
    };
    audit::record(
        db,
        Some(actor),
        now,
        audit::AuditAction::Exempt,
        "enrollment",
        Some(model.id.to_string()),
        summary,
    )
    .await?;
    Ok(model)
}
