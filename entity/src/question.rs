//! A question of a campaign's bank. Once drawn into an attempt it is never changed or
//! deleted (it is retired instead), so old attempts still grade.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{QuestionKind, QuestionPool};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    /// single / multiple / judge
    pub kind: QuestionKind,
    pub stem: String,
    /// JSON array of option texts.
    pub options: String,
    /// JSON array of the correct option indices, ascending.
    pub answer: String,
    pub points: i32,
    pub law_ref: String,
    pub retired: bool,
    /// JSON array of tags: the laws the question tests (宪法, 民法典…).
    pub tags: String,
    /// 1 easy, 2 medium, 3 hard.
    pub difficulty: i32,
    pub pool: QuestionPool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
