//! Law-publicity events and trainings, and their statistics.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::{activity, activity_attendee, activity_theme, unit, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{Page, PageReq, audit, ledgers::MAX_COUNT, units, write};
use crate::{
    auth::{Actor, Role},
    error::{AppError, AppResult, Code, FieldError, Thing},
    policy::Scope,
};

use entity::vocabulary::UnitKind;
pub use entity::vocabulary::{ActivityKind, Audience, Theme, Venue};

entity::keyed_enum!(
    /// The level an activity was organised at, from its organiser unit's kind.
    OrganizerLevel {
        /// A street or department unit.
        Street => ("street", "街道"),
        /// A community or village unit.
        Community => ("community", "村居社区"),
        /// Any other unit.
        Other => ("other", "其他"),
    }
);

entity::keyed_enum!(
    /// How to group statistics.
    GroupBy {
        OrganizerLevel => ("organizer_level", "按组织层级"),
        Venue => ("venue", "按“六进”"),
        Theme => ("theme", "按主题"),
        Audience => ("audience", "按对象"),
        Kind => ("kind", "按类别"),
        Month => ("month", "按月份"),
    }
);

impl OrganizerLevel {
    /// A street or department organises at street level (街道), a community or village
    /// at community level (村居社区), any other unit at `other`.
    pub fn of_unit_kind(kind: UnitKind) -> Self {
        match kind {
            UnitKind::Street | UnitKind::Department => OrganizerLevel::Street,
            UnitKind::Community | UnitKind::Village => OrganizerLevel::Community,
            _ => OrganizerLevel::Other,
        }
    }
}

/// An activity as the judicial office records it.
#[derive(Debug, Clone)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub organizer_unit_id: i64,
    pub venue: Option<Venue>,
    pub themes: Vec<Theme>,
    pub audience: Audience,
    pub attendance: i32,
    pub materials: i32,
    pub attendee_ids: Vec<i64>,
    pub notes: String,
}

/// A stored activity with its themes, attendees and organiser.
#[derive(Debug, Clone)]
pub struct ActivityFull {
    pub model: activity::Model,
    pub themes: Vec<Theme>,
    pub attendee_ids: Vec<i64>,
    pub organizer_level: OrganizerLevel,
}

impl ActivityFull {
    pub fn kind(&self) -> ActivityKind {
        self.model.kind
    }

    pub fn venue(&self) -> Option<Venue> {
        self.model.venue
    }

    pub fn audience(&self) -> Audience {
        self.model.audience
    }
}

/// The organiser and every attendee must be within the recorder's scope.
async fn check_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    input: &ActivityInput,
) -> AppResult<()> {
    scope.check("organizer_unit_id", Some(input.organizer_unit_id))?;
    if scope.is_whole() || input.attendee_ids.is_empty() {
        return Ok(());
    }
    let mut outside = Vec::new();
    for chunk in input.attendee_ids.chunks(5000) {
        let found: Vec<(i64, Option<i64>)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::UnitId)
            .filter(user::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        outside.extend(
            found
                .into_iter()
                .filter(|(_, unit)| !scope.sees(*unit))
                .map(|(id, _)| id.to_string()),
        );
    }
    if outside.is_empty() {
        Ok(())
    } else {
        let message = format!("outside your scope: {}", outside.join(", "));
        Err(AppError::out_of_scope_many(vec![FieldError::out_of_scope(
            "attendee_ids",
            message,
            outside,
        )]))
    }
}

/// A field only an activity of `kind` has.
fn only_for(field: &str, kind: ActivityKind, message: &str) -> FieldError {
    FieldError::new(field, Code::OnlyForKind, message).with(|p| p.kind = Some(kind.key().into()))
}

