//! Courses of study.

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_course, course};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{Page, PageReq, audit, credit, fetch_page, write};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, FieldError},
    policy::Scope,
};

/// A course's longest allowed length: a working day.
pub const MAX_COURSE_MINUTES: i32 = 24 * 60;

#[derive(Debug, Clone)]
pub struct CourseInput {
    pub title: String,
    pub law: String,
    pub minutes: i32,
    pub description: String,
}

#[derive(Debug, Clone, Default)]
pub struct CourseChanges {
    pub title: Option<String>,
    pub law: Option<String>,
    pub minutes: Option<i32>,
    pub description: Option<String>,
}

pub(crate) fn check_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.push(FieldError::required(field));
    } else if value.chars().count() > max {
        errors.push(FieldError::too_long(field, max));
    }
    value.to_owned()
}

fn check_minutes(errors: &mut Vec<FieldError>, minutes: i32) {
    if !(1..=MAX_COURSE_MINUTES).contains(&minutes) {
        errors.push(FieldError::out_of_range(
            "minutes",
            1,
            MAX_COURSE_MINUTES.into(),
        ));
    }
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<course::Model> {
    course::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("course"))
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: CourseInput,
    now: DateTime<Utc>,
) -> AppResult<course::Model> {
    write(db, async |db| {
        let mut errors = Vec::new();
        let title = check_text(&mut errors, "title", &input.title, true, 200);
        let law = check_text(&mut errors, "law", &input.law, false, 200);
        let description = check_text(&mut errors, "description", &input.description, false, 5000);
        check_minutes(&mut errors, input.minutes);
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        let model = course::ActiveModel {
            title: Set(title),
            law: Set(law),
            minutes: Set(input.minutes),
            description: Set(description),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Create,
            "course",
            Some(model.id.to_string()),
            format!("course {} ({} min)", model.title, model.minutes),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// Changes a course. A new length re-credits every enrollment of every campaign that lists it.
/// The catalogue is shared by every unit, but a course changes only when every campaign
/// that uses it is run within the caller's scope: a street does not change the minutes of
/// the district's compulsory course (403 `out_of_scope`).
pub(crate) async fn check_users_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> AppResult<()> {
    if scope.is_whole() {
        return Ok(());
    }
    let using: Vec<i64> = campaign_course::Entity::find()
        .select_only()
        .column(campaign_course::Column::CampaignId)
        .filter(campaign_course::Column::CourseId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let owners: Vec<Option<i64>> = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::OwnerUnitId)
        .filter(campaign::Column::Id.is_in(using))
        .into_tuple()
        .all(db)
        .await?;
    if owners.iter().all(|owner| scope.sees(*owner)) {
        Ok(())
    } else {
        Err(AppError::out_of_scope(
            "id",
            "the course is used by a campaign run above your scope",
        ))
    }
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    changes: CourseChanges,
    now: DateTime<Utc>,
) -> AppResult<course::Model> {
    write(db, async |db| {
        let current = get(db, id).await?;
        check_users_in_scope(db, scope, id).await?;
        let mut errors = Vec::new();
        let mut active: course::ActiveModel = current.clone().into();
        if let Some(title) = &changes.title {
            active
                .title
                .set_ne(check_text(&mut errors, "title", title, true, 200));
        }
        if let Some(law) = &changes.law {
            active
                .law
                .set_ne(check_text(&mut errors, "law", law, false, 200));
        }
        if let Some(description) = &changes.description {
            active.description.set_ne(check_text(
                &mut errors,
                "description",
                description,
                false,
                5000,
            ));
        }
        if let Some(minutes) = changes.minutes {
            check_minutes(&mut errors, minutes);
            active.minutes.set_ne(minutes);
        }
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        if !active.is_changed() {
            return Ok(current);
        }
        active.updated_at = Set(now);
        let model = active.update(db).await?;
        if model.minutes != current.minutes {
            let campaigns: Vec<i64> = campaign_course::Entity::find()
                .select_only()
                .column(campaign_course::Column::CampaignId)
                .filter(campaign_course::Column::CourseId.eq(id))
                .into_tuple()
                .all(db)
                .await?;
            for campaign_id in campaigns {
                credit::recompute_campaign(db, campaign_id).await?;
            }
        }
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Update,
            "course",
            Some(id.to_string()),
            format!("course {} ({} min)", model.title, model.minutes),
        )
        .await?;
        Ok(model)
    })
    .await
}

pub async fn list(
    db: &impl ConnectionTrait,
    q: Option<String>,
    page: PageReq,
) -> AppResult<Page<course::Model>> {
    let mut query = course::Entity::find();
    if let Some(q) = q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            sea_orm::Condition::any()
                .add(course::Column::Title.contains(q))
                .add(course::Column::Law.contains(q)),
        );
    }
    fetch_page(db, query.order_by_asc(course::Column::Id), page).await
}
