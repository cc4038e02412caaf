//! The audit log: who changed what, when.

use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{Page, PageReq, fetch_page};
use crate::{auth::Actor, error::AppResult, policy::Scope};

/// Records one change. Call it inside the transaction of the change it records.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    at: DateTime<Utc>,
    action: &str,
    entity: &str,
    entity_id: Option<String>,
    summary: impl Into<String>,
) -> AppResult<()> {
    let who = match actor {
        Some(a) => (Some(a.id), a.username.as_str()),
        None => (None, "system"),
    };
    record_as(db, at, who, action, entity, entity_id, summary).await
}

/// [`record`] for someone who is not a signed-in actor: `who` is the account id, if any,
/// and the name to show (a failed login's username, `system`, `demo`).
pub async fn record_as(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    (actor_id, actor): (Option<i64>, &str),
    action: &str,
    entity: &str,
    entity_id: Option<String>,
    summary: impl Into<String>,
) -> AppResult<()> {
    audit_log::ActiveModel {
        at: Set(at),
        actor_id: Set(actor_id),
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id),
        summary: Set(summary.into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// How personal information left the system (个人信息保护法: every bulk read and export
/// is traceable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// A file was downloaded (`action = "export"`).
    Export,
    /// A list of more than one person was read (`action = "read_people"`).
    ReadPeople,
}

/// A read or an export of people's records, as the audit log states it.
pub struct Disclosed<'a> {
    pub kind: Disclosure,
    /// What was read (`targets`, `missing`, `users`…).
    pub what: &'a str,
    /// The filters the request used, by name; those not given are left out.
    pub filters: &'a [(&'a str, Option<String>)],
    pub rows: usize,
}

/// A filter's fields by name, as an audit entry states them (those not given: `None`).
pub type FilterPairs = Vec<(&'static str, Option<String>)>;

/// A filter value as an audit entry writes it.
pub fn text(v: &Option<impl ToString>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

/// `name=value` pairs of the filters given, or `no filter`.
pub fn filter_text(filters: &[(&str, Option<String>)]) -> String {
    let text = filters
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        "no filter".into()
    } else {
        text
    }
}

/// Records who exported or read a list of people: what, with which filters, how many rows.
pub async fn disclosed(
    db: &impl ConnectionTrait,
    actor: &Actor,
    at: DateTime<Utc>,
    d: Disclosed<'_>,
) -> AppResult<()> {
    let action = match d.kind {
        Disclosure::Export => "export",
        Disclosure::ReadPeople => "read_people",
    };
    let summary = format!("{}; {} rows", filter_text(d.filters), d.rows);
    record(db, Some(actor), at, action, d.what, None, summary).await
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Newest first.
/// Entries of accounts of units in scope (for a scoped reader, the system's and anonymous
/// callers' entries are outside it), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: AuditFilter,
    page: PageReq,
) -> AppResult<Page<audit_log::Model>> {
    let mut query =
        audit_log::Entity::find().filter(scope.people_condition(audit_log::Column::ActorId));
    if let Some(id) = filter.actor_id {
        query = query.filter(audit_log::Column::ActorId.eq(id));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(entity) = filter.entity {
        query = query.filter(audit_log::Column::Entity.eq(entity));
    }
    if let Some(entity_id) = filter.entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(entity_id));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::At.lt(until));
    }
    fetch_page(db, query.order_by_desc(audit_log::Column::Id), page).await
}