/// Every rule an activity meets before it is stored; `today` in the office's zone.
async fn validate(
    db: &impl ConnectionTrait,
    input: &ActivityInput,
    today: NaiveDate,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() {
        errors.push(FieldError::required("title"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::too_long("title", 200));
    }
    if input.held_on.year() < 2000 {
        errors.push(FieldError::too_early("held_on", "2000-01-01"));
    } else if input.held_on > today {
        errors.push(FieldError::in_future("held_on", today));
    }
    let fewest = input.attendee_ids.len() as i32;
    if !(fewest..=MAX_COUNT).contains(&input.attendance) {
        errors.push(FieldError::out_of_range(
            "attendance",
            fewest.into(),
            MAX_COUNT.into(),
        ));
    }
    if !(0..=MAX_COUNT).contains(&input.materials) {
        errors.push(FieldError::out_of_range("materials", 0, MAX_COUNT.into()));
    }
    if input.materials > 0 && input.kind != ActivityKind::Publicity {
        errors.push(only_for(
            "materials",
            ActivityKind::Publicity,
            "only publicity events hand out materials",
        ));
    }
    if input.notes.chars().count() > 5000 {
        errors.push(FieldError::too_long("notes", 5000));
    }
    let mut distinct = HashSet::new();
    let twice: Vec<String> = input
        .attendee_ids
        .iter()
        .filter(|id| !distinct.insert(**id))
        .map(|id| id.to_string())
        .collect();
    if !twice.is_empty() {
        errors.push(FieldError::not_unique(
            "attendee_ids",
            "an attendee is listed twice",
            twice,
        ));
    }
    if !input.attendee_ids.is_empty() {
        if input.kind != ActivityKind::Training {
            errors.push(only_for(
                "attendee_ids",
                ActivityKind::Training,
                "attendees are recorded for trainings only",
            ));
        }
        let cadres: HashSet<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Id.is_in(input.attendee_ids.clone()))
            .filter(user::Column::Roles.contains(Role::Cadre.key()))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let unknown: Vec<String> = input
            .attendee_ids
            .iter()
            .filter(|id| !cadres.contains(id))
            .map(|id| id.to_string())
            .collect();
        if !unknown.is_empty() {
            errors.push(FieldError::not_found("attendee_ids", Thing::Cadre, unknown));
        }
    }
    if unit::Entity::find_by_id(input.organizer_unit_id)
        .one(db)
        .await?
        .is_none()
    {
        errors.push(FieldError::not_found(
            "organizer_unit_id",
            Thing::Unit,
            Vec::new(),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_many(errors))
    }
}

async fn write_links(db: &impl ConnectionTrait, id: i64, input: &ActivityInput) -> AppResult<()> {
    activity_theme::Entity::delete_many()
        .filter(activity_theme::Column::ActivityId.eq(id))
        .exec(db)
        .await?;
    activity_attendee::Entity::delete_many()
        .filter(activity_attendee::Column::ActivityId.eq(id))
        .exec(db)
        .await?;
    let themes: HashSet<Theme> = input.themes.iter().copied().collect();
    if !themes.is_empty() {
        activity_theme::Entity::insert_many(themes.into_iter().map(|t| {
            activity_theme::ActiveModel {
                activity_id: Set(id),
                theme: Set(t),
            }
        }))
        .exec(db)
        .await?;
    }
    for chunk in input.attendee_ids.chunks(1000) {
        activity_attendee::Entity::insert_many(chunk.iter().map(|u| {
            activity_attendee::ActiveModel {
                activity_id: Set(id),
                user_id: Set(*u),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    input: ActivityInput,
    (now, today): (DateTime<Utc>, NaiveDate),
) -> AppResult<ActivityFull> {
    write(db, async |db| {
        check_scope(db, scope, &input).await?;
        validate(db, &input, today).await?;
        let model = activity::ActiveModel {
            kind: Set(input.kind),
            title: Set(input.title.trim().to_owned()),
            held_on: Set(input.held_on),
            organizer_unit_id: Set(input.organizer_unit_id),
            venue: Set(input.venue),
            audience: Set(input.audience),
            attendance: Set(input.attendance),
            materials: Set(input.materials),
            notes: Set(input.notes.trim().to_owned()),
            created_by: Set(Some(actor.id)),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        write_links(db, model.id, &input).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Create,
            "activity",
            Some(model.id.to_string()),
            format!("{} {} {}", model.held_on, model.kind, model.title),
        )
        .await?;
        get(db, scope, model.id).await
    })
    .await
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    change: impl FnOnce(&mut ActivityInput),
    (now, today): (DateTime<Utc>, NaiveDate),
) -> AppResult<ActivityFull> {
    write(db, async |db| {
        let current = get(db, scope, id).await?;
        let mut input = ActivityInput {
            kind: current.kind(),
            title: current.model.title.clone(),
            held_on: current.model.held_on,
            organizer_unit_id: current.model.organizer_unit_id,
            venue: current.venue(),
            themes: current.themes.clone(),
            audience: current.audience(),
            attendance: current.model.attendance,
            materials: current.model.materials,
            attendee_ids: current.attendee_ids.clone(),
            notes: current.model.notes.clone(),
        };
        change(&mut input);
        check_scope(db, scope, &input).await?;
        validate(db, &input, today).await?;
        let mut active: activity::ActiveModel = current.model.into();
        active.kind = Set(input.kind);
        active.title = Set(input.title.trim().to_owned());
        active.held_on = Set(input.held_on);
        active.organizer_unit_id = Set(input.organizer_unit_id);
        active.venue = Set(input.venue);
        active.audience = Set(input.audience);
        active.attendance = Set(input.attendance);
        active.materials = Set(input.materials);
        active.notes = Set(input.notes.trim().to_owned());
        active.updated_at = Set(now);
        let model = active.update(db).await?;
        write_links(db, id, &input).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Update,
            "activity",
            Some(id.to_string()),
            format!("{} {} {}", model.held_on, model.kind, model.title),
        )
        .await?;
        get(db, scope, id).await
    })
    .await
}

/// Soft delete: the row stays for the audit trail, and counts nowhere.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write(db, async |db| {
        let current = get(db, scope, id).await?;
        let mut active: activity::ActiveModel = current.model.clone().into();
        active.deleted_at = Set(Some(now));
        active.update(db).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Delete,
            "activity",
            Some(id.to_string()),
            format!("{} {}", current.model.held_on, current.model.title),
        )
        .await?;
        Ok(())
    })
    .await
}

/// An activity organised in scope; any other is 404.
pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<ActivityFull> {
    let model = activity::Entity::find_by_id(id)
        .filter(activity::Column::DeletedAt.is_null())
        .filter(scope.condition(activity::Column::OrganizerUnitId))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("activity"))?;
    Ok(complete(db, vec![model]).await?.remove(0))
}

