//! What every request's work shares: the database, the token keys, the configuration,
//! the clock, and the group-commit writers of study uploads and answer saves.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::JwtKeys,
    clock::Clock,
    config::Config,
    services::{exam::answer_writer::AnswerWriter, live::LiveSessions, study::SessionWriter},
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Group commit of single study-session uploads (both engines).
    pub sessions: SessionWriter,
    /// Group commit of exam answer saves (both engines).
    pub answers: AnswerWriter,
    /// The live study sessions this instance holds in memory (written every interval).
    pub live: Arc<LiveSessions>,
}

impl AppState {
    /// Today in the office's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.now().with_timezone(&self.config.tz).date_naive()
    }

    /// Now, and today in the office's time zone (one reading of the clock).
    pub fn as_of(&self) -> crate::clock::AsOf {
        let now = self.clock.now();
        crate::clock::AsOf {
            now,
            today: now.with_timezone(&self.config.tz).date_naive(),
        }
    }
}
