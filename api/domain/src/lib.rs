//! xuefa's domain: the rules (credit caps, overlap, grading, rates), who may do what,
//! the clock, and the errors they raise. No HTTP here — the crate does not depend on
//! poem — so the compiler keeps the layers apart: `api` (routes, the bearer scheme,
//! problem+json) is built on top of this crate, never the other way round.

pub mod auth;
pub mod backup;
pub mod clock;
pub mod config;
pub mod db;
pub mod doctor;
pub mod error;
pub mod export;
pub mod metrics;
pub mod money;
pub mod paging;
pub mod policy;
pub mod scoring;
pub mod security;
pub mod services;
pub mod state;
pub mod upload;
