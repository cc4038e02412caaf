//! A cadre on a campaign's roster, with the running figures progress and the reports read.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub user_id: i64,
    /// The member's unit: a copy of `users.unit_id`, moved with the cadre
    /// (`services::roster::move_member`), so the reports count by unit without joining
    /// the accounts.
    pub unit_id: Option<i64>,
    /// 免考: an exempt cadre leaves the roster.
    pub exempt: bool,
    pub exempt_reason: Option<String>,
    /// Extra minutes for the exam (延时, 0–120): added to this member's attempt deadline
    /// and to the window's close for them.
    pub extra_minutes: i32,
    /// Minutes credited over the campaign's courses, each capped at its length.
    pub credited_minutes: i32,
    /// Every compulsory course full and `credited_minutes` ≥ the campaign's requirement.
    pub study_complete: bool,
    /// Of `credited_minutes`, those of live sessions (each course's live minutes, capped
    /// at what the course credits).
    pub live_minutes: i32,
    /// Study sessions stored for this enrollment.
    pub session_count: i32,
    /// 参与: a study session stored or an exam attempt started. Set once, never cleared.
    pub participated: bool,
    pub enrolled_at: DateTimeUtc,
    /// Finished (submitted or expired) main exam attempts.
    pub attempts_used: i32,
    /// Best finished score in hundredths (8550 = 85.50), main and make-up alike.
    pub best_score_centi: Option<i32>,
    /// Finished make-up (补考) attempts.
    pub makeup_attempts_used: i32,
    /// Best finished main-exam score in hundredths.
    pub best_main_centi: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Restrict"
    )]
    User,
    #[sea_orm(has_many = "super::course_progress::Entity")]
    CourseProgress,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::course_progress::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CourseProgress.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
