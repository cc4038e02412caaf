//! One law-publicity event (普法宣传活动) or training (法治学习/培训) that happened.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{ActivityKind, Audience, Venue};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// publicity / training
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: Date,
    pub organizer_unit_id: i64,
    /// The six-into target (法律"六进"): organ / village / community / school / enterprise / unit.
    pub venue: Option<Venue>,
    /// public / cadres / students / enforcement_staff / mediators / legal_workers
    pub audience: Audience,
    /// 人次
    pub attendance: i32,
    /// 宣传品份数 (publicity only)
    pub materials: i32,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Soft delete: a deleted activity stays for the audit trail but counts nowhere.
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
