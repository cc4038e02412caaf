//! The rest of the 法治政府建设 report, kept as ledgers: each record's table and rules.

use chrono::{Datelike, NaiveDate};
use entity::{decision_review, law_report, law_task, legal_adviser, pufa_duty, user};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter};

use super::{
    LawTaskStatus, Ledger, Problem, ReviewResult, check_count, check_past,
    kinds::{check_notes, ledger_table},
};
use crate::{
    error::{AppResult, Clash, Code, FieldError, Thing},
    services::courses::check_text,
};

/// A plan's or a list's year: from 2000 to next year (next year's plan is written in
/// December).
fn check_plan_year(errors: &mut Vec<FieldError>, year: i32, today: NaiveDate) {
    if !(2000..=today.year() + 1).contains(&year) {
        errors.push(FieldError::out_of_range(
            "year",
            2000,
            (today.year() + 1).into(),
        ));
    }
}

/// 任务分解表: one task of the year's plan. Overdue: not done and past `due_on`.
pub struct LawTasks;

impl Ledger for LawTasks {
    ledger_table!(law_task, "law_task", unit_id / UnitId, of_year due_on / DueOn);

    fn check(m: &law_task::Model, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_plan_year(&mut errors, m.year, today);
        check_text(&mut errors, "title", &m.title, true, 200);
        check_text(&mut errors, "lead", &m.lead, false, 100);
        if m.due_on.year() < 2000 {
            errors.push(FieldError::too_early("due_on", "2000-01-01"));
        }
        match (m.status, m.done_on) {
            (LawTaskStatus::Done, None) => errors.push(FieldError::required("done_on")),
            (LawTaskStatus::Done, Some(done)) => check_past(&mut errors, "done_on", done, today),
            (_, Some(_)) => errors.push(
                FieldError::new(
                    "done_on",
                    Code::OnlyForKind,
                    "done_on is only for a task that is done",
                )
                .with(|p| p.kind = Some(LawTaskStatus::Done.key().to_owned())),
            ),
            (_, None) => {}
        }
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &law_task::Model) -> String {
        format!("{} {} {} due {}", m.year, m.title, m.status, m.due_on)
    }

    fn in_year(year: i32, _: NaiveDate, _: NaiveDate) -> Condition {
        Condition::all().add(law_task::Column::Year.eq(year))
    }
}

/// 重大行政决策合法性审查: a decision submitted for review, what the review found, and
/// what was decided.
pub struct DecisionReviews;

impl Ledger for DecisionReviews {
    ledger_table!(
        decision_review,
        "decision_review",
        unit_id / UnitId,
        submitted_on / SubmittedOn
    );

    fn check(m: &decision_review::Model, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_text(&mut errors, "title", &m.title, true, 200);
        if let Some(decided) = m.decided_on {
            if decided < m.submitted_on {
                errors.push(FieldError::before_field(
                    "decided_on",
                    "submitted_on",
                    "a decision cannot be taken before it was submitted for review",
                ));
            } else {
                check_past(&mut errors, "decided_on", decided, today);
            }
        }
        if m.result.is_some() && m.reviewer.is_none() {
            errors.push(FieldError::required("reviewer"));
        }
        if m.adopted {
            if m.result == Some(ReviewResult::Unlawful) {
                errors.push(FieldError::new(
                    "adopted",
                    Code::UnlawfulAdopted,
                    "a decision the review found unlawful cannot be adopted",
                ));
            }
            if m.decided_on.is_none() {
                errors.push(FieldError::required("decided_on"));
            }
        }
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &decision_review::Model) -> String {
        let result = m.result.map_or("unreviewed", |r| r.key());
        format!(
            "{} {} {result} adopted={}",
            m.submitted_on, m.title, m.adopted
        )
    }
}

/// 法律顾问 and 公职律师: who served a unit, from when to when.
pub struct LegalAdvisers;

impl Ledger for LegalAdvisers {
    ledger_table!(
        legal_adviser,
        "legal_adviser",
        unit_id / UnitId,
        since / Since
    );

    fn check(m: &legal_adviser::Model, _today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_text(&mut errors, "name", &m.name, true, 50);
        if m.until.is_some_and(|until| until < m.since) {
            errors.push(FieldError::before_field(
                "until",
                "since",
                "must not be before",
            ));
        }
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &legal_adviser::Model) -> String {
        let until = m.until.map_or(String::new(), |u| u.to_string());
        format!("{} {} {}–{until}", m.name, m.kind, m.since)
    }

    /// Those serving at any time of the year.
    fn in_year(_: i32, first: NaiveDate, next: NaiveDate) -> Condition {
        Condition::all()
            .add(legal_adviser::Column::Since.lt(next))
            .add(
                Condition::any()
                    .add(legal_adviser::Column::Until.is_null())
                    .add(legal_adviser::Column::Until.gte(first)),
            )
    }
}

