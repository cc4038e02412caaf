//! The judicial office's other tallies (the rest of the 工作总结): mediation cases,
//! legal services, dispute screenings, petitions and enforcement inspections. Money is
//! stored in cents (`BIGINT`), never as a float.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns every ledger table ends with: who recorded it, when, and the soft delete.
fn with_meta(table: &mut TableCreateStatement) -> TableCreateStatement {
    table
        .col(text(Meta::Notes))
        .col(big_integer_null(Meta::CreatedBy))
        .col(timestamp_with_time_zone(Meta::CreatedAt))
        .col(timestamp_with_time_zone(Meta::UpdatedAt))
        .col(timestamp_with_time_zone_null(Meta::DeletedAt))
        .to_owned()
}

/// A foreign key from `table.column` to the units.
fn unit_key(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Units::Table, Units::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn date_index(
    name: &str,
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(table)
        .col(column)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            with_meta(
                Table::create()
                    .table(MediationCases::Table)
                    .col(big_pk_auto(MediationCases::Id))
                    .col(big_integer(MediationCases::CommitteeUnitId))
                    .col(date(MediationCases::ReceivedOn))
                    .col(date_null(MediationCases::ClosedOn))
                    .col(string(MediationCases::Category))
                    .col(string(MediationCases::Result))
                    .col(big_integer(MediationCases::AmountCents))
                    .foreign_key(&mut unit_key(
                        MediationCases::Table,
                        MediationCases::CommitteeUnitId,
                    )),
            ),
            with_meta(
                Table::create()
                    .table(LegalServices::Table)
                    .col(big_pk_auto(LegalServices::Id))
                    .col(string(LegalServices::Kind))
                    .col(big_integer(LegalServices::UnitId))
                    .col(date(LegalServices::HeldOn))
                    .col(integer(LegalServices::Count))
                    .col(string_null(LegalServices::Topic))
                    .foreign_key(&mut unit_key(LegalServices::Table, LegalServices::UnitId)),
            ),
            with_meta(
                Table::create()
                    .table(Screenings::Table)
                    .col(big_pk_auto(Screenings::Id))
                    .col(big_integer(Screenings::UnitId))
                    .col(date(Screenings::HeldOn))
                    .col(integer(Screenings::IssuesFound))
                    .col(integer(Screenings::IssuesResolved))
                    .foreign_key(&mut unit_key(Screenings::Table, Screenings::UnitId)),
            ),
            with_meta(
                Table::create()
                    .table(Petitions::Table)
                    .col(big_pk_auto(Petitions::Id))
                    .col(big_integer(Petitions::UnitId))
                    .col(date(Petitions::ReceivedOn))
                    .col(integer(Petitions::Cases))
                    .col(integer(Petitions::Visitors))
                    .foreign_key(&mut unit_key(Petitions::Table, Petitions::UnitId)),
            ),
            with_meta(
                Table::create()
                    .table(Inspections::Table)
                    .col(big_pk_auto(Inspections::Id))
                    .col(big_integer(Inspections::UnitId))
                    .col(date(Inspections::HeldOn))
                    .col(string(Inspections::Field))
                    .col(integer(Inspections::EntitiesChecked))
                    .col(integer(Inspections::HazardsFound))
                    .col(integer(Inspections::HazardsFixed))
                    .col(integer(Inspections::Penalties))
                    .col(big_integer(Inspections::FinesCents))
                    .foreign_key(&mut unit_key(Inspections::Table, Inspections::UnitId)),
            ),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        for index in [
            date_index(
                "idx_mediation_cases_received_on",
                MediationCases::Table,
                MediationCases::ReceivedOn,
            ),
            date_index(
                "idx_legal_services_held_on",
                LegalServices::Table,
                LegalServices::HeldOn,
            ),
            date_index(
                "idx_screenings_held_on",
                Screenings::Table,
                Screenings::HeldOn,
            ),
            date_index(
                "idx_petitions_received_on",
                Petitions::Table,
                Petitions::ReceivedOn,
            ),
            date_index(
                "idx_inspections_held_on",
                Inspections::Table,
                Inspections::HeldOn,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MediationCases::Table.into_iden(),
            LegalServices::Table.into_iden(),
            Screenings::Table.into_iden(),
            Petitions::Table.into_iden(),
            Inspections::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Meta {
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum MediationCases {
    Table,
    Id,
    CommitteeUnitId,
    ReceivedOn,
    ClosedOn,
    Category,
    Result,
    AmountCents,
}

#[derive(DeriveIden)]
enum LegalServices {
    Table,
    Id,
    Kind,
    UnitId,
    HeldOn,
    Count,
    Topic,
}

#[derive(DeriveIden)]
enum Screenings {
    Table,
    Id,
    UnitId,
    HeldOn,
    IssuesFound,
    IssuesResolved,
}

#[derive(DeriveIden)]
enum Petitions {
    Table,
    Id,
    UnitId,
    ReceivedOn,
    Cases,
    Visitors,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Id,
    UnitId,
    HeldOn,
    Field,
    EntitiesChecked,
    HazardsFound,
    HazardsFixed,
    Penalties,
    FinesCents,
}