/// Adds themes, attendees and organiser levels to activities, with one query each.
async fn complete(
    db: &impl ConnectionTrait,
    models: Vec<activity::Model>,
) -> AppResult<Vec<ActivityFull>> {
    let ids: Vec<i64> = models.iter().map(|m| m.id).collect();
    let mut themes: HashMap<i64, Vec<Theme>> = HashMap::new();
    let mut attendees: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(5000) {
        for t in activity_theme::Entity::find()
            .filter(activity_theme::Column::ActivityId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            themes.entry(t.activity_id).or_default().push(t.theme);
        }
        for a in activity_attendee::Entity::find()
            .filter(activity_attendee::Column::ActivityId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            attendees.entry(a.activity_id).or_default().push(a.user_id);
        }
    }
    let unit_kinds = units::kinds(db).await?;
    Ok(models
        .into_iter()
        .map(|model| {
            let mut t = themes.remove(&model.id).unwrap_or_default();
            t.sort();
            let mut a = attendees.remove(&model.id).unwrap_or_default();
            a.sort_unstable();
            let level = OrganizerLevel::of_unit_kind(
                unit_kinds
                    .get(&model.organizer_unit_id)
                    .copied()
                    .unwrap_or(UnitKind::Other),
            );
            ActivityFull {
                model,
                themes: t,
                attendee_ids: a,
                organizer_level: level,
            }
        })
        .collect())
}

/// Which activities to look at.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub year: Option<i32>,
    pub kind: Option<ActivityKind>,
    pub venue: Option<Venue>,
    pub theme: Option<Theme>,
    pub audience: Option<Audience>,
    /// The organiser and its sub-units.
    pub organizer_unit_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// By `held_on`, `title`, `attendance` or `materials` (else newest first).
    pub sort: Option<crate::paging::SortReq>,
}

async fn query(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &ActivityFilter,
) -> AppResult<sea_orm::Select<activity::Entity>> {
    let mut q = activity::Entity::find()
        .filter(activity::Column::DeletedAt.is_null())
        .filter(scope.condition(activity::Column::OrganizerUnitId));
    if let Some(year) = filter.year {
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| AppError::invalid(FieldError::out_of_range("year", 2000, 2100)))?;
        let next = NaiveDate::from_ymd_opt(year + 1, 1, 1)
            .ok_or_else(|| AppError::invalid(FieldError::out_of_range("year", 2000, 2100)))?;
        q = q
            .filter(activity::Column::HeldOn.gte(first))
            .filter(activity::Column::HeldOn.lt(next));
    }
    if let Some(from) = filter.from {
        q = q.filter(activity::Column::HeldOn.gte(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(activity::Column::HeldOn.lte(to));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(activity::Column::Kind.eq(kind.key()));
    }
    if let Some(venue) = filter.venue {
        q = q.filter(activity::Column::Venue.eq(venue.key()));
    }
    if let Some(audience) = filter.audience {
        q = q.filter(activity::Column::Audience.eq(audience.key()));
    }
    if let Some(theme) = filter.theme {
        let with_theme: Vec<i64> = activity_theme::Entity::find()
            .select_only()
            .column(activity_theme::Column::ActivityId)
            .filter(activity_theme::Column::Theme.eq(theme.key()))
            .into_tuple()
            .all(db)
            .await?;
        q = q.filter(activity::Column::Id.is_in(with_theme));
    }
    if filter.organizer_unit_id.is_some() {
        let within = scope
            .filtered(db, "organizer_unit_id", filter.organizer_unit_id)
            .await?;
        q = q.filter(within.condition(activity::Column::OrganizerUnitId));
    }
    Ok(q)
}

/// Activities by date (newest first).
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &ActivityFilter,
    page: PageReq,
) -> AppResult<Page<ActivityFull>> {
    use sea_orm::IntoSimpleExpr;
    let q = query(db, scope, filter).await?;
    let total = q.clone().count(db).await?;
    let q = match &filter.sort {
        None => q
            .order_by_desc(activity::Column::HeldOn)
            .order_by_desc(activity::Column::Id),
        Some(sort) => crate::paging::sorted(
            q,
            Some(sort),
            &[
                ("held_on", activity::Column::HeldOn.into_simple_expr()),
                ("title", activity::Column::Title.into_simple_expr()),
                (
                    "attendance",
                    activity::Column::Attendance.into_simple_expr(),
                ),
                ("materials", activity::Column::Materials.into_simple_expr()),
            ],
            activity::Column::Id.into_simple_expr(),
        )?,
    };
    let models = q.offset(page.offset()).limit(page.per_page).all(db).await?;
    Ok(page.of(complete(db, models).await?, total))
}

