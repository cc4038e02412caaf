//! Public legal services (公共法律服务): lawyer duty shifts, consultations, legal aid.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{LegalServiceKind, LegalTopic};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_services")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: LegalServiceKind,
    pub unit_id: i64,
    pub held_on: Date,
    /// How many: shifts, consultations or cases (≥ 1).
    pub count: i32,
    pub topic: Option<LegalTopic>,
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
