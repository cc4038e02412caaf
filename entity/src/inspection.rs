//! One round of administrative enforcement inspections (行政执法检查).

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::InspectionField;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub held_on: Date,
    pub field: InspectionField,
    /// 检查家次
    pub entities_checked: i32,
    pub hazards_found: i32,
    /// At most `hazards_found`.
    pub hazards_fixed: i32,
    /// 处罚单位数
    pub penalties: i32,
    /// Fines in cents (yuan × 100), exact.
    pub fines_cents: i64,
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
