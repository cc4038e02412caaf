//! The audit log: who changed what, when.

use chrono::{DateTime, Utc};
use entity::{audit_log, setting};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
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
        Login => ("login", "登录"),
        LoginFailed => ("login_failed", "登录失败"),
        Logout => ("logout", "退出登录"),
        PasswordChange => ("password_change", "修改密码"),
        PasswordReset => ("password_reset", "重置密码"),
        Unlock => ("unlock", "解除登录锁定"),
        /// An exam attempt moved to another device.
        Takeover => ("takeover", "接管考试"),
        TotpEnable => ("totp_enable", "绑定双因素认证"),
        TotpDisable => ("totp_disable", "解除双因素认证"),
        TotpReset => ("totp_reset", "重置双因素认证"),
        SeparateDuties => ("separate_duties", "三权分立"),
        Prune => ("prune", "清理过期日志"),
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
    ("attempt", "考试"),
    ("attempts", "考试记录"),
    ("audit_log", "审计日志"),
    ("campaign", "学法活动"),
    ("course", "课程"),
    ("decision_review", "重大行政决策合法性审查"),
    ("demo", "演示数据"),
    ("enrollment", "参学人员"),
    ("inspection", "行政执法检查"),
    ("law_report", "述职述法"),
    ("law_task", "法治建设任务"),
    ("law_task_note", "任务自查记录"),
    ("legal_adviser", "法律顾问和公职律师"),
    ("legal_service", "公共法律服务"),
    ("mediation_case", "人民调解"),
    ("missing", "未达标名单"),
    ("petition", "信访"),
    ("pufa_duty", "普法责任清单"),
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
///
/// The entry joins the hash chain: it is inserted (which, on SQLite, takes the write lock
/// until the transaction ends; on PostgreSQL the chain's advisory lock is taken first and
/// held until commit), then hashed with the entry before it. Call it inside the
/// transaction of the change it records.
pub async fn record_as(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    (actor_id, actor): (Option<i64>, &str),
    action: AuditAction,
    entity: &str,
    entity_id: Option<String>,
    summary: impl Into<String>,
) -> AppResult<()> {
    use chrono::SubsecRound;
    crate::db::lock_named(db, AUDIT_CHAIN_LOCK).await?;
    let entry = audit_log::ActiveModel {
        // Microseconds: what both databases keep, so the hash reads back the same.
        at: Set(at.trunc_subsecs(6)),
        actor_id: Set(actor_id),
        actor: Set(actor.to_owned()),
        action: Set(action.key().to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id),
        summary: Set(summary.into()),
        hash: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let previous = previous_hash(db, entry.id).await?;
    let hash = chain_hash(&previous, &entry);
    audit_log::Entity::update_many()
        .col_expr(audit_log::Column::Hash, Expr::value(hash))
        .filter(audit_log::Column::Id.eq(entry.id))
        .exec(db)
        .await?;
    Ok(())
}

/// [`crate::db::lock_named`] key of the audit chain.
pub const AUDIT_CHAIN_LOCK: i64 = 0x7875_6566_6102;
/// The settings row holding the hash of the last pruned entry (`{id} {hash}`), where
/// the remaining chain starts.
const ANCHOR_KEY: &str = "audit_chain_anchor";

/// SHA-256 (hex) over the previous entry's hash and every field of this one, written as
/// one JSON array so no two different entries read the same.
pub fn chain_hash(previous: &str, e: &audit_log::Model) -> String {
    let content = serde_json::json!([
        previous,
        e.id,
        e.at.timestamp_micros(),
        e.actor_id,
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.summary,
    ]);
    crate::auth::sha256_hex(&content.to_string())
}

/// The hash the entry after `id`'s predecessor chains from: the entry before `id`, else
/// the anchor left by pruning, else nothing.
async fn previous_hash(db: &impl ConnectionTrait, id: i64) -> AppResult<String> {
    let before = audit_log::Entity::find()
        .filter(audit_log::Column::Id.lt(id))
        .order_by_desc(audit_log::Column::Id)
        .one(db)
        .await?;
    match before {
        Some(entry) => Ok(entry.hash.unwrap_or_default()),
        None => Ok(anchor(db).await?.map(|(_, h)| h).unwrap_or_default()),
    }
}

async fn anchor(db: &impl ConnectionTrait) -> AppResult<Option<(i64, String)>> {
    let row = setting::Entity::find_by_id(ANCHOR_KEY.to_owned())
        .one(db)
        .await?;
    Ok(row.and_then(|r| {
        let (id, hash) = r.value.split_once(' ')?;
        Some((id.parse().ok()?, hash.to_owned()))
    }))
}

/// What `xuefa audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// Every entry matches; the hash of the last one (the head), to note down.
    Intact { checked: u64, head: String },
    /// The first entry that does not match, and why.
    Broken {
        checked: u64,
        id: i64,
        reason: String,
    },
}

