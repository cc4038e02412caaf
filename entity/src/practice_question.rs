//! A question in a practice set and the cadre's first answer to it (options in their
//! stored order: practice does not shuffle).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "practice_questions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub practice_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub question_id: i64,
    /// JSON array of chosen option indices; `None` until answered.
    pub choices: Option<String>,
    pub correct: Option<bool>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
