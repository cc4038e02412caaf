//! A leading cadre's 述职述法 of a year: one a leader a year.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{ReportForm, ReportRating};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "law_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The leading cadre (`users.is_leader`).
    pub user_id: i64,
    /// The cadre's name when the report was recorded (for those who may not read accounts).
    pub user_name: String,
    /// The cadre's unit when the report was recorded (the record's scope).
    pub unit_id: i64,
    pub year: i32,
    pub form: ReportForm,
    pub held_on: Date,
    pub rating: Option<ReportRating>,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
