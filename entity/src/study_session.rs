//! One stretch of study of one course. The id is the client's UUID, so a retry is safe.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "study_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: i64,
    pub campaign_id: i64,
    pub course_id: i64,
    pub enrollment_id: i64,
    pub started_at: DateTimeUtc,
    pub ended_at: DateTimeUtc,
    pub seconds: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
