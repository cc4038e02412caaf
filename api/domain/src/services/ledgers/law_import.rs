//! How a line of each of the rest of the report's files reads (the office's Word tables,
//! saved from Excel as CSV): the columns and their Chinese headers.

use entity::{decision_review, law_report, law_task, legal_adviser, pufa_duty};

use super::{
    AdviserKind, DecisionCategory, DecisionReviews, DutyStatus, LawReports, LawTaskCategory,
    LawTaskStatus, LawTasks, LegalAdvisers, PufaDuties, ReportForm, ReportRating, ReviewResult,
    Reviewer,
    import::{Column, Importable, NOTES, Row, column},
    unstored,
};

/// One of an enum's values by its key or Chinese name, or `default` when the cell is empty.
macro_rules! pick {
    ($row:expr, $field:literal, $enum:ident) => {
        $row.choice($field, $enum::ALL, |v| [v.key(), v.chinese()])
    };
    ($row:expr, $field:literal, $enum:ident, required $default:expr) => {
        $row.required_choice($field, $enum::ALL, |v| [v.key(), v.chinese()])
            .unwrap_or($default)
    };
}

impl Importable for LawTasks {
    const COLUMNS: &'static [Column] = &[
        column("year", true, &["年度", "年份"]),
        column("title", true, &["任务", "工作任务", "任务名称"]),
        column("category", true, &["类别", "任务类别"]),
        column("unit_id", true, &["责任单位", "单位"]),
        column("lead", false, &["牵头领导", "责任人"]),
        column("due_on", true, &["完成时限", "截止日期"]),
        column("status", false, &["进度", "状态"]),
        column("done_on", false, &["完成日期"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> law_task::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        law_task::Model {
            id: 0,
            year: row.int("year", None),
            title: row.text("title"),
            category: pick!(row, "category", LawTaskCategory, required LawTaskCategory::Other),
            unit_id: row.unit("unit_id"),
            lead: row.text("lead"),
            due_on: row.date("due_on"),
            status: pick!(row, "status", LawTaskStatus).unwrap_or(LawTaskStatus::Planned),
            done_on: row.date_opt("done_on"),
            note_count: 0,
            last_note_on: None,
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

impl Importable for DecisionReviews {
    const COLUMNS: &'static [Column] = &[
        column("title", true, &["决策事项", "事项", "名称"]),
        column("unit_id", true, &["决策单位", "单位"]),
        column("category", true, &["类别", "决策类别"]),
        column("submitted_on", true, &["提交审查日期", "送审日期"]),
        column("reviewer", false, &["审查人", "审查主体"]),
        column("result", false, &["审查结论", "审查意见"]),
        column("decided_on", false, &["决策日期"]),
        column("adopted", false, &["是否通过", "通过"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> decision_review::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        decision_review::Model {
            id: 0,
            title: row.text("title"),
            unit_id: row.unit("unit_id"),
            category: pick!(row, "category", DecisionCategory, required DecisionCategory::Other),
            submitted_on: row.date("submitted_on"),
            reviewer: pick!(row, "reviewer", Reviewer),
            result: pick!(row, "result", ReviewResult),
            decided_on: row.date_opt("decided_on"),
            adopted: row.flag("adopted"),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

impl Importable for LegalAdvisers {
    const COLUMNS: &'static [Column] = &[
        column("name", true, &["姓名"]),
        column("kind", true, &["类别", "类型"]),
        column("unit_id", true, &["单位", "服务单位"]),
        column("since", true, &["聘任日期", "起始日期"]),
        column("until", false, &["到期日期", "截止日期"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> legal_adviser::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        legal_adviser::Model {
            id: 0,
            name: row.text("name"),
            kind: pick!(row, "kind", AdviserKind, required AdviserKind::LegalAdviser),
            unit_id: row.unit("unit_id"),
            since: row.date("since"),
            until: row.date_opt("until"),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

impl Importable for LawReports {
    const COLUMNS: &'static [Column] = &[
        column("user_id", true, &["账号", "用户名", "工号"]),
        column("year", true, &["年度", "年份"]),
        column("form", true, &["形式", "述法形式"]),
        column("held_on", true, &["述法日期", "日期"]),
        column("rating", false, &["评议结果", "评价"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> law_report::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        law_report::Model {
            id: 0,
            user_id: row.user("user_id"),
            user_name: String::new(),
            unit_id: 0,
            year: row.int("year", None),
            form: pick!(row, "form", ReportForm, required ReportForm::Written),
            held_on: row.date("held_on"),
            rating: pick!(row, "rating", ReportRating),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

impl Importable for PufaDuties {
    const COLUMNS: &'static [Column] = &[
        column("unit_id", true, &["责任单位", "单位"]),
        column("year", true, &["年度", "年份"]),
        column("law", true, &["法律法规", "普法内容"]),
        column("audience", false, &["普法对象", "对象"]),
        column("actions", false, &["普法措施", "措施"]),
        column("cases_explained", false, &["以案释法", "以案释法（件）"]),
        column("status", false, &["落实情况", "状态"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> pufa_duty::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        pufa_duty::Model {
            id: 0,
            unit_id: row.unit("unit_id"),
            year: row.int("year", None),
            law: row.text("law"),
            audience: row.text("audience"),
            actions: row.text("actions"),
            cases_explained: row.int("cases_explained", Some(0)),
            status: pick!(row, "status", DutyStatus).unwrap_or(DutyStatus::Planned),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}
