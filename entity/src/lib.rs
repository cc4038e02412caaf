//! sea-orm entities: one file per table. No HTTP types here.

pub mod audit_log;
pub mod login_failure;
pub mod prelude;
pub mod refresh_token;
pub mod setting;
pub mod unit;
pub mod user;
