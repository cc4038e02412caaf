//! The legality review of one major administrative decision (重大行政决策合法性审查).

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{DecisionCategory, ReviewResult, Reviewer};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decision_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The unit whose decision it is.
    pub unit_id: i64,
    pub category: DecisionCategory,
    /// When it was submitted for review.
    pub submitted_on: Date,
    /// Who reviewed it and what they found; both `None` while not reviewed.
    pub reviewer: Option<Reviewer>,
    pub result: Option<ReviewResult>,
    /// When the decision was taken (not before `submitted_on`).
    pub decided_on: Option<Date>,
    /// Whether it was adopted; never when the review found it unlawful.
    pub adopted: bool,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
