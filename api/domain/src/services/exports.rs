//! Exports: every file the API hands out (the targets, the missing lists, the attempts,
//! the annual summary and its archives) is made here, in one layer: the report computed
//! in its turn, the disclosure audited, the sheets built, the file returned ready to
//! stream. The routes only pick the operation and send the bytes.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{
    archives,
    audit::{self, Disclosed, Disclosure},
    exam::{self, AttemptFilter},
    report_turn::ReportTurn,
    reports,
    targets::{self, Target},
};
use crate::{
    auth::Actor,
    error::AppResult,
    export::{self, Cell, Sheet},
    paging::PageReq,
    policy::Scope,
    scoring,
};

/// The kinds of file an export can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// The zh-CN narrative of a summary.
    Text,
    /// UTF-8 with a BOM, so that Excel and WPS read Chinese.
    Csv,
    /// Excel, a sheet per table.
    Xlsx,
}

impl FileFormat {
    pub const fn content_type(self) -> &'static str {
        match self {
            FileFormat::Text => "text/plain; charset=utf-8",
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            FileFormat::Text => "txt",
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }

    /// The key an audit entry names it by.
    pub const fn key(self) -> &'static str {
        self.extension()
    }
}

/// The file types of a table export (a narrative is offered only for the summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

impl From<SheetFormat> for FileFormat {
    fn from(f: SheetFormat) -> Self {
        match f {
            SheetFormat::Csv => FileFormat::Csv,
            SheetFormat::Xlsx => FileFormat::Xlsx,
        }
    }
}

/// A file to download: its bytes, its type, a name for people (Chinese, without the
/// extension) and a plain ASCII one for clients that do not read RFC 5987.
#[derive(Debug)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub format: FileFormat,
    pub name: String,
    pub ascii_name: String,
}

impl ExportFile {
    /// Tables as CSV or XLSX.
    fn tables(
        sheets: &[Sheet],
        format: SheetFormat,
        name: String,
        ascii_name: String,
    ) -> AppResult<Self> {
        let bytes = match format {
            SheetFormat::Csv => export::csv(sheets),
            SheetFormat::Xlsx => export::xlsx(sheets)?,
        };
        Ok(Self {
            bytes,
            format: format.into(),
            name,
            ascii_name,
        })
    }
}

/// Records an export in the audit log: what, with which filters (and the file type), how
/// many rows.
async fn audit_export(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    what: &str,
    filters: Vec<(&str, Option<String>)>,
    format: FileFormat,
    rows: usize,
) -> AppResult<()> {
    let mut filters = filters;
    filters.push(("format", Some(format.key().to_owned())));
    let disclosed = Disclosed {
        kind: Disclosure::Export,
        what,
        filters: &filters,
        rows,
    };
    audit::disclosed(db, actor, now, disclosed).await
}

/// The four targets of a campaign: a sheet for the whole and one with every unit.
pub async fn targets(
    db: &DatabaseConnection,
    actor: &Actor,
    (scope, unit_id): (&Scope, Option<i64>),
    campaign_id: i64,
    format: SheetFormat,
    now: DateTime<Utc>,
) -> AppResult<ExportFile> {
    let scope = scope.filtered(db, "unit_id", unit_id).await?;
    let turn = ReportTurn::take().await;
    let report = targets::campaign_targets(db, &turn, campaign_id, &scope, now).await?;
    let sheets = targets::report_sheets(&report, "合计");
    let filters = vec![
        ("campaign", Some(campaign_id.to_string())),
        ("unit_id", audit::text(&unit_id)),
    ];
    let rows = report.by_unit.len() + 1;
    audit_export(db, actor, now, "targets", filters, format.into(), rows).await?;
    ExportFile::tables(
        &sheets,
        format,
        format!("四个100%统计-活动{campaign_id}"),
        format!("targets-{campaign_id}"),
    )
}

