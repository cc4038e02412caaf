//! A live study session under way: the server times it from heartbeats. The instance that
//! holds it in memory (`owner`) writes it here in groups, so a restarted server or another
//! instance carries on from the last write; ended, it becomes a study session
//! (`source: live`).

use sea_orm::entity::prelude::*;

use crate::vocabulary::LiveState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "live_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: i64,
    pub campaign_id: i64,
    pub course_id: i64,
    pub enrollment_id: i64,
    pub state: LiveState,
    pub started_at: DateTimeUtc,
    pub last_heartbeat_at: DateTimeUtc,
    pub credited_seconds: i32,
    /// The presence check waiting for its answer (还在学习吗？), and that answer.
    pub presence_prompt: Option<String>,
    pub presence_answer: Option<String>,
    /// When the next presence check is due (`None`: the campaign asks for none).
    pub next_check_at: Option<DateTimeUtc>,
    /// The instance that last wrote it.
    pub owner: String,
    pub ended_at: Option<DateTimeUtc>,
    /// The study session it became (none when nothing was credited).
    pub study_session_id: Option<String>,
    /// Why it ended: `ended` by its owner, `silent` (the sweep), `too_long`, `refused`.
    pub end_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
