//! The question bank, exam attempts and the questions drawn into each attempt; the
//! enrollment row gains the exam's running figures (attempts used, best score).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Questions::Table)
                    .col(big_pk_auto(Questions::Id))
                    .col(big_integer(Questions::CampaignId))
                    .col(string(Questions::Kind))
                    .col(text(Questions::Stem))
                    .col(text(Questions::Options))
                    .col(string(Questions::Answer))
                    .col(integer(Questions::Points))
                    .col(string(Questions::LawRef))
                    .col(boolean(Questions::Retired))
                    .col(timestamp_with_time_zone(Questions::CreatedAt))
                    .col(timestamp_with_time_zone(Questions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Questions::Table, Questions::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_questions_campaign")
                    .table(Questions::Table)
                    .col(Questions::CampaignId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attempts::Table)
                    .col(big_pk_auto(Attempts::Id))
                    .col(big_integer(Attempts::CampaignId))
                    .col(big_integer(Attempts::UserId))
                    .col(big_integer(Attempts::EnrollmentId))
                    .col(string(Attempts::Status))
                    .col(timestamp_with_time_zone(Attempts::StartedAt))
                    .col(timestamp_with_time_zone(Attempts::Deadline))
                    .col(timestamp_with_time_zone_null(Attempts::FinishedAt))
                    .col(integer_null(Attempts::ScoreCenti))
                    .col(integer(Attempts::PointsEarned))
                    .col(integer(Attempts::PointsTotal))
                    .col(integer(Attempts::CorrectCount))
                    .col(integer(Attempts::QuestionTotal))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attempts::Table, Attempts::EnrollmentId)
                            .to(Enrollments::Table, Enrollments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attempts_campaign_user")
                    .table(Attempts::Table)
                    .col(Attempts::CampaignId)
                    .col(Attempts::UserId)
                    .to_owned(),
            )
            .await?;
        // The expiry sweep looks for open attempts by deadline.
        manager
            .create_index(
                Index::create()
                    .name("idx_attempts_status_deadline")
                    .table(Attempts::Table)
                    .col(Attempts::Status)
                    .col(Attempts::Deadline)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AttemptQuestions::Table)
                    .col(big_integer(AttemptQuestions::AttemptId))
                    .col(integer(AttemptQuestions::Position))
                    .col(big_integer(AttemptQuestions::QuestionId))
                    .col(string(AttemptQuestions::OptionOrder))
                    .col(string_null(AttemptQuestions::Choices))
                    .col(boolean_null(AttemptQuestions::Correct))
                    .primary_key(
                        Index::create()
                            .col(AttemptQuestions::AttemptId)
                            .col(AttemptQuestions::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttemptQuestions::Table, AttemptQuestions::AttemptId)
                            .to(Attempts::Table, Attempts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttemptQuestions::Table, AttemptQuestions::QuestionId)
                            .to(Questions::Table, Questions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attempt_questions_question")
                    .table(AttemptQuestions::Table)
                    .col(AttemptQuestions::QuestionId)
                    .to_owned(),
            )
            .await?;

        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Enrollments::Table)
                    .add_column(integer(Enrollments::AttemptsUsed).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Enrollments::Table)
                    .add_column(integer_null(Enrollments::BestScoreCenti))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Enrollments::BestScoreCenti, Enrollments::AttemptsUsed] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Enrollments::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            AttemptQuestions::Table.into_iden(),
            Attempts::Table.into_iden(),
            Questions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    Id,
    AttemptsUsed,
    BestScoreCenti,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    CampaignId,
    Kind,
    Stem,
    Options,
    Answer,
    Points,
    LawRef,
    Retired,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
    CampaignId,
    UserId,
    EnrollmentId,
    Status,
    StartedAt,
    Deadline,
    FinishedAt,
    ScoreCenti,
    PointsEarned,
    PointsTotal,
    CorrectCount,
    QuestionTotal,
}

#[derive(DeriveIden)]
enum AttemptQuestions {
    Table,
    AttemptId,
    Position,
    QuestionId,
    OptionOrder,
    Choices,
    Correct,
}
