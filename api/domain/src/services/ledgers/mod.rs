//! The judicial office's records kept as ledgers: the tallies of the 工作总结 (mediation
//! cases, public legal services, dispute screenings, petitions, enforcement inspections)
//! and the rest of the 法治政府建设 report (the 任务分解表, legality reviews of major
//! decisions, legal advisers, 述职述法, the 普法责任清单).
//!
//! Each is a [`Ledger`]: a table of records kept by a unit. Create, change, soft delete,
//! list and the CSV import are written once here, over the trait; each ledger says only
//! its own fields' rules (`kinds.rs`, `law.rs`) and how a CSV line reads (`import.rs`,
//! `law_import.rs`).

pub mod figures;
pub mod import;
mod kinds;
mod law;
pub mod law_figures;
mod law_import;
pub mod law_report;
mod prose;
pub mod report;
pub mod tasks;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::unit;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, FromQueryResult, IntoActiveModel,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub use entity::vocabulary::{
    AdviserKind, DecisionCategory, DutyStatus, LawTaskCategory, LawTaskStatus, ReportForm,
    ReportRating, ReviewResult, Reviewer,
};
pub use entity::vocabulary::{
    InspectionField, LegalServiceKind, LegalTopic, MediationCategory, MediationResult, UnitKind,
};
pub use kinds::{Inspections, LegalServices, MediationCases, Petitions, Screenings};
pub use law::{DecisionReviews, LawReports, LawTasks, LegalAdvisers, PufaDuties};

use super::{Page, PageReq, audit, units, write};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Clash, FieldError, Thing},
    policy::Scope,
};

entity::keyed_enum!(
    /// A record's level, from its unit's kind.
    Level {
        /// A street or department unit.
        Street => ("street", "街道"),
        /// A community.
        Community => ("community", "社区"),
        /// A village.
        Village => ("village", "村居"),
        /// Any other unit.
        Other => ("other", "其他单位"),
    }
);

impl Level {
    /// street/department → `street`, community → `community`, village → `village`, any
    /// other unit → `other`.
    pub fn of_unit_kind(kind: UnitKind) -> Self {
        match kind {
            UnitKind::Street | UnitKind::Department => Level::Street,
            UnitKind::Community => Level::Community,
            UnitKind::Village => Level::Village,
            _ => Level::Other,
        }
    }
}

/// One kind of record. The associated consts name its columns, so that the code below
/// serves all five tables.
pub trait Ledger: Send + Sync + 'static {
    type Entity: EntityTrait<Model = Self::Model, ActiveModel = Self::Active, Column = Self::Column>;
    type Model: ModelTrait<Entity = Self::Entity>
        + FromQueryResult
        + IntoActiveModel<Self::Active>
        + Clone
        + Send
        + Sync;
    type Active: ActiveModelTrait<Entity = Self::Entity>
        + ActiveModelBehavior
        + From<Self::Model>
        + Send;
    type Column: ColumnTrait;

    /// The noun in errors and the audit log (`mediation_case`).
    const NAME: &'static str;
    /// The API names of the unit and date fields (`committee_unit_id`, `received_on`).
    const UNIT_FIELD: &'static str;
    const DATE_FIELD: &'static str;
    const ID: Self::Column;
    const UNIT: Self::Column;
    /// The column a list is ordered by, newest first (and, unless [`Ledger::in_year`]
    /// says otherwise, the one a year is chosen by).
    const DATE: Self::Column;
    const CREATED_BY: Self::Column;
    const CREATED_AT: Self::Column;
    const UPDATED_AT: Self::Column;
    const DELETED_AT: Self::Column;

    fn id(m: &Self::Model) -> i64;
    fn unit_id(m: &Self::Model) -> i64;
    /// The day the record happened, which must have come (`None`: a record of a year,
    /// such as a planned task, whose days [`Ledger::check`] rules on).
    fn date(m: &Self::Model) -> Option<NaiveDate>;
    /// The ledger's own rules beyond the unit and the date: every broken one.
    fn check(m: &Self::Model, today: NaiveDate) -> Vec<FieldError>;
    /// One line for the audit log.
    fn describe(m: &Self::Model) -> String;

    /// The records of a year: by default those whose [`Ledger::DATE`] falls in it
    /// (`first` ≤ date < `next`).
    fn in_year(year: i32, first: NaiveDate, next: NaiveDate) -> Condition {
        let _ = year;
        Condition::all()
            .add(Self::DATE.gte(first))
            .add(Self::DATE.lt(next))
    }

    /// The rules that need the stored records, checked in the write's transaction; it
    /// may fill in what follows from them (a 述法's unit is its leader's).
    fn prepare(
        db: &DatabaseTransaction,
        m: &mut Self::Model,
    ) -> impl Future<Output = AppResult<Vec<Problem>>> + Send {
        let _ = (db, m);
        async { Ok(Vec::new()) }
    }
}