/// Every matching activity (for statistics and the annual summary).
pub async fn all(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &ActivityFilter,
) -> AppResult<Vec<ActivityFull>> {
    let models = query(db, scope, filter)
        .await?
        .order_by_asc(activity::Column::HeldOn)
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    complete(db, models).await
}

/// Events, attendance and materials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub events: u64,
    pub attendance: u64,
    pub materials: u64,
}

impl Tally {
    pub fn add(&mut self, a: &ActivityFull) {
        self.events += 1;
        self.attendance += a.model.attendance.max(0) as u64;
        self.materials += a.model.materials.max(0) as u64;
    }
}

/// Statistics: one tally per group (an event with two themes counts under each) and a
/// total that counts each event once.
#[derive(Debug, Clone)]
pub struct Stats {
    pub groups: Vec<(String, Tally)>,
    pub total: Tally,
}

pub fn stats(activities: &[ActivityFull], group_by: GroupBy, year: Option<i32>) -> Stats {
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    let mut order: Vec<String> = match group_by {
        GroupBy::OrganizerLevel => OrganizerLevel::ALL
            .iter()
            .map(|k| k.key().to_owned())
            .collect(),
        GroupBy::Venue => Venue::ALL
            .iter()
            .map(|k| k.key().to_owned())
            .chain(["none".to_owned()])
            .collect(),
        GroupBy::Theme => Theme::ALL.iter().map(|k| k.key().to_owned()).collect(),
        GroupBy::Audience => Audience::ALL.iter().map(|k| k.key().to_owned()).collect(),
        GroupBy::Kind => ActivityKind::ALL
            .iter()
            .map(|k| k.key().to_owned())
            .collect(),
        GroupBy::Month => match year {
            Some(y) => (1..=12).map(|m| format!("{y}-{m:02}")).collect(),
            None => Vec::new(),
        },
    };
    for key in &order {
        groups.insert(key.clone(), Tally::default());
    }
    let mut total = Tally::default();
    for a in activities {
        total.add(a);
        let keys: Vec<String> = match group_by {
            GroupBy::OrganizerLevel => vec![a.organizer_level.key().to_owned()],
            GroupBy::Venue => vec![a.venue().map_or("none", |v| v.key()).to_owned()],
            GroupBy::Theme => a.themes.iter().map(|t| t.key().to_owned()).collect(),
            GroupBy::Audience => vec![a.audience().key().to_owned()],
            GroupBy::Kind => vec![a.kind().key().to_owned()],
            GroupBy::Month => vec![format!(
                "{}-{:02}",
                a.model.held_on.year(),
                a.model.held_on.month()
            )],
        };
        for key in keys {
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            groups.entry(key).or_default().add(a);
        }
    }
    if group_by == GroupBy::Month {
        order.sort();
    }
    Stats {
        groups: order
            .into_iter()
            .map(|k| {
                let t = groups[&k];
                (k, t)
            })
            .collect(),
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organiser_level_follows_the_unit_kind() {
        assert_eq!(
            OrganizerLevel::of_unit_kind(UnitKind::Department),
            OrganizerLevel::Street
        );
        assert_eq!(
            OrganizerLevel::of_unit_kind(UnitKind::Village),
            OrganizerLevel::Community
        );
        assert_eq!(
            OrganizerLevel::of_unit_kind(UnitKind::School),
            OrganizerLevel::Other
        );
    }
}
