//! The CSV import of a ledger (the 台账 an office keeps in Excel): UTF-8 with or without
//! BOM, or GBK; English or Chinese headers; units by name or id; dates as Excel writes
//! them. All-or-nothing: every bad line is reported with its field, and nothing is stored
//! unless every line is good.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::{inspection, legal_service, mediation_case, petition, screening, unit, user};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, QuerySelect};

use super::{
    Inspections, Ledger, LegalServices, MediationCases, Petitions, Screenings, common_errors,
    stamped, unstored,
};
use crate::{
    auth::Actor,
    clock::parse_day,
    error::{AppError, AppResult, Code, FieldError, Format, Thing},
    money,
    policy::Scope,
    services::{audit, begin_write},
};

/// One column of a ledger's file: the API field, whether a file must have it, and the
/// Chinese headers accepted besides the field's own name.
pub struct Column {
    pub field: &'static str,
    pub required: bool,
    pub headers: &'static [&'static str],
}

pub(super) const fn column(
    field: &'static str,
    required: bool,
    headers: &'static [&'static str],
) -> Column {
    Column {
        field,
        required,
        headers,
    }
}

pub(super) const NOTES: Column = column("notes", false, &["备注", "说明"]);

/// A ledger whose records can come from a CSV file.
pub trait Importable: Ledger {
    const COLUMNS: &'static [Column];
    /// Reads one line; problems go into `row.errors`, and the record is then dropped.
    fn from_row(row: &mut Row<'_>) -> Self::Model;
}

/// One line of the file being read.
pub struct Row<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<&'static str, usize>,
    units: &'a UnitLookup,
    users: &'a UserLookup,
    tz: FixedOffset,
    line: u64,
    pub now: DateTime<Utc>,
    pub errors: Vec<FieldError>,
}

