//! Connecting to SQLite or PostgreSQL, and running the migrations.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, TransactionOptions,
    TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

/// Opens a pool. SQLite gets WAL (readers run while one writer commits), foreign keys,
/// a busy timeout, `synchronous=FULL` (an acknowledged write survives a power cut) and a
/// 16 MiB page cache per connection (uploads insert into random-UUID keys; see
/// BENCHMARKS.md).
pub async fn connect(url: &str, pool: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-16384")
        });
    Database::connect(options).await
}

/// Brings the schema up to date (idempotent).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Starts a write transaction. On SQLite it takes the write lock at `BEGIN` (IMMEDIATE),
/// so two transactions that read then write wait for each other instead of failing.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Takes the cadre's row lock (PostgreSQL; SQLite's write transaction is already
/// exclusive), so that one cadre's sessions and attempts are checked and stored one at
/// a time.
pub async fn lock_cadre(db: &impl sea_orm::ConnectionTrait, user_id: i64) -> Result<(), DbErr> {
    use sea_orm::{EntityTrait, QuerySelect};
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        return Ok(());
    }
    entity::user::Entity::find_by_id(user_id)
        .select_only()
        .column(entity::user::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(())
}

/// Serialises one kind of whole-table work (a roster import) across instances: a
/// transaction-scoped advisory lock on PostgreSQL; SQLite's write transaction is already
/// exclusive.
pub async fn lock_named(db: &impl sea_orm::ConnectionTrait, key: i64) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// [`lock_named`] key of the roster import.
pub const ROSTER_IMPORT_LOCK: i64 = 0x7875_6566_6101;

/// Runs `work` in a write transaction ([`begin_write`]) and commits it when `work`
/// succeeds; an error rolls everything back. Services that change data own their
/// transaction through this; routes never open one.
pub async fn write<T>(
    db: &DatabaseConnection,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> crate::error::AppResult<T>,
) -> crate::error::AppResult<T> {
    let txn = begin_write(db).await?;
    let out = work(&txn).await?;
    txn.commit().await?;
    Ok(out)
}