/// A rule broken that only the stored records show: through the API a clash is a 409
/// and an invalid field a 422; in an import both are the line's errors.
#[derive(Debug, Clone)]
pub enum Problem {
    Clash(Clash, FieldError),
    Invalid(FieldError),
}

impl Problem {
    pub fn into_field_error(self) -> FieldError {
        match self {
            Problem::Clash(_, e) | Problem::Invalid(e) => e,
        }
    }
}

/// A tally per key, every key listed (zeros too), in the vocabulary's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByKey<K, T>(pub Vec<(K, T)>);

impl<K: Copy + PartialEq, T: Default> ByKey<K, T> {
    fn new(all: &[K]) -> Self {
        Self(all.iter().map(|k| (*k, T::default())).collect())
    }

    fn at(&mut self, key: K) -> &mut T {
        let index = self.0.iter().position(|(k, _)| *k == key).unwrap_or(0);
        &mut self.0[index].1
    }
}

/// A stored record with its level.
#[derive(Debug, Clone)]
pub struct Record<M> {
    pub model: M,
    pub level: Level,
}

/// A date that happened: from 2000 on and not after `today`.
pub fn check_past(errors: &mut Vec<FieldError>, field: &str, date: NaiveDate, today: NaiveDate) {
    if date.year() < 2000 {
        errors.push(FieldError::too_early(field, "2000-01-01"));
    } else if date > today {
        errors.push(FieldError::in_future(field, today));
    }
}

/// The most a count may be: beyond it a typing slip is more likely than the figure.
pub const MAX_COUNT: i32 = 10_000_000;

/// A count at least `min` and plausible.
pub fn check_count(errors: &mut Vec<FieldError>, field: &str, value: i32, min: i32) {
    if !(min..=MAX_COUNT).contains(&value) {
        errors.push(FieldError::out_of_range(
            field,
            min.into(),
            MAX_COUNT.into(),
        ));
    }
}

