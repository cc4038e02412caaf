//! Certificates (合格证书): one per roster member who passed a campaign, with a random code
//! anyone can verify without signing in.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(big_pk_auto(Certificates::Id))
                    .col(big_integer(Certificates::CampaignId))
                    .col(big_integer(Certificates::UserId))
                    .col(string(Certificates::Code))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("ux_certificates_code", vec![Certificates::Code]),
            (
                "ux_certificates_campaign_user",
                vec![Certificates::CampaignId, Certificates::UserId],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Certificates::Table).unique();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    CampaignId,
    UserId,
    Code,
    IssuedAt,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
