//! Study time that can be believed: each session says where its minutes come from
//! (`live`: timed by the server; `self_reported`: uploaded by the app, as every session
//! before this release) and by how much its times were shifted to correct the phone's
//! clock; campaigns gain daily caps, the live share "study complete" needs, the fastest
//! playback credited and presence checks; the running figures count live seconds apart;
//! and the live sessions under way are kept, so that a restarted server (or another
//! instance) carries on with them.
//!
//! Existing sessions become `self_reported` and existing campaigns keep working unchanged:
//! no caps, a live share of 0, presence checks off.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        let columns: [(DynIden, ColumnDef); 9] = [
            (
                StudySessions::Table.into_iden(),
                string(StudySessions::Source)
                    .default("self_reported")
                    .to_owned(),
            ),
            (
                StudySessions::Table.into_iden(),
                integer(StudySessions::ClockCorrectedSeconds)
                    .default(0)
                    .to_owned(),
            ),
            (
                Campaigns::Table.into_iden(),
                integer_null(Campaigns::DailyCapMinutes),
            ),
            (
                Campaigns::Table.into_iden(),
                integer_null(Campaigns::SelfReportedDailyCapMinutes),
            ),
            (
                Campaigns::Table.into_iden(),
                integer(Campaigns::MinLiveSharePermille)
                    .default(0)
                    .to_owned(),
            ),
            (
                Campaigns::Table.into_iden(),
                integer(Campaigns::MaxPlaybackRateCenti)
                    .default(150)
                    .to_owned(),
            ),
            (
                Campaigns::Table.into_iden(),
                integer(Campaigns::PresenceCheckMinutes)
                    .default(0)
                    .to_owned(),
            ),
            (
                CourseProgress::Table.into_iden(),
                big_integer(CourseProgress::LiveSeconds)
                    .default(0)
                    .to_owned(),
            ),
            (
                Enrollments::Table.into_iden(),
                integer(Enrollments::LiveMinutes).default(0).to_owned(),
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
            .create_table(
                Table::create()
                    .table(LiveSessions::Table)
                    .col(string(LiveSessions::Id).primary_key())
                    .col(big_integer(LiveSessions::UserId))
                    .col(big_integer(LiveSessions::CampaignId))
                    .col(big_integer(LiveSessions::CourseId))
                    .col(big_integer(LiveSessions::EnrollmentId))
                    .col(string(LiveSessions::State))
                    .col(timestamp_with_time_zone(LiveSessions::StartedAt))
                    .col(timestamp_with_time_zone(LiveSessions::LastHeartbeatAt))
                    .col(integer(LiveSessions::CreditedSeconds))
                    .col(string_null(LiveSessions::PresencePrompt))
                    .col(string_null(LiveSessions::PresenceAnswer))
                    .col(timestamp_with_time_zone_null(LiveSessions::NextCheckAt))
                    .col(string(LiveSessions::Owner))
                    .col(timestamp_with_time_zone_null(LiveSessions::EndedAt))
                    .col(string_null(LiveSessions::StudySessionId))
                    .col(string_null(LiveSessions::EndReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LiveSessions::Table, LiveSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The sweep reads the running sessions by their last heartbeat.
        manager
            .create_index(
                Index::create()
                    .name("idx_live_sessions_state_heartbeat")
                    .table(LiveSessions::Table)
                    .col(LiveSessions::State)
                    .col(LiveSessions::LastHeartbeatAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LiveSessions::Table).to_owned())
            .await?;
        let columns: [(DynIden, DynIden); 9] = [
            (
                StudySessions::Table.into_iden(),
                StudySessions::Source.into_iden(),
            ),
            (
                StudySessions::Table.into_iden(),
                StudySessions::ClockCorrectedSeconds.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::DailyCapMinutes.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::SelfReportedDailyCapMinutes.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::MinLiveSharePermille.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::MaxPlaybackRateCenti.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::PresenceCheckMinutes.into_iden(),
            ),
            (
                CourseProgress::Table.into_iden(),
                CourseProgress::LiveSeconds.into_iden(),
            ),
            (
                Enrollments::Table.into_iden(),
                Enrollments::LiveMinutes.into_iden(),
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
enum StudySessions {
    Table,
    Source,
    ClockCorrectedSeconds,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    DailyCapMinutes,
    SelfReportedDailyCapMinutes,
    MinLiveSharePermille,
    MaxPlaybackRateCenti,
    PresenceCheckMinutes,
}

#[derive(DeriveIden)]
enum CourseProgress {
    Table,
    LiveSeconds,
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    LiveMinutes,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LiveSessions {
    Table,
    Id,
    UserId,
    CampaignId,
    CourseId,
    EnrollmentId,
    State,
    StartedAt,
    LastHeartbeatAt,
    CreditedSeconds,
    PresencePrompt,
    PresenceAnswer,
    NextCheckAt,
    Owner,
    EndedAt,
    StudySessionId,
    EndReason,
}
