//! One task of the year's 法治政府建设 plan, broken down in the 任务分解表.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{LawTaskCategory, LawTaskStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "law_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The plan's year.
    pub year: i32,
    pub title: String,
    pub category: LawTaskCategory,
    /// The unit responsible (责任单位).
    pub unit_id: i64,
    /// Who leads it (牵头领导 or 责任人).
    pub lead: String,
    pub due_on: Date,
    pub status: LawTaskStatus,
    /// When it was done; set exactly when `status` is `done`.
    pub done_on: Option<Date>,
    /// The 自查 notes kept on it, and the day of the latest (written with each note).
    pub note_count: i32,
    pub last_note_on: Option<Date>,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
