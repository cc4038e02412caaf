//! The rest of the 法治政府建设 report, kept on the ledgers' shape: `/law-tasks` (the
//! 任务分解表, with its 自查 `notes`), `/decision-reviews`, `/legal-advisers`,
//! `/law-reports` (述职述法, with the leaders still `missing`) and `/pufa-duties`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::{decision_review, law_report, law_task, law_task_note, legal_adviser, pufa_duty};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{
    Deleted, LedgerFile, LedgerImportResponse, Listed, Resource, Saved, create, date, date_opt,
    delete, get, import, list, update,
};
use crate::{
    auth::BearerAuth,
    error::{ApiResult, AppError},
    middleware::Charset,
    routes::ApiTags,
    validate::Checked,
    views::{
        enums::{
            AdviserKind, DecisionCategory, DutyStatus, LawTaskCategory, LawTaskStatus, Level,
            ReportForm, ReportRating, ReviewResult, Reviewer,
        },
        paging::{Page, PageParam, PerPageParam, page_req},
        text::{Clearable, Text},
    },
};
use domain::{
    policy::{self, Action},
    services::{
        audit::{Disclosed, Disclosure},
        ledgers::{
            DecisionReviews, LawReports, LawTasks, LegalAdvisers, PufaDuties, Record, law_figures,
            tasks,
        },
    },
    state::AppState,
};

/// Sets `$m.$field` from each `Option` given (absent fields stay).
macro_rules! set_given {
    ($m:ident; $($field:ident = $value:expr),* $(,)?) => {
        $(if let Some(v) = $value {
            $m.$field = v;
        })*
    };
}

fn trimmed(t: Text) -> String {
    t.trim().to_owned()
}

/// A nullable date of a PATCH: absent keeps, `null` clears.
fn date_change(
    field: &str,
    raw: Clearable<Text>,
    tz: FixedOffset,
) -> Result<Option<Option<NaiveDate>>, AppError> {
    raw.into_change()
        .map(|v| v.map(|r| date(field, &r, tz)).transpose())
        .transpose()
}

// ---- 任务分解表 ----

