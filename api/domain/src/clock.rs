//! The one source of "now". Every rule that depends on the time (windows, deadlines,
//! throttling, token expiry, audit timestamps) reads it from here, so tests can pin it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_clock_stays_until_moved() {
        let start = DateTime::parse_from_rfc3339("2026-12-04T09:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::pinned(start);
        assert_eq!(clock.now(), start);
        let later = start + chrono::Duration::minutes(5);
        clock.set(later);
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn setting_the_system_clock_does_nothing() {
        let clock = Clock::system();
        clock.set(DateTime::<Utc>::MIN_UTC);
        assert!(clock.now() > DateTime::<Utc>::MIN_UTC);
    }
}