impl Row<'_> {
    fn raw(&self, field: &str) -> Option<&str> {
        let index = self.columns.get(field)?;
        self.record
            .get(*index)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn fail(&mut self, error: FieldError) {
        self.errors.push(error.at(self.line));
    }

    fn required(&mut self, field: &str) -> Option<String> {
        let value = self.raw(field).map(str::to_owned);
        if value.is_none() {
            self.fail(FieldError::required(field));
        }
        value
    }

    pub fn date(&mut self, field: &str) -> NaiveDate {
        self.required(field)
            .and_then(|raw| self.parse_date(field, &raw))
            .unwrap_or_default()
    }

    pub fn date_opt(&mut self, field: &str) -> Option<NaiveDate> {
        let raw = self.raw(field)?.to_owned();
        self.parse_date(field, &raw)
    }

    /// A day as the API reads it, or as Excel writes it (`2026/3/5`, `2026.3.5`,
    /// `2026年3月5日`).
    fn parse_date(&mut self, field: &str, raw: &str) -> Option<NaiveDate> {
        let excel = ["%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(raw.trim(), f).ok());
        match excel
            .map(Ok)
            .unwrap_or_else(|| parse_day(field, raw, self.tz))
        {
            Ok(d) => Some(d),
            Err(_) => {
                self.fail(FieldError::new(
                    field,
                    Code::NotADate,
                    format!("{raw:?} is not a date (YYYY-MM-DD)"),
                ));
                None
            }
        }
    }

    /// A whole number; an empty cell is `default` (or an error when there is none).
    pub fn int(&mut self, field: &str, default: Option<i32>) -> i32 {
        let Some(raw) = self.raw(field).map(str::to_owned) else {
            if default.is_none() {
                self.fail(FieldError::required(field));
            }
            return default.unwrap_or(0);
        };
        raw.parse().unwrap_or_else(|_| {
            self.fail(
                FieldError::new(
                    field,
                    Code::WrongType,
                    format!("{raw:?} is not a whole number"),
                )
                .with(|p| p.expected = Some(Format::Integer)),
            );
            0
        })
    }

    /// Yuan with at most two decimals; an empty cell is zero.
    pub fn money(&mut self, field: &str) -> i64 {
        let Some(raw) = self.raw(field).map(str::to_owned) else {
            return 0;
        };
        money::parse_field(field, &raw.replace(['¥', '￥', '元'], "")).unwrap_or_else(|e| {
            self.fail(e);
            0
        })
    }

    /// A unit by its exact name or its id.
    pub fn unit(&mut self, field: &str) -> i64 {
        let Some(raw) = self.required(field) else {
            return 0;
        };
        match self.units.find(&raw) {
            Ok(id) => id,
            Err(error) => {
                self.fail(error.named(field));
                0
            }
        }
    }

    /// One of an enum's values, by its key or its Chinese name.
    pub fn choice<E: Copy>(
        &mut self,
        field: &str,
        all: &[E],
        names: fn(E) -> [&'static str; 2],
    ) -> Option<E> {
        let raw = self.raw(field)?.to_owned();
        let found = all
            .iter()
            .copied()
            .find(|v| names(*v).iter().any(|n| n.eq_ignore_ascii_case(&raw)));
        if found.is_none() {
            let known: Vec<String> = all
                .iter()
                .map(|v| {
                    let [k, c] = names(*v);
                    format!("{k} ({c})")
                })
                .collect();
            let keys = all.iter().map(|v| names(*v)[0].to_owned()).collect();
            self.fail(
                FieldError::new(
                    field,
                    Code::UnknownValue,
                    format!("{raw:?} is not one of {}", known.join(", ")),
                )
                .with(|p| p.allowed = Some(keys)),
            );
        }
        found
    }

    /// A choice that must be there.
    pub fn required_choice<E: Copy>(
        &mut self,
        field: &str,
        all: &[E],
        names: fn(E) -> [&'static str; 2],
    ) -> Option<E> {
        if self.raw(field).is_none() {
            self.fail(FieldError::required(field));
            return None;
        }
        self.choice(field, all, names)
    }

    pub fn notes(&self) -> String {
        self.text("notes")
    }

    /// A cell's text, empty when the column or the cell is.
    pub fn text(&self, field: &str) -> String {
        self.raw(field).unwrap_or_default().to_owned()
    }

    /// Yes or no (`是`/`否`, `true`/`false`, `1`/`0`, `Y`/`N`); an empty cell is no.
    pub fn flag(&mut self, field: &str) -> bool {
        let Some(raw) = self.raw(field).map(str::to_owned) else {
            return false;
        };
        match raw.to_lowercase().as_str() {
            "是" | "true" | "1" | "y" | "yes" => true,
            "否" | "false" | "0" | "n" | "no" => false,
            _ => {
                self.fail(
                    FieldError::new(field, Code::WrongType, format!("{raw:?} is not 是 or 否"))
                        .with(|p| p.expected = Some(Format::Boolean)),
                );
                false
            }
        }
    }

    /// An account by its username, its employee number or its id.
    pub fn user(&mut self, field: &str) -> i64 {
        let Some(raw) = self.required(field) else {
            return 0;
        };
        match self.users.find(&raw) {
            Some(id) => id,
            None => {
                self.fail(FieldError::not_found(field, Thing::Account, vec![raw]));
                0
            }
        }
    }
}

/// The accounts, read once when a file names them: by username, employee number and id.
#[derive(Default)]
struct UserLookup {
    ids: HashSet<i64>,
    by_name: HashMap<String, i64>,
}

impl UserLookup {
    async fn load(db: &DatabaseConnection) -> AppResult<Self> {
        let all: Vec<(i64, String, Option<String>)> = user::Entity::find()
            .select_only()
            .columns([
                user::Column::Id,
                user::Column::Username,
                user::Column::EmployeeNo,
            ])
            .into_tuple()
            .all(db)
            .await?;
        let mut lookup = Self::default();
        for (id, username, employee_no) in all {
            lookup.ids.insert(id);
            lookup.by_name.insert(username, id);
            if let Some(no) = employee_no {
                lookup.by_name.insert(no, id);
            }
        }
        Ok(lookup)
    }

    fn find(&self, raw: &str) -> Option<i64> {
        self.by_name
            .get(raw)
            .copied()
            .or_else(|| raw.parse::<i64>().ok().filter(|id| self.ids.contains(id)))
    }
}

/// The units, read once: by id and by name.
struct UnitLookup {
    ids: HashSet<i64>,
    by_name: HashMap<String, Vec<i64>>,
}

impl UnitLookup {
    async fn load(db: &DatabaseConnection) -> AppResult<Self> {
        let all = unit::Entity::find().all(db).await?;
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        for u in &all {
            by_name
                .entry(u.name.trim().to_owned())
                .or_default()
                .push(u.id);
        }
        Ok(Self {
            ids: all.iter().map(|u| u.id).collect(),
            by_name,
        })
    }

    /// The unit, or an error for the column (named by the caller).
    fn find(&self, raw: &str) -> Result<i64, FieldError> {
        match self.by_name.get(raw).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(_) => Err(FieldError::new(
                "",
                Code::Ambiguous,
                format!("more than one unit is named {raw:?}; give its id instead"),
            )
            .with(|p| {
                p.what = Some(Thing::Unit);
                p.values = Some(vec![raw.to_owned()]);
            })),
            None => match raw.parse::<i64>() {
                Ok(id) if self.ids.contains(&id) => Ok(id),
                _ => Err(FieldError::not_found("", Thing::Unit, vec![raw.to_owned()])),
            },
        }
    }
}

/// Which column holds which field; a missing required column is refused before any line.
fn read_header<L: Importable>(
    headers: &csv::StringRecord,
) -> AppResult<HashMap<&'static str, usize>> {
    let mut columns = HashMap::new();
    let mut errors = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        let header = header.trim();
        let Some(c) = L::COLUMNS
            .iter()
            .find(|c| c.field.eq_ignore_ascii_case(header) || c.headers.contains(&header))
        else {
            continue;
        };
        if columns.insert(c.field, index).is_some() {
            errors.push(
                FieldError::not_unique(header, "this column appears twice", Vec::new()).at(1),
            );
        }
    }
    for c in L::COLUMNS
        .iter()
        .filter(|c| c.required && !columns.contains_key(c.field))
    {
        errors.push(
            FieldError::new(
                c.field,
                Code::MissingColumn,
                format!(
                    "the file needs a {} ({}) column",
                    c.field,
                    c.headers.first().copied().unwrap_or("")
                ),
            )
            .at(1),
        );
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(AppError::invalid_many(errors))
    }
}

