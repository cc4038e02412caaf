//! Roster import from the CSV that HR exports from Excel: UTF-8 (with or without BOM) or
//! GBK, English or Chinese headers. All-or-nothing: every bad line is reported and
//! nothing is stored; importing the same file again updates, never duplicates.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{unit, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use super::{clean_employee_no, clean_name, clean_phone, clean_username};
use crate::{
    auth::{Actor, Role, hash_password},
    error::{AppError, AppResult, Code, FieldError, Format, Thing},
    policy::Scope,
    security::check_password_rules,
    services::users,
    services::{ROSTER_IMPORT_LOCK, audit, begin_write, lock_named},
};

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Username,
    Name,
    EmployeeNo,
    Phone,
    Unit,
    UnitId,
    Roles,
    IsLeader,
    Password,
    Active,
}

/// Header spellings accepted for each column (compared trimmed and lower-cased).
const HEADERS: &[(Column, &[&str])] = &[
    (
        Column::Username,
        &["username", "用户名", "账号", "帐号", "登录名"],
    ),
    (Column::Name, &["name", "姓名"]),
    (
        Column::EmployeeNo,
        &["employee_no", "工号", "职工编号", "人员编号"],
    ),
    (Column::Phone, &["phone", "手机", "手机号", "手机号码"]),
    (Column::Unit, &["unit", "单位", "所在单位", "部门"]),
    (Column::UnitId, &["unit_id", "单位编号"]),
    (Column::Roles, &["roles", "role", "角色"]),
    (Column::IsLeader, &["is_leader", "领导干部", "是否领导干部"]),
    (Column::Password, &["password", "密码", "初始密码"]),
    (Column::Active, &["active", "启用", "是否启用", "状态"]),
];

fn column_for(header: &str) -> Option<Column> {
    let header = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    HEADERS
        .iter()
        .find(|(_, names)| names.contains(&header.as_str()))
        .map(|(c, _)| *c)
}

fn field_name(column: Column) -> &'static str {
    HEADERS
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, n)| n[0])
        .unwrap_or("?")
}

fn parse_role(word: &str) -> Option<Role> {
    match word.trim().to_lowercase().as_str() {
        "admin" | "管理员" | "系统管理员" => Some(Role::Admin),
        "hr" | "人事" | "组织人事" => Some(Role::Hr),
        "judicial" | "司法" | "司法所" => Some(Role::Judicial),
        "cadre" | "干部" | "干部职工" | "职工" => Some(Role::Cadre),
        _ => None,
    }
}

fn parse_bool(word: &str) -> Option<bool> {
    match word.trim().to_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" | "否" | "停用" | "禁用" => Some(false),
        "1" | "true" | "yes" | "y" | "是" | "启用" | "正常" => Some(true),
        _ => None,
    }
}

/// One line, checked.
struct Row {
    line: u64,
    username: String,
    name: String,
    employee_no: Option<String>,
    /// `None` when the file has no phone column or the cell is empty (keep what is stored).
    phone: Option<String>,
    /// `None` when the file has no unit column (keep what is stored).
    unit_id: Option<Option<i64>>,
    roles: Option<Vec<Role>>,
    is_leader: Option<bool>,
    password: Option<String>,
    active: Option<bool>,
    existing: Option<user::Model>,
    /// The account holding this line's employee number, when it is not the one matched by
    /// username.
    conflict: Option<String>,
}

