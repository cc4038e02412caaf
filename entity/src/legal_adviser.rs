//! A legal adviser (法律顾问) a unit retains, or one of its public lawyers (公职律师).

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::AdviserKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_advisers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub kind: AdviserKind,
    pub unit_id: i64,
    /// Serving from `since` to `until` (open-ended when `None`).
    pub since: Date,
    pub until: Option<Date>,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
