//! Reminders and the year-end archive.
//!
//! - `notices`: what a person was told (in-app), read or not. `dedupe_key` is unique: an
//!   automatic reminder's key names its campaign, target, member and day, so however many
//!   instances run the sweep, a member gets it once.
//! - `campaigns.remind_before_days`: a JSON array of whole days (e.g. `[7, 1]`).
//! - `report_archives`: a frozen annual summary — the JSON exactly as served (its SHA-256
//!   beside it), the narrative, and the CSV and XLSX files as they were.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notices::Table)
                    .col(big_pk_auto(Notices::Id))
                    .col(big_integer(Notices::UserId))
                    .col(big_integer_null(Notices::CampaignId))
                    .col(string_null(Notices::Target))
                    .col(string(Notices::Title))
                    .col(text(Notices::Body))
                    .col(timestamp_with_time_zone(Notices::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notices::ReadAt))
                    .col(string_null(Notices::DedupeKey).unique_key())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notices::Table, Notices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_notices_user",
                vec![Notices::UserId, Notices::CreatedAt],
            ),
            (
                "idx_notices_reminded",
                vec![
                    Notices::CampaignId,
                    Notices::Target,
                    Notices::UserId,
                    Notices::CreatedAt,
                ],
            ),
        ] {
            let mut index = Index::create().name(name).table(Notices::Table).to_owned();
            for c in columns {
                index.col(c);
            }
            manager.create_index(index).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .add_column(text(Campaigns::RemindBeforeDays).default("[]"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportArchives::Table)
                    .col(big_pk_auto(ReportArchives::Id))
                    .col(integer(ReportArchives::Year))
                    .col(timestamp_with_time_zone(ReportArchives::CreatedAt))
                    .col(big_integer_null(ReportArchives::CreatedBy))
                    .col(text(ReportArchives::Body))
                    .col(string(ReportArchives::Sha256))
                    .col(text(ReportArchives::Narrative))
                    .col(blob(ReportArchives::Csv))
                    .col(blob(ReportArchives::Xlsx))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_report_archives_year")
                    .table(ReportArchives::Table)
                    .col(ReportArchives::Year)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReportArchives::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .drop_column(Campaigns::RemindBeforeDays)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Notices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    RemindBeforeDays,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notices {
    Table,
    Id,
    UserId,
    CampaignId,
    Target,
    Title,
    Body,
    CreatedAt,
    ReadAt,
    DedupeKey,
}

#[derive(DeriveIden)]
enum ReportArchives {
    Table,
    Id,
    Year,
    CreatedAt,
    CreatedBy,
    Body,
    Sha256,
    Narrative,
    Csv,
    Xlsx,
}