/// Imports a roster. `default_password` is given to new accounts whose line has none.
/// Parse (every line checked against the units) → hash the passwords → match each line
/// to a stored account and write, all in one write transaction.
pub async fn import_roster(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    (bytes, charset): (&[u8], Option<&str>),
    (default_password, min_length): (Option<&str>, usize),
    now: DateTime<Utc>,
) -> AppResult<ImportOutcome> {
    let file = crate::upload::read_csv(bytes, charset)?;
    let columns = read_header(&file.headers, default_password, min_length)?;
    let units = UnitLookup::load(db).await?;
    let (mut rows, mut errors) = parse_rows(&file.lines, &columns, &units, min_length);
    if rows.is_empty() && errors.is_empty() {
        return Err(AppError::invalid(FieldError::new(
            "file",
            Code::EmptyFile,
            "the file holds no accounts",
        )));
    }
    // Hash before the transaction: argon2 is slow, the write lock should not wait on it.
    let hashes = Hashes::of(&rows, default_password).await?;

    // Matching and writing happen in one write transaction, so two imports of the same
    // file at once run one after the other: the second updates what the first created.
    let txn = begin_write(db).await?;
    lock_named(&txn, ROSTER_IMPORT_LOCK).await?;
    match_stored(&txn, &mut rows).await?;
    let unit_field = if columns.contains_key(&Column::UnitId) {
        "unit_id"
    } else {
        "unit"
    };
    let outside = outside_scope(scope, &rows, unit_field);
    if !outside.is_empty() {
        return Err(AppError::out_of_scope_many(outside));
    }
    errors.extend(check_matched(actor, &rows, default_password.is_some()));
    if !errors.is_empty() {
        return Err(invalid_lines(errors));
    }
    let outcome = write_rows(&txn, actor, scope, rows, hashes, now).await?;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::Import,
        "user",
        None,
        format!(
            "roster import: {} created, {} updated",
            outcome.created, outcome.updated
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// Reads the header line: which column holds what. A file without a name column, or
/// without a username or employee-number column, is refused before any line is read.
fn read_header(
    headers: &csv::StringRecord,
    default_password: Option<&str>,
    min_length: usize,
) -> AppResult<HashMap<Column, usize>> {
    let mut columns: HashMap<Column, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        if let Some(column) = column_for(header)
            && columns.insert(column, index).is_some()
        {
            errors.push(
                FieldError::not_unique(header, "this column appears twice", Vec::new()).at(1),
            );
        }
    }
    if !columns.contains_key(&Column::Name) {
        errors.push(
            FieldError::new(
                "name",
                Code::MissingColumn,
                "the file needs a name (姓名) column",
            )
            .at(1),
        );
    }
    if !columns.contains_key(&Column::Username) && !columns.contains_key(&Column::EmployeeNo) {
        errors.push(
            FieldError::new(
                "username",
                Code::MissingColumn,
                "the file needs a username (用户名) or employee_no (工号) column",
            )
            .at(1),
        );
    }
    if let Some(p) = default_password
        && let Err(AppError::Invalid { errors: more, .. }) =
            check_password_rules(min_length, "default_password", p, None)
    {
        errors.extend(more);
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(AppError::invalid_many(errors))
    }
}

/// The units, read once, to check the unit of every line.
struct UnitLookup {
    ids: HashSet<i64>,
    by_name: HashMap<String, Vec<i64>>,
}

impl UnitLookup {
    async fn load(db: &DatabaseConnection) -> AppResult<Self> {
        let all = unit::Entity::find().all(db).await?;
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        for u in &all {
            by_name.entry(u.name.clone()).or_default().push(u.id);
        }
        Ok(Self {
            ids: all.iter().map(|u| u.id).collect(),
            by_name,
        })
    }
}

/// Every line of the file, checked on its own and against the lines before it (the same
/// account twice). Lines with errors are kept too, so that matching can report more.
fn parse_rows(
    lines: &[Result<(u64, csv::StringRecord), FieldError>],
    columns: &HashMap<Column, usize>,
    units: &UnitLookup,
    min_length: usize,
) -> (Vec<Row>, Vec<FieldError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen_keys: HashMap<String, u64> = HashMap::new();
    for line in lines {
        let (line, record) = match line {
            Ok((line, record)) => (*line, record),
            Err(e) => {
                errors.push(e.clone());
                continue;
            }
        };
        let mut line_errors = Vec::new();
        let row = {
            let mut err = |e: FieldError| line_errors.push(e.at(line));
            let row = parse_row(record, line, (columns, units), min_length, &mut err);
            check_repeated(&row, &mut seen_keys, &mut err);
            row
        };
        errors.extend(line_errors);
        rows.push(row);
    }
    (rows, errors)
}

/// One line's fields, each checked; problems go to `err`.
fn parse_row(
    record: &csv::StringRecord,
    line: u64,
    (columns, units): (&HashMap<Column, usize>, &UnitLookup),
    min_length: usize,
    err: &mut dyn FnMut(FieldError),
) -> Row {
    let get = |c: Column| columns.get(&c).and_then(|i| record.get(*i)).unwrap_or("");
    let employee_no = clean_employee_no(
        field_name(Column::EmployeeNo),
        Some(get(Column::EmployeeNo)),
    )
    .map_err(&mut *err)
    .ok()
    .flatten();
    let phone = clean_phone(field_name(Column::Phone), Some(get(Column::Phone)))
        .map_err(&mut *err)
        .ok()
        .flatten();
    let username_raw = match get(Column::Username) {
        "" => employee_no.clone().unwrap_or_default(),
        u => u.to_owned(),
    };
    let username = match clean_username("username", &username_raw) {
        Ok(u) => u,
        Err(_) if username_raw.is_empty() => {
            err(FieldError::new(
                "username",
                Code::Required,
                "a username or an employee number is required",
            ));
            String::new()
        }
        Err(e) => {
            err(e);
            String::new()
        }
    };
    let name = clean_name("name", get(Column::Name))
        .map_err(&mut *err)
        .unwrap_or_default();
    let unit_id = parse_unit(columns, &get, units, err);
    let roles = columns
        .contains_key(&Column::Roles)
        .then(|| parse_roles(get(Column::Roles), err));
    let mut flag = |c: Column| {
        columns.get(&c)?;
        let raw = get(c);
        parse_bool(raw).or_else(|| {
            err(FieldError::new(
                field_name(c),
                Code::WrongType,
                format!("expected 是/否 or true/false, got {raw:?}"),
            )
            .with(|p| p.expected = Some(Format::Boolean)));
            None
        })
    };
    let is_leader = flag(Column::IsLeader);
    let active = flag(Column::Active);
    let password = Some(get(Column::Password))
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    if let Some(p) = &password
        && let Err(AppError::Invalid { errors: more, .. }) =
            check_password_rules(min_length, "password", p, Some(&username))
    {
        more.into_iter().for_each(&mut *err);
    }
    Row {
        line,
        username,
        name,
        employee_no,
        phone,
        unit_id,
        roles,
        is_leader,
        password,
        active,
        existing: None,
        conflict: None,
    }
}

/// The line's unit: by `unit_id`, else by the unit's name (which must be unique);
/// `None` when the file has neither column (keep what is stored).
fn parse_unit<'r>(
    columns: &HashMap<Column, usize>,
    get: &dyn Fn(Column) -> &'r str,
    units: &UnitLookup,
    err: &mut dyn FnMut(FieldError),
) -> Option<Option<i64>> {
    if columns.contains_key(&Column::UnitId) {
        match get(Column::UnitId) {
            "" => Some(None),
            v => match v.parse::<i64>() {
                Ok(id) if units.ids.contains(&id) => Some(Some(id)),
                _ => {
                    err(FieldError::not_found(
                        "unit_id",
                        Thing::Unit,
                        vec![v.to_owned()],
                    ));
                    None
                }
            },
        }
    } else if columns.contains_key(&Column::Unit) {
        match get(Column::Unit) {
            "" => Some(None),
            v => match units.by_name.get(v).map(Vec::as_slice) {
                Some([id]) => Some(Some(*id)),
                Some(many) => {
                    err(FieldError::new(
                        "unit",
                        Code::Ambiguous,
                        format!("{} units are named {v:?}; use a unit_id column", many.len()),
                    )
                    .with(|p| {
                        p.what = Some(Thing::Unit);
                        p.values = Some(vec![v.to_owned()]);
                    }));
                    None
                }
                None => {
                    err(FieldError::not_found(
                        "unit",
                        Thing::Unit,
                        vec![v.to_owned()],
                    ));
                    None
                }
            },
        }
    } else {
        None
    }
}

