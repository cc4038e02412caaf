//! A fair exam: a member's extra time (`enrollments.extra_minutes`, 延时), the page's focus
//! losses counted against a campaign's `max_focus_losses` (each event kept once in
//! `attempt_events`, so a resent batch counts nothing twice), the device an attempt
//! belongs to and how often it was taken over, why an attempt finished, and the answers a
//! cadre flagged for review.
//!
//! Existing rows: no extra time, no limit, no device (any device may go on), finished
//! attempts `submitted` or `deadline` by their status.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        let columns: [(DynIden, ColumnDef); 7] = [
            (
                Enrollments::Table.into_iden(),
                integer(Enrollments::ExtraMinutes).default(0).to_owned(),
            ),
            (
                Campaigns::Table.into_iden(),
                integer_null(Campaigns::MaxFocusLosses),
            ),
            (
                Attempts::Table.into_iden(),
                integer(Attempts::FocusLosses).default(0).to_owned(),
            ),
            (
                Attempts::Table.into_iden(),
                string_null(Attempts::FinishedReason),
            ),
            (Attempts::Table.into_iden(), string_null(Attempts::DeviceId)),
            (
                Attempts::Table.into_iden(),
                integer(Attempts::Takeovers).default(0).to_owned(),
            ),
            (
                AttemptQuestions::Table.into_iden(),
                boolean(AttemptQuestions::Flagged).default(false).to_owned(),
            ),
        ];
        for (table, mut column) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE attempts SET finished_reason = CASE status \
                 WHEN 'submitted' THEN 'submitted' WHEN 'expired' THEN 'deadline' END \
                 WHERE status <> 'open'",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AttemptEvents::Table)
                    .col(big_pk_auto(AttemptEvents::Id))
                    .col(big_integer(AttemptEvents::AttemptId))
                    .col(string(AttemptEvents::Kind))
                    .col(timestamp_with_time_zone(AttemptEvents::At))
                    .col(timestamp_with_time_zone(AttemptEvents::ReceivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttemptEvents::Table, AttemptEvents::AttemptId)
                            .to(Attempts::Table, Attempts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attempt_events_once")
                    .table(AttemptEvents::Table)
                    .col(AttemptEvents::AttemptId)
                    .col(AttemptEvents::Kind)
                    .col(AttemptEvents::At)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AttemptEvents::Table).to_owned())
            .await?;
        let columns: [(DynIden, DynIden); 7] = [
            (
                Enrollments::Table.into_iden(),
                Enrollments::ExtraMinutes.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::MaxFocusLosses.into_iden(),
            ),
            (
                Attempts::Table.into_iden(),
                Attempts::FocusLosses.into_iden(),
            ),
            (
                Attempts::Table.into_iden(),
                Attempts::FinishedReason.into_iden(),
            ),
            (Attempts::Table.into_iden(), Attempts::DeviceId.into_iden()),
            (Attempts::Table.into_iden(), Attempts::Takeovers.into_iden()),
            (
                AttemptQuestions::Table.into_iden(),
                AttemptQuestions::Flagged.into_iden(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    ExtraMinutes,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    MaxFocusLosses,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
    FocusLosses,
    FinishedReason,
    DeviceId,
    Takeovers,
}

#[derive(DeriveIden)]
enum AttemptQuestions {
    Table,
    Flagged,
}

#[derive(DeriveIden)]
enum AttemptEvents {
    Table,
    Id,
    AttemptId,
    Kind,
    At,
    ReceivedAt,
}
