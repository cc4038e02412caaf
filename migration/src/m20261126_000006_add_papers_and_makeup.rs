//! Papers by rank (组卷) and the make-up window (补考).
//!
//! - `campaigns.papers`: the campaign's papers as a JSON array (`[]`: draw
//!   `question_count` at random, as before); `makeup_opens_at`, `makeup_closes_at`
//!   (both or neither) and `makeup_attempts` (default 1).
//! - `attempts.kind` (`main`, every existing attempt, or `makeup`) and `paper_key`.
//! - `attempt_questions.points`: what the question is worth in that attempt (the paper
//!   rule's points); `NULL` on older rows, which use the question's own points.
//! - `enrollments.makeup_attempts_used` and `best_main_centi` (the best main-exam score,
//!   so `passed_in_makeup` is one comparison); existing rows copy `best_score_centi`,
//!   since every attempt so far was a main one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn add(table: impl IntoIden, column: ColumnDef) -> TableAlterStatement {
    Table::alter().table(table).add_column(column).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let steps = [
            add(
                Campaigns::Table,
                text(Campaigns::Papers).default("[]").to_owned(),
            ),
            add(
                Campaigns::Table,
                timestamp_with_time_zone_null(Campaigns::MakeupOpensAt),
            ),
            add(
                Campaigns::Table,
                timestamp_with_time_zone_null(Campaigns::MakeupClosesAt),
            ),
            add(
                Campaigns::Table,
                integer(Campaigns::MakeupAttempts).default(1).to_owned(),
            ),
            add(
                Attempts::Table,
                string(Attempts::Kind).default("main").to_owned(),
            ),
            add(Attempts::Table, string_null(Attempts::PaperKey)),
            add(
                AttemptQuestions::Table,
                integer_null(AttemptQuestions::Points),
            ),
            add(
                Enrollments::Table,
                integer(Enrollments::MakeupAttemptsUsed)
                    .default(0)
                    .to_owned(),
            ),
            add(Enrollments::Table, integer_null(Enrollments::BestMainCenti)),
        ];
        for step in steps {
            manager.alter_table(step).await?;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table(Enrollments::Table)
                    .value(
                        Enrollments::BestMainCenti,
                        Expr::col(Enrollments::BestScoreCenti),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drops: [(DynIden, DynIden); 9] = [
            (Campaigns::Table.into_iden(), Campaigns::Papers.into_iden()),
            (
                Campaigns::Table.into_iden(),
                Campaigns::MakeupOpensAt.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::MakeupClosesAt.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::MakeupAttempts.into_iden(),
            ),
            (Attempts::Table.into_iden(), Attempts::Kind.into_iden()),
            (Attempts::Table.into_iden(), Attempts::PaperKey.into_iden()),
            (
                AttemptQuestions::Table.into_iden(),
                AttemptQuestions::Points.into_iden(),
            ),
            (
                Enrollments::Table.into_iden(),
                Enrollments::MakeupAttemptsUsed.into_iden(),
            ),
            (
                Enrollments::Table.into_iden(),
                Enrollments::BestMainCenti.into_iden(),
            ),
        ];
        for (table, column) in drops {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Papers,
    MakeupOpensAt,
    MakeupClosesAt,
    MakeupAttempts,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Kind,
    PaperKey,
}

#[derive(DeriveIden)]
enum AttemptQuestions {
    Table,
    Points,
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    MakeupAttemptsUsed,
    BestMainCenti,
    BestScoreCenti,
}