/// Every rule a record must meet before it is stored, the unit within `scope`.
async fn validate<L: Ledger>(
    db: &DatabaseTransaction,
    scope: &Scope,
    model: &mut L::Model,
    today: NaiveDate,
) -> AppResult<()> {
    let problems = L::prepare(db, model).await?;
    scope.check(L::UNIT_FIELD, Some(L::unit_id(model)))?;
    let mut errors = common_errors::<L>(model, today);
    let mut clash = None;
    for problem in problems {
        match problem {
            Problem::Clash(code, e) => clash = clash.or(Some((code, e.message))),
            Problem::Invalid(e) => errors.push(e),
        }
    }
    if let Some((code, detail)) = clash.filter(|_| errors.is_empty()) {
        return Err(AppError::conflict(code, detail));
    }
    if unit::Entity::find_by_id(L::unit_id(model))
        .one(db)
        .await?
        .is_none()
    {
        errors.push(FieldError::not_found(
            L::UNIT_FIELD,
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

/// The rules that need no database: the date and the ledger's own.
fn common_errors<L: Ledger>(model: &L::Model, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(date) = L::date(model) {
        check_past(&mut errors, L::DATE_FIELD, date, today);
    }
    errors.extend(L::check(model, today));
    errors
}

/// `created_by`, `created_at`, `updated_at`, `deleted_at` of a record not stored yet (the
/// store sets them again; a builder needs something to fill the fields with).
pub type Stamps = (
    Option<i64>,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

pub fn unstored(now: DateTime<Utc>) -> Stamps {
    (None, now, now, None)
}

/// The stamps every new row gets, whatever the caller filled in.
fn stamped<L: Ledger>(model: L::Model, actor: &Actor, now: DateTime<Utc>) -> L::Active {
    let mut active: L::Active = model.into();
    active = active.reset_all();
    active.not_set(L::ID);
    active.set(L::CREATED_BY, Some(actor.id).into());
    active.set(L::CREATED_AT, now.into());
    active.set(L::UPDATED_AT, now.into());
    active.set(L::DELETED_AT, Option::<DateTime<Utc>>::None.into());
    active
}

pub async fn create<L: Ledger>(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    model: L::Model,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Record<L::Model>> {
    write(db, async |db| {
        let mut model = model;
        validate::<L>(db, scope, &mut model, today).await?;
        let stored = stamped::<L>(model, actor, now).insert(db).await?;
        audited::<L>(db, actor, now, audit::AuditAction::Create, &stored).await
    })
    .await
}

/// Writes the audit entry of a stored record and reads it back with its level.
async fn audited<L: Ledger>(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    action: audit::AuditAction,
    stored: &L::Model,
) -> AppResult<Record<L::Model>> {
    let id = L::id(stored);
    audit::record(
        db,
        Some(actor),
        now,
        action,
        L::NAME,
        Some(id.to_string()),
        L::describe(stored),
    )
    .await?;
    read::<L>(db, id).await
}

/// Changes a record: `change` edits a copy of it, which is checked like a new one.
pub async fn update<L: Ledger>(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    change: impl FnOnce(&mut L::Model),
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Record<L::Model>> {
    write(db, async |db| {
        let current = get::<L>(db, scope, id).await?.model;
        let mut changed = current.clone();
        change(&mut changed);
        validate::<L>(db, scope, &mut changed, today).await?;
        let mut active: L::Active = changed.into();
        active = active.reset_all();
        for keep in [L::CREATED_BY, L::CREATED_AT, L::DELETED_AT] {
            active.not_set(keep);
        }
        active.set(L::UPDATED_AT, now.into());
        let stored = active.update(db).await?;
        audited::<L>(db, actor, now, audit::AuditAction::Update, &stored).await
    })
    .await
}

/// Soft delete: the row stays for the audit trail, and counts nowhere.
pub async fn delete<L: Ledger>(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write(db, async |db| {
        let current = get::<L>(db, scope, id).await?.model;
        let described = L::describe(&current);
        let mut active: L::Active = current.into();
        active.set(L::DELETED_AT, Some(now).into());
        active.set(L::UPDATED_AT, now.into());
        active.update(db).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Delete,
            L::NAME,
            Some(id.to_string()),
            described,
        )
        .await?;
        Ok(())
    })
    .await
}

/// A record of a unit in scope; any other is 404.
pub async fn get<L: Ledger>(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> AppResult<Record<L::Model>> {
    let record = read::<L>(db, id).await?;
    scope.found(Some(L::unit_id(&record.model)), record, L::NAME)
}

/// A record that is not deleted, whoever's it is (after a write, to answer with it).
async fn read<L: Ledger>(db: &impl ConnectionTrait, id: i64) -> AppResult<Record<L::Model>> {
    let model = L::Entity::find()
        .filter(L::ID.eq(id))
        .filter(L::DELETED_AT.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(L::NAME))?;
    let kind = unit::Entity::find_by_id(L::unit_id(&model))
        .select_only()
        .column(unit::Column::Kind)
        .into_tuple::<UnitKind>()
        .one(db)
        .await?;
    Ok(Record {
        level: kind.map_or(Level::Other, Level::of_unit_kind),
        model,
    })
}

/// The level of every unit, read once.
pub(crate) async fn levels(db: &impl ConnectionTrait) -> AppResult<HashMap<i64, Level>> {
    Ok(units::kinds(db)
        .await?
        .into_iter()
        .map(|(id, kind)| (id, Level::of_unit_kind(kind)))
        .collect())
}

fn leveled<L: Ledger>(levels: &HashMap<i64, Level>, model: L::Model) -> Record<L::Model> {
    let level = levels
        .get(&L::unit_id(&model))
        .copied()
        .unwrap_or(Level::Other);
    Record { model, level }
}

/// Which records to look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// Calendar year of the record's date.
    pub year: Option<i32>,
    /// The unit and its sub-units.
    pub unit_id: Option<i64>,
}

async fn query<L: Ledger>(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: Filter,
) -> AppResult<sea_orm::Select<L::Entity>> {
    let mut q = L::Entity::find()
        .filter(L::DELETED_AT.is_null())
        .filter(scope.condition(L::UNIT));
    if let Some(year) = filter.year {
        let (first, next) = year_bounds(year)?;
        q = q.filter(L::in_year(year, first, next));
    }
    if filter.unit_id.is_some() {
        let within = scope.filtered(db, "unit_id", filter.unit_id).await?;
        q = q.filter(within.condition(L::UNIT));
    }
    Ok(q)
}

/// The first day of `year` and of the year after.
pub(crate) fn year_bounds(year: i32) -> AppResult<(NaiveDate, NaiveDate)> {
    let day = |y| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .ok_or_else(|| AppError::invalid(FieldError::out_of_range("year", 2000, 2100)))
    };
    Ok((day(year)?, day(year + 1)?))
}

/// Records by date, newest first.
pub async fn list<L: Ledger>(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: Filter,
    page: PageReq,
) -> AppResult<Page<Record<L::Model>>> {
    if filter.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(AppError::invalid(FieldError::out_of_range(
            "year", 2000, 2100,
        )));
    }
    let q = query::<L>(db, scope, filter).await?;
    let total = q.clone().count(db).await?;
    let models = q
        .order_by_desc(L::DATE)
        .order_by_desc(L::ID)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    let levels = levels(db).await?;
    Ok(page.of(
        models
            .into_iter()
            .map(|m| leveled::<L>(&levels, m))
            .collect(),
        total,
    ))
}

/// Every record of a year that is not deleted, with its level.
pub async fn of_year<L: Ledger>(
    db: &impl ConnectionTrait,
    scope: &Scope,
    year: i32,
    levels: &HashMap<i64, Level>,
) -> AppResult<Vec<Record<L::Model>>> {
    let filter = Filter {
        year: Some(year),
        unit_id: None,
    };
    let models = query::<L>(db, scope, filter)
        .await?
        .order_by_asc(L::ID)
        .all(db)
        .await?;
    Ok(models
        .into_iter()
        .map(|m| leveled::<L>(levels, m))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_follows_the_unit_kind() {
        assert_eq!(Level::of_unit_kind(UnitKind::Department), Level::Street);
        assert_eq!(Level::of_unit_kind(UnitKind::Community), Level::Community);
        assert_eq!(Level::of_unit_kind(UnitKind::Village), Level::Village);
        assert_eq!(Level::of_unit_kind(UnitKind::Enterprise), Level::Other);
    }

    #[test]
    fn a_date_that_happened_is_from_2000_and_not_after_today() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut errors = Vec::new();
        check_past(&mut errors, "d", day(2026, 6, 16), day(2026, 6, 15));
        check_past(&mut errors, "d", day(2026, 6, 15), day(2026, 6, 15));
        check_past(&mut errors, "d", day(1999, 12, 31), day(2026, 6, 15));
        assert_eq!(errors.len(), 2);
    }
}