/// Every roster member who does not yet count for `target`, with what they lack.
pub async fn missing(
    db: &DatabaseConnection,
    actor: &Actor,
    (scope, unit_id): (&Scope, Option<i64>),
    campaign_id: i64,
    target: Target,
    format: SheetFormat,
    now: DateTime<Utc>,
) -> AppResult<ExportFile> {
    let scope = scope.filtered(db, "unit_id", unit_id).await?;
    let turn = ReportTurn::take().await;
    let found =
        targets::missing(db, &turn, campaign_id, target, &scope, PageReq::all(), now).await?;
    let filters = vec![
        ("campaign", Some(campaign_id.to_string())),
        ("target", Some(target.key().to_owned())),
        ("unit_id", audit::text(&unit_id)),
    ];
    let rows = found.items.len();
    audit_export(db, actor, now, "missing", filters, format.into(), rows).await?;
    let sheets = [missing_sheet(target, &found.items)];
    ExportFile::tables(
        &sheets,
        format,
        format!("{}名单-活动{campaign_id}", target.shortfall()),
        format!("missing-{campaign_id}"),
    )
}

fn missing_sheet(target: Target, rows: &[targets::Missing]) -> Sheet {
    let mut sheet = Sheet::new(
        target.shortfall(),
        &[
            "姓名",
            "用户名",
            "工号",
            "单位",
            "领导干部",
            "已学分钟",
            "其中在线计时",
            "其中离线自报",
            "应学分钟",
            "差分钟",
            "未完成必修课",
            "已考次数",
            "剩余次数",
            "最高分",
            "等级",
        ],
    );
    sheet.rows = rows
        .iter()
        .map(|m| {
            vec![
                Cell::from(m.user.name.as_str()),
                Cell::from(m.user.username.as_str()),
                Cell::from(m.user.employee_no.clone().unwrap_or_default()),
                Cell::from(m.unit_name.clone().unwrap_or_default()),
                Cell::from(if m.user.is_leader { "是" } else { "否" }),
                Cell::from(m.enrollment.credited_minutes),
                Cell::from(m.enrollment.live_minutes),
                Cell::from(m.enrollment.credited_minutes - m.enrollment.live_minutes),
                Cell::from(m.required_minutes),
                Cell::from(m.minutes_short()),
                Cell::from(m.compulsory_unfinished.join("、")),
                Cell::from(m.enrollment.attempts_used),
                Cell::from(m.attempts_left),
                m.best_score
                    .map(Cell::Num)
                    .unwrap_or_else(|| Cell::from("")),
                Cell::from(m.grade.map(scoring::Grade::chinese).unwrap_or_default()),
            ]
        })
        .collect();
    sheet
}

/// Every attempt of a campaign matching `filter`.
pub async fn attempts(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    campaign_id: i64,
    filter: AttemptFilter,
    format: SheetFormat,
    now: DateTime<Utc>,
) -> AppResult<ExportFile> {
    let filters = filter.audit_pairs(campaign_id);
    let all = exam::list_attempts(db, scope, campaign_id, filter, PageReq::all()).await?;
    let rows = all.items.len();
    audit_export(db, actor, now, "attempts", filters, format.into(), rows).await?;
    let sheets = [attempts_sheet(&all.items)];
    ExportFile::tables(
        &sheets,
        format,
        format!("考试记录-活动{campaign_id}"),
        format!("attempts-{campaign_id}"),
    )
}

/// The audit log as a file, with the list's filters, newest first: each entry's time in
/// the office's zone, who, what in Chinese, on what, the summary, and its chain hash.
pub async fn audit_log(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    filter: audit::AuditFilter,
    (format, tz): (SheetFormat, chrono::FixedOffset),
    now: DateTime<Utc>,
) -> AppResult<ExportFile> {
    let filters = filter.audit_pairs();
    let all = audit::list(db, scope, filter, PageReq::all()).await?;
    let rows = all.items.len();
    audit_export(db, actor, now, "audit_log", filters, format.into(), rows).await?;
    let mut sheet = Sheet::new(
        "审计日志",
        &[
            "编号",
            "时间",
            "操作人",
            "操作",
            "对象",
            "对象编号",
            "说明",
            "校验值",
        ],
    );
    sheet.rows = all
        .items
        .iter()
        .map(|e| {
            let action =
                audit::AuditAction::parse(&e.action).map_or(e.action.as_str(), |a| a.chinese());
            vec![
                Cell::from(e.id.to_string()),
                Cell::from(
                    e.at.with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string(),
                ),
                Cell::from(e.actor.clone()),
                Cell::from(action.to_owned()),
                Cell::from(audit::entity_name(&e.entity).to_owned()),
                Cell::from(e.entity_id.clone().unwrap_or_default()),
                Cell::from(e.summary.clone()),
                Cell::from(e.hash.clone().unwrap_or_default()),
            ]
        })
        .collect();
    ExportFile::tables(&[sheet], format, "审计日志".into(), "audit-log".into())
}

