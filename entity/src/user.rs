//! An account: a cadre, an HR officer, a judicial-office clerk or an administrator.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    /// argon2id PHC string; `!` for an account that has no password yet.
    pub password_hash: String,
    pub name: String,
    /// Comma-separated role names, sorted: `admin,cadre`.
    pub roles: String,
    pub unit_id: Option<i64>,
    pub is_leader: bool,
    #[sea_orm(unique)]
    pub employee_no: Option<String>,
    /// A mainland mobile number (11 digits, from 1), for SMS notices; admin and HR see it.
    pub phone: Option<String>,
    pub active: bool,
    /// The unit whose subtree a manager role applies to (管理范围); `None` = the whole
    /// installation. Cadres are unaffected.
    pub scope_unit_id: Option<i64>,
    /// When the password was last set; `None` for one set before this was recorded (its
    /// age counts from the next sign-in).
    pub password_changed_at: Option<DateTimeUtc>,
    /// Someone else set the password (create, import, reset): the owner must change it
    /// before doing anything else.
    pub password_change_required: bool,
    /// Never asked to change the password (the demo's accounts).
    pub password_exempt: bool,
    /// The TOTP secret (base32); set at enrolment, in force once confirmed.
    pub totp_secret: Option<String>,
    pub totp_confirmed_at: Option<DateTimeUtc>,
    /// The last 30-second step a code was accepted for: a code is never accepted twice.
    pub totp_last_step: Option<i64>,
    /// This sign-in (the latest), and the one before it, shown to the owner as 上次登录.
    pub sign_in_at: Option<DateTimeUtc>,
    pub sign_in_address: Option<String>,
    pub last_sign_in_at: Option<DateTimeUtc>,
    pub last_sign_in_address: Option<String>,
    /// Failed sign-ins since the latest success (running count).
    pub failed_sign_ins: i32,
    /// Failed sign-ins between the previous success and the latest one.
    pub failed_sign_ins_since_last: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::unit::Entity",
        from = "Column::UnitId",
        to = "super::unit::Column::Id",
        on_delete = "Restrict"
    )]
    Unit,
}

impl Related<super::unit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
