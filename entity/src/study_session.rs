//! One stretch of study of one course. The id is the client's UUID, so a retry is safe.

use sea_orm::entity::prelude::*;

use crate::vocabulary::StudySource;

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
    /// The seconds credited: for an upload its length, unless a daily cap cut it; for a
    /// live session the server's own visible time, never more than its length.
    pub seconds: i32,
    pub created_at: DateTimeUtc,
    /// Where the minutes come from: timed by the server, or uploaded by the app.
    pub source: StudySource,
    /// How far the times were shifted to correct the phone's clock (server minus phone,
    /// in seconds; 0 when the phone agreed within a minute or said nothing).
    pub clock_corrected_seconds: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
