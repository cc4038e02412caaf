//! A year's figures from the rest of the 法治政府建设 report's records, and the leading
//! cadres still without a 述职述法.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::{law_report, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{
    AdviserKind, ByKey, DecisionReviews, DutyStatus, LawReports, LawTaskStatus, LawTasks,
    LegalAdvisers, Level, PufaDuties, ReportForm, ReviewResult, of_year,
};
use crate::{error::AppResult, policy::Scope};

/// 任务分解表: the year's tasks; overdue = not done and past `due_on` as of today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tasks {
    pub total: u64,
    pub done: u64,
    pub overdue: u64,
}

/// 重大行政决策: the decisions submitted for review in the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decisions {
    pub total: u64,
    /// Those with a review result.
    pub reviewed: u64,
    pub by_result: ByKey<ReviewResult, u64>,
    pub adopted: u64,
    /// Decided (`decided_on`) with no review result: taken without a legality review.
    pub decided_unreviewed: u64,
    /// Neither reviewed nor decided yet.
    pub pending: u64,
}

/// 法律顾问 and 公职律师 serving at any time of the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Advisers {
    pub legal_advisers: u64,
    pub public_lawyers: u64,
}

/// 述职述法: leading cadres (active, in scope, now) and the year's reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reports {
    pub leaders: u64,
    pub reported: u64,
    pub on_site: u64,
    /// Leading cadres in scope with no report of the year.
    pub missing: u64,
}

/// 普法责任清单: the year's duties.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Duties {
    /// Units with at least one duty.
    pub units: u64,
    pub items: u64,
    pub done: u64,
    pub cases_explained: u64,
}

/// The five sections of one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawFigures {
    pub tasks: Tasks,
    pub decisions: Decisions,
    pub advisers: Advisers,
    pub law_reports: Reports,
    pub duties: Duties,
}

/// The year's figures over `scope` (records not deleted).
pub async fn of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    year: i32,
    today: NaiveDate,
    levels: &HashMap<i64, Level>,
) -> AppResult<LawFigures> {
    let mut tasks = Tasks::default();
    for t in of_year::<LawTasks>(db, scope, year, levels).await? {
        tasks.total += 1;
        if t.model.status == LawTaskStatus::Done {
            tasks.done += 1;
        } else if t.model.due_on < today {
            tasks.overdue += 1;
        }
    }
    let mut decisions = Decisions {
        total: 0,
        reviewed: 0,
        by_result: ByKey::new(ReviewResult::ALL),
        adopted: 0,
        decided_unreviewed: 0,
        pending: 0,
    };
    for d in of_year::<DecisionReviews>(db, scope, year, levels).await? {
        let d = d.model;
        decisions.total += 1;
        decisions.adopted += u64::from(d.adopted);
        match (d.result, d.decided_on) {
            (Some(result), _) => {
                decisions.reviewed += 1;
                *decisions.by_result.at(result) += 1;
            }
            (None, Some(_)) => decisions.decided_unreviewed += 1,
            (None, None) => decisions.pending += 1,
        }
    }
    let mut advisers = Advisers::default();
    for a in of_year::<LegalAdvisers>(db, scope, year, levels).await? {
        match a.model.kind {
            AdviserKind::LegalAdviser => advisers.legal_advisers += 1,
            AdviserKind::PublicLawyer => advisers.public_lawyers += 1,
        }
    }
    let leading = leaders(db, scope, None).await?;
    let reported = reported_users(db, year).await?;
    let mut law_reports = Reports {
        leaders: leading.len() as u64,
        missing: leading.iter().filter(|u| !reported.contains(&u.id)).count() as u64,
        ..Reports::default()
    };
    for r in of_year::<LawReports>(db, scope, year, levels).await? {
        law_reports.reported += 1;
        law_reports.on_site += u64::from(r.model.form == ReportForm::OnSite);
    }
    let mut duties = Duties::default();
    let mut units = HashSet::new();
    for d in of_year::<PufaDuties>(db, scope, year, levels).await? {
        units.insert(d.model.unit_id);
        duties.items += 1;
        duties.done += u64::from(d.model.status == DutyStatus::Done);
        duties.cases_explained += d.model.cases_explained.max(0) as u64;
    }
    duties.units = units.len() as u64;
    Ok(LawFigures {
        tasks,
        decisions,
        advisers,
        law_reports,
        duties,
    })
}

/// The active leading cadres of the units in `scope` (narrowed to `unit_id`'s subtree
/// when given), by name.
async fn leaders(
    db: &impl ConnectionTrait,
    scope: &Scope,
    unit_id: Option<i64>,
) -> AppResult<Vec<user::Model>> {
    let within = scope.filtered(db, "unit_id", unit_id).await?;
    Ok(user::Entity::find()
        .filter(user::Column::IsLeader.eq(true))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::UnitId.is_not_null())
        .filter(within.condition(user::Column::UnitId))
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

/// Who has a 述职述法 (not deleted) for `year`.
async fn reported_users(db: &impl ConnectionTrait, year: i32) -> AppResult<HashSet<i64>> {
    Ok(law_report::Entity::find()
        .select_only()
        .column(law_report::Column::UserId)
        .filter(law_report::Column::Year.eq(year))
        .filter(law_report::Column::DeletedAt.is_null())
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The leading cadres in scope (and in `unit_id`'s subtree) with no 述职述法 for `year`.
pub async fn missing_reports(
    db: &impl ConnectionTrait,
    scope: &Scope,
    year: i32,
    unit_id: Option<i64>,
) -> AppResult<Vec<user::Model>> {
    let reported = reported_users(db, year).await?;
    Ok(leaders(db, scope, unit_id)
        .await?
        .into_iter()
        .filter(|u| !reported.contains(&u.id))
        .collect())
}
