//! Courses, campaigns and their courses, enrollments, study sessions and the per-enrollment,
//! per-course running totals that progress and the reports read.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Courses::Table)
                    .col(big_pk_auto(Courses::Id))
                    .col(string(Courses::Title))
                    .col(string(Courses::Law))
                    .col(integer(Courses::Minutes))
                    .col(text(Courses::Description))
                    .col(timestamp_with_time_zone(Courses::CreatedAt))
                    .col(timestamp_with_time_zone(Courses::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(big_pk_auto(Campaigns::Id))
                    .col(integer(Campaigns::Year))
                    .col(string(Campaigns::Title))
                    .col(date(Campaigns::StudyStartsOn))
                    .col(date(Campaigns::StudyEndsOn))
                    .col(integer(Campaigns::RequiredMinutes))
                    .col(timestamp_with_time_zone(Campaigns::ExamOpensAt))
                    .col(timestamp_with_time_zone(Campaigns::ExamClosesAt))
                    .col(integer(Campaigns::DurationMinutes))
                    .col(integer(Campaigns::QuestionCount))
                    .col(integer(Campaigns::PassScore))
                    .col(integer(Campaigns::MaxAttempts))
                    .col(boolean(Campaigns::ExamRequiresStudy))
                    .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                    .col(timestamp_with_time_zone(Campaigns::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_campaigns_year")
                    .table(Campaigns::Table)
                    .col(Campaigns::Year)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CampaignCourses::Table)
                    .col(big_integer(CampaignCourses::CampaignId))
                    .col(big_integer(CampaignCourses::CourseId))
                    .col(boolean(CampaignCourses::Compulsory))
                    .primary_key(
                        Index::create()
                            .col(CampaignCourses::CampaignId)
                            .col(CampaignCourses::CourseId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignCourses::Table, CampaignCourses::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignCourses::Table, CampaignCourses::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrollments::Table)
                    .col(big_pk_auto(Enrollments::Id))
                    .col(big_integer(Enrollments::CampaignId))
                    .col(big_integer(Enrollments::UserId))
                    .col(boolean(Enrollments::Exempt))
                    .col(string_null(Enrollments::ExemptReason))
                    .col(integer(Enrollments::CreditedMinutes))
                    .col(boolean(Enrollments::StudyComplete))
                    .col(integer(Enrollments::SessionCount))
                    .col(timestamp_with_time_zone(Enrollments::EnrolledAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrollments::Table, Enrollments::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrollments::Table, Enrollments::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_enrollments_campaign_user")
                    .table(Enrollments::Table)
                    .col(Enrollments::CampaignId)
                    .col(Enrollments::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrollments_user")
                    .table(Enrollments::Table)
                    .col(Enrollments::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StudySessions::Table)
                    .col(string(StudySessions::Id).primary_key())
                    .col(big_integer(StudySessions::UserId))
                    .col(big_integer(StudySessions::CampaignId))
                    .col(big_integer(StudySessions::CourseId))
                    .col(big_integer(StudySessions::EnrollmentId))
                    .col(timestamp_with_time_zone(StudySessions::StartedAt))
                    .col(timestamp_with_time_zone(StudySessions::EndedAt))
                    .col(integer(StudySessions::Seconds))
                    .col(timestamp_with_time_zone(StudySessions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StudySessions::Table, StudySessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StudySessions::Table, StudySessions::EnrollmentId)
                            .to(Enrollments::Table, Enrollments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StudySessions::Table, StudySessions::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // The overlap check: a cadre's sessions by start time.
        manager
            .create_index(
                Index::create()
                    .name("idx_study_sessions_user_start")
                    .table(StudySessions::Table)
                    .col(StudySessions::UserId)
                    .col(StudySessions::StartedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_study_sessions_campaign_user")
                    .table(StudySessions::Table)
                    .col(StudySessions::CampaignId)
                    .col(StudySessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CourseProgress::Table)
                    .col(big_integer(CourseProgress::EnrollmentId))
                    .col(big_integer(CourseProgress::CourseId))
                    .col(big_integer(CourseProgress::Seconds))
                    .primary_key(
                        Index::create()
                            .col(CourseProgress::EnrollmentId)
                            .col(CourseProgress::CourseId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CourseProgress::Table, CourseProgress::EnrollmentId)
                            .to(Enrollments::Table, Enrollments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CourseProgress::Table, CourseProgress::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CourseProgress::Table.into_iden(),
            StudySessions::Table.into_iden(),
            Enrollments::Table.into_iden(),
            CampaignCourses::Table.into_iden(),
            Campaigns::Table.into_iden(),
            Courses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    Title,
    Law,
    Minutes,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    Year,
    Title,
    StudyStartsOn,
    StudyEndsOn,
    RequiredMinutes,
    ExamOpensAt,
    ExamClosesAt,
    DurationMinutes,
    QuestionCount,
    PassScore,
    MaxAttempts,
    ExamRequiresStudy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignCourses {
    Table,
    CampaignId,
    CourseId,
    Compulsory,
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    Id,
    CampaignId,
    UserId,
    Exempt,
    ExemptReason,
    CreditedMinutes,
    StudyComplete,
    SessionCount,
    EnrolledAt,
}

#[derive(DeriveIden)]
enum StudySessions {
    Table,
    Id,
    UserId,
    CampaignId,
    CourseId,
    EnrollmentId,
    StartedAt,
    EndedAt,
    Seconds,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CourseProgress {
    Table,
    EnrollmentId,
    CourseId,
    Seconds,
}