/// Imports a ledger file: every line read and checked, then all stored in one
/// transaction, or none. Returns how many records were created.
pub async fn import<L: Importable>(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    (bytes, charset): (&[u8], Option<&str>),
    (tz, today): (FixedOffset, NaiveDate),
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let file = crate::upload::read_csv(bytes, charset)?;
    let columns = read_header::<L>(&file.headers)?;
    let units = UnitLookup::load(db).await?;
    let users = if L::COLUMNS.iter().any(|c| c.field == "user_id") {
        UserLookup::load(db).await?
    } else {
        UserLookup::default()
    };
    let mut read = Vec::new();
    let mut errors = Vec::new();
    for line in &file.lines {
        let (line, record) = match line {
            Ok((line, record)) => (*line, record),
            Err(e) => {
                errors.push(e.clone());
                continue;
            }
        };
        let mut row = Row {
            record,
            columns: &columns,
            units: &units,
            users: &users,
            tz,
            line,
            now,
            errors: Vec::new(),
        };
        let model = L::from_row(&mut row);
        if row.errors.is_empty() {
            row.errors = common_errors::<L>(&model, today)
                .into_iter()
                .map(|e| e.at(line))
                .collect();
        }
        if row.errors.is_empty() {
            read.push((line, model));
        }
        errors.extend(row.errors);
    }
    if read.is_empty() && errors.is_empty() {
        return Err(AppError::invalid(FieldError::new(
            "file",
            Code::EmptyFile,
            "the file holds no records",
        )));
    }
    let txn = begin_write(db).await?;
    let created = store::<L>(&txn, actor, scope, read, &mut errors, now).await?;
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        let lines: HashSet<_> = errors.iter().filter_map(|e| e.line).collect();
        return Err(AppError::Invalid {
            detail: format!(
                "{} line(s) of the file are invalid; nothing was imported",
                lines.len()
            ),
            errors,
        });
    }
    audit::record(
        &*txn,
        Some(actor),
        now,
        audit::AuditAction::Import,
        L::NAME,
        None,
        format!("{created} imported"),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Checks each line's record against the stored ones (and the lines before it, stored
/// already) and stores it; the caller commits only when no line of the file failed. A unit outside
/// the scope is refused for the whole file (403), naming every such line.
async fn store<L: Importable>(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    read: Vec<(u64, L::Model)>,
    errors: &mut Vec<FieldError>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let mut outside = Vec::new();
    let mut created = 0;
    for (line, mut model) in read {
        let problems = L::prepare(txn, &mut model).await?;
        if !problems.is_empty() {
            errors.extend(problems.into_iter().map(|p| p.into_field_error().at(line)));
        } else if !scope.sees(Some(L::unit_id(&model))) {
            outside.push(
                FieldError::out_of_scope(
                    L::UNIT_FIELD,
                    "the unit is outside your scope",
                    Vec::new(),
                )
                .at(line),
            );
        } else {
            // Stored even after a bad line, so that the lines after it are checked
            // against it too; the caller rolls all back then.
            stamped::<L>(model, actor, now).insert(txn).await?;
            created += 1;
        }
    }
    if !outside.is_empty() {
        return Err(AppError::out_of_scope_many(outside));
    }
    Ok(created)
}

impl Importable for MediationCases {
    const COLUMNS: &'static [Column] = &[
        column(
            "committee_unit_id",
            true,
            &["调委会", "调解委员会", "单位", "unit"],
        ),
        column("received_on", true, &["受理日期", "受理时间", "日期"]),
        column("closed_on", false, &["结案日期", "办结日期"]),
        column("category", true, &["类别", "纠纷类型", "类型"]),
        column("result", true, &["结果", "调解结果"]),
        column(
            "amount",
            false,
            &["涉及金额", "金额", "涉及金额（元）", "涉及金额(元)"],
        ),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> mediation_case::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        mediation_case::Model {
            id: 0,
            committee_unit_id: row.unit("committee_unit_id"),
            received_on: row.date("received_on"),
            closed_on: row.date_opt("closed_on"),
            category: row
                .required_choice("category", MediationCategory::ALL, |v| {
                    [v.key(), v.chinese()]
                })
                .unwrap_or(MediationCategory::Other),
            result: row
                .required_choice("result", MediationResult::ALL, |v| [v.key(), v.chinese()])
                .unwrap_or(MediationResult::Pending),
            amount_cents: row.money("amount"),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

use entity::vocabulary::{
    InspectionField, LegalServiceKind, LegalTopic, MediationCategory, MediationResult,
};

impl Importable for LegalServices {
    const COLUMNS: &'static [Column] = &[
        column("kind", true, &["服务类型", "类型", "类别"]),
        column("unit_id", true, &["单位", "unit", "服务点"]),
        column("held_on", true, &["日期", "服务日期"]),
        column("count", false, &["次数", "数量", "件数"]),
        column("topic", false, &["咨询事项", "事项", "主题"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> legal_service::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        legal_service::Model {
            id: 0,
            kind: row
                .required_choice("kind", LegalServiceKind::ALL, |v| [v.key(), v.chinese()])
                .unwrap_or(LegalServiceKind::Consultation),
            unit_id: row.unit("unit_id"),
            held_on: row.date("held_on"),
            count: row.int("count", Some(1)),
            topic: row.choice("topic", LegalTopic::ALL, |v| [v.key(), v.chinese()]),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

impl Importable for Screenings {
    const COLUMNS: &'static [Column] = &[
        column("unit_id", true, &["单位", "unit"]),
        column("held_on", true, &["日期", "排查日期"]),
        column(
            "issues_found",
            true,
            &["排查纠纷数", "排查出矛盾纠纷", "发现纠纷"],
        ),
        column("issues_resolved", true, &["化解数", "化解纠纷数", "已化解"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> screening::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        screening::Model {
            id: 0,
            unit_id: row.unit("unit_id"),
            held_on: row.date("held_on"),
            issues_found: row.int("issues_found", None),
            issues_resolved: row.int("issues_resolved", None),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

impl Importable for Petitions {
    const COLUMNS: &'static [Column] = &[
        column("unit_id", true, &["单位", "unit"]),
        column("received_on", true, &["日期", "受理日期"]),
        column("cases", true, &["案件数", "信访件数", "件数"]),
        column("visitors", true, &["来访人次", "人次", "接待人次"]),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> petition::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        petition::Model {
            id: 0,
            unit_id: row.unit("unit_id"),
            received_on: row.date("received_on"),
            cases: row.int("cases", None),
            visitors: row.int("visitors", None),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}

impl Importable for Inspections {
    const COLUMNS: &'static [Column] = &[
        column("unit_id", true, &["单位", "unit", "执法单位"]),
        column("held_on", true, &["日期", "检查日期"]),
        column("field", true, &["领域", "检查领域", "类别"]),
        column(
            "entities_checked",
            true,
            &["检查家次", "检查企业家次", "家次"],
        ),
        column("hazards_found", false, &["发现隐患", "隐患数"]),
        column("hazards_fixed", false, &["整改隐患", "整改数"]),
        column("penalties", false, &["处罚单位数", "处罚"]),
        column(
            "fines",
            false,
            &["罚款金额", "罚款", "罚款（元）", "罚款(元)"],
        ),
        NOTES,
    ];

    fn from_row(row: &mut Row<'_>) -> inspection::Model {
        let (created_by, created_at, updated_at, deleted_at) = unstored(row.now);
        inspection::Model {
            id: 0,
            unit_id: row.unit("unit_id"),
            held_on: row.date("held_on"),
            field: row
                .required_choice("field", InspectionField::ALL, |v| [v.key(), v.chinese()])
                .unwrap_or(InspectionField::Other),
            entities_checked: row.int("entities_checked", None),
            hazards_found: row.int("hazards_found", Some(0)),
            hazards_fixed: row.int("hazards_fixed", Some(0)),
            penalties: row.int("penalties", Some(0)),
            fines_cents: row.money("fines"),
            notes: row.notes(),
            created_by,
            created_at,
            updated_at,
            deleted_at,
        }
    }
}
