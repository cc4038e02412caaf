//! What every handler shares.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::{auth::JwtKeys, config::Config};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Group commit of single study-session uploads (SQLite; PostgreSQL commits each
    /// upload in its own transaction under the cadre's row lock).
    pub sessions: Option<crate::services::study::SessionWriter>,
}

/// The server's idea of "now". The system clock in production; tests can pin and move
/// it to check deadlines and windows without sleeping.
#[derive(Clone, Default)]
pub struct Clock {
    pinned: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { pinned: None }
    }

    pub fn pinned(at: DateTime<Utc>) -> Self {
        Self {
            pinned: Some(Arc::new(Mutex::new(at))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.pinned {
            Some(at) => *at.lock().expect("clock lock"),
            None => Utc::now(),
        }
    }

    /// Moves a pinned clock; no effect on the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(pinned) = &self.pinned {
            *pinned.lock().expect("clock lock") = at;
        }
    }
}