/// Walks the chain from the anchor (or the start) in id order, recomputing every hash.
pub async fn verify(db: &DatabaseConnection) -> AppResult<Verified> {
    let anchor = anchor(db).await?;
    let mut previous = anchor.as_ref().map(|(_, h)| h.clone()).unwrap_or_default();
    let mut after = anchor.as_ref().map_or(0, |(id, _)| *id);
    let mut checked = 0u64;
    loop {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(after))
            .order_by_asc(audit_log::Column::Id)
            .limit(2000)
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.id;
        for entry in batch {
            let expected = chain_hash(&previous, &entry);
            let reason = match &entry.hash {
                None => Some("it has no hash (added outside xuefa)".to_owned()),
                Some(h) if *h != expected => Some(
                    "its hash does not match its content and the entry before it \
                     (it, or the entry before it, was changed or removed)"
                        .to_owned(),
                ),
                Some(_) => None,
            };
            if let Some(reason) = reason {
                return Ok(Verified::Broken {
                    checked,
                    id: entry.id,
                    reason,
                });
            }
            checked += 1;
            previous = expected;
        }
    }
    Ok(Verified::Intact {
        checked,
        head: previous,
    })
}

/// Hashes the entries written before the chain existed (an upgraded installation's),
/// in order after the last hashed one. Run at start; an unhashed entry *between* hashed
/// ones is left for `verify` to report.
pub async fn seal_unchained(db: &DatabaseConnection) -> AppResult<u64> {
    let txn = crate::db::begin_write(db).await?;
    crate::db::lock_named(&txn, AUDIT_CHAIN_LOCK).await?;
    let last_hashed = audit_log::Entity::find()
        .filter(audit_log::Column::Hash.is_not_null())
        .order_by_desc(audit_log::Column::Id)
        .one(&txn)
        .await?;
    let (mut previous, after) = match last_hashed {
        Some(e) => (e.hash.unwrap_or_default(), e.id),
        None => (anchor(&txn).await?.map(|(_, h)| h).unwrap_or_default(), 0),
    };
    let unhashed = audit_log::Entity::find()
        .filter(audit_log::Column::Id.gt(after))
        .filter(audit_log::Column::Hash.is_null())
        .order_by_asc(audit_log::Column::Id)
        .all(&txn)
        .await?;
    let sealed = unhashed.len() as u64;
    for entry in unhashed {
        let hash = chain_hash(&previous, &entry);
        audit_log::Entity::update_many()
            .col_expr(audit_log::Column::Hash, Expr::value(hash.clone()))
            .filter(audit_log::Column::Id.eq(entry.id))
            .exec(&txn)
            .await?;
        previous = hash;
    }
    txn.commit().await?;
    Ok(sealed)
}

/// Deletes the entries older than `retention_days` (never fewer than the 180-day floor),
/// keeping the chain checkable: the last deleted entry's hash becomes the anchor the
/// remaining chain starts from, and the pruning is itself an entry. Returns how many
/// entries went.
pub async fn prune(
    db: &DatabaseConnection,
    retention_days: u32,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let days = retention_days.max(crate::security::AUDIT_RETENTION_FLOOR_DAYS);
    let cutoff = now - chrono::Duration::days(days as i64);
    let txn = crate::db::begin_write(db).await?;
    crate::db::lock_named(&txn, AUDIT_CHAIN_LOCK).await?;
    let last_old = audit_log::Entity::find()
        .filter(audit_log::Column::At.lt(cutoff))
        .order_by_desc(audit_log::Column::Id)
        .one(&txn)
        .await?;
    let Some(last_old) = last_old else {
        txn.rollback().await?;
        return Ok(0);
    };
    let hash = last_old.hash.clone().unwrap_or_default();
    let gone = audit_log::Entity::delete_many()
        .filter(audit_log::Column::Id.lte(last_old.id))
        .exec(&txn)
        .await?
        .rows_affected;
    let value = format!("{} {hash}", last_old.id);
    setting::Entity::insert(setting::ActiveModel {
        key: Set(ANCHOR_KEY.into()),
        value: Set(value.clone()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(setting::Column::Key)
            .update_column(setting::Column::Value)
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    record_as(
        &txn,
        now,
        (None, "system"),
        AuditAction::Prune,
        "audit_log",
        None,
        format!(
            "{gone} entries older than {days} days pruned (up to entry {}); the chain continues from hash {hash}",
            last_old.id
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(gone)
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
    db: &DatabaseConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    d: Disclosed<'_>,
) -> AppResult<()> {
    let action = match d.kind {
        Disclosure::Export => AuditAction::Export,
        Disclosure::ReadPeople => AuditAction::ReadPeople,
    };
    let summary = format!("{}; {} rows", filter_text(d.filters), d.rows);
    crate::db::write(db, async |txn| {
        record(txn, Some(actor), at, action, d.what, None, summary).await
    })
    .await
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
