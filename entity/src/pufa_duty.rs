//! One line of a unit's 普法责任清单 ("谁执法、谁普法") for a year.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::DutyStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pufa_duties")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    /// The law the unit enforces and so publicises.
    pub law: String,
    /// Whom it publicises it to.
    pub audience: String,
    /// What it does (宣传措施).
    pub actions: String,
    /// 以案释法: cases it explained the law through.
    pub cases_explained: i32,
    pub status: DutyStatus,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
