//! Data scope (管理范围): a manager account works within one unit's subtree, a campaign
//! belongs to the unit that runs it, and an archive records the unit it summarises.
//!
//! Every new column is nullable and filled with nothing, which means "the whole
//! installation": an upgraded installation keeps every account unscoped, every campaign
//! owner-less and every archive whole, so nothing changes until scopes are set.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in columns() {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// `(table, column)` of each new column.
fn columns() -> [(DynIden, DynIden); 3] {
    [
        (Users::Table.into_iden(), Users::ScopeUnitId.into_iden()),
        (
            Campaigns::Table.into_iden(),
            Campaigns::OwnerUnitId.into_iden(),
        ),
        (
            ReportArchives::Table.into_iden(),
            ReportArchives::UnitId.into_iden(),
        ),
    ]
}

#[derive(DeriveIden)]
enum Users {
    Table,
    ScopeUnitId,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    OwnerUnitId,
}

#[derive(DeriveIden)]
enum ReportArchives {
    Table,
    UnitId,
}
