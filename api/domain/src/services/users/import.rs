//! Roster import from the CSV that HR exports from Excel: UTF-8 (with or without BOM) or
//! GBK, English or Chinese headers. All-or-nothing: every bad line is reported and
//! nothing is stored; importing the same file again updates, never duplicates.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{unit, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::{clean_employee_no, clean_name, clean_username};
use crate::{
    auth::{Actor, Role, hash_password},
    error::{AppError, AppResult, FieldError},
    services::{ROSTER_IMPORT_LOCK, audit, auth::check_password_rules, begin_write, lock_named},
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

/// Decodes UTF-8 (a BOM is dropped) or, when the bytes are not UTF-8, GBK/GB18030.
pub fn decode(bytes: &[u8]) -> AppResult<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(AppError::BadRequest(
            "the file is neither UTF-8 nor GBK text".into(),
        ));
    }
    Ok(text.into_owned())
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
    /// `None` when the file has no unit column (keep what is stored).
    unit_id: Option<Option<i64>>,
    roles: Option<Vec<Role>>,
    is_leader: Option<bool>,
    password: Option<String>,
    active: Option<bool>,
    existing: Option<user::Model>,
}

/// Imports a roster. `default_password` is given to new accounts whose line has none.
pub async fn import_roster(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    default_password: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<ImportOutcome> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| AppError::BadRequest(format!("cannot read the header line: {e}")))?
        .clone();
    let mut columns: HashMap<Column, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        if let Some(column) = column_for(header)
            && columns.insert(column, index).is_some()
        {
            errors.push(FieldError::at_line(1, header, "this column appears twice"));
        }
    }
    if !columns.contains_key(&Column::Name) {
        errors.push(FieldError::at_line(
            1,
            "name",
            "the file needs a name (姓名) column",
        ));
    }
    if !columns.contains_key(&Column::Username) && !columns.contains_key(&Column::EmployeeNo) {
        errors.push(FieldError::at_line(
            1,
            "username",
            "the file needs a username (用户名) or employee_no (工号) column",
        ));
    }
    if let Some(p) = default_password
        && let Err(AppError::Invalid { errors: more, .. }) =
            check_password_rules("default_password", p)
    {
        errors.extend(more);
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_many(errors));
    }

    // What the checks need, read once: units by name and id, accounts by key.
    let all_units = unit::Entity::find().all(db).await?;
    let unit_ids: HashSet<i64> = all_units.iter().map(|u| u.id).collect();
    let mut units_by_name: HashMap<&str, Vec<i64>> = HashMap::new();
    for u in &all_units {
        units_by_name.entry(u.name.as_str()).or_default().push(u.id);
    }

    let mut rows = Vec::new();
    let mut seen_keys: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(FieldError::at_line(
                    line,
                    "",
                    format!("unreadable line: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let get = |c: Column| columns.get(&c).and_then(|i| record.get(*i)).unwrap_or("");
        let mut line_errors = Vec::new();
        let mut err = |c: &str, m: String| line_errors.push(FieldError::at_line(line, c, m));

        let employee_no = clean_employee_no(
            field_name(Column::EmployeeNo),
            Some(get(Column::EmployeeNo)),
        )
        .map_err(|e| err(&e.field, e.message))
        .ok()
        .flatten();
        let username_raw = match get(Column::Username) {
            "" => employee_no.clone().unwrap_or_default(),
            u => u.to_owned(),
        };
        let username = match clean_username("username", &username_raw) {
            Ok(u) => u,
            Err(_) if username_raw.is_empty() => {
                err(
                    "username",
                    "a username or an employee number is required".into(),
                );
                String::new()
            }
            Err(e) => {
                err(&e.field, e.message);
                String::new()
            }
        };
        let name = clean_name("name", get(Column::Name))
            .map_err(|e| err(&e.field, e.message))
            .unwrap_or_default();

        let unit_id = if let Some(i) = columns.get(&Column::UnitId) {
            match record.get(*i).unwrap_or("") {
                "" => Some(None),
                v => match v.parse::<i64>() {
                    Ok(id) if unit_ids.contains(&id) => Some(Some(id)),
                    _ => {
                        err("unit_id", format!("no unit with id {v:?}"));
                        None
                    }
                },
            }
        } else if columns.contains_key(&Column::Unit) {
            match get(Column::Unit) {
                "" => Some(None),
                v => match units_by_name.get(v).map(Vec::as_slice) {
                    Some([id]) => Some(Some(*id)),
                    Some(many) => {
                        err(
                            "unit",
                            format!("{} units are named {v:?}; use a unit_id column", many.len()),
                        );
                        None
                    }
                    None => {
                        err("unit", format!("no unit named {v:?}"));
                        None
                    }
                },
            }
        } else {
            None
        };

        let roles = if columns.contains_key(&Column::Roles) {
            let raw = get(Column::Roles);
            let mut roles = Vec::new();
            for word in raw
                .split([',', ';', '，', '；', '、', '|', '/', ' '])
                .filter(|w| !w.trim().is_empty())
            {
                match parse_role(word) {
                    Some(r) => roles.push(r),
                    None => err(
                        "roles",
                        format!("unknown role {word:?} (use admin, hr, judicial, cadre)"),
                    ),
                }
            }
            Some(if roles.is_empty() && raw.trim().is_empty() {
                vec![Role::Cadre]
            } else {
                roles
            })
        } else {
            None
        };
        let flag = |c: Column, err: &mut dyn FnMut(&str, String)| {
            columns.get(&c)?;
            let raw = get(c);
            parse_bool(raw).or_else(|| {
                err(
                    field_name(c),
                    format!("expected 是/否 or true/false, got {raw:?}"),
                );
                None
            })
        };
        let is_leader = flag(Column::IsLeader, &mut err);
        let active = flag(Column::Active, &mut err);
        let password = Some(get(Column::Password))
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        if let Some(p) = &password
            && let Err(AppError::Invalid { errors: more, .. }) = check_password_rules("password", p)
        {
            for e in more {
                err(&e.field, e.message);
            }
        }

        for key in [
            Some(username.clone()),
            employee_no.clone().map(|n| format!("#{n}")),
        ]
        .into_iter()
        .flatten()
        {
            if key.is_empty() || key == "#" {
                continue;
            }
            if let Some(first) = seen_keys.insert(key.clone(), line) {
                err(
                    "username",
                    format!("the same account appears on line {first}"),
                );
                break;
            }
        }
        errors.extend(line_errors);
        rows.push(Row {
            line,
            username,
            name,
            employee_no,
            unit_id,
            roles,
            is_leader,
            password,
            active,
            existing: None,
        });
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(AppError::invalid("file", "the file holds no accounts"));
    }

    // Hash before the transaction: argon2 is slow, the write lock should not wait on it.
    let default_hash = match default_password {
        Some(p) if rows.iter().any(|r| r.password.is_none()) => Some(hash_password(p).await?),
        _ => None,
    };
    let mut hashes = Vec::with_capacity(rows.len());
    for row in &rows {
        hashes.push(match &row.password {
            Some(p) => Some(hash_password(p).await?),
            None => None,
        });
    }

    // Matching and writing happen in one write transaction, so two imports of the same
    // file at once run one after the other: the second updates what the first created.
    let txn = begin_write(db).await?;
    lock_named(&txn, ROSTER_IMPORT_LOCK).await?;
    // Match each line to a stored account: by username, else by employee number.
    let usernames: Vec<String> = rows.iter().map(|r| r.username.clone()).collect();
    let numbers: Vec<String> = rows.iter().filter_map(|r| r.employee_no.clone()).collect();
    let mut stored: Vec<user::Model> = Vec::new();
    for chunk in usernames.chunks(500) {
        stored.extend(
            user::Entity::find()
                .filter(user::Column::Username.is_in(chunk.to_vec()))
                .all(&txn)
                .await?,
        );
    }
    for chunk in numbers.chunks(500) {
        stored.extend(
            user::Entity::find()
                .filter(user::Column::EmployeeNo.is_in(chunk.to_vec()))
                .all(&txn)
                .await?,
        );
    }
    let by_username: HashMap<&str, &user::Model> =
        stored.iter().map(|u| (u.username.as_str(), u)).collect();
    let by_number: HashMap<&str, &user::Model> = stored
        .iter()
        .filter_map(|u| u.employee_no.as_deref().map(|n| (n, u)))
        .collect();
    for row in &mut rows {
        let by_name = by_username.get(row.username.as_str()).copied();
        let by_no = row
            .employee_no
            .as_deref()
            .and_then(|n| by_number.get(n).copied());
        row.existing = match (by_name, by_no) {
            (Some(a), Some(b)) if a.id != b.id => {
                errors.push(FieldError::at_line(
                    row.line,
                    "employee_no",
                    format!(
                        "employee number {} belongs to another account ({})",
                        row.employee_no.as_deref().unwrap_or(""),
                        b.username
                    ),
                ));
                None
            }
            (Some(a), _) => Some(a.clone()),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => None,
        };
        let roles = row.roles.clone();
        let current = row.existing.as_ref().map(|u| Role::split(&u.roles));
        if let Err(AppError::Forbidden(message)) =
            crate::policy::authorize_role_grant(actor, current.as_deref(), roles.as_deref())
        {
            errors.push(FieldError::at_line(row.line, "roles", message));
        }
        if row.existing.is_none() && row.password.is_none() && default_password.is_none() {
            errors.push(FieldError::at_line(
                row.line,
                "password",
                "a new account needs a password (a 密码 column, or the default_password parameter)",
            ));
        }
    }
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

    let mut outcome = ImportOutcome {
        created: 0,
        updated: 0,
    };
    for (row, hash) in rows.into_iter().zip(hashes) {
        match row.existing {
            Some(existing) => {
                let id = existing.id;
                let roles_before = existing.roles.clone();
                let mut active: user::ActiveModel = existing.into();
                active.username.set_ne(row.username);
                active.name.set_ne(row.name);
                if row.employee_no.is_some() {
                    active.employee_no.set_ne(row.employee_no);
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
                    active.password_hash = Set(h);
                }
                if active.is_changed() {
                    active.updated_at = Set(now);
                    let model = active.update(&txn).await?;
                    if reset {
                        crate::services::auth::revoke_user_tokens(&txn, id, now).await?;
                    }
                    if model.roles != roles_before {
                        audit::record(
                            &txn,
                            Some(actor),
                            now,
                            "role_change",
                            "user",
                            Some(id.to_string()),
                            format!("roles {roles_before} → {} (import)", model.roles),
                        )
                        .await?;
                    }
                    outcome.updated += 1;
                }
            }
            None => {
                user::ActiveModel {
                    username: Set(row.username),
                    password_hash: Set(hash
                        .or_else(|| default_hash.clone())
                        .unwrap_or_else(|| "!".into())),
                    name: Set(row.name),
                    roles: Set(Role::join(&row.roles.unwrap_or_else(|| vec![Role::Cadre]))),
                    unit_id: Set(row.unit_id.flatten()),
                    is_leader: Set(row.is_leader.unwrap_or(false)),
                    employee_no: Set(row.employee_no),
                    active: Set(row.active.unwrap_or(true)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                outcome.created += 1;
            }
        }
    }
    audit::record(
        &txn,
        Some(actor),
        now,
        "import",
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