/// One task of the year's 法治政府建设 plan (任务分解表). Overdue when not `done` and
/// past `due_on`.
#[derive(Debug, Object)]
pub struct LawTaskView {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub category: LawTaskCategory,
    /// The unit responsible (责任单位).
    pub unit_id: i64,
    pub level: Level,
    /// Who leads it (牵头领导 or 责任人).
    pub lead: String,
    pub due_on: NaiveDate,
    pub status: LawTaskStatus,
    pub done_on: Option<NaiveDate>,
    /// The 自查 notes kept on it (`GET /law-tasks/{id}/notes`), and the latest one's day.
    pub note_count: i32,
    pub last_note_on: Option<NaiveDate>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<law_task::Model>> for LawTaskView {
    fn from(r: Record<law_task::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            year: m.year,
            title: m.title,
            category: m.category.into(),
            unit_id: m.unit_id,
            level: r.level.into(),
            lead: m.lead,
            due_on: m.due_on,
            status: m.status.into(),
            done_on: m.done_on,
            note_count: m.note_count,
            last_note_on: m.last_note_on,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new task: `year` from 2000 to next year; `done` needs `done_on` (not in the
/// future), and only `done` has one.
#[derive(Debug, Object)]
pub struct CreateLawTask {
    pub year: i32,
    #[oai(validator(max_length = 200))]
    pub title: Text,
    pub category: LawTaskCategory,
    pub unit_id: i64,
    #[oai(default, validator(max_length = 100))]
    pub lead: Text,
    #[oai(validator(max_length = 40))]
    pub due_on: Text,
    /// `planned` when absent.
    pub status: Option<LawTaskStatus>,
    #[oai(validator(max_length = 40))]
    pub done_on: Option<Text>,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to a task; absent fields stay, `done_on: null` clears it.
#[derive(Debug, Object)]
pub struct UpdateLawTask {
    pub year: Option<i32>,
    #[oai(validator(max_length = 200))]
    pub title: Option<Text>,
    pub category: Option<LawTaskCategory>,
    pub unit_id: Option<i64>,
    #[oai(validator(max_length = 100))]
    pub lead: Option<Text>,
    #[oai(validator(max_length = 40))]
    pub due_on: Option<Text>,
    pub status: Option<LawTaskStatus>,
    #[oai(validator(max_length = 40))]
    pub done_on: Clearable<Text>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct LawTaskResource;

impl Resource for LawTaskResource {
    type L = LawTasks;
    type View = LawTaskView;
    type Create = CreateLawTask;
    type Update = UpdateLawTask;

    fn build(
        b: CreateLawTask,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<law_task::Model, AppError> {
        Ok(law_task::Model {
            id: 0,
            year: b.year,
            title: trimmed(b.title),
            category: b.category.into(),
            unit_id: b.unit_id,
            lead: trimmed(b.lead),
            due_on: date("due_on", &b.due_on, tz)?,
            status: b.status.map_or(
                domain::services::ledgers::LawTaskStatus::Planned,
                Into::into,
            ),
            done_on: date_opt("done_on", b.done_on, tz)?,
            note_count: 0,
            last_note_on: None,
            notes: trimmed(b.notes),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateLawTask,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut law_task::Model) + Send, AppError> {
        let due_on = date_opt("due_on", b.due_on, tz)?;
        let done_on = date_change("done_on", b.done_on, tz)?;
        Ok(move |m: &mut law_task::Model| {
            set_given!(m;
                year = b.year,
                title = b.title.map(trimmed),
                category = b.category.map(Into::into),
                unit_id = b.unit_id,
                lead = b.lead.map(trimmed),
                due_on = due_on,
                status = b.status.map(Into::into),
                done_on = done_on,
                notes = b.notes.map(trimmed),
            );
        })
    }
}

ledger_api!(
    LawTasksApi, LawTaskResource, tag: "ApiTags::LawRecords",
    paths: "/law-tasks", "/law-tasks/:id", "/law-tasks/import",
    ids: "listLawTasks", "createLawTask", "getLawTask",
        "updateLawTask", "deleteLawTask", "importLawTasks",
    docs: "List the tasks of the 任务分解表 (admin, judicial, hr), by due date, latest first; `year` is the plan's year.",
        "Add a task to the 任务分解表 (admin, judicial).",
        "One task (admin, judicial, hr).",
        "Change a task (admin, judicial): its status, due date, the day it was done.",
        "Delete a task (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import tasks from CSV (admin, judicial), all or nothing. Columns: year/年度, title/任务, category/类别, unit_id/责任单位 (unit name or id), lead/牵头领导, due_on/完成时限, status/进度 (未开始 when empty), done_on/完成日期, notes/备注.",
);

// ---- 重大行政决策合法性审查 ----

/// A major administrative decision's legality review (重大行政决策合法性审查).
#[derive(Debug, Object)]
pub struct DecisionReviewView {
    pub id: i64,
    pub title: String,
    pub unit_id: i64,
    pub level: Level,
    pub category: DecisionCategory,
    pub submitted_on: NaiveDate,
    /// `null` while not reviewed.
    pub reviewer: Option<Reviewer>,
    pub result: Option<ReviewResult>,
    pub decided_on: Option<NaiveDate>,
    pub adopted: bool,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<decision_review::Model>> for DecisionReviewView {
    fn from(r: Record<decision_review::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            title: m.title,
            unit_id: m.unit_id,
            level: r.level.into(),
            category: m.category.into(),
            submitted_on: m.submitted_on,
            reviewer: m.reviewer.map(Into::into),
            result: m.result.map(Into::into),
            decided_on: m.decided_on,
            adopted: m.adopted,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A decision submitted for review. A `result` needs its `reviewer`; `decided_on` is not
/// before `submitted_on`; `adopted` needs `decided_on` and is refused (422
/// `unlawful_adopted`) when the review found it `unlawful`.
#[derive(Debug, Object)]
pub struct CreateDecisionReview {
    #[oai(validator(max_length = 200))]
    pub title: Text,
    pub unit_id: i64,
    pub category: DecisionCategory,
    #[oai(validator(max_length = 40))]
    pub submitted_on: Text,
    pub reviewer: Option<Reviewer>,
    pub result: Option<ReviewResult>,
    #[oai(validator(max_length = 40))]
    pub decided_on: Option<Text>,
    #[oai(default)]
    pub adopted: bool,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to a decision's review; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Object)]
pub struct UpdateDecisionReview {
    #[oai(validator(max_length = 200))]
    pub title: Option<Text>,
    pub unit_id: Option<i64>,
    pub category: Option<DecisionCategory>,
    #[oai(validator(max_length = 40))]
    pub submitted_on: Option<Text>,
    pub reviewer: Clearable<Reviewer>,
    pub result: Clearable<ReviewResult>,
    #[oai(validator(max_length = 40))]
    pub decided_on: Clearable<Text>,
    pub adopted: Option<bool>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct DecisionReviewResource;

impl Resource for DecisionReviewResource {
    type L = DecisionReviews;
    type View = DecisionReviewView;
    type Create = CreateDecisionReview;
    type Update = UpdateDecisionReview;

    fn build(
        b: CreateDecisionReview,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<decision_review::Model, AppError> {
        Ok(decision_review::Model {
            id: 0,
            title: trimmed(b.title),
            unit_id: b.unit_id,
            category: b.category.into(),
            submitted_on: date("submitted_on", &b.submitted_on, tz)?,
            reviewer: b.reviewer.map(Into::into),
            result: b.result.map(Into::into),
            decided_on: date_opt("decided_on", b.decided_on, tz)?,
            adopted: b.adopted,
            notes: trimmed(b.notes),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateDecisionReview,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut decision_review::Model) + Send, AppError> {
        let submitted_on = date_opt("submitted_on", b.submitted_on, tz)?;
        let decided_on = date_change("decided_on", b.decided_on, tz)?;
        Ok(move |m: &mut decision_review::Model| {
            set_given!(m;
                title = b.title.map(trimmed),
                unit_id = b.unit_id,
                category = b.category.map(Into::into),
                submitted_on = submitted_on,
                reviewer = b.reviewer.into_change().map(|v| v.map(Into::into)),
                result = b.result.into_change().map(|v| v.map(Into::into)),
                decided_on = decided_on,
                adopted = b.adopted,
                notes = b.notes.map(trimmed),
            );
        })
    }
}

ledger_api!(
    DecisionReviewsApi, DecisionReviewResource, tag: "ApiTags::LawRecords",
    paths: "/decision-reviews", "/decision-reviews/:id", "/decision-reviews/import",
    ids: "listDecisionReviews", "createDecisionReview", "getDecisionReview",
        "updateDecisionReview", "deleteDecisionReview", "importDecisionReviews",
    docs: "List major decisions' legality reviews (admin, judicial, hr), newest submission first.",
        "Record a decision submitted for legality review (admin, judicial).",
        "One decision's review (admin, judicial, hr).",
        "Change a decision's review (admin, judicial): the result, the decision.",
        "Delete a decision's review (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import decisions' reviews from CSV (admin, judicial), all or nothing. Columns: title/决策事项, unit_id/决策单位 (unit name or id), category/类别, submitted_on/提交审查日期, reviewer/审查人, result/审查结论, decided_on/决策日期, adopted/是否通过 (是/否), notes/备注.",
);

// ---- 法律顾问和公职律师 ----

/// A legal adviser a unit retains (法律顾问), or one of its public lawyers (公职律师).
#[derive(Debug, Object)]
pub struct LegalAdviserView {
    pub id: i64,
    pub name: String,
    pub kind: AdviserKind,
    pub unit_id: i64,
    pub level: Level,
    pub since: NaiveDate,
    /// `null`: still serving.
    pub until: Option<NaiveDate>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<legal_adviser::Model>> for LegalAdviserView {
    fn from(r: Record<legal_adviser::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            name: m.name,
            kind: m.kind.into(),
            unit_id: m.unit_id,
            level: r.level.into(),
            since: m.since,
            until: m.until,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new adviser: `since` not in the future, `until` (may be) not before `since`.
#[derive(Debug, Object)]
pub struct CreateLegalAdviser {
    #[oai(validator(max_length = 50))]
    pub name: Text,
    pub kind: AdviserKind,
    pub unit_id: i64,
    #[oai(validator(max_length = 40))]
    pub since: Text,
    #[oai(validator(max_length = 40))]
    pub until: Option<Text>,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to an adviser; absent fields stay, `until: null` clears it.
#[derive(Debug, Object)]
pub struct UpdateLegalAdviser {
    #[oai(validator(max_length = 50))]
    pub name: Option<Text>,
    pub kind: Option<AdviserKind>,
    pub unit_id: Option<i64>,
    #[oai(validator(max_length = 40))]
    pub since: Option<Text>,
    #[oai(validator(max_length = 40))]
    pub until: Clearable<Text>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct LegalAdviserResource;

impl Resource for LegalAdviserResource {
    type L = LegalAdvisers;
    type View = LegalAdviserView;
    type Create = CreateLegalAdviser;
    type Update = UpdateLegalAdviser;

    fn build(
        b: CreateLegalAdviser,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<legal_adviser::Model, AppError> {
        Ok(legal_adviser::Model {
            id: 0,
            name: trimmed(b.name),
            kind: b.kind.into(),
            unit_id: b.unit_id,
            since: date("since", &b.since, tz)?,
            until: date_opt("until", b.until, tz)?,
            notes: trimmed(b.notes),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateLegalAdviser,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut legal_adviser::Model) + Send, AppError> {
        let since = date_opt("since", b.since, tz)?;
        let until = date_change("until", b.until, tz)?;
        Ok(move |m: &mut legal_adviser::Model| {
            set_given!(m;
                name = b.name.map(trimmed),
                kind = b.kind.map(Into::into),
                unit_id = b.unit_id,
                since = since,
                until = until,
                notes = b.notes.map(trimmed),
            );
        })
    }
}

ledger_api!(
    LegalAdvisersApi, LegalAdviserResource, tag: "ApiTags::LawRecords",
    paths: "/legal-advisers", "/legal-advisers/:id", "/legal-advisers/import",
    ids: "listLegalAdvisers", "createLegalAdviser", "getLegalAdviser",
        "updateLegalAdviser", "deleteLegalAdviser", "importLegalAdvisers",
    docs: "List legal advisers and public lawyers (admin, judicial, hr); `year`: those serving at any time of it.",
        "Record a legal adviser or public lawyer (admin, judicial).",
        "One adviser (admin, judicial, hr).",
        "Change an adviser (admin, judicial), e.g. the day they stopped.",
        "Delete an adviser (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import advisers from CSV (admin, judicial), all or nothing. Columns: name/姓名, kind/类别 (法律顾问 or 公职律师), unit_id/单位 (unit name or id), since/聘任日期, until/到期日期, notes/备注.",
);

// ---- 述职述法 ----

/// A leading cadre's 述职述法 of a year.
#[derive(Debug, Object)]
pub struct LawReportView {
    pub id: i64,
    pub user_id: i64,
    /// The cadre's name as recorded.
    pub user_name: String,
    /// The cadre's unit when recorded.
    pub unit_id: i64,
    pub level: Level,
    pub year: i32,
    pub form: ReportForm,
    pub held_on: NaiveDate,
    pub rating: Option<ReportRating>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<law_report::Model>> for LawReportView {
    fn from(r: Record<law_report::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            user_id: m.user_id,
            user_name: m.user_name,
            unit_id: m.unit_id,
            level: r.level.into(),
            year: m.year,
            form: m.form.into(),
            held_on: m.held_on,
            rating: m.rating.map(Into::into),
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new 述法: `user_id` a leading cadre (`is_leader`; else 409 `not_a_leader`) with a
/// unit, at most one a year (409 `already_reported`); `year` not after this one,
/// `held_on` in it or later and not in the future.
#[derive(Debug, Object)]
pub struct CreateLawReport {
    pub user_id: i64,
    pub year: i32,
    pub form: ReportForm,
    #[oai(validator(max_length = 40))]
    pub held_on: Text,
    pub rating: Option<ReportRating>,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to a 述法; absent fields stay, `rating: null` clears it.
#[derive(Debug, Object)]
pub struct UpdateLawReport {
    pub user_id: Option<i64>,
    pub year: Option<i32>,
    pub form: Option<ReportForm>,
    #[oai(validator(max_length = 40))]
    pub held_on: Option<Text>,
    pub rating: Clearable<ReportRating>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct LawReportResource;

impl Resource for LawReportResource {
    type L = LawReports;
    type View = LawReportView;
    type Create = CreateLawReport;
    type Update = UpdateLawReport;
    const WRITE: Action = Action::RecordLawReports;

    fn build(
        b: CreateLawReport,
        tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<law_report::Model, AppError> {
        Ok(law_report::Model {
            id: 0,
            user_id: b.user_id,
            user_name: String::new(),
            unit_id: 0,
            year: b.year,
            form: b.form.into(),
            held_on: date("held_on", &b.held_on, tz)?,
            rating: b.rating.map(Into::into),
            notes: trimmed(b.notes),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdateLawReport,
        tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut law_report::Model) + Send, AppError> {
        let held_on = date_opt("held_on", b.held_on, tz)?;
        Ok(move |m: &mut law_report::Model| {
            set_given!(m;
                user_id = b.user_id,
                year = b.year,
                form = b.form.map(Into::into),
                held_on = held_on,
                rating = b.rating.into_change().map(|v| v.map(Into::into)),
                notes = b.notes.map(trimmed),
            );
        })
    }
}

ledger_api!(
    LawReportsApi, LawReportResource, tag: "ApiTags::LawRecords",
    paths: "/law-reports", "/law-reports/:id", "/law-reports/import",
    ids: "listLawReports", "createLawReport", "getLawReport",
        "updateLawReport", "deleteLawReport", "importLawReports",
    docs: "List leading cadres' 述职述法 (admin, judicial, hr), latest first.",
        "Record a leading cadre's 述职述法 (admin, judicial, hr).",
        "One 述职述法 (admin, judicial, hr).",
        "Change a 述职述法 (admin, judicial, hr).",
        "Delete a 述职述法 (admin, judicial, hr): kept for the audit trail, counted nowhere.",
        "Import 述职述法 from CSV (admin, judicial, hr), all or nothing. Columns: user_id/账号 (username, employee number or id), year/年度, form/形式 (书面述法 or 现场述法), held_on/述法日期, rating/评议结果, notes/备注.",
);

// ---- 普法责任清单 ----

/// One duty of a unit's 普法责任清单 ("谁执法、谁普法").
#[derive(Debug, Object)]
pub struct PufaDutyView {
    pub id: i64,
    pub unit_id: i64,
    pub level: Level,
    pub year: i32,
    /// The law the unit enforces and so publicises.
    pub law: String,
    pub audience: String,
    pub actions: String,
    /// 以案释法: cases the law was explained through.
    pub cases_explained: i32,
    pub status: DutyStatus,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Record<pufa_duty::Model>> for PufaDutyView {
    fn from(r: Record<pufa_duty::Model>) -> Self {
        let m = r.model;
        Self {
            id: m.id,
            unit_id: m.unit_id,
            level: r.level.into(),
            year: m.year,
            law: m.law,
            audience: m.audience,
            actions: m.actions,
            cases_explained: m.cases_explained,
            status: m.status.into(),
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new duty: `year` from 2000 to next year, `cases_explained` ≥ 0.
#[derive(Debug, Object)]
pub struct CreatePufaDuty {
    pub unit_id: i64,
    pub year: i32,
    #[oai(validator(max_length = 100))]
    pub law: Text,
    #[oai(default, validator(max_length = 200))]
    pub audience: Text,
    #[oai(default, validator(max_length = 2000))]
    pub actions: Text,
    #[oai(default)]
    pub cases_explained: i32,
    /// `planned` when absent.
    pub status: Option<DutyStatus>,
    #[oai(default, validator(max_length = 2000))]
    pub notes: Text,
}

/// Changes to a duty; absent fields stay.
#[derive(Debug, Object)]
pub struct UpdatePufaDuty {
    pub unit_id: Option<i64>,
    pub year: Option<i32>,
    #[oai(validator(max_length = 100))]
    pub law: Option<Text>,
    #[oai(validator(max_length = 200))]
    pub audience: Option<Text>,
    #[oai(validator(max_length = 2000))]
    pub actions: Option<Text>,
    pub cases_explained: Option<i32>,
    pub status: Option<DutyStatus>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<Text>,
}

pub struct PufaDutyResource;

impl Resource for PufaDutyResource {
    type L = PufaDuties;
    type View = PufaDutyView;
    type Create = CreatePufaDuty;
    type Update = UpdatePufaDuty;

    fn build(
        b: CreatePufaDuty,
        _tz: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<pufa_duty::Model, AppError> {
        Ok(pufa_duty::Model {
            id: 0,
            unit_id: b.unit_id,
            year: b.year,
            law: trimmed(b.law),
            audience: trimmed(b.audience),
            actions: trimmed(b.actions),
            cases_explained: b.cases_explained,
            status: b
                .status
                .map_or(domain::services::ledgers::DutyStatus::Planned, Into::into),
            notes: trimmed(b.notes),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    fn change(
        b: UpdatePufaDuty,
        _tz: FixedOffset,
    ) -> Result<impl FnOnce(&mut pufa_duty::Model) + Send, AppError> {
        Ok(move |m: &mut pufa_duty::Model| {
            set_given!(m;
                unit_id = b.unit_id,
                year = b.year,
                law = b.law.map(trimmed),
                audience = b.audience.map(trimmed),
                actions = b.actions.map(trimmed),
                cases_explained = b.cases_explained,
                status = b.status.map(Into::into),
                notes = b.notes.map(trimmed),
            );
        })
    }
}

ledger_api!(
    PufaDutiesApi, PufaDutyResource, tag: "ApiTags::LawRecords",
    paths: "/pufa-duties", "/pufa-duties/:id", "/pufa-duties/import",
    ids: "listPufaDuties", "createPufaDuty", "getPufaDuty",
        "updatePufaDuty", "deletePufaDuty", "importPufaDuties",
    docs: "List the units' 普法责任清单 (admin, judicial, hr); `year` is the list's year.",
        "Add a duty to a unit's 普法责任清单 (admin, judicial).",
        "One duty (admin, judicial, hr).",
        "Change a duty (admin, judicial), e.g. mark it done.",
        "Delete a duty (admin, judicial): kept for the audit trail, counted nowhere.",
        "Import duties from CSV (admin, judicial), all or nothing. Columns: unit_id/责任单位 (unit name or id), year/年度, law/法律法规, audience/普法对象, actions/普法措施, cases_explained/以案释法, status/落实情况 (计划中 when empty), notes/备注.",
);

// ---- 自查 notes and the leaders still missing ----

/// One 自查 entry on a task.
#[derive(Debug, Object)]
pub struct LawTaskNoteView {
    pub id: i64,
    pub task_id: i64,
    /// The day it speaks of.
    pub on: NaiveDate,
    pub text: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<law_task_note::Model> for LawTaskNoteView {
    fn from(m: law_task_note::Model) -> Self {
        Self {
            id: m.id,
            task_id: m.task_id,
            on: m.noted_on,
            text: m.text,
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

/// A new 自查 entry: the day (not in the future) and what was found.
#[derive(Debug, Object)]
pub struct CreateLawTaskNote {
    #[oai(validator(max_length = 40))]
    pub on: Text,
    #[oai(validator(max_length = 2000))]
    pub text: Text,
}

#[derive(ApiResponse)]
pub enum NoteCreated {
    /// Recorded; the task's `note_count` and `last_note_on` follow.
    #[oai(status = 201)]
    Created(Json<LawTaskNoteView>),
}

#[derive(ApiResponse)]
pub enum NotesListed {
    /// The task's notes, the latest day first.
    #[oai(status = 200)]
    Ok(Json<Vec<LawTaskNoteView>>),
}

/// A leading cadre with no 述职述法 for the year.
#[derive(Debug, Object)]
pub struct MissingLeader {
    pub user_id: i64,
    pub name: String,
    pub username: String,
    pub unit_id: Option<i64>,
}

#[derive(ApiResponse)]
pub enum MissingLeaders {
    /// The leaders still missing, by name.
    #[oai(status = 200)]
    Ok(Json<Page<MissingLeader>>),
}

pub struct LawRecordsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::LawRecords")]
impl LawRecordsApi {
    /// Add a 自查 note to a task (admin, judicial); a task outside the scope → 404.
    #[oai(
        path = "/law-tasks/:id/notes",
        method = "post",
        operation_id = "createLawTaskNote"
    )]
    async fn create_note(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<CreateLawTaskNote>,
    ) -> ApiResult<NoteCreated> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::RecordLedgers).await?;
        let body = body.0;
        let note = tasks::NewNote {
            on: date("on", &body.on, state.config.tz)?,
            text: body.text.to_string(),
        };
        let stored = tasks::add(
            &state.db,
            &auth.0,
            &scope,
            id.0,
            note,
            (state.today(), state.clock.now()),
        )
        .await?;
        Ok(NoteCreated::Created(Json(stored.into())))
    }

    /// A task's 自查 notes (admin, judicial, hr), the latest day first.
    #[oai(
        path = "/law-tasks/:id/notes",
        method = "get",
        operation_id = "listLawTaskNotes"
    )]
    async fn notes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<NotesListed> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadLedgers).await?;
        let notes = tasks::list(&state.db, &scope, id.0).await?;
        Ok(NotesListed::Ok(Json(
            notes.into_iter().map(Into::into).collect(),
        )))
    }

    /// The leading cadres (active, `is_leader`) in scope with no 述职述法 for `year`
    /// (admin, judicial, hr), by name.
    #[oai(
        path = "/law-reports/missing",
        method = "get",
        operation_id = "listMissingLawReports"
    )]
    async fn missing(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Query<i32>,
        /// The unit and its sub-units.
        unit_id: Query<Option<i64>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<MissingLeaders> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadLedgers).await?;
        let page = page_req(page, per_page);
        let all = law_figures::missing_reports(&state.db, &scope, year.0, unit_id.0).await?;
        let total = all.len() as u64;
        let items: Vec<MissingLeader> = all
            .into_iter()
            .skip(page.offset() as usize)
            .take(page.per_page as usize)
            .map(|u| MissingLeader {
                user_id: u.id,
                name: u.name,
                username: u.username,
                unit_id: u.unit_id,
            })
            .collect();
        let filters = [
            ("year", Some(year.0.to_string())),
            ("unit_id", unit_id.0.map(|u| u.to_string())),
        ];
        crate::routes::disclosed(
            &state,
            &auth.0,
            Disclosed {
                kind: Disclosure::ReadPeople,
                what: "law_reports_missing",
                filters: &filters,
                rows: items.len(),
            },
        )
        .await?;
        Ok(MissingLeaders::Ok(Json(Page {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        })))
    }
}
