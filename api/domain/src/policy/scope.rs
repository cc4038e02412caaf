//! Data scope (管理范围): the units a manager works within.
//!
//! A manager account may carry `scope_unit_id`; its manager roles then apply within that
//! unit's subtree only. Every service that reads or writes records of units takes a
//! [`Scope`], and only [`scope_of`] (from the caller's account) or [`Scope::narrowed`]
//! (a sub-unit of a scope already held) make one — so a handler cannot forget to scope
//! a query: the compiler asks for the value, and the policy is the only one to give it.
//!
//! Reading: a record outside the scope is as if it did not exist (404 by id, absent from
//! lists and figures). Writing: naming a unit or person outside it is 403 `out_of_scope`
//! naming the field.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use entity::{unit, user};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};

use crate::{
    auth::Actor,
    error::{AppError, AppResult, FieldError, Thing},
};

/// The units a caller works within: the whole installation, or one unit's subtree.
#[derive(Debug, Clone)]
pub struct Scope(Option<Arc<Subtree>>);

#[derive(Debug)]
struct Subtree {
    root: i64,
    /// The root and every unit below it.
    units: HashSet<i64>,
    /// The units above the root (a district campaign owned there is seen below).
    ancestors: HashSet<i64>,
}

/// The caller's scope, read from their account as it is now (not from the token, so a
/// changed scope applies at once).
pub async fn scope_of(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<Scope> {
    let root: Option<Option<i64>> = user::Entity::find_by_id(actor.id)
        .select_only()
        .column(user::Column::ScopeUnitId)
        .into_tuple()
        .one(db)
        .await?;
    match root.flatten() {
        None => Ok(Scope(None)),
        Some(root) => Ok(Scope(Some(Arc::new(Subtree::of(db, root).await?)))),
    }
}

impl Subtree {
    async fn of(db: &impl ConnectionTrait, root: i64) -> AppResult<Self> {
        let children = unit_tree(db).await?;
        let parents: HashMap<i64, Option<i64>> = children
            .iter()
            .flat_map(|(parent, kids)| kids.iter().map(move |kid| (*kid, *parent)))
            .collect();
        let mut ancestors = HashSet::new();
        let mut at = parents.get(&root).copied().flatten();
        while let Some(id) = at {
            if !ancestors.insert(id) {
                break;
            }
            at = parents.get(&id).copied().flatten();
        }
        Ok(Self {
            root,
            units: subtree_in(&children, root),
            ancestors,
        })
    }
}

/// Parent → children map of the whole unit tree. A city has thousands of units, not
/// millions, so one query and a walk in memory beats a recursive query per call.
pub(crate) async fn unit_tree(
    db: &impl ConnectionTrait,
) -> AppResult<HashMap<Option<i64>, Vec<i64>>> {
    let rows: Vec<(i64, Option<i64>)> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::ParentId)
        .into_tuple()
        .all(db)
        .await?;
    let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
    for (id, parent) in rows {
        children.entry(parent).or_default().push(id);
    }
    Ok(children)
}

/// The unit and all its sub-units, at any depth, in a tree already read.
pub(crate) fn subtree_in(children: &HashMap<Option<i64>, Vec<i64>>, root: i64) -> HashSet<i64> {
    let mut seen = HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for child in children.get(&Some(id)).into_iter().flatten() {
            if seen.insert(*child) {
                stack.push(*child);
            }
        }
    }
    seen
}

impl Scope {
    /// The whole installation: for the server's own work (sweeps, reminders due), never
    /// for a caller.
    pub(crate) fn whole_installation() -> Self {
        Scope(None)
    }

    /// The whole installation, for the operator's commands on the server (`xuefa
    /// create-user`): whoever runs them holds the database itself.
    pub fn operator() -> Self {
        Scope(None)
    }

    /// The scope's unit, or `None` for the whole installation.
    pub fn root(&self) -> Option<i64> {
        self.0.as_ref().map(|s| s.root)
    }

    pub fn is_whole(&self) -> bool {
        self.0.is_none()
    }

    /// The units in scope, or `None` for all of them.
    pub fn units(&self) -> Option<&HashSet<i64>> {
        self.0.as_ref().map(|s| &s.units)
    }

    /// Whether a record of `unit` is in scope. A record of no unit belongs to the whole
    /// installation, which only an unscoped manager sees.
    pub fn sees(&self, unit: Option<i64>) -> bool {
        match (&self.0, unit) {
            (None, _) => true,
            (Some(s), Some(unit)) => s.units.contains(&unit),
            (Some(_), None) => false,
        }
    }

