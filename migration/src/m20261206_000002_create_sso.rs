//! Sign-in through the government's identity provider: the `state` of each sign-in under
//! way (single-use, with its nonce and PKCE verifier), the one-time codes the console
//! exchanges for xuefa's tokens, and how each session began (a password, or a provider).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SsoStates::Table)
                    .col(big_pk_auto(SsoStates::Id))
                    .col(string_uniq(SsoStates::StateHash))
                    .col(string(SsoStates::Provider))
                    .col(string(SsoStates::Nonce))
                    .col(string(SsoStates::PkceVerifier))
                    .col(string(SsoStates::ReturnTo))
                    .col(timestamp_with_time_zone(SsoStates::CreatedAt))
                    .col(timestamp_with_time_zone_null(SsoStates::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SsoCodes::Table)
                    .col(big_pk_auto(SsoCodes::Id))
                    .col(string_uniq(SsoCodes::CodeHash))
                    .col(big_integer(SsoCodes::UserId))
                    .col(string(SsoCodes::Provider))
                    .col(boolean(SsoCodes::Mfa))
                    .col(timestamp_with_time_zone(SsoCodes::CreatedAt))
                    .col(timestamp_with_time_zone_null(SsoCodes::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SsoCodes::Table, SsoCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .add_column(string_null(RefreshTokens::Method))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .drop_column(RefreshTokens::Method)
                    .to_owned(),
            )
            .await?;
        for table in [SsoCodes::Table.into_iden(), SsoStates::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SsoStates {
    Table,
    Id,
    StateHash,
    Provider,
    Nonce,
    PkceVerifier,
    ReturnTo,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum SsoCodes {
    Table,
    Id,
    CodeHash,
    UserId,
    Provider,
    Mfa,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Method,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
