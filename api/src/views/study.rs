//! A stored study session as the API shows it: uploads (`/study-sessions`) and the end of
//! a live session (`/study-sessions/live`) answer with it; and the study rules' shares and
//! rates as they are stored.

use chrono::{DateTime, Utc};
use entity::study_session;
use poem_openapi::Object;

use super::enums::StudySource;

/// A stored session.
#[derive(Debug, Object)]
pub struct StudySessionView {
    pub id: String,
    pub user_id: i64,
    pub campaign_id: i64,
    pub course_id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    /// Minutes credited (may be fractional): an upload's length unless the campaign's
    /// daily cap cut it; a live session's visible time as the server timed it.
    pub minutes: f64,
    /// `live`: timed by the server; `self_reported`: uploaded by the app.
    pub source: StudySource,
    /// How far the times were shifted to correct the phone's clock (server minus phone);
    /// 0 when nothing was corrected.
    pub clock_corrected_seconds: i32,
    /// When the server stored it.
    pub created_at: DateTime<Utc>,
}

impl From<study_session::Model> for StudySessionView {
    fn from(m: study_session::Model) -> Self {
        Self {
            id: m.id,
            user_id: m.user_id,
            campaign_id: m.campaign_id,
            course_id: m.course_id,
            started_at: m.started_at,
            ended_at: m.ended_at,
            minutes: (m.seconds as f64 / 60.0 * 100.0).round() / 100.0,
            source: m.source.into(),
            clock_corrected_seconds: m.clock_corrected_seconds,
            created_at: m.created_at,
        }
    }
}

/// A share (0–1) in thousandths, a rate in hundredths: how they are stored. A value far
/// outside its range stays outside it (and is refused by the rule that reads it).
pub fn permille(share: f64) -> i32 {
    (share * 1000.0).round().clamp(-1.0, 1_000_000.0) as i32
}

/// See [`permille`].
pub fn centi(rate: f64) -> i32 {
    (rate * 100.0).round().clamp(-1.0, 1_000_000.0) as i32
}
