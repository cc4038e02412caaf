//! One dispute a people's mediation committee (人民调解委员会) took on.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{MediationCategory, MediationResult};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mediation_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The unit whose committee mediated; its kind gives the level.
    pub committee_unit_id: i64,
    pub received_on: Date,
    pub closed_on: Option<Date>,
    pub category: MediationCategory,
    pub result: MediationResult,
    /// 涉及金额 in cents (yuan × 100), exact.
    pub amount_cents: i64,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Soft delete: a deleted record stays for the audit trail but counts nowhere.
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
