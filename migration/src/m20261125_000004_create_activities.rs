//! Law-publicity events and trainings (普法宣传活动, 法治培训), their themes and attendees.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Activities::Table)
                    .col(big_pk_auto(Activities::Id))
                    .col(string(Activities::Kind))
                    .col(string(Activities::Title))
                    .col(date(Activities::HeldOn))
                    .col(big_integer(Activities::OrganizerUnitId))
                    .col(string_null(Activities::Venue))
                    .col(string(Activities::Audience))
                    .col(integer(Activities::Attendance))
                    .col(integer(Activities::Materials))
                    .col(text(Activities::Notes))
                    .col(big_integer_null(Activities::CreatedBy))
                    .col(timestamp_with_time_zone(Activities::CreatedAt))
                    .col(timestamp_with_time_zone(Activities::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Activities::DeletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Activities::Table, Activities::OrganizerUnitId)
                            .to(Units::Table, Units::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activities_held_on")
                    .table(Activities::Table)
                    .col(Activities::HeldOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityThemes::Table)
                    .col(big_integer(ActivityThemes::ActivityId))
                    .col(string(ActivityThemes::Theme))
                    .primary_key(
                        Index::create()
                            .col(ActivityThemes::ActivityId)
                            .col(ActivityThemes::Theme),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityThemes::Table, ActivityThemes::ActivityId)
                            .to(Activities::Table, Activities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityAttendees::Table)
                    .col(big_integer(ActivityAttendees::ActivityId))
                    .col(big_integer(ActivityAttendees::UserId))
                    .primary_key(
                        Index::create()
                            .col(ActivityAttendees::ActivityId)
                            .col(ActivityAttendees::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityAttendees::Table, ActivityAttendees::ActivityId)
                            .to(Activities::Table, Activities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityAttendees::Table, ActivityAttendees::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ActivityAttendees::Table.into_iden(),
            ActivityThemes::Table.into_iden(),
            Activities::Table.into_iden(),
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
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    Kind,
    Title,
    HeldOn,
    OrganizerUnitId,
    Venue,
    Audience,
    Attendance,
    Materials,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum ActivityThemes {
    Table,
    ActivityId,
    Theme,
}

#[derive(DeriveIden)]
enum ActivityAttendees {
    Table,
    ActivityId,
    UserId,
}
