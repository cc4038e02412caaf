//! The workspace's one test binary: the real app, the real migrations, a fresh database
//! per test (SQLite by default; PostgreSQL when XUEFA_TEST_DATABASE_URL is set).

mod common;

mod audit;
mod auth;
mod errors;
mod import;
mod openapi;
mod units;
mod users;
