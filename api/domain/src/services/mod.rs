//! The rules, free of HTTP: async functions over a connection or transaction.

pub mod activities;
pub mod archives;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod campaigns;
pub mod certificates;
pub mod courses;
pub mod credit;
pub mod exam;
pub mod exports;
pub mod group_commit;
pub mod ledgers;
pub mod live;
pub mod material;
pub mod notices;
pub mod outbox;
pub mod papers;
pub mod practice;
pub mod progress;
pub mod questions;
pub mod report_turn;
pub mod reports;
pub mod roster;
pub mod sso;
pub mod sso_office;
pub mod study;
pub mod tags;
pub mod targets;
pub mod totp;
pub mod units;
pub mod users;

pub(crate) use crate::{
    db::{ROSTER_IMPORT_LOCK, begin_write, lock_cadre, lock_cadres, lock_named, write},
    paging::{Page, PageReq, fetch_page},
};
