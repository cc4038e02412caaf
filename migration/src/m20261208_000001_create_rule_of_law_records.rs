//! The rest of the 法治政府建设 report, kept as records: the 任务分解表 and its 自查 notes,
//! legality reviews of major decisions, legal advisers and public lawyers, leading cadres'
//! 述职述法, and the units' 普法责任清单. Each table ends like the ledgers' (notes, who
//! recorded it, when, soft delete).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns every record table ends with.
fn with_meta(table: &mut TableCreateStatement) -> TableCreateStatement {
    table
        .col(text(Meta::Notes))
        .col(big_integer_null(Meta::CreatedBy))
        .col(timestamp_with_time_zone(Meta::CreatedAt))
        .col(timestamp_with_time_zone(Meta::UpdatedAt))
        .col(timestamp_with_time_zone_null(Meta::DeletedAt))
        .to_owned()
}

fn unit_key(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Units::Table, Units::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(
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

fn tables() -> Vec<TableCreateStatement> {
    vec![
        with_meta(
            Table::create()
                .table(LawTasks::Table)
                .col(big_pk_auto(LawTasks::Id))
                .col(integer(LawTasks::Year))
                .col(string(LawTasks::Title))
                .col(string(LawTasks::Category))
                .col(big_integer(LawTasks::UnitId))
                .col(string(LawTasks::Lead))
                .col(date(LawTasks::DueOn))
                .col(string(LawTasks::Status))
                .col(date_null(LawTasks::DoneOn))
                .col(integer(LawTasks::NoteCount).default(0))
                .col(date_null(LawTasks::LastNoteOn))
                .foreign_key(&mut unit_key(LawTasks::Table, LawTasks::UnitId)),
        ),
        Table::create()
            .table(LawTaskNotes::Table)
            .col(big_pk_auto(LawTaskNotes::Id))
            .col(big_integer(LawTaskNotes::TaskId))
            .col(date(LawTaskNotes::NotedOn))
            .col(text(LawTaskNotes::Text))
            .col(big_integer_null(LawTaskNotes::CreatedBy))
            .col(timestamp_with_time_zone(LawTaskNotes::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(LawTaskNotes::Table, LawTaskNotes::TaskId)
                    .to(LawTasks::Table, LawTasks::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
        with_meta(
            Table::create()
                .table(DecisionReviews::Table)
                .col(big_pk_auto(DecisionReviews::Id))
                .col(string(DecisionReviews::Title))
                .col(big_integer(DecisionReviews::UnitId))
                .col(string(DecisionReviews::Category))
                .col(date(DecisionReviews::SubmittedOn))
                .col(string_null(DecisionReviews::Reviewer))
                .col(string_null(DecisionReviews::Result))
                .col(date_null(DecisionReviews::DecidedOn))
                .col(boolean(DecisionReviews::Adopted).default(false))
                .foreign_key(&mut unit_key(
                    DecisionReviews::Table,
                    DecisionReviews::UnitId,
                )),
        ),
        with_meta(
            Table::create()
                .table(LegalAdvisers::Table)
                .col(big_pk_auto(LegalAdvisers::Id))
                .col(string(LegalAdvisers::Name))
                .col(string(LegalAdvisers::Kind))
                .col(big_integer(LegalAdvisers::UnitId))
                .col(date(LegalAdvisers::Since))
                .col(date_null(LegalAdvisers::Until))
                .foreign_key(&mut unit_key(LegalAdvisers::Table, LegalAdvisers::UnitId)),
        ),
        with_meta(
            Table::create()
                .table(LawReports::Table)
                .col(big_pk_auto(LawReports::Id))
                .col(big_integer(LawReports::UserId))
                .col(string(LawReports::UserName))
                .col(big_integer(LawReports::UnitId))
                .col(integer(LawReports::Year))
                .col(string(LawReports::Form))
                .col(date(LawReports::HeldOn))
                .col(string_null(LawReports::Rating))
                .foreign_key(
                    ForeignKey::create()
                        .from(LawReports::Table, LawReports::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(&mut unit_key(LawReports::Table, LawReports::UnitId)),
        ),
        with_meta(
            Table::create()
                .table(PufaDuties::Table)
                .col(big_pk_auto(PufaDuties::Id))
                .col(big_integer(PufaDuties::UnitId))
                .col(integer(PufaDuties::Year))
                .col(string(PufaDuties::Law))
                .col(string(PufaDuties::Audience))
                .col(text(PufaDuties::Actions))
                .col(integer(PufaDuties::CasesExplained))
                .col(string(PufaDuties::Status))
                .foreign_key(&mut unit_key(PufaDuties::Table, PufaDuties::UnitId)),
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for index in [
            index("idx_law_tasks_year", LawTasks::Table, LawTasks::Year),
            index(
                "idx_law_task_notes_task",
                LawTaskNotes::Table,
                LawTaskNotes::TaskId,
            ),
            index(
                "idx_decision_reviews_submitted_on",
                DecisionReviews::Table,
                DecisionReviews::SubmittedOn,
            ),
            index(
                "idx_legal_advisers_since",
                LegalAdvisers::Table,
                LegalAdvisers::Since,
            ),
            index("idx_pufa_duties_year", PufaDuties::Table, PufaDuties::Year),
        ] {
            manager.create_index(index).await?;
        }
        // One 述法 a leader a year among the records not deleted: a partial index, which
        // both engines know and sea-query does not spell.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_law_reports_user_year \
                 ON law_reports (user_id, year) WHERE deleted_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LawTaskNotes::Table.into_iden(),
            LawTasks::Table.into_iden(),
            DecisionReviews::Table.into_iden(),
            LegalAdvisers::Table.into_iden(),
            LawReports::Table.into_iden(),
            PufaDuties::Table.into_iden(),
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
enum Meta {
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum LawTasks {
    Table,
    Id,
    Year,
    Title,
    Category,
    UnitId,
    Lead,
    DueOn,
    Status,
    DoneOn,
    NoteCount,
    LastNoteOn,
}

#[derive(DeriveIden)]
enum LawTaskNotes {
    Table,
    Id,
    TaskId,
    NotedOn,
    Text,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DecisionReviews {
    Table,
    Id,
    Title,
    UnitId,
    Category,
    SubmittedOn,
    Reviewer,
    Result,
    DecidedOn,
    Adopted,
}

#[derive(DeriveIden)]
enum LegalAdvisers {
    Table,
    Id,
    Name,
    Kind,
    UnitId,
    Since,
    Until,
}

#[derive(DeriveIden)]
enum LawReports {
    Table,
    Id,
    UserId,
    UserName,
    UnitId,
    Year,
    Form,
    HeldOn,
    Rating,
}

#[derive(DeriveIden)]
enum PufaDuties {
    Table,
    Id,
    UnitId,
    Year,
    Law,
    Audience,
    Actions,
    CasesExplained,
    Status,
}
