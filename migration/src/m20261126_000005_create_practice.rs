//! Practice (模拟练习): sets of practice-pool questions a cadre answers one at a time, kept
//! so the wrong ones fill the 错题本.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PracticeSets::Table)
                    .col(big_pk_auto(PracticeSets::Id))
                    .col(big_integer(PracticeSets::CampaignId))
                    .col(big_integer(PracticeSets::UserId))
                    .col(timestamp_with_time_zone(PracticeSets::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PracticeSets::Table, PracticeSets::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_practice_sets_campaign_user")
                    .table(PracticeSets::Table)
                    .col(PracticeSets::CampaignId)
                    .col(PracticeSets::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PracticeQuestions::Table)
                    .col(big_integer(PracticeQuestions::PracticeId))
                    .col(integer(PracticeQuestions::Position))
                    .col(big_integer(PracticeQuestions::QuestionId))
                    .col(string_null(PracticeQuestions::Choices))
                    .col(boolean_null(PracticeQuestions::Correct))
                    .col(timestamp_with_time_zone_null(PracticeQuestions::AnsweredAt))
                    .primary_key(
                        Index::create()
                            .col(PracticeQuestions::PracticeId)
                            .col(PracticeQuestions::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PracticeQuestions::Table, PracticeQuestions::PracticeId)
                            .to(PracticeSets::Table, PracticeSets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PracticeQuestions::Table, PracticeQuestions::QuestionId)
                            .to(Questions::Table, Questions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PracticeQuestions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PracticeSets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PracticeSets {
    Table,
    Id,
    CampaignId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PracticeQuestions {
    Table,
    PracticeId,
    Position,
    QuestionId,
    Choices,
    Correct,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
}
