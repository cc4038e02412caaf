//! Accounts: create, change, list. Who may grant which role lives here.

use chrono::{DateTime, Utc};
use entity::{unit, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Set,
};

use super::{Page, PageReq, audit, begin_write, fetch_page, units};
use crate::{
    auth::{Actor, Role, hash_password},
    error::{AppError, AppResult, Clash, Code, FieldError, Format, Thing},
    policy::{self, Scope},
    security::Security,
};

pub mod duties;
pub mod import;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// `None`: the creator's scope unit (none for an unscoped creator).
    pub unit_id: Option<i64>,
    pub is_leader: bool,
    pub employee_no: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    /// The unit whose subtree the account's manager roles apply to; `None` gives a
    /// manager account its creator's scope.
    pub scope_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub password: Option<String>,
    pub name: Option<String>,
    pub roles: Option<Vec<Role>>,
    /// `Some(None)` detaches the account from any unit.
    pub unit_id: Option<Option<i64>>,
    pub is_leader: Option<bool>,
    /// `Some(None)` clears the employee number.
    pub employee_no: Option<Option<String>>,
    /// `Some(None)` clears the phone number.
    pub phone: Option<Option<String>>,
    pub active: Option<bool>,
    /// `Some(None)` makes the account's manager roles apply to the whole installation.
    pub scope_unit_id: Option<Option<i64>>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// The unit and its sub-units.
    pub unit_id: Option<i64>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub is_leader: Option<bool>,
    /// Matches username, name or employee number.
    pub q: Option<String>,
    /// By `username`, `name`, `employee_no` or `created_at` (else by id).
    pub sort: Option<crate::paging::SortReq>,
}

impl UserFilter {
    /// The filter as an audit entry states it.
    pub fn audit_pairs(&self) -> audit::FilterPairs {
        vec![
            ("unit_id", audit::text(&self.unit_id)),
            ("role", self.role.map(|r| r.key().to_owned())),
            ("active", audit::text(&self.active)),
            ("is_leader", audit::text(&self.is_leader)),
            ("q", self.q.clone()),
        ]
    }
}

pub fn clean_username(field: &str, username: &str) -> Result<String, FieldError> {
    let username = username.trim();
    if username.is_empty() {
        return Err(FieldError::required(field));
    }
    if username.chars().count() > 64 {
        return Err(FieldError::too_long(field, 64));
    }
    if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(FieldError::bad_format(
            field,
            Format::Username,
            "must not contain spaces",
        ));
    }
    Ok(username.to_owned())
}

pub fn clean_name(field: &str, name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::required(field));
    }
    if name.chars().count() > 100 {
        return Err(FieldError::too_long(field, 100));
    }
    Ok(name.to_owned())
}

pub fn clean_employee_no(field: &str, no: Option<&str>) -> Result<Option<String>, FieldError> {
    match no.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(no) if no.chars().count() > 64 => Err(FieldError::too_long(field, 64)),
        Some(no) => Ok(Some(no.to_owned())),
    }
}

/// A mainland mobile number: 11 digits from 1 (second digit 3–9), written with or
/// without `+86`/`86`, spaces or dashes; stored as the 11 digits.
pub fn clean_phone(field: &str, phone: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(raw) = phone.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
        .unwrap_or(&digits);
    let mut chars = digits.chars();
    let valid = digits.len() == 11
        && digits.chars().all(|c| c.is_ascii_digit())
        && chars.next() == Some('1')
        && chars.next().is_some_and(|c| ('3'..='9').contains(&c));
    if valid {
        Ok(Some(digits.to_owned()))
    } else {
        Err(FieldError::bad_format(
            field,
            Format::Phone,
            "must be a mainland mobile number (11 digits starting 13–19)",
        ))
    }
}

async fn check_unit(db: &impl ConnectionTrait, unit_id: Option<i64>) -> AppResult<()> {
    check_unit_named(db, "unit_id", unit_id).await
}

async fn check_unit_named(
    db: &impl ConnectionTrait,
    field: &str,
    unit_id: Option<i64>,
) -> AppResult<()> {
    if let Some(id) = unit_id
        && unit::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(AppError::invalid(FieldError::not_found(
            field,
            Thing::Unit,
            Vec::new(),
        )));
    }
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

