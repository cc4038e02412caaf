//! Failed logins remember the client address, so that the throttle counts per username
//! *and* address: five wrong passwords typed at a colleague's username from one machine
//! lock that machine out, not the colleague.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LoginFailures::Table)
                    .add_column(string(LoginFailures::ClientAddr).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_failures_username_addr_at")
                    .table(LoginFailures::Table)
                    .col(LoginFailures::Username)
                    .col(LoginFailures::ClientAddr)
                    .col(LoginFailures::FailedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_login_failures_username_addr_at")
                    .table(LoginFailures::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginFailures::Table)
                    .drop_column(LoginFailures::ClientAddr)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Username,
    ClientAddr,
    FailedAt,
}
