//! Account security for 等保 2.0 level 3: password history, forced changes and expiry,
//! TOTP with recovery codes, the last sign-in shown to its owner, and the audit log's
//! hash chain.
//!
//! Existing accounts keep working: nobody is made to change a password by the upgrade
//! (`password_change_required` starts false) and the password's age starts counting at
//! the account's next sign-in (`password_changed_at` starts empty). Existing audit entries
//! are chained when the server first starts on the upgraded database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            timestamp_with_time_zone_null(Users::PasswordChangedAt),
            boolean(Users::PasswordChangeRequired)
                .default(false)
                .to_owned(),
            boolean(Users::PasswordExempt).default(false).to_owned(),
            string_null(Users::TotpSecret),
            timestamp_with_time_zone_null(Users::TotpConfirmedAt),
            big_integer_null(Users::TotpLastStep),
            timestamp_with_time_zone_null(Users::SignInAt),
            string_null(Users::SignInAddress),
            timestamp_with_time_zone_null(Users::LastSignInAt),
            string_null(Users::LastSignInAddress),
            integer(Users::FailedSignIns).default(0).to_owned(),
            integer(Users::FailedSignInsSinceLast).default(0).to_owned(),
        ];
        // SQLite adds one column per ALTER TABLE.
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .add_column(string_null(AuditLog::Hash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasswordHistory::Table)
                    .col(big_pk_auto(PasswordHistory::Id))
                    .col(big_integer(PasswordHistory::UserId))
                    .col(string(PasswordHistory::PasswordHash))
                    .col(timestamp_with_time_zone(PasswordHistory::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PasswordHistory::Table, PasswordHistory::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(big_pk_auto(RecoveryCodes::Id))
                    .col(big_integer(RecoveryCodes::UserId))
                    .col(string(RecoveryCodes::CodeHash))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_password_history_user",
                PasswordHistory::Table.into_iden(),
                PasswordHistory::UserId.into_iden(),
            ),
            (
                "ix_recovery_codes_user",
                RecoveryCodes::Table.into_iden(),
                RecoveryCodes::UserId.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RecoveryCodes::Table.into_iden(),
            PasswordHistory::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(AuditLog::Hash)
                    .to_owned(),
            )
            .await?;
        for column in [
            Users::PasswordChangedAt,
            Users::PasswordChangeRequired,
            Users::PasswordExempt,
            Users::TotpSecret,
            Users::TotpConfirmedAt,
            Users::TotpLastStep,
            Users::SignInAt,
            Users::SignInAddress,
            Users::LastSignInAt,
            Users::LastSignInAddress,
            Users::FailedSignIns,
            Users::FailedSignInsSinceLast,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PasswordChangedAt,
    PasswordChangeRequired,
    PasswordExempt,
    TotpSecret,
    TotpConfirmedAt,
    TotpLastStep,
    SignInAt,
    SignInAddress,
    LastSignInAt,
    LastSignInAddress,
    FailedSignIns,
    FailedSignInsSinceLast,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Hash,
}

#[derive(DeriveIden)]
enum PasswordHistory {
    Table,
    Id,
    UserId,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}