/// An account of a unit in scope; any other is 404.
pub async fn find_in(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<user::Model> {
    let found = get(db, id).await?;
    let unit = found.unit_id;
    scope.found(unit, found, "user")
}

/// Whether the roles include one that data scope limits (all but `cadre`).
pub fn holds_manager_role(roles: &[Role]) -> bool {
    roles.iter().any(|r| *r != Role::Cadre)
}

/// An account holding a manager role may have only a scope within the actor's: granting
/// it widens nothing. A plain cadre's scope means nothing and is not checked.
pub fn check_granted_scope(
    scope: &Scope,
    roles: &[Role],
    scope_unit_id: Option<i64>,
) -> AppResult<()> {
    if holds_manager_role(roles) {
        scope.check("scope_unit_id", scope_unit_id)
    } else {
        Ok(())
    }
}

fn collect<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

pub async fn create(
    db: &DatabaseConnection,
    (actor, security): (&Actor, &Security),
    scope: &Scope,
    new: NewUser,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    policy::authorize_role_grant(actor, None, Some(&new.roles))?;
    if new.scope_unit_id.is_some() {
        policy::authorize(actor, policy::Action::ManageGrants)?;
    }
    policy::check_separation(security, "roles", &new.roles)?;
    // A scoped manager's new account belongs to their scope's unit unless they name one.
    let new = NewUser {
        unit_id: new.unit_id.or(scope.root()),
        ..new
    };
    scope.check("unit_id", new.unit_id)?;
    let scope_unit_id = new.scope_unit_id.or(scope.root());
    check_granted_scope(scope, &new.roles, scope_unit_id)?;
    if let Some(unit) = scope_unit_id {
        check_unit_named(db, "scope_unit_id", Some(unit)).await?;
    }
    let mut errors = Vec::new();
    let username = collect(&mut errors, clean_username("username", &new.username));
    let name = collect(&mut errors, clean_name("name", &new.name));
    let employee_no = collect(
        &mut errors,
        clean_employee_no("employee_no", new.employee_no.as_deref()),
    );
    let phone = collect(&mut errors, clean_phone("phone", new.phone.as_deref()));
    errors.extend(crate::security::password_errors(
        security.password_min_length,
        "password",
        &new.password,
        Some(new.username.trim()),
    ));
    if new.roles.is_empty() {
        errors.push(FieldError::count_out_of_range("roles", 1, Role::ALL.len()));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_many(errors));
    }
    let (username, name, employee_no) = (username.unwrap(), name.unwrap(), employee_no.unwrap());
    check_unit(db, new.unit_id).await?;
    let hash = hash_password(&new.password).await?;
    let txn = begin_write(db).await?;
    let duplicate = user::Entity::find()
        .filter(
            Condition::any()
                .add(user::Column::Username.eq(&username))
                .add(user::Column::EmployeeNo.is_in(employee_no.clone())),
        )
        .one(&txn)
        .await?;
    if let Some(existing) = duplicate {
        let what = if existing.username == username {
            "username"
        } else {
            "employee number"
        };
        return Err(AppError::conflict(
            Clash::Duplicate,
            format!("an account with this {what} already exists"),
        ));
    }
    let model = user::ActiveModel {
        username: Set(username),
        password_hash: Set(hash),
        name: Set(name),
        roles: Set(Role::join(&new.roles)),
        unit_id: Set(new.unit_id),
        is_leader: Set(new.is_leader),
        employee_no: Set(employee_no),
        phone: Set(phone.flatten()),
        active: Set(new.active),
        scope_unit_id: Set(scope_unit_id),
        // Someone else set it: the owner changes it at the first sign-in.
        password_changed_at: Set(Some(now)),
        password_change_required: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor),
        now,
        audit::AuditAction::Create,
        "user",
        Some(model.id.to_string()),
        format!(
            "user {} ({}) roles {}",
            model.username, model.name, model.roles
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// What nobody may do to their own account: disable it, or (an admin) drop their admin role.
fn own_account_errors(actor: &Actor, id: i64, changes: &UserChanges) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if id != actor.id {
        return errors;
    }
    if changes.active == Some(false) {
        errors.push(FieldError::new(
            "active",
            Code::OwnAccount,
            "you cannot disable your own account",
        ));
    }
    if actor.is_admin()
        && changes
            .roles
            .as_ref()
            .is_some_and(|r| !r.contains(&Role::Admin))
    {
        errors.push(FieldError::new(
            "roles",
            Code::OwnAccount,
            "you cannot remove your own admin role",
        ));
    }
    errors
}

/// Which work a change is: an account's details (a system administrator's or HR's), its
/// roles and scope (a security administrator's or HR's), its password (a reset).
fn authorize_change(actor: &Actor, changes: &UserChanges) -> AppResult<()> {
    let details = changes.name.is_some()
        || changes.employee_no.is_some()
        || changes.phone.is_some()
        || changes.unit_id.is_some()
        || changes.is_leader.is_some()
        || changes.active.is_some();
    if details {
        policy::authorize(actor, policy::Action::ManageAccounts)?;
    }
    if changes.roles.is_some() || changes.scope_unit_id.is_some() {
        policy::authorize(actor, policy::Action::ManageGrants)?;
    }
    if changes.password.is_some() {
        policy::authorize(actor, policy::Action::ResetPasswords)?;
    }
    Ok(())
}

/// What scope asks of a change to an account: the account is within the actor's reach
/// (its unit in scope, and, for a manager, its scope too), nobody changes their own
/// scope, and what the change leaves (unit, roles, scope) stays within the actor's.
fn check_scope_of_change(
    actor: &Actor,
    scope: &Scope,
    current: &user::Model,
    changes: &UserChanges,
) -> AppResult<()> {
    let current_roles = Role::split(&current.roles);
    if holds_manager_role(&current_roles) && !scope.sees(current.scope_unit_id) {
        return Err(AppError::out_of_scope(
            "scope_unit_id",
            "this account manages more than your scope",
        ));
    }
    if current.id == actor.id
        && changes
            .scope_unit_id
            .is_some_and(|s| s != current.scope_unit_id)
    {
        return Err(AppError::forbidden("you cannot change your own scope"));
    }
    if let Some(unit) = changes.unit_id {
        scope.check("unit_id", unit)?;
    }
    let roles = changes.roles.as_deref().unwrap_or(&current_roles);
    let scope_unit_id = changes.scope_unit_id.unwrap_or(current.scope_unit_id);
    if changes.roles.is_some() || changes.scope_unit_id.is_some() {
        check_granted_scope(scope, roles, scope_unit_id)?;
    }
    Ok(())
}

pub async fn update(
    db: &DatabaseConnection,
    (actor, security): (&Actor, &Security),
    scope: &Scope,
    id: i64,
    changes: UserChanges,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let current = allowed_change(db, (actor, security), scope, id, &changes).await?;
    let mut errors = Vec::new();
    let name = changes
        .name
        .as_deref()
        .map(|n| collect(&mut errors, clean_name("name", n)));
    let employee_no = changes
        .employee_no
        .as_ref()
        .map(|no| collect(&mut errors, clean_employee_no("employee_no", no.as_deref())));
    let phone = changes
        .phone
        .as_ref()
        .map(|p| collect(&mut errors, clean_phone("phone", p.as_deref())));
    if let Some(password) = &changes.password {
        errors.extend(crate::security::password_errors(
            security.password_min_length,
            "password",
            password,
            Some(&current.username),
        ));
    }
    if changes.roles.as_ref().is_some_and(|r| r.is_empty()) {
        errors.push(FieldError::count_out_of_range("roles", 1, Role::ALL.len()));
    }
    errors.extend(own_account_errors(actor, id, &changes));
    if !errors.is_empty() {
        return Err(AppError::invalid_many(errors));
    }
    if let Some(unit_id) = changes.unit_id {
        check_unit(db, unit_id).await?;
    }
    let hash = match &changes.password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };

    let txn = begin_write(db).await?;
    let mut active: user::ActiveModel = current.clone().into();
    let mut summary = Vec::new();
    if let Some(Some(name)) = name {
        summary.push(format!("name → {name}"));
        active.name = Set(name);
    }
    if let Some(Some(no)) = employee_no {
        if let Some(no) = &no
            && user::Entity::find()
                .filter(user::Column::EmployeeNo.eq(no.as_str()))
                .filter(user::Column::Id.ne(id))
                .one(&txn)
                .await?
                .is_some()
        {
            return Err(AppError::conflict(
                Clash::Duplicate,
                "an account with this employee number already exists",
            ));
        }
        summary.push(format!("employee_no → {}", no.as_deref().unwrap_or("")));
        active.employee_no = Set(no);
    }
    if let Some(Some(phone)) = phone {
        summary.push("phone changed".into());
        active.phone = Set(phone);
    }
    if let Some(unit_id) = changes.unit_id {
        summary.push(format!("unit → {}", units::unit_ref(unit_id)));
        active.unit_id = Set(unit_id);
    }
    if let Some(is_leader) = changes.is_leader {
        summary.push(format!("is_leader → {is_leader}"));
        active.is_leader = Set(is_leader);
    }
    let mut revoke = false;
    if let Some(is_active) = changes.active {
        summary.push(format!("active → {is_active}"));
        active.active = Set(is_active);
        revoke |= !is_active;
    }
    if let Some(hash) = &hash {
        // Someone else set it: the owner changes it at the next sign-in.
        super::auth::keep_in_history(&txn, &current, now).await?;
        active.password_hash = Set(hash.clone());
        active.password_changed_at = Set(Some(now));
        active.password_change_required = Set(true);
        revoke = true;
    }
    let roles_changed = changes
        .roles
        .as_ref()
        .map(|r| Role::join(r))
        .filter(|r| *r != current.roles);
    if let Some(roles) = &roles_changed {
        active.roles = Set(roles.clone());
        revoke = true;
    }
    let scope_changed = changes
        .scope_unit_id
        .filter(|s| *s != current.scope_unit_id);
    if let Some(new_scope) = scope_changed {
        active.scope_unit_id = Set(new_scope);
        revoke = true;
    }
    active.updated_at = Set(now);
    let model = active.update(&txn).await?;
    if model.unit_id != current.unit_id {
        super::roster::move_member(&txn, id, model.unit_id).await?;
    }
    if revoke {
        super::auth::revoke_user_tokens(&txn, id, now).await?;
    }
    if !summary.is_empty() {
        audit::record(
            &txn,
            Some(actor),
            now,
            audit::AuditAction::Update,
            "user",
            Some(id.to_string()),
            summary.join("; "),
        )
        .await?;
    }
    let grants = (roles_changed, scope_changed, hash.is_some());
    audit_grants(&txn, (actor, now), &current, grants).await?;
    txn.commit().await?;
    Ok(model)
}

