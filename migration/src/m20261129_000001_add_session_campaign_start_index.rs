//! Sessions of a campaign by start time, in place of `(campaign_id, user_id)`.
//!
//! The old index put each cadre's new sessions at their own place in it, so a group of
//! uploads by 32 cadres dirtied 32 of its pages (a quarter of what a group commit wrote to
//! the write-ahead log). New sessions start at about the same time, so in
//! `(campaign_id, started_at)` they land on the same few pages at its end; and the one
//! query that reads sessions by campaign (the list, by start time) walks it in order
//! instead of sorting a campaign's sessions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "idx_study_sessions_campaign_user";
const NEW: &str = "idx_study_sessions_campaign_start";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(StudySessions::Table)
                    .col(StudySessions::CampaignId)
                    .col(StudySessions::StartedAt)
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
                    .col(StudySessions::CampaignId)
                    .col(StudySessions::UserId)
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
    CampaignId,
    UserId,
    StartedAt,
}
