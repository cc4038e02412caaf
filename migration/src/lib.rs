//! Schema migrations. The same migrations serve SQLite and PostgreSQL: nothing here
//! uses a feature only one of them understands, and there is no seed data.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_accounts;
mod m20261125_000002_create_study;
mod m20261125_000003_create_exam;
mod m20261125_000004_create_activities;
mod m20261126_000001_add_login_failure_address;
mod m20261126_000002_add_question_tags_difficulty_pool;
mod m20261126_000003_add_campaign_grade_bands;
mod m20261126_000004_create_certificates;
mod m20261126_000005_create_practice;
mod m20261126_000006_add_papers_and_makeup;
mod m20261127_000001_create_ledgers;
mod m20261127_000002_create_notices_and_archives;
mod m20261127_000003_create_deliveries_and_phone;
mod m20261128_000001_add_enrollment_report_columns;
mod m20261128_000002_add_session_overlap_index;
mod m20261129_000001_add_session_campaign_start_index;
mod m20261205_000001_add_data_scope;
mod m20261206_000001_add_account_security;
mod m20261206_000002_create_sso;
mod m20261207_000001_add_live_study;
mod m20261208_000001_create_rule_of_law_records;
mod m20261209_000001_add_exam_fairness;

/// Tests undo and redo this one on a populated database to check how it fills the columns.
pub use m20261128_000001_add_enrollment_report_columns::Migration as AddEnrollmentReportColumns;
pub use m20261207_000001_add_live_study::Migration as AddLiveStudy;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_accounts::Migration),
            Box::new(m20261125_000002_create_study::Migration),
            Box::new(m20261125_000003_create_exam::Migration),
            Box::new(m20261125_000004_create_activities::Migration),
            Box::new(m20261126_000001_add_login_failure_address::Migration),
            Box::new(m20261126_000002_add_question_tags_difficulty_pool::Migration),
            Box::new(m20261126_000003_add_campaign_grade_bands::Migration),
            Box::new(m20261126_000004_create_certificates::Migration),
            Box::new(m20261126_000005_create_practice::Migration),
            Box::new(m20261126_000006_add_papers_and_makeup::Migration),
            Box::new(m20261127_000001_create_ledgers::Migration),
            Box::new(m20261127_000002_create_notices_and_archives::Migration),
            Box::new(m20261127_000003_create_deliveries_and_phone::Migration),
            Box::new(m20261128_000001_add_enrollment_report_columns::Migration),
            Box::new(m20261128_000002_add_session_overlap_index::Migration),
            Box::new(m20261129_000001_add_session_campaign_start_index::Migration),
            Box::new(m20261205_000001_add_data_scope::Migration),
            Box::new(m20261206_000001_add_account_security::Migration),
            Box::new(m20261206_000002_create_sso::Migration),
            Box::new(m20261207_000001_add_live_study::Migration),
            Box::new(m20261208_000001_create_rule_of_law_records::Migration),
            Box::new(m20261209_000001_add_exam_fairness::Migration),
        ]
    }
}