/// Roles separated by any of the usual separators; an empty cell means `cadre`.
fn parse_roles(raw: &str, err: &mut dyn FnMut(FieldError)) -> Vec<Role> {
    let mut roles = Vec::new();
    for word in raw
        .split([',', ';', '，', '；', '、', '|', '/', ' '])
        .filter(|w| !w.trim().is_empty())
    {
        match parse_role(word) {
            Some(r) => roles.push(r),
            None => err(FieldError::new(
                "roles",
                Code::UnknownValue,
                format!("unknown role {word:?} (use admin, hr, judicial, cadre)"),
            )
            .with(|p| p.allowed = Some(Role::ALL.iter().map(|r| r.key().to_owned()).collect()))),
        }
    }
    if roles.is_empty() && raw.trim().is_empty() {
        vec![Role::Cadre]
    } else {
        roles
    }
}

/// The same username or employee number on two lines of one file is an error.
fn check_repeated(
    row: &Row,
    seen_keys: &mut HashMap<String, u64>,
    err: &mut dyn FnMut(FieldError),
) {
    let keys = [
        Some(row.username.clone()),
        row.employee_no.clone().map(|n| format!("#{n}")),
    ];
    for key in keys.into_iter().flatten() {
        if key.is_empty() || key == "#" {
            continue;
        }
        if let Some(first) = seen_keys.insert(key, row.line) {
            err(FieldError::not_unique(
                "username",
                format!("the same account appears on line {first}"),
                vec![first.to_string()],
            ));
            break;
        }
    }
}

/// The password hashes of the lines that carry one, and of the default password when a
/// line needs it.
struct Hashes {
    default: Option<String>,
    per_row: Vec<Option<String>>,
}

