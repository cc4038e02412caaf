//! Study time that can be believed: each session says where its minutes come from
//! (`live`: timed by the server; `self_reported`: uploaded by the app, as every session
//! before this release) and by how much its times were shifted to correct the phone's
//! clock; campaigns gain daily caps, the live share "study complete" needs, the fastest
//! playback credited and presence checks; the running figures count live seconds apart;
//! and the live sessions under way are kept, so that a restarted server (or another
//! instance) carries on with them.
//!
//! Courses gain material to study: an article (Markdown), an uploaded PDF or video (its
//! bytes in `material_chunks`, 1 MiB a row, so a range request reads only the rows it
//! needs and an upload never holds the write lock for long), or an intranet link.
//!
//! The report index gains the credited and live minutes (`idx_enrollments_figures`
//! replaces `idx_enrollments_report`), so
//! the targets' live share is read from the index alone as the counts are (100k
//! enrollments: 15 ms without the sums, 85 ms with them from the table, 9 ms from the
//! widened index; it costs each upload group ~0.2 ms more, see BENCHMARKS.md).
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
        let columns: [(DynIden, ColumnDef); 18] = [
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
            (
                Courses::Table.into_iden(),
                string_null(Courses::MaterialKind),
            ),
            (
                Courses::Table.into_iden(),
                string_null(Courses::MaterialTitle),
            ),
            (Courses::Table.into_iden(), text_null(Courses::MaterialText)),
            (
                Courses::Table.into_iden(),
                string_null(Courses::MaterialUrl),
            ),
            (
                Courses::Table.into_iden(),
                string_null(Courses::MaterialFileId),
            ),
            (
                Courses::Table.into_iden(),
                string_null(Courses::MaterialContentType),
            ),
            (
                Courses::Table.into_iden(),
                big_integer_null(Courses::MaterialSize),
            ),
            (
                Courses::Table.into_iden(),
                string_null(Courses::MaterialSha256),
            ),
            (
                Courses::Table.into_iden(),
                timestamp_with_time_zone_null(Courses::MaterialUpdatedAt),
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
        manager
            .create_table(
                Table::create()
                    .table(MaterialChunks::Table)
                    .col(string(MaterialChunks::FileId))
                    .col(integer(MaterialChunks::Seq))
                    .col(blob(MaterialChunks::Data))
                    .primary_key(
                        Index::create()
                            .col(MaterialChunks::FileId)
                            .col(MaterialChunks::Seq),
                    )
                    .to_owned(),
            )
            .await?;
        report_index(manager, true).await?;
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
        report_index(manager, false).await?;
        for table in [
            LiveSessions::Table.into_iden(),
            MaterialChunks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        let columns: [(DynIden, DynIden); 18] = [
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
            (
                Courses::Table.into_iden(),
                Courses::MaterialKind.into_iden(),
            ),
            (
                Courses::Table.into_iden(),
                Courses::MaterialTitle.into_iden(),
            ),
            (
                Courses::Table.into_iden(),
                Courses::MaterialText.into_iden(),
            ),
            (Courses::Table.into_iden(), Courses::MaterialUrl.into_iden()),
            (
                Courses::Table.into_iden(),
                Courses::MaterialFileId.into_iden(),
            ),
            (
                Courses::Table.into_iden(),
                Courses::MaterialContentType.into_iden(),
            ),
            (
                Courses::Table.into_iden(),
                Courses::MaterialSize.into_iden(),
            ),
            (
                Courses::Table.into_iden(),
                Courses::MaterialSha256.into_iden(),
            ),
            (
                Courses::Table.into_iden(),
                Courses::MaterialUpdatedAt.into_iden(),
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

/// The report index with the minutes (`wide`: `idx_enrollments_figures`) or without them
/// (`idx_enrollments_report`, as before): the new one is made, then the old one dropped.
async fn report_index(manager: &SchemaManager<'_>, wide: bool) -> Result<(), DbErr> {
    let (make, drop) = if wide {
        (WIDE_INDEX, NARROW_INDEX)
    } else {
        (NARROW_INDEX, WIDE_INDEX)
    };
    let mut index = Index::create()
        .name(make)
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
        .to_owned();
    if wide {
        index
            .col(Enrollments::CreditedMinutes)
            .col(Enrollments::LiveMinutes);
    }
    manager.create_index(index).await?;
    manager
        .drop_index(
            Index::drop()
                .name(drop)
                .table(Enrollments::Table)
                .to_owned(),
        )
        .await
}

const NARROW_INDEX: &str = "idx_enrollments_report";
const WIDE_INDEX: &str = "idx_enrollments_figures";

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
    CampaignId,
    Exempt,
    UnitId,
    Participated,
    StudyComplete,
    AttemptsUsed,
    MakeupAttemptsUsed,
    BestScoreCenti,
    BestMainCenti,
    CreditedMinutes,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    MaterialKind,
    MaterialTitle,
    MaterialText,
    MaterialUrl,
    MaterialFileId,
    MaterialContentType,
    MaterialSize,
    MaterialSha256,
    MaterialUpdatedAt,
}

#[derive(DeriveIden)]
enum MaterialChunks {
    Table,
    FileId,
    Seq,
    Data,
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