    /// The condition a query adds to keep to the scope: `column IN (units in scope)`.
    pub fn condition(&self, column: impl ColumnTrait) -> Condition {
        match &self.0 {
            None => Condition::all(),
            Some(s) => {
                let mut units: Vec<i64> = s.units.iter().copied().collect();
                units.sort_unstable();
                Condition::all().add(column.is_in(units))
            }
        }
    }

    /// Passes when `unit`, which the request names in `field`, is in scope; otherwise
    /// 403 `out_of_scope` naming the field.
    pub fn check(&self, field: &str, unit: Option<i64>) -> AppResult<()> {
        if self.sees(unit) {
            Ok(())
        } else {
            Err(AppError::out_of_scope(field, scope_message(unit)))
        }
    }

    /// The condition that keeps a query to records of people in scope (`column` holds an
    /// account id): `column IN (SELECT id FROM users WHERE unit_id IN (…))`.
    pub fn people_condition(&self, column: impl ColumnTrait) -> Condition {
        if self.is_whole() {
            return Condition::all();
        }
        let members = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(self.condition(user::Column::UnitId))
            .into_query();
        Condition::all().add(column.in_subquery(members))
    }

    /// `record` when it is of a unit in scope; otherwise 404, as if it did not exist.
    pub fn found<T>(&self, unit: Option<i64>, record: T, what: &str) -> AppResult<T> {
        if self.sees(unit) {
            Ok(record)
        } else {
            Err(AppError::not_found(what))
        }
    }

    /// Whether a campaign owned by `owner` is seen: its owner is in scope or above it
    /// (a district's campaign is seen by each of its streets).
    pub fn sees_campaign(&self, owner: Option<i64>) -> bool {
        match (&self.0, owner) {
            (None, _) | (Some(_), None) => true,
            (Some(s), Some(owner)) => s.units.contains(&owner) || s.ancestors.contains(&owner),
        }
    }

    /// The units whose campaigns are seen besides those in scope (the ones above it),
    /// or `None` when every campaign is.
    pub fn units_above(&self) -> Option<&HashSet<i64>> {
        self.0.as_ref().map(|s| &s.ancestors)
    }

    /// The scope of one unit in this scope (a report or filter for a sub-unit); 404 when
    /// the unit is not in scope or does not exist.
    pub async fn narrowed(&self, db: &impl ConnectionTrait, unit_id: i64) -> AppResult<Scope> {
        if !self.sees(Some(unit_id)) {
            return Err(AppError::not_found("unit"));
        }
        if unit::Entity::find_by_id(unit_id).one(db).await?.is_none() {
            return Err(AppError::not_found("unit"));
        }
        Ok(Scope(Some(Arc::new(Subtree::of(db, unit_id).await?))))
    }

    /// `narrowed` to `unit_id` when one is given, else this scope.
    pub async fn narrowed_opt(
        &self,
        db: &impl ConnectionTrait,
        unit_id: Option<i64>,
    ) -> AppResult<Scope> {
        match unit_id {
            Some(unit_id) => self.narrowed(db, unit_id).await,
            None => Ok(self.clone()),
        }
    }

    /// For a `unit_id` filter of a list or a figure: this scope narrowed to that unit. A
    /// unit outside the scope is refused like one that does not exist (422 naming
    /// `field`).
    pub async fn filtered(
        &self,
        db: &impl ConnectionTrait,
        field: &str,
        unit_id: Option<i64>,
    ) -> AppResult<Scope> {
        match self.narrowed_opt(db, unit_id).await {
            Err(AppError::NotFound(_)) => Err(AppError::invalid(FieldError::not_found(
                field,
                Thing::Unit,
                Vec::new(),
            ))),
            other => other,
        }
    }
}

fn scope_message(unit: Option<i64>) -> String {
    match unit {
        Some(unit) => format!("unit {unit} is outside your scope"),
        None => "the whole installation is outside your scope".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn street() -> Scope {
        Scope(Some(Arc::new(Subtree {
            root: 2,
            units: HashSet::from([2, 5, 6]),
            ancestors: HashSet::from([1]),
        })))
    }

    #[test]
    fn a_street_sees_its_subtree_and_nothing_else() {
        let s = street();
        assert!(s.sees(Some(2)) && s.sees(Some(6)));
        assert!(!s.sees(Some(1)) && !s.sees(Some(3)) && !s.sees(None));
        assert!(s.check("unit_id", Some(3)).is_err());
        assert!(matches!(
            s.found(Some(3), (), "activity"),
            Err(AppError::NotFound(_))
        ));
        assert!(Scope::whole_installation().sees(None));
    }

    #[test]
    fn a_street_sees_the_district_campaign_but_not_a_sibling_streets() {
        let s = street();
        assert!(s.sees_campaign(None));
        assert!(s.sees_campaign(Some(1)));
        assert!(s.sees_campaign(Some(5)));
        assert!(!s.sees_campaign(Some(3)));
    }
}