impl Hashes {
    async fn of(rows: &[Row], default_password: Option<&str>) -> AppResult<Self> {
        let default = match default_password {
            Some(p) if rows.iter().any(|r| r.password.is_none()) => Some(hash_password(p).await?),
            _ => None,
        };
        let mut per_row = Vec::with_capacity(rows.len());
        for row in rows {
            per_row.push(match &row.password {
                Some(p) => Some(hash_password(p).await?),
                None => None,
            });
        }
        Ok(Self { default, per_row })
    }
}

/// Finds the stored account of each line: by username, else by employee number.
async fn match_stored(txn: &impl ConnectionTrait, rows: &mut [Row]) -> AppResult<()> {
    let usernames: Vec<String> = rows.iter().map(|r| r.username.clone()).collect();
    let numbers: Vec<String> = rows.iter().filter_map(|r| r.employee_no.clone()).collect();
    let mut stored: Vec<user::Model> = Vec::new();
    for chunk in usernames.chunks(500) {
        stored.extend(
            user::Entity::find()
                .filter(user::Column::Username.is_in(chunk.to_vec()))
                .all(txn)
                .await?,
        );
    }
    for chunk in numbers.chunks(500) {
        stored.extend(
            user::Entity::find()
                .filter(user::Column::EmployeeNo.is_in(chunk.to_vec()))
                .all(txn)
                .await?,
        );
    }
    let by_username: HashMap<&str, &user::Model> =
        stored.iter().map(|u| (u.username.as_str(), u)).collect();
    let by_number: HashMap<&str, &user::Model> = stored
        .iter()
        .filter_map(|u| u.employee_no.as_deref().map(|n| (n, u)))
        .collect();
    for row in rows.iter_mut() {
        let by_name = by_username.get(row.username.as_str()).copied();
        let by_no = row
            .employee_no
            .as_deref()
            .and_then(|n| by_number.get(n).copied());
        row.existing = match (by_name, by_no) {
            (Some(a), Some(b)) if a.id != b.id => {
                row.conflict = Some(b.username.clone());
                None
            }
            (Some(a), _) => Some(a.clone()),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => None,
        };
    }
    Ok(())
}

/// What can be said only once each line is matched: an employee number held by another
/// account, a role the importer may not grant, a new account without a password.
fn check_matched(actor: &Actor, rows: &[Row], has_default_password: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for row in rows {
        if let Some(holder) = &row.conflict {
            let no = row.employee_no.clone().unwrap_or_default();
            let message = format!("employee number {no} belongs to another account ({holder})");
            errors.push(FieldError::not_unique("employee_no", message, vec![no]).at(row.line));
        }
        let current = row.existing.as_ref().map(|u| Role::split(&u.roles));
        if let Err(AppError::Forbidden(message)) =
            crate::policy::authorize_role_grant(actor, current.as_deref(), row.roles.as_deref())
        {
            errors.push(FieldError::new("roles", Code::NotAllowed, message).at(row.line));
        }
        if row.existing.is_none() && row.password.is_none() && !has_default_password {
            errors.push(
                FieldError::new(
                    "password",
                    Code::Required,
                    "a new account needs a password (a 密码 column, or the default_password parameter)",
                )
                .at(row.line),
            );
        }
    }
    errors
}

/// The lines that reach outside the importer's scope: an account of a unit outside it
/// (or one managing more than it), a unit outside it, or manager roles that would reach
/// further than it. Any of them refuses the whole file (403 `out_of_scope`).
fn outside_scope(scope: &Scope, rows: &[Row], unit_field: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for row in rows {
        if let Some(existing) = &row.existing {
            let roles = Role::split(&existing.roles);
            if !scope.sees(existing.unit_id)
                || (users::holds_manager_role(&roles) && !scope.sees(existing.scope_unit_id))
            {
                errors.push(
                    FieldError::out_of_scope(
                        "username",
                        "this account belongs to a unit outside your scope",
                        Vec::new(),
                    )
                    .at(row.line),
                );
                continue;
            }
        }
        let unit = match (&row.unit_id, &row.existing) {
            (Some(unit), Some(_)) => *unit,
            (None, Some(existing)) => existing.unit_id,
            (unit, None) => new_unit(scope, unit),
        };
        if !scope.sees(unit) {
            let message = match unit {
                Some(_) => "the unit is outside your scope",
                None => "an account needs a unit within your scope",
            };
            errors.push(FieldError::out_of_scope(unit_field, message, Vec::new()).at(row.line));
            continue;
        }
        let granted = match &row.existing {
            Some(existing) => existing.scope_unit_id,
            None => scope.root(),
        };
        if let Some(roles) = &row.roles
            && users::check_granted_scope(scope, roles, granted).is_err()
        {
            errors.push(
                FieldError::out_of_scope(
                    "roles",
                    "these roles would reach beyond your scope",
                    Vec::new(),
                )
                .at(row.line),
            );
        }
    }
    errors
}

