//! `/users`: accounts and the roster import.

use poem::web::Data;
use poem_openapi::{
    ApiRequest, ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};

use super::ApiTags;
use crate::views::{
    enums::{self, Role},
    paging::{Page, PageParam, PerPageParam, page_req},
    text::{self, Clearable, Text},
    users::UserView,
};
use domain::{
    policy::{self, Action},
    services::audit::{Disclosed, Disclosure},
    services::{
        self,
        users::{NewUser, UserChanges, UserFilter},
    },
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, middleware::Charset, validate::Checked};

pub struct UsersApi;

/// A new account. HR may not grant `admin`.
#[derive(Debug, Object)]
pub struct CreateUser {
    /// 1 to 64 characters, no spaces.
    #[oai(validator(max_length = 64))]
    pub username: Text,
    /// 8 to 128 characters.
    #[oai(validator(max_length = 128))]
    pub password: Text,
    #[oai(validator(max_length = 100))]
    pub name: Text,
    /// At least one; defaults to `[cadre]`.
    #[oai(default = "default_roles", validator(max_items = 7))]
    pub roles: Vec<Role>,
    /// Absent or `null`: the creator's scope unit (none for an unscoped creator).
    pub unit_id: Option<i64>,
    #[oai(default)]
    pub is_leader: bool,
    #[oai(validator(max_length = 64))]
    pub employee_no: Option<Text>,
    /// 手机号: 11 digits starting 13–19 (`+86`, spaces and dashes are dropped).
    #[oai(validator(max_length = 20))]
    pub phone: Option<Text>,
    #[oai(default = "default_true")]
    pub active: bool,
    /// 管理范围: the unit whose subtree the account's manager roles (`hr`, `judicial`,
    /// `admin`) apply to. Absent or `null`: the creator's own scope. It must lie within the
    /// creator's scope (else 403 `out_of_scope`).
    pub scope_unit_id: Option<i64>,
}

fn default_roles() -> Vec<Role> {
    vec![Role::Cadre]
}

fn default_true() -> bool {
    true
}

/// Changes to an account; absent fields stay as they are. Setting `password` resets it
/// and signs the account out everywhere; `active: false` does the same.
#[derive(Debug, Object)]
pub struct UpdateUser {
    #[oai(validator(max_length = 128))]
    pub password: Option<Text>,
    #[oai(validator(max_length = 100))]
    pub name: Option<Text>,
    #[oai(validator(max_items = 7))]
    pub roles: Option<Vec<Role>>,
    /// `null` detaches the account from its unit.
    pub unit_id: Clearable<i64>,
    pub is_leader: Option<bool>,
    /// `null` clears it.
    #[oai(validator(max_length = 64))]
    pub employee_no: Clearable<Text>,
    /// `null` clears it.
    #[oai(validator(max_length = 20))]
    pub phone: Clearable<Text>,
    pub active: Option<bool>,
    /// 管理范围; `null` = the whole installation. Within the caller's scope only, and
    /// nobody changes their own (403).
    pub scope_unit_id: Clearable<i64>,
}

/// What a roster import did.
#[derive(Debug, Object)]
pub struct ImportResult {
    pub created: u64,
    pub updated: u64,
}

