//! One sitting of the exam by one cadre.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::{AttemptKind, AttemptStatus, FinishedReason};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub user_id: i64,
    pub enrollment_id: i64,
    /// open / submitted / expired
    pub status: AttemptStatus,
    /// main / makeup (补考)
    pub kind: AttemptKind,
    /// The paper drawn (组卷), when the campaign has papers for this cadre.
    pub paper_key: Option<String>,
    pub started_at: DateTimeUtc,
    /// min(started_at + duration, the window's close), set by the server.
    pub deadline: DateTimeUtc,
    /// When it was submitted, or its deadline when it expired.
    pub finished_at: Option<DateTimeUtc>,
    /// Score in hundredths (8550 = 85.50), once finished.
    pub score_centi: Option<i32>,
    pub points_earned: i32,
    pub points_total: i32,
    pub correct_count: i32,
    pub question_total: i32,
    /// Times the exam page lost focus (blur, leaving full screen).
    pub focus_losses: i32,
    /// Why it finished, once it has.
    pub finished_reason: Option<FinishedReason>,
    /// The device it belongs to (`X-Device-Id` of its start or latest takeover); `None`:
    /// any device.
    pub device_id: Option<String>,
    /// How often it was moved to another device.
    pub takeovers: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
