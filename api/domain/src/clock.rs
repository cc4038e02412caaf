//! The one source of "now". Every rule that depends on the time (windows, deadlines,
//! throttling, token expiry, audit timestamps) reads it from here, so tests can pin it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, Utc};

use crate::error::{AppError, AppResult, Code, FieldError};

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

    /// Now, to the millisecond: what is stored and served carries no more precision
    /// than every client can parse back (Python's `fromisoformat` before 3.11 takes 3 or
    /// 6 fractional digits, not 9).
    pub fn now(&self) -> DateTime<Utc> {
        match &self.pinned {
            Some(at) => *at.lock().expect("clock lock"),
            None => Utc::now().trunc_subsecs(3),
        }
    }

    /// Moves a pinned clock; no effect on the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(pinned) = &self.pinned {
            *pinned.lock().expect("clock lock") = at;
        }
    }
}

/// A moment and the office's calendar day at it: what a report is "as of" (a task past
/// its due day is overdue from the next office day on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// A calendar day as a client writes it: `YYYY-MM-DD` (a real day), or a timestamp with
/// offset, read as a day in the office's time zone `tz`. `field` names it in the error.
pub fn parse_day(field: &str, raw: &str, tz: FixedOffset) -> AppResult<NaiveDate> {
    let raw = raw.trim();
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(date);
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&tz).date_naive())
        .map_err(|_| {
            AppError::invalid(FieldError::new(
                field,
                Code::NotADate,
                "expected a date (YYYY-MM-DD) or an RFC 3339 timestamp",
            ))
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_timestamp_is_a_day_in_the_office_time_zone() {
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            parse_day("held_on", "2026-12-04", beijing).unwrap(),
            day(2026, 12, 4)
        );
        // 23:30 on 31 December in Beijing stays in that year…
        assert_eq!(
            parse_day("held_on", "2026-12-31T23:30:00+08:00", beijing).unwrap(),
            day(2026, 12, 31)
        );
        // …and 00:10 on 1 January is the next, though UTC still says 31 December.
        assert_eq!(
            parse_day("held_on", "2026-12-31T16:10:00Z", beijing).unwrap(),
            day(2027, 1, 1)
        );
        assert!(parse_day("held_on", "31/12/2026", beijing).is_err());
    }

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
    fn the_system_clock_reads_to_the_millisecond() {
        for _ in 0..100 {
            let now = Clock::system().now();
            assert_eq!(now.timestamp_subsec_nanos() % 1_000_000, 0);
            let text = now.to_rfc3339();
            let fraction = text
                .split_once('.')
                .map(|(_, rest)| &rest[..rest.len() - 6]);
            assert!(fraction.is_none_or(|f| f.len() == 3), "{text}");
        }
    }

    #[test]
    fn setting_the_system_clock_does_nothing() {
        let clock = Clock::system();
        clock.set(DateTime::<Utc>::MIN_UTC);
        assert!(clock.now() > DateTime::<Utc>::MIN_UTC);
    }
}
