//! sea-orm entities: one file per table. No HTTP types here.

pub mod activity;
pub mod activity_attendee;
pub mod activity_theme;
pub mod attempt;
pub mod attempt_question;
pub mod audit_log;
pub mod campaign;
pub mod campaign_course;
pub mod certificate;
pub mod course;
pub mod course_progress;
pub mod enrollment;
pub mod login_failure;
pub mod practice_question;
pub mod practice_set;
pub mod prelude;
pub mod question;
pub mod refresh_token;
pub mod setting;
pub mod study_session;
pub mod unit;
pub mod user;
pub mod vocabulary;
