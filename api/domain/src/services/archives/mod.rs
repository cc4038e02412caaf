//! The year-end archive (存档): the annual summary frozen as it was filed. The archive
//! keeps the JSON byte for byte as it is served, so anyone can recompute its SHA-256 from
//! what they downloaded, and the narrative, CSV and XLSX as they were. The JSON is the
//! domain's own document ([`v1::Archive`], with [`v2`]'s additions), never an API view. Later edits move the live
//! report, never an archive; [`diff`] names the figures that have moved since.

pub mod v1;
pub mod v2;

use chrono::{DateTime, Utc};
use entity::report_archive;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

use super::{
    Page, PageReq, audit,
    report_turn::ReportTurn,
    reports::{self, AnnualSummary},
    write,
};
use crate::{
    auth::{Actor, sha256_hex},
    clock::AsOf,
    error::{AppError, AppResult},
    policy::Scope,
};

/// What an archive holds, made from the live report at the moment of freezing.
struct Frozen {
    /// The archive's JSON as it will be served.
    body: String,
    narrative: String,
    csv: Vec<u8>,
    xlsx: Vec<u8>,
}

/// The live report of `year` (as of `now`) as an archive's document, stamped as made at
/// `created_at` by `created_by`.
async fn live(
    db: &DatabaseConnection,
    scope: &Scope,
    year: i32,
    created_at: DateTime<Utc>,
    created_by: Option<i64>,
    at: AsOf,
) -> AppResult<(v1::Archive, AnnualSummary)> {
    let turn = ReportTurn::take().await;
    let summary = reports::annual_summary(db, &turn, scope, year, at).await?;
    let document = v1::Archive::of(&summary, created_at, created_by);
    Ok((document, summary))
}

/// Freezes the year's annual summary of a unit (`unit_id`, default the scope's own; the
/// whole installation for an unscoped caller) and its campaigns' targets.
pub async fn freeze(
    db: &DatabaseConnection,
    actor: &Actor,
    (scope, unit_id): (&Scope, Option<i64>),
    year: i32,
    at: AsOf,
) -> AppResult<report_archive::Model> {
    let now = at.now;
    let scope = scope.narrowed_opt(db, unit_id).await?;
    let (document, summary) = live(db, &scope, year, now, Some(actor.id), at).await?;
    let sheets = reports::sheets(&summary);
    let frozen = Frozen {
        body: document.to_json(),
        narrative: reports::narrative(&summary),
        csv: crate::export::csv(&sheets),
        xlsx: crate::export::xlsx(&sheets)?,
    };
    write(db, async |txn| {
        let stored = report_archive::ActiveModel {
            year: Set(year),
            unit_id: Set(scope.root()),
            created_at: Set(now),
            created_by: Set(Some(actor.id)),
            sha256: Set(sha256_hex(&frozen.body)),
            body: Set(frozen.body),
            narrative: Set(frozen.narrative),
            csv: Set(frozen.csv),
            xlsx: Set(frozen.xlsx),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            Some(actor),
            now,
            audit::AuditAction::Archive,
            "annual_report",
            Some(stored.id.to_string()),
            format!(
                "{year} unit={} sha256={}",
                audit::text(&stored.unit_id).unwrap_or_else(|| "whole".into()),
                stored.sha256
            ),
        )
        .await?;
        Ok(stored)
    })
    .await
}

/// One archive as a list shows it: id, year, unit, when, by whom, SHA-256.
pub type Listed = (i64, i32, Option<i64>, DateTime<Utc>, Option<i64>, String);

/// The archives of a year of the units in scope (narrowed to `unit_id` when given), newest
/// first (their files left out). An archive of the whole installation is seen only by an
/// unscoped caller.
pub async fn list(
    db: &impl ConnectionTrait,
    (scope, unit_id): (&Scope, Option<i64>),
    year: i32,
    page: PageReq,
) -> AppResult<Page<Listed>> {
    let scope = scope.filtered(db, "unit_id", unit_id).await?;
    let mut q = report_archive::Entity::find().filter(report_archive::Column::Year.eq(year));
    if unit_id.is_some() {
        q = q.filter(report_archive::Column::UnitId.eq(unit_id));
    } else {
        q = q.filter(scope.condition(report_archive::Column::UnitId));
    }
    let total = q.clone().count(db).await?;
    let items = q
        .select_only()
        .columns([
            report_archive::Column::Id,
            report_archive::Column::Year,
            report_archive::Column::UnitId,
            report_archive::Column::CreatedAt,
            report_archive::Column::CreatedBy,
            report_archive::Column::Sha256,
        ])
        .order_by_desc(report_archive::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .into_tuple()
        .all(db)
        .await?;
    Ok(page.of(items, total))
}

/// An archive of a unit in scope (of the whole installation: for an unscoped caller);
/// any other is 404.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> AppResult<report_archive::Model> {
    let found = report_archive::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("archive"))?;
    let unit = found.unit_id;
    scope.found(unit, found, "archive")
}

/// The figures that differ between archive `id` and the live report of its unit now.
pub async fn diff_live(
    db: &DatabaseConnection,
    scope: &Scope,
    id: i64,
    at: AsOf,
) -> AppResult<Vec<Change>> {
    let a = get(db, scope, id).await?;
    let archived: Value = serde_json::from_str(&a.body)
        .map_err(|e| AppError::Internal(format!("archive {} does not read: {e}", a.id)))?;
    let of_unit = scope.narrowed_opt(db, a.unit_id).await?;
    let (document, _) = live(db, &of_unit, a.year, a.created_at, a.created_by, at).await?;
    let live = serde_json::to_value(&document)
        .map_err(|e| AppError::Internal(format!("the live report does not serialise: {e}")))?;
    Ok(diff(&archived, &live))
}

/// One figure that differs: its path (`summary.mediation.cases`,
/// `targets[0].by_unit[2].pass.count`) and its value in each (absent: `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub archived: Option<Value>,
    pub live: Option<Value>,
}

/// Every leaf that differs between the archived and the live JSON, in document order.
pub fn diff(archived: &Value, live: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk(String::new(), Some(archived), Some(live), &mut out);
    out
}

fn walk(path: String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<Change>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for (k, v) in x {
                walk(join(k), Some(v), y.get(k), out);
            }
            for (k, v) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                walk(join(k), None, Some(v), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(format!("{path}[{i}]"), x.get(i), y.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Change {
            path,
            archived: a.cloned(),
            live: b.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_diff_names_each_changed_leaf() {
        let a =
            json!({"m": {"cases": 5, "amount": 1.5}, "list": [{"n": 1}, {"n": 2}], "same": "x"});
        let b = json!({"m": {"cases": 6, "amount": 1.5}, "list": [{"n": 1}, {"n": 3}, {"n": 4}], "same": "x", "new": 1});
        let paths: Vec<String> = diff(&a, &b).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            ["list[1].n", "list[2]", "m.cases", "new"],
            "keys in order"
        );
        assert!(diff(&a, &a).is_empty());
    }
}
