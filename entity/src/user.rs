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