/// A roster file as HR exports it from Excel (UTF-8 with or without BOM, or GBK).
#[derive(Debug, ApiRequest)]
pub enum RosterFile {
    /// CSV with a header line; see the README for the columns.
    #[oai(content_type = "text/csv")]
    Csv(Binary<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum UserResponse {
    /// The account.
    #[oai(status = 200)]
    Ok(Json<UserView>),
    /// The account was created.
    #[oai(status = 201)]
    Created(Json<UserView>),
}

#[derive(ApiResponse)]
pub enum UserList {
    /// A page of accounts, by id.
    #[oai(status = 200)]
    Ok(Json<Page<UserView>>),
}

/// A new one-time password, shown once.
#[derive(Debug, Object)]
pub struct ResetPassword {
    /// The account.
    pub user: UserView,
    /// The password to hand to the person; they sign in with it and then change it. It is
    /// not stored in clear and cannot be shown again.
    pub password: String,
}

#[derive(ApiResponse)]
pub enum PasswordReset {
    /// The password was replaced and the account's sessions ended.
    #[oai(status = 200)]
    Ok(Json<ResetPassword>),
}

#[derive(ApiResponse)]
pub enum Unlocked {
    /// The account signs in again from every address.
    #[oai(status = 200)]
    Ok(Json<UnlockResult>),
}

/// What an unlock lifted.
#[derive(Debug, Object)]
pub struct UnlockResult {
    /// The failed sign-ins cleared from the throttle.
    pub failures_cleared: u64,
}

#[derive(ApiResponse)]
pub enum TotpReset {
    /// The second factor is gone and the account's sessions ended.
    #[oai(status = 200)]
    Ok(Json<UserView>),
}

#[derive(ApiResponse)]
pub enum Imported {
    /// Every line was valid and has been stored.
    #[oai(status = 200)]
    Ok(Json<ImportResult>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Users")]
impl UsersApi {
    /// List accounts (admin, hr).
    #[oai(path = "/users", method = "get", operation_id = "listUsers")]
    async fn list_users(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Accounts of this unit and all its sub-units.
        unit_id: Query<Option<i64>>,
        role: Query<Option<Role>>,
        active: Query<Option<bool>>,
        is_leader: Query<Option<bool>>,
        /// Part of the username, name or employee number.
        q: Query<Option<String>>,
        /// The order: `username`, `name`, `employee_no` or `created_at`, with `-` first
        /// for descending (`-name`); by id when absent.
        #[oai(validator(max_length = 40))]
        sort: Query<Option<String>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<UserList> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAccounts).await?;
        let filter = UserFilter {
            unit_id: unit_id.0,
            role: role.0.map(Into::into),
            active: active.0,
            is_leader: is_leader.0,
            q: q.0,
            sort: domain::paging::SortReq::parse(sort.0.as_deref()),
        };
        let described = filter.audit_pairs();
        let found =
            services::users::list(&state.db, &scope, filter, page_req(page, per_page)).await?;
        super::disclosed(
            &state,
            &auth.0,
            Disclosed {
                kind: Disclosure::ReadPeople,
                what: "users",
                filters: &described,
                rows: found.items.len(),
            },
        )
        .await?;
        Ok(UserList::Ok(Json(Page::of(found, UserView::from))))
    }

    /// Create an account (admin, hr; only an admin may grant `admin`).
    #[oai(path = "/users", method = "post", operation_id = "createUser")]
    async fn create_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<CreateUser>,
    ) -> ApiResult<UserResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageAccounts).await?;
        let b = body.0;
        let new = NewUser {
            username: b.username.into(),
            password: b.password.into(),
            name: b.name.into(),
            roles: enums::all(b.roles),
            unit_id: b.unit_id,
            is_leader: b.is_leader,
            employee_no: text::opt(b.employee_no),
            phone: text::opt(b.phone),
            active: b.active,
            scope_unit_id: b.scope_unit_id,
        };
        let user = services::users::create(
            &state.db,
            (&auth.0, &state.config.security),
            &scope,
            new,
            state.clock.now(),
        )
        .await?;
        Ok(UserResponse::Created(Json(user.into())))
    }

