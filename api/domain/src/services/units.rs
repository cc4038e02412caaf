//! Units: the organisation tree (street → departments, communities, villages…).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{unit, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{Page, PageReq, audit, fetch_page, write};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Clash, Code, FieldError, Thing},
    policy::Scope,
};

pub use entity::unit::UnitKind;

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct UnitChanges {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    /// `Some(None)` moves the unit to the top of the tree.
    pub parent_id: Option<Option<i64>>,
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub parent_id: Option<i64>,
    pub kind: Option<UnitKind>,
    pub q: Option<String>,
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(FieldError::required("name")));
    }
    if name.chars().count() > 100 {
        return Err(AppError::invalid(FieldError::too_long("name", 100)));
    }
    Ok(name.to_owned())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<unit::Model> {
    unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("unit"))
}

/// A unit in scope; any other is 404.
pub async fn find_in(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<unit::Model> {
    let found = get(db, id).await?;
    scope.found(Some(found.id), found, "unit")
}

async fn check_parent(db: &impl ConnectionTrait, parent_id: Option<i64>) -> AppResult<()> {
    if let Some(parent) = parent_id
        && unit::Entity::find_by_id(parent).one(db).await?.is_none()
    {
        return Err(AppError::invalid(FieldError::not_found(
            "parent_id",
            Thing::Unit,
            Vec::new(),
        )));
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    new: NewUnit,
    now: DateTime<Utc>,
) -> AppResult<unit::Model> {
    scope.check("parent_id", new.parent_id)?;
    write(db, async |db| {
        let name = clean_name(&new.name)?;
        check_parent(db, new.parent_id).await?;
        let model = unit::ActiveModel {
            name: Set(name),
            kind: Set(new.kind),
            parent_id: Set(new.parent_id),
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
            "unit",
            Some(model.id.to_string()),
            format!("unit {} ({})", model.name, model.kind),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// A unit as an audit entry names it: `unit 3`, or `none` (the top of the tree).
pub fn unit_ref(unit: Option<i64>) -> String {
    unit.map_or_else(|| "none".into(), |id| format!("unit {id}"))
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    changes: UnitChanges,
    now: DateTime<Utc>,
) -> AppResult<unit::Model> {
    write(db, async |db| {
        let current = find_in(db, scope, id).await?;
        if let Some(parent) = changes.parent_id {
            scope.check("parent_id", parent)?;
        }
        let mut active: unit::ActiveModel = current.clone().into();
        let mut summary = Vec::new();
        if let Some(name) = changes.name {
            let name = clean_name(&name)?;
            summary.push(format!("name {} → {}", current.name, name));
            active.name = Set(name);
        }
        if let Some(kind) = changes.kind {
            summary.push(format!("kind {} → {}", current.kind.key(), kind.key()));
            active.kind = Set(kind);
        }
        if let Some(parent_id) = changes.parent_id {
            check_parent(db, parent_id).await?;
            if let Some(parent) = parent_id
                && subtree_ids(db, id).await?.contains(&parent)
            {
                return Err(AppError::invalid(FieldError::new(
                    "parent_id",
                    Code::Cycle,
                    "a unit cannot be moved under itself or its own sub-unit",
                )));
            }
            summary.push(format!(
                "parent {} → {}",
                unit_ref(current.parent_id),
                unit_ref(parent_id)
            ));
            active.parent_id = Set(parent_id);
        }
        active.updated_at = Set(now);
        let model = active.update(db).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Update,
            "unit",
            Some(id.to_string()),
            summary.join("; "),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// Deletes a unit that has neither sub-units nor accounts.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write(db, async |db| {
        let current = find_in(db, scope, id).await?;
        if scope.root() == Some(id) {
            return Err(AppError::out_of_scope(
                "id",
                "the unit your scope is rooted at cannot be deleted from within it",
            ));
        }
        let children = unit::Entity::find()
            .filter(unit::Column::ParentId.eq(id))
            .count(db)
            .await?;
        if children > 0 {
            return Err(AppError::conflict(
                Clash::UnitInUse,
                format!("the unit still has {children} sub-unit(s)"),
            ));
        }
        let members = user::Entity::find()
            .filter(user::Column::UnitId.eq(id))
            .count(db)
            .await?;
        if members > 0 {
            return Err(AppError::conflict(
                Clash::UnitInUse,
                format!("the unit still has {members} account(s)"),
            ));
        }
        let activities = entity::activity::Entity::find()
            .filter(entity::activity::Column::OrganizerUnitId.eq(id))
            .count(db)
            .await?;
        if activities > 0 {
            return Err(AppError::conflict(
                Clash::UnitInUse,
                format!("the unit organised {activities} recorded activities"),
            ));
        }
        unit::Entity::delete_by_id(id).exec(db).await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Delete,
            "unit",
            Some(id.to_string()),
            format!("unit {}", current.name),
        )
        .await?;
        Ok(())
    })
    .await
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: UnitFilter,
    page: PageReq,
) -> AppResult<Page<unit::Model>> {
    let mut query = unit::Entity::find().filter(scope.condition(unit::Column::Id));
    if let Some(parent) = filter.parent_id {
        query = query.filter(unit::Column::ParentId.eq(parent));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(unit::Column::Kind.eq(kind));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(unit::Column::Name.contains(q));
    }
    fetch_page(db, query.order_by_asc(unit::Column::Id), page).await
}

/// The names of the units from the top of the tree down to `unit` (for a header:
/// 新区 › 胡家园街道).
pub async fn path_to(db: &impl ConnectionTrait, unit: i64) -> AppResult<Vec<String>> {
    let all: HashMap<i64, (Option<i64>, String)> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::ParentId)
        .column(unit::Column::Name)
        .into_tuple::<(i64, Option<i64>, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, parent, name)| (id, (parent, name)))
        .collect();
    let mut path = Vec::new();
    let mut at = Some(unit);
    while let Some(id) = at {
        let Some((parent, name)) = all.get(&id) else {
            break;
        };
        if path.len() > all.len() {
            break;
        }
        path.push(name.clone());
        at = *parent;
    }
    path.reverse();
    Ok(path)
}

/// Every unit's kind, read once (levels of records and activities come from it).
pub async fn kinds(db: &impl ConnectionTrait) -> AppResult<HashMap<i64, UnitKind>> {
    Ok(unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::Kind)
        .into_tuple::<(i64, UnitKind)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Parent → children map of the whole tree (read once; see [`policy::unit_tree`]).
pub async fn tree(db: &impl ConnectionTrait) -> AppResult<HashMap<Option<i64>, Vec<i64>>> {
    crate::policy::unit_tree(db).await
}

/// The unit and all its sub-units, at any depth.
pub async fn subtree_ids(db: &impl ConnectionTrait, root: i64) -> AppResult<HashSet<i64>> {
    Ok(subtree_in(&tree(db).await?, root))
}

/// [`subtree_ids`] over a tree already read.
pub fn subtree_in(children: &HashMap<Option<i64>, Vec<i64>>, root: i64) -> HashSet<i64> {
    crate::policy::subtree_in(children, root)
}
