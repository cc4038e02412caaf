//! A cadre's progress on a campaign: study credit (`services::credit`) and the exam's
//! figures, as the cadre and HR read it.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{campaigns, credit, exam};
use crate::{
    error::{AppError, AppResult},
    policy::Scope,
    scoring,
};

/// A cadre's progress on a campaign.
#[derive(Debug, Clone)]
pub struct ProgressReport {
    pub credit: credit::Credit,
    pub required_minutes: i32,
    pub min_live_share_permille: i32,
    pub attempts_used: i32,
    pub attempts_left: i32,
    pub best_score: Option<f64>,
    pub passed: bool,
    /// The best finished attempt's grade.
    pub grade: Option<scoring::Grade>,
    /// 补考 attempts still open to the member.
    pub makeup_attempts_left: i32,
    /// The attempt still running, if any: `(id, deadline)`.
    pub open_attempt: Option<(i64, DateTime<Utc>)>,
    /// The member's extra exam time (延时).
    pub extra_minutes: i32,
    /// The campaign's focus-loss limit, told before the exam starts.
    pub max_focus_losses: Option<i32>,
}

/// A roster member's progress as a manager reads it: the campaign seen and the member
/// in scope, else 404.
pub async fn progress_of_member(
    db: &DatabaseConnection,
    scope: &Scope,
    campaign_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<ProgressReport> {
    campaigns::seen(db, scope, campaign_id).await?;
    let in_scope = campaigns::find_enrollment(db, campaign_id, user_id)
        .await?
        .is_some_and(|e| scope.sees(e.unit_id));
    if !in_scope {
        return Err(AppError::not_found("enrollment"));
    }
    progress_of(db, campaign_id, user_id, now).await
}

/// Progress of `user_id` on a campaign, read from the running totals (overdue exam
/// attempts are expired first). 404 when the account is not on the roster.
pub async fn progress_of(
    db: &DatabaseConnection,
    campaign_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<ProgressReport> {
    let campaign = campaigns::find(db, campaign_id).await?;
    let enrollment = campaigns::find_enrollment(db, campaign_id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("enrollment"))?;
    let credit = credit::credit_of(db, &campaign, &enrollment).await?;
    let exam = exam::exam_figures(db, &campaign, &enrollment, now).await?;
    Ok(ProgressReport {
        credit,
        grade: exam.grade,
        required_minutes: campaign.required_minutes,
        min_live_share_permille: campaign.min_live_share_permille,
        attempts_used: exam.attempts_used,
        attempts_left: exam.attempts_left,
        best_score: exam.best_centi.map(scoring::centi_to_score),
        passed: exam.passed,
        makeup_attempts_left: exam.makeup_attempts_left,
        open_attempt: exam.open_attempt,
        extra_minutes: enrollment.extra_minutes,
        max_focus_losses: campaign.max_focus_losses,
    })
}
