//! The overlap check asks for a cadre's sessions that started in the few hours before a new
//! one and end after it starts. With `(user_id, started_at)` alone every session in that
//! range was fetched from the table to read its end; with the end in the index the check
//! reads the index only (a cadre uploading a day's worth of short sessions at once made
//! that a hundred table reads an upload).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "idx_study_sessions_user_start";
const NEW: &str = "idx_study_sessions_user_start_end";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(StudySessions::Table)
                    .col(StudySessions::UserId)
                    .col(StudySessions::StartedAt)
                    .col(StudySessions::EndedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OLD)
                    .table(StudySessions::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(StudySessions::Table)
                    .col(StudySessions::UserId)
                    .col(StudySessions::StartedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(NEW)
                    .table(StudySessions::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum StudySessions {
    Table,
    UserId,
    StartedAt,
    EndedAt,
}
