//! The workspace's one test binary: the real app, the real migrations, a fresh database
//! per test (SQLite by default; PostgreSQL when XUEFA_TEST_DATABASE_URL is set).

mod common;

mod account_security;
mod activities;
mod archives;
mod attacks;
mod audit;
mod auth;
mod backup;
mod browser;
mod campaigns;
mod console;
mod crash;
mod deliveries;
mod demo;
mod docs;
mod errors;
mod exam;
mod exam_fairness;
mod exports;
mod import;
mod instances;
mod law_records;
mod ledgers;
mod live;
mod material;
mod nginx;
mod notices;
mod openapi;
mod operations;
mod operator;
mod papers;
mod scope;
mod security;
mod sso;
mod study;
mod targets;
mod units;
mod upgrade;
mod users;
mod vocabularies;
