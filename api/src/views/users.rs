//! An account as the API shows it: `/users`, `/me`.

use chrono::{DateTime, Utc};
use entity::user;
use poem_openapi::Object;

use super::enums::{self, Role};

/// An account, as others see it (never the password).
#[derive(Debug, Object)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    /// Full name (姓名).
    pub name: String,
    pub roles: Vec<Role>,
    pub unit_id: Option<i64>,
    /// 领导干部.
    pub is_leader: bool,
    /// 工号.
    pub employee_no: Option<String>,
    /// 手机号: a mainland mobile number, for SMS notices.
    pub phone: Option<String>,
    /// A disabled account can neither log in nor refresh its tokens.
    pub active: bool,
    /// 管理范围: the unit whose subtree the account's manager roles apply to; `null` =
    /// the whole installation.
    pub scope_unit_id: Option<i64>,
    /// Signs in with a second factor (TOTP).
    pub totp_enabled: bool,
    /// Must change the password at the next sign-in (someone else set it).
    pub password_change_required: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<user::Model> for UserView {
    fn from(m: user::Model) -> Self {
        Self {
            id: m.id,
            roles: enums::all(domain::auth::Role::split(&m.roles)),
            username: m.username,
            name: m.name,
            unit_id: m.unit_id,
            is_leader: m.is_leader,
            employee_no: m.employee_no,
            phone: m.phone,
            active: m.active,
            scope_unit_id: m.scope_unit_id,
            totp_enabled: m.totp_confirmed_at.is_some(),
            password_change_required: m.password_change_required,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The caller's data scope (管理范围) as a header shows it.
#[derive(Debug, Object)]
pub struct ScopeView {
    pub unit_id: i64,
    pub name: String,
    /// The names from the top of the tree down to the scope's unit (`新区`, `胡家园街道`).
    pub path: Vec<String>,
}

/// The caller's own account, with the scope their manager roles work within.
#[derive(Debug, Object)]
pub struct MeView {
    #[oai(flatten)]
    pub account: UserView,
    /// `null`: the whole installation (or a plain cadre).
    pub scope: Option<ScopeView>,
    /// The sign-in before the current one (上次登录); `null` the first time.
    pub last_sign_in: Option<SignInView>,
    /// Failed sign-ins at this account between that sign-in and the current one.
    pub failed_sign_ins_since_last: i32,
    /// When the password must next be changed; `null` when it never expires.
    pub password_expires_at: Option<DateTime<Utc>>,
}

/// One sign-in: when, and from which address (`null` when unknown).
#[derive(Debug, Object)]
pub struct SignInView {
    pub at: DateTime<Utc>,
    pub address: Option<String>,
}
