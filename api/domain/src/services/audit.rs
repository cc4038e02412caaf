//! The audit log: who changed what, when.

use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{Page, PageReq, fetch_page};
use crate::{auth::Actor, error::AppResult, policy::Scope};

entity::keyed_enum!(
    /// What an audit entry records, with the name the audit log shows.
    AuditAction {
        Create => ("create", "新建"),
        Update => ("update", "修改"),
        Delete => ("delete", "删除"),
        /// A question that exams drew is kept, retired, not deleted.
        Retire => ("retire", "停用"),
        Import => ("import", "导入"),
        Enroll => ("enroll", "报名"),
        Exempt => ("exempt", "免考"),
        Unenroll => ("unenroll", "移出名单"),
        Remind => ("remind", "提醒"),
        Archive => ("archive", "存档"),
        LoginFailed => ("login_failed", "登录失败"),
        PasswordChange => ("password_change", "修改密码"),
        RoleChange => ("role_change", "角色变更"),
        ScopeChange => ("scope_change", "管理范围变更"),
        Export => ("export", "导出"),
        ReadPeople => ("read_people", "查阅人员信息"),
        Load => ("load", "载入演示数据"),
    }
);

/// What the log's `entity` names, in Chinese: records, and the lists read or exported.
pub const ENTITIES: &[(&str, &str)] = &[
    ("activity", "普法活动"),
    ("annual_report", "年度总结"),
    ("attempts", "考试记录"),
    ("audit_log", "审计日志"),
    ("campaign", "学法活动"),
    ("course", "课程"),
    ("demo", "演示数据"),
    ("enrollment", "参学人员"),
    ("inspection", "行政执法检查"),
    ("legal_service", "公共法律服务"),
    ("mediation_case", "人民调解"),
    ("missing", "未达标名单"),
    ("petition", "信访"),
    ("question", "试题"),
    ("roster", "花名册"),
    ("screening", "矛盾纠纷排查"),
    ("study_sessions", "学习记录"),
    ("targets", "四率统计"),
    ("unit", "单位"),
    ("user", "账号"),
    ("users", "人员名单"),
];

/// The Chinese name of an entity (its key when it has none).
pub fn entity_name(key: &str) -> &str {
    ENTITIES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, name)| name)
}

/// Records one change. Call it inside the transaction of the change it records.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    at: DateTime<Utc>,
    action: AuditAction,
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
    action: AuditAction,
    entity: &str,
    entity_id: Option<String>,
    summary: impl Into<String>,
) -> AppResult<()> {
    audit_log::ActiveModel {
        at: Set(at),
        actor_id: Set(actor_id),
        actor: Set(actor.to_owned()),
        action: Set(action.key().to_owned()),
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
        Disclosure::Export => AuditAction::Export,
        Disclosure::ReadPeople => AuditAction::ReadPeople,
    };
    let summary = format!("{}; {} rows", filter_text(d.filters), d.rows);
    record(db, Some(actor), at, action, d.what, None, summary).await
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    /// The acting account's username, exactly.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// The filter as an audit entry states it (an export of the log is itself logged).
    pub fn audit_pairs(&self) -> FilterPairs {
        vec![
            ("actor_id", text(&self.actor_id)),
            ("actor", self.actor.clone()),
            ("action", self.action.clone()),
            ("entity", self.entity.clone()),
            ("entity_id", self.entity_id.clone()),
            ("since", self.since.map(|t| t.to_rfc3339())),
            ("until", self.until.map(|t| t.to_rfc3339())),
        ]
    }
}

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
    if let Some(actor) = filter.actor {
        query = query.filter(audit_log::Column::Actor.eq(actor));
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