fn attempts_sheet(rows: &[exam::AttemptRow]) -> Sheet {
    use entity::vocabulary::{AttemptKind, AttemptStatus};
    let mut sheet = Sheet::new(
        "考试记录",
        &[
            "姓名",
            "用户名",
            "单位",
            "状态",
            "类别",
            "试卷",
            "开始时间",
            "交卷时间",
            "得分",
            "是否合格",
            "等级",
            "交卷方式",
            "离开页面次数",
            "换设备次数",
        ],
    );
    sheet.rows = rows
        .iter()
        .map(|r| {
            let a = &r.attempt;
            let status = match a.status {
                AttemptStatus::Open => "作答中",
                AttemptStatus::Submitted => "已交卷",
                AttemptStatus::Expired => "超时",
            };
            let passed = match r.passed {
                Some(true) => "合格",
                Some(false) => "不合格",
                None => "",
            };
            let kind = match a.kind {
                AttemptKind::Main => "正考",
                AttemptKind::Makeup => "补考",
            };
            let score = a.score_centi.map(scoring::centi_to_score);
            vec![
                Cell::from(r.user.name.as_str()),
                Cell::from(r.user.username.as_str()),
                Cell::from(r.unit_name.clone().unwrap_or_default()),
                Cell::from(status),
                Cell::from(kind),
                Cell::from(a.paper_key.clone().unwrap_or_default()),
                Cell::from(a.started_at.to_rfc3339()),
                Cell::from(a.finished_at.map(|t| t.to_rfc3339()).unwrap_or_default()),
                Cell::from(score.map(|s| format!("{s:.2}")).unwrap_or_default()),
                Cell::from(passed),
                Cell::from(r.grade.map(scoring::Grade::chinese).unwrap_or_default()),
                Cell::from(a.finished_reason.map(|f| f.chinese()).unwrap_or_default()),
                Cell::from(i64::from(a.focus_losses)),
                Cell::from(i64::from(a.takeovers)),
            ]
        })
        .collect();
    sheet
}

/// The annual summary of `year`: the narrative, or its figures as tables.
pub async fn annual(
    db: &DatabaseConnection,
    actor: &Actor,
    (scope, unit_id): (&Scope, Option<i64>),
    year: i32,
    format: FileFormat,
    at: crate::clock::AsOf,
) -> AppResult<ExportFile> {
    let now = at.now;
    let scope = scope.narrowed_opt(db, unit_id).await?;
    let turn = ReportTurn::take().await;
    let summary = reports::annual_summary(db, &turn, &scope, year, at).await?;
    let filters = vec![
        ("year", Some(year.to_string())),
        ("unit_id", audit::text(&scope.root())),
    ];
    let rows = summary.campaigns.len();
    audit_export(db, actor, now, "annual_report", filters, format, rows).await?;
    let unit_name = summary.unit.as_ref().map_or("", |(_, n)| n.as_str());
    let name = format!("{unit_name}{year}年法治政府建设工作总结数据");
    let ascii_name = match scope.root() {
        Some(unit) => format!("annual-{year}-unit-{unit}"),
        None => format!("annual-{year}"),
    };
    let tables = match format {
        FileFormat::Text => {
            let bytes = reports::narrative(&summary).into_bytes();
            return Ok(ExportFile {
                bytes,
                format,
                name,
                ascii_name,
            });
        }
        FileFormat::Csv => SheetFormat::Csv,
        FileFormat::Xlsx => SheetFormat::Xlsx,
    };
    ExportFile::tables(&reports::sheets(&summary), tables, name, ascii_name)
}

/// An archive's files, as they were when it was frozen.
pub async fn archive(
    db: &DatabaseConnection,
    scope: &Scope,
    id: i64,
    format: FileFormat,
) -> AppResult<ExportFile> {
    let a = archives::get(db, scope, id).await?;
    let bytes = match format {
        FileFormat::Text => a.narrative.into_bytes(),
        FileFormat::Csv => a.csv,
        FileFormat::Xlsx => a.xlsx,
    };
    Ok(ExportFile {
        bytes,
        format,
        name: format!("{}年法治政府建设工作总结数据（存档{}）", a.year, a.id),
        ascii_name: format!("annual-{}-archive-{}", a.year, a.id),
    })
}
