//! What the reports need of an enrollment, on the enrollment, in one index they can read
//! alone. At a province's 1,000,000 cadres the targets query joined every enrollment to its
//! account for the unit, tested each cadre for an attempt to tell participation, and
//! sorted the whole roster to group it by unit: seconds a report.
//!
//! - `unit_id`: the member's unit, a copy of `users.unit_id` that the services moving a
//!   cadre keep (`services::roster::move_member`).
//! - `participated`: a study session stored or an exam attempt started (参与). Set once,
//!   never cleared (neither sessions nor attempts are ever deleted).
//! - `idx_enrollments_report`: campaign, exempt, unit and the figures the counts read,
//!   so the GROUP BY walks the index in unit order without touching the table. Its
//!   columns change only when a figure that counts changes (a course finished, an attempt
//!   finished), never on an ordinary upload (minutes and session counts are not in it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_enrollments_report";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            big_integer_null(Enrollments::UnitId).to_owned(),
            boolean(Enrollments::Participated).default(false).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Enrollments::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE enrollments SET \
                 unit_id = (SELECT users.unit_id FROM users WHERE users.id = enrollments.user_id), \
                 participated = (session_count > 0 OR EXISTS (SELECT 1 FROM attempts a \
                 WHERE a.campaign_id = enrollments.campaign_id AND a.user_id = enrollments.user_id))",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Enrollments::Table)
                    .col(Enrollments::CampaignId)
                    .col(Enrollments::Exempt)
                    .col(Enrollments::UnitId)
                    .col(Enrollments::Participated)
                    .col(Enrollments::StudyComplete)
                    .col(Enrollments::AttemptsUsed)
                    .col(Enrollments::MakeupAttemptsUsed)
                    .col(Enrollments::BestScoreCenti)
                    .col(Enrollments::BestMainCenti)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Enrollments::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Enrollments::UnitId, Enrollments::Participated] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Enrollments::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    CampaignId,
    Exempt,
    UnitId,
    Participated,
    StudyComplete,
    AttemptsUsed,
    MakeupAttemptsUsed,
    BestScoreCenti,
    BestMainCenti,
}
