//! Questions gain what provinces compose papers and practice from: `tags` (the laws a
//! question tests, a JSON array), `difficulty` (1 easy, 2 medium, 3 hard) and `pool`
//! (`exam` or `practice`). Existing questions become medium exam questions without tags.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for column in [
            string(Questions::Tags).default("[]").to_owned(),
            integer(Questions::Difficulty).default(2).to_owned(),
            string(Questions::Pool).default("exam").to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Questions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_questions_campaign_pool")
                    .table(Questions::Table)
                    .col(Questions::CampaignId)
                    .col(Questions::Pool)
                    .col(Questions::Retired)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_questions_campaign_pool")
                    .table(Questions::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Questions::Tags, Questions::Difficulty, Questions::Pool] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Questions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    CampaignId,
    Retired,
    Tags,
    Difficulty,
    Pool,
}