/// A password for someone to type once and then change: 12 letters and digits that are
/// not mistaken for one another (no 0/O, 1/l/I), with a lower-case letter, a capital and
/// a digit, drawn from the thread's cryptographic generator.
pub fn one_time_password() -> String {
    use rand::seq::IndexedRandom;
    const LOWER: &str = "abcdefghijkmnpqrstuvwxyz";
    const UPPER: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &str = "23456789";
    let all: Vec<char> = [LOWER, UPPER, DIGITS].concat().chars().collect();
    let mut rng = rand::rng();
    loop {
        let password: String = (0..12)
            .filter_map(|_| all.choose(&mut rng).copied())
            .collect();
        let has = |class: &str| password.chars().any(|c| class.contains(c));
        if has(LOWER) && has(UPPER) && has(DIGITS) {
            return password;
        }
    }
}

/// Gives an account a new one-time password and ends its sessions; the password is
/// returned once and stored only hashed. Within the caller's scope, and HR cannot reset
/// an administrator's password (the same rule as changing the account).
pub async fn reset_password(
    db: &DatabaseConnection,
    (actor, security): (&Actor, &Security),
    scope: &Scope,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<(user::Model, String)> {
    let password = one_time_password();
    let changes = UserChanges {
        password: Some(password.clone()),
        ..UserChanges::default()
    };
    let model = update(db, (actor, security), scope, id, changes, now).await?;
    Ok((model, password))
}

/// The stored account a change is about, once the change is allowed: the caller's work
/// (details, grants, a reset), the scope, the roles the caller may grant, and separation of
/// duties.
async fn allowed_change(
    db: &DatabaseConnection,
    (actor, security): (&Actor, &Security),
    scope: &Scope,
    id: i64,
    changes: &UserChanges,
) -> AppResult<user::Model> {
    authorize_change(actor, changes)?;
    let current = find_in(db, scope, id).await?;
    check_scope_of_change(actor, scope, &current, changes)?;
    if let Some(Some(unit)) = changes.scope_unit_id {
        check_unit_named(db, "scope_unit_id", Some(unit)).await?;
    }
    let current_roles = Role::split(&current.roles);
    policy::authorize_role_grant(actor, Some(&current_roles), changes.roles.as_deref())?;
    if let Some(roles) = &changes.roles {
        policy::check_separation(security, "roles", roles)?;
    }
    Ok(current)
}

/// The audit entries of a change of roles (`role_change`), of scope (`scope_change`) and of
/// a password someone else set (`password_reset`).
async fn audit_grants(
    txn: &impl ConnectionTrait,
    (actor, now): (&Actor, DateTime<Utc>),
    current: &user::Model,
    (roles_changed, scope_changed, reset): (Option<String>, Option<Option<i64>>, bool),
) -> AppResult<()> {
    let id = current.id;
    if reset {
        audit::record(
            txn,
            Some(actor),
            now,
            audit::AuditAction::PasswordReset,
            "user",
            Some(id.to_string()),
            format!(
                "password of {} reset; to be changed at the next sign-in",
                current.username
            ),
        )
        .await?;
    }
    if let Some(roles) = roles_changed {
        audit::record(
            txn,
            Some(actor),
            now,
            audit::AuditAction::RoleChange,
            "user",
            Some(id.to_string()),
            format!("roles {} → {}", current.roles, roles),
        )
        .await?;
    }
    if let Some(new_scope) = scope_changed {
        audit::record(
            txn,
            Some(actor),
            now,
            audit::AuditAction::ScopeChange,
            "user",
            Some(id.to_string()),
            format!(
                "scope {} → {}",
                scope_text(current.scope_unit_id),
                scope_text(new_scope)
            ),
        )
        .await?;
    }
    Ok(())
}

/// A scope as the audit log states it.
fn scope_text(scope_unit_id: Option<i64>) -> String {
    scope_unit_id.map_or_else(|| "whole installation".into(), |u| format!("unit {u}"))
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: UserFilter,
    page: PageReq,
) -> AppResult<Page<user::Model>> {
    let mut query = user::Entity::find().filter(scope.condition(user::Column::UnitId));
    if let Some(unit_id) = filter.unit_id {
        let ids = units::subtree_ids(db, unit_id).await?;
        query = query.filter(user::Column::UnitId.is_in(ids));
    }
    if let Some(role) = filter.role {
        // Role names never contain one another, so a substring test is exact.
        query = query.filter(user::Column::Roles.contains(role.key()));
    }
    if let Some(active) = filter.active {
        query = query.filter(user::Column::Active.eq(active));
    }
    if let Some(leader) = filter.is_leader {
        query = query.filter(user::Column::IsLeader.eq(leader));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(user::Column::Username.contains(q))
                .add(user::Column::Name.contains(q))
                .add(user::Column::EmployeeNo.contains(q)),
        );
    }
    use sea_orm::IntoSimpleExpr;
    let query = crate::paging::sorted(
        query,
        filter.sort.as_ref(),
        &[
            ("username", user::Column::Username.into_simple_expr()),
            ("name", user::Column::Name.into_simple_expr()),
            ("employee_no", user::Column::EmployeeNo.into_simple_expr()),
            ("created_at", user::Column::CreatedAt.into_simple_expr()),
        ],
        user::Column::Id.into_simple_expr(),
    )?;
    fetch_page(db, query, page).await
}

#[cfg(test)]
mod phone_tests {
    use super::clean_phone;

    #[test]
    fn mainland_mobile_numbers_are_kept_as_eleven_digits() {
        let ok = |s| clean_phone("phone", Some(s)).unwrap().unwrap();
        assert_eq!(ok("13912345678"), "13912345678");
        assert_eq!(ok("+86 139-1234-5678"), "13912345678");
        assert_eq!(ok("8613912345678"), "13912345678");
        assert_eq!(clean_phone("phone", Some(" ")).unwrap(), None);
        for bad in [
            "1391234567",
            "12912345678",
            "23912345678",
            "1391234567x",
            "010-12345678",
        ] {
            assert!(clean_phone("phone", Some(bad)).is_err(), "{bad}");
        }
    }
}
