//! An annual campaign (年度网上学法用法考试): its study window, required minutes and exam settings.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub study_starts_on: Date,
    pub study_ends_on: Date,
    pub required_minutes: i32,
    pub exam_opens_at: DateTimeUtc,
    pub exam_closes_at: DateTimeUtc,
    pub duration_minutes: i32,
    pub question_count: i32,
    pub pass_score: i32,
    /// 优秀 from this score (whole points).
    pub excellent_score: i32,
    /// 良好 from this score (whole points).
    pub good_score: i32,
    pub max_attempts: i32,
    /// The papers (组卷) as a JSON array; `[]` draws `question_count` at random.
    pub papers: String,
    /// 补考 window: both set or neither; opens at or after `exam_closes_at`.
    pub makeup_opens_at: Option<DateTimeUtc>,
    pub makeup_closes_at: Option<DateTimeUtc>,
    /// Make-up attempts allowed to each member who has not passed.
    pub makeup_attempts: i32,
    /// Days before `study_ends_on` and `exam_closes_at` on which those missing get an
    /// automatic reminder, as a JSON array (`[7, 1]`).
    pub remind_before_days: String,
    pub exam_requires_study: bool,
    /// The unit that runs the campaign; `None` = the whole installation. Its settings,
    /// bank and papers change only with this unit in the manager's scope.
    pub owner_unit_id: Option<i64>,
    /// Most minutes credited a cadre a day (office day, every source); `None`: no cap.
    pub daily_cap_minutes: Option<i32>,
    /// Most self-reported (uploaded) minutes credited a cadre a day; `None`: no cap.
    pub self_reported_daily_cap_minutes: Option<i32>,
    /// Study is complete only when live minutes are at least this share (in thousandths)
    /// of the credited minutes; 0: any share.
    pub min_live_share_permille: i32,
    /// The fastest playback a live session is credited at, in hundredths (150 = 1.5×).
    pub max_playback_rate_centi: i32,
    /// Minutes between presence checks (还在学习吗？) in a live session; 0: none.
    pub presence_check_minutes: i32,
    /// How often the exam page may lose focus; the loss past it submits the attempt
    /// (`None`: not counted against anyone).
    pub max_focus_losses: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
