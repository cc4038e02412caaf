//! Writing generated rows fast: ids chosen up front, rows inserted in large chunks, and
//! PostgreSQL's sequences moved past the ids afterwards.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use domain::error::AppResult;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, EntityTrait, Iterable, QuerySelect,
    sea_query::{Expr, Func},
};

/// The first free id of a table.
pub async fn next_id<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id_col: E::Column,
) -> AppResult<i64> {
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .expr(Func::max(Expr::col(id_col)))
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

/// Writes rows in chunks (the databases cap the bound values per statement; the chunk
/// size follows the table's column count, so a new column cannot overflow it).
pub async fn bulk<A, I>(db: &impl ConnectionTrait, rows: I) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
    I: IntoIterator<Item = A>,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per = (30_000 / columns.max(1)).max(1);
    let mut chunk = Vec::with_capacity(per);
    for row in rows {
        chunk.push(row);
        if chunk.len() == per {
            <A::Entity as EntityTrait>::insert_many(std::mem::take(&mut chunk))
                .exec_without_returning(db)
                .await?;
        }
    }
    if !chunk.is_empty() {
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// After rows were written with ids chosen here, PostgreSQL's sequences must move past them.
pub async fn resync_sequences(db: &impl ConnectionTrait) -> AppResult<()> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in [
        "units",
        "users",
        "courses",
        "campaigns",
        "questions",
        "enrollments",
        "attempts",
        "activities",
        "law_tasks",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
        ))
        .await?;
    }
    Ok(())
}

/// A wall-clock time on a day in the office's time zone.
pub fn local(tz: FixedOffset, date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("a valid time"))
        .single()
        .expect("a fixed offset is unambiguous")
        .with_timezone(&Utc)
}

/// 1 January of `year`.
pub fn new_year(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).expect("a date")
}
