//! A campaign's grade bands (成绩等级): a finished score is 优秀 from `excellent_score`,
//! 良好 from `good_score`, 合格 from `pass_score`, else 不合格. Existing campaigns get the
//! usual 90 and 80.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer(Campaigns::ExcellentScore).default(90).to_owned(),
            integer(Campaigns::GoodScore).default(80).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Campaigns::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Campaigns::ExcellentScore, Campaigns::GoodScore] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Campaigns::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    ExcellentScore,
    GoodScore,
}