/// A new account's unit: the line's, or — when the line names none — the importer's
/// scope unit (a street's HR imports the street's people).
fn new_unit(scope: &Scope, line: &Option<Option<i64>>) -> Option<i64> {
    line.flatten().or(scope.root())
}

/// All-or-nothing: the whole file is refused with every bad line, in line order.
fn invalid_lines(mut errors: Vec<FieldError>) -> AppError {
    errors.sort_by_key(|e| e.line);
    let lines: HashSet<_> = errors.iter().filter_map(|e| e.line).collect();
    AppError::Invalid {
        detail: format!(
            "{} line(s) of the file are invalid; nothing was imported",
            lines.len()
        ),
        errors,
    }
}

/// Creates the new accounts and updates the matched ones (only what changed).
async fn write_rows(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
    rows: Vec<Row>,
    hashes: Hashes,
    now: DateTime<Utc>,
) -> AppResult<ImportOutcome> {
    let mut outcome = ImportOutcome {
        created: 0,
        updated: 0,
    };
    for (mut row, hash) in rows.into_iter().zip(hashes.per_row) {
        match row.existing.take() {
            Some(existing) => {
                if update_account(txn, actor, existing, row, hash, now).await? {
                    outcome.updated += 1;
                }
            }
            None => {
                let hash = hash.or_else(|| hashes.default.clone());
                insert_account(txn, scope, row, hash, now).await?;
                outcome.created += 1;
            }
        }
    }
    Ok(outcome)
}

/// Updates a matched account with the line's fields; `false` when nothing changed.
async fn update_account(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    existing: user::Model,
    row: Row,
    hash: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let id = existing.id;
    let roles_before = existing.roles.clone();
    let unit_before = existing.unit_id;
    let current = existing.clone();
    let mut active: user::ActiveModel = existing.into();
    active.username.set_ne(row.username);
    active.name.set_ne(row.name);
    if row.employee_no.is_some() {
        active.employee_no.set_ne(row.employee_no);
    }
    if row.phone.is_some() {
        active.phone.set_ne(row.phone);
    }
    if let Some(unit_id) = row.unit_id {
        active.unit_id.set_ne(unit_id);
    }
    if let Some(roles) = &row.roles {
        active.roles.set_ne(Role::join(roles));
    }
    if let Some(v) = row.is_leader {
        active.is_leader.set_ne(v);
    }
    if let Some(v) = row.active {
        active.active.set_ne(v);
    }
    let reset = hash.is_some() || row.active == Some(false);
    if let Some(h) = hash {
        // Someone else set it: the owner changes it at the next sign-in.
        crate::services::auth::keep_in_history(txn, &current, now).await?;
        active.password_hash = Set(h);
        active.password_changed_at = Set(Some(now));
        active.password_change_required = Set(true);
    }
    if !active.is_changed() {
        return Ok(false);
    }
    active.updated_at = Set(now);
    let model = active.update(txn).await?;
    if model.unit_id != unit_before {
        crate::services::roster::move_member(txn, id, model.unit_id).await?;
    }
    if reset {
        crate::services::auth::revoke_user_tokens(txn, id, now).await?;
    }
    if model.roles != roles_before {
        audit::record(
            txn,
            Some(actor),
            now,
            audit::AuditAction::RoleChange,
            "user",
            Some(id.to_string()),
            format!("roles {roles_before} → {} (import)", model.roles),
        )
        .await?;
    }
    Ok(true)
}

async fn insert_account(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    row: Row,
    hash: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let roles = row.roles.unwrap_or_else(|| vec![Role::Cadre]);
    // A manager account made by an import manages what its importer does, never more.
    let scope_unit_id = users::holds_manager_role(&roles)
        .then(|| scope.root())
        .flatten();
    user::ActiveModel {
        scope_unit_id: Set(scope_unit_id),
        username: Set(row.username),
        // "!" never verifies: a line without a password and no default cannot get here.
        password_hash: Set(hash.unwrap_or_else(|| "!".into())),
        name: Set(row.name),
        roles: Set(Role::join(&roles)),
        unit_id: Set(new_unit(scope, &row.unit_id)),
        is_leader: Set(row.is_leader.unwrap_or(false)),
        employee_no: Set(row.employee_no),
        phone: Set(row.phone),
        active: Set(row.active.unwrap_or(true)),
        password_changed_at: Set(Some(now)),
        password_change_required: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}