/// 述职述法: a leading cadre's report of a year, at most one a year; its unit is the
/// cadre's.
pub struct LawReports;

impl Ledger for LawReports {
    type Entity = law_report::Entity;
    type Model = law_report::Model;
    type Active = law_report::ActiveModel;
    type Column = law_report::Column;
    const NAME: &'static str = "law_report";
    /// The unit follows the cadre: a scope refusal names the field the client sent.
    const UNIT_FIELD: &'static str = "user_id";
    const DATE_FIELD: &'static str = "held_on";
    const ID: law_report::Column = law_report::Column::Id;
    const UNIT: law_report::Column = law_report::Column::UnitId;
    const DATE: law_report::Column = law_report::Column::HeldOn;
    const CREATED_BY: law_report::Column = law_report::Column::CreatedBy;
    const CREATED_AT: law_report::Column = law_report::Column::CreatedAt;
    const UPDATED_AT: law_report::Column = law_report::Column::UpdatedAt;
    const DELETED_AT: law_report::Column = law_report::Column::DeletedAt;

    fn id(m: &law_report::Model) -> i64 {
        m.id
    }
    fn unit_id(m: &law_report::Model) -> i64 {
        m.unit_id
    }
    fn date(m: &law_report::Model) -> Option<NaiveDate> {
        Some(m.held_on)
    }

    fn check(m: &law_report::Model, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !(2000..=today.year()).contains(&m.year) {
            errors.push(FieldError::out_of_range("year", 2000, today.year().into()));
        } else if m.held_on.year() < m.year {
            errors.push(FieldError::too_early(
                "held_on",
                format!("{}-01-01", m.year),
            ));
        }
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &law_report::Model) -> String {
        format!("{} user={} {} {}", m.year, m.user_id, m.form, m.held_on)
    }

    fn in_year(year: i32, _: NaiveDate, _: NaiveDate) -> Condition {
        Condition::all().add(law_report::Column::Year.eq(year))
    }

    /// The cadre exists and leads (`is_leader`), has a unit (the record's), and has no
    /// other report that year.
    async fn prepare(
        db: &DatabaseTransaction,
        m: &mut law_report::Model,
    ) -> AppResult<Vec<Problem>> {
        let Some(cadre) = user::Entity::find_by_id(m.user_id).one(db).await? else {
            return Ok(vec![Problem::Invalid(FieldError::not_found(
                "user_id",
                Thing::Account,
                vec![m.user_id.to_string()],
            ))]);
        };
        let Some(unit_id) = cadre.unit_id else {
            return Ok(vec![Problem::Invalid(FieldError::not_part_of(
                "user_id",
                Thing::Unit,
                "the cadre belongs to no unit",
            ))]);
        };
        m.unit_id = unit_id;
        m.user_name = cadre.name.clone();
        if !cadre.is_leader {
            return Ok(vec![Problem::Clash(
                Clash::NotALeader,
                FieldError::new(
                    "user_id",
                    Code::NotALeader,
                    format!("{} is not a leading cadre", cadre.name),
                ),
            )]);
        }
        let other = law_report::Entity::find()
            .filter(law_report::Column::UserId.eq(m.user_id))
            .filter(law_report::Column::Year.eq(m.year))
            .filter(law_report::Column::DeletedAt.is_null())
            .filter(law_report::Column::Id.ne(m.id))
            .one(db)
            .await?;
        Ok(other
            .map(|_| {
                Problem::Clash(
                    Clash::AlreadyReported,
                    FieldError::not_unique(
                        "year",
                        format!("{} already has a report for {}", cadre.name, m.year),
                        vec![m.year.to_string()],
                    ),
                )
            })
            .into_iter()
            .collect())
    }
}

/// 普法责任清单: one duty of a unit for a year ("谁执法、谁普法").
pub struct PufaDuties;

impl Ledger for PufaDuties {
    ledger_table!(pufa_duty, "pufa_duty", unit_id / UnitId, of_year year / Year);

    fn check(m: &pufa_duty::Model, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_plan_year(&mut errors, m.year, today);
        check_text(&mut errors, "law", &m.law, true, 100);
        check_text(&mut errors, "audience", &m.audience, false, 200);
        check_text(&mut errors, "actions", &m.actions, false, 2000);
        check_count(&mut errors, "cases_explained", m.cases_explained, 0);
        check_notes(&mut errors, &m.notes);
        errors
    }

    fn describe(m: &pufa_duty::Model) -> String {
        format!(
            "{} {} {} cases {}",
            m.year, m.law, m.status, m.cases_explained
        )
    }

    fn in_year(year: i32, _: NaiveDate, _: NaiveDate) -> Condition {
        Condition::all().add(pufa_duty::Column::Year.eq(year))
    }
}