    /// One account (admin, hr).
    #[oai(path = "/users/:id", method = "get", operation_id = "getUser")]
    async fn get_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<UserResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAccounts).await?;
        let user = services::users::find_in(&state.db, &scope, id.0).await?;
        Ok(UserResponse::Ok(Json(user.into())))
    }

    /// Change an account (admin, hr; HR can neither touch an admin nor grant `admin`).
    ///
    /// Within the caller's scope: an account of a unit outside it is 404; moving it to a
    /// unit outside it, or giving it a scope beyond the caller's, is 403 `out_of_scope`.
    #[oai(path = "/users/:id", method = "patch", operation_id = "updateUser")]
    async fn update_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<UpdateUser>,
    ) -> ApiResult<UserResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ReadAccounts).await?;
        let b = body.0;
        let changes = UserChanges {
            password: text::opt(b.password),
            name: text::opt(b.name),
            roles: b.roles.map(enums::all),
            unit_id: b.unit_id.into_change(),
            is_leader: b.is_leader,
            employee_no: b.employee_no.into_change().map(text::opt),
            phone: b.phone.into_change().map(text::opt),
            active: b.active,
            scope_unit_id: b.scope_unit_id.into_change(),
        };
        let user = services::users::update(
            &state.db,
            (&auth.0, &state.config.security),
            &scope,
            id.0,
            changes,
            state.clock.now(),
        )
        .await?;
        Ok(UserResponse::Ok(Json(user.into())))
    }

    /// Reset an account's password (admin, hr within scope; HR cannot reset an
    /// administrator's): a generated one-time password is answered once, the account's
    /// sessions end, and the reset is audited (without the password).
    #[oai(
        path = "/users/:id/reset-password",
        method = "post",
        operation_id = "resetUserPassword"
    )]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<PasswordReset> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ResetPasswords).await?;
        let (user, password) = services::users::reset_password(
            &state.db,
            (&auth.0, &state.config.security),
            &scope,
            id.0,
            state.clock.now(),
        )
        .await?;
        Ok(PasswordReset::Ok(Json(ResetPassword {
            user: user.into(),
            password,
        })))
    }

    /// Lift the sign-in throttle on an account (secadmin, admin; within scope), audited.
    #[oai(
        path = "/users/:id/unlock",
        method = "post",
        operation_id = "unlockUser"
    )]
    async fn unlock(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<Unlocked> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageSecurity).await?;
        let user = services::users::find_in(&state.db, &scope, id.0).await?;
        let cleared = services::auth::unlock(&state.db, &auth.0, &user, state.clock.now()).await?;
        Ok(Unlocked::Ok(Json(UnlockResult {
            failures_cleared: cleared,
        })))
    }

    /// Remove another account's second factor, e.g. after a lost phone (secadmin, admin;
    /// within scope): its sessions end, and it enrols again at its next sign-in when its
    /// role requires two factors. Audited.
    #[oai(
        path = "/users/:id/reset-totp",
        method = "post",
        operation_id = "resetUserTotp"
    )]
    async fn reset_totp(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<TotpReset> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageSecurity).await?;
        let user = services::users::find_in(&state.db, &scope, id.0).await?;
        services::totp::reset(&state.db, &auth.0, user, state.clock.now()).await?;
        let user = services::users::get(&state.db, id.0).await?;
        Ok(TotpReset::Ok(Json(user.into())))
    }

    /// Import a roster (admin, hr), all or nothing.
    ///
    /// Lines are matched to existing accounts by username, else by employee number, so
    /// importing the same file twice updates and never duplicates. Any bad line → 422
    /// listing every bad line and field, and nothing is stored.
    #[oai(path = "/users/import", method = "post", operation_id = "importUsers")]
    async fn import_users(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The password given to new accounts whose line has no 密码/password.
        #[oai(validator(max_length = 128))]
        default_password: Query<Option<String>>,
        body: RosterFile,
        charset: Option<Data<&Charset>>,
    ) -> ApiResult<Imported> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageAccounts).await?;
        let RosterFile::Csv(bytes) = body;
        let outcome = services::users::import::import_roster(
            &state.db,
            &auth.0,
            &scope,
            (&bytes.0, charset.map(|c| c.0.0.as_str())),
            (
                default_password.0.as_deref(),
                state.config.security.password_min_length,
            ),
            state.clock.now(),
        )
        .await?;
        Ok(Imported::Ok(Json(ImportResult {
            created: outcome.created,
            updated: outcome.updated,
        })))
    }
}
