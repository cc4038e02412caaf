//! Connecting to SQLite or PostgreSQL, and running the migrations.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, LazyLock},
    time::Duration,
};

use migration::{Migrator, MigratorTrait};
pub use sea_orm::DatabaseConnection;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Opens a pool. SQLite gets WAL (readers run while one writer commits), foreign keys,
/// a busy timeout, `synchronous=FULL` (an acknowledged write survives a power cut) and a
/// 16 MiB page cache per connection (uploads insert into random-UUID keys; see
/// docs/bench-log.md). A request waits at most 2 s for a connection (a database that is down
/// answers `database_unavailable` then, not after a long hang) and, on SQLite, 5 s for
/// another process's write lock.
///
/// On SQLite the file is first opened once with no such limit: a database left with a
/// large write-ahead log (a city-sized demo, a crash mid-import) is recovered on that first
/// open, which can take minutes, and must not fail the start as "pool timed out".
///
/// Only PostgreSQL connections are pinged when taken from the pool (one that dropped while
/// the server restarted is replaced instead of failing a request). A SQLite connection is
/// a file this process opened and does not drop; its ping was one more round trip to
/// SQLite's thread before every statement outside a transaction and every transaction.
pub async fn connect(url: &str, pool: u32) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") {
        let mut first = ConnectOptions::new(url.to_owned());
        first
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(3600))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(5))
            });
        let opened = Database::connect(first).await?;
        opened
            .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
            .await?;
        opened.close().await?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(2))
        .test_before_acquire(!url.starts_with("sqlite:"))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .pragma("cache_size", "-16384")
        });
    Database::connect(options).await
}

/// Brings the schema up to date (idempotent).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A write transaction, holding on SQLite the process's turn to write (see
/// [`begin_write`]). Use it as the transaction it wraps; the turn passes on when it is
/// committed, rolled back or dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// The queue of writers to one SQLite file. SQLite lets one transaction write at a time;
/// left to itself, a writer that finds the lock taken sleeps in SQLite's busy handler (up
/// to 100 ms between tries) and a later writer may overtake an earlier one. Here this
/// process's writers wait their turn in order on an async mutex and each takes the lock
/// the moment it is free (measured with the exam-start storm, docs/bench-log.md).
fn sqlite_turn(db: &DatabaseConnection) -> Option<Arc<Mutex<()>>> {
    static TURNS: LazyLock<std::sync::Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>> =
        LazyLock::new(Default::default);
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_owned();
    let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    Some(turns.entry(file).or_default().clone())
}

/// Starts a write transaction. On SQLite it first waits its turn among this process's
/// writers, then takes the write lock at `BEGIN` (IMMEDIATE), so two transactions that
/// read then write wait for each other instead of failing. (Another process writing the
/// same file still meets the busy timeout.)
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = match sqlite_turn(db) {
        Some(queue) => Some(queue.lock_owned().await),
        None => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTxn { txn, _turn: turn })
}

/// Takes the cadre's row lock (PostgreSQL; SQLite's write transaction is already
/// exclusive), so that one cadre's sessions and attempts are checked and stored one at
/// a time.
pub async fn lock_cadre(db: &impl sea_orm::ConnectionTrait, user_id: i64) -> Result<(), DbErr> {
    lock_cadres(db, &[user_id]).await
}

/// [`lock_cadre`] for several cadres in one statement, taken in id order (so two
/// transactions locking overlapping sets never wait on each other in a circle).
pub async fn lock_cadres(
    db: &impl sea_orm::ConnectionTrait,
    user_ids: &[i64],
) -> Result<(), DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        return Ok(());
    }
    for chunk in user_ids.chunks(1000) {
        entity::user::Entity::find()
            .select_only()
            .column(entity::user::Column::Id)
            .filter(entity::user::Column::Id.is_in(chunk.iter().copied()))
            .order_by_asc(entity::user::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .all(db)
            .await?;
    }
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

/// A database URL without its password, and the password (percent-decoded). The tools
/// xuefa runs (`pg_dump`, `pg_restore`) are given the password through `PGPASSWORD`: on a
/// command line every local user could read it in `ps`; `xuefa doctor` prints the URL
/// without it.
pub fn without_password(url: &str) -> (String, Option<String>) {
    let Some(scheme) = url.find("://").map(|i| i + 3) else {
        return (url.to_owned(), None);
    };
    let authority = url[scheme..].split(['/', '?']).next().unwrap_or_default();
    let Some(at) = authority.rfind('@') else {
        return (url.to_owned(), None);
    };
    match authority[..at].split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..scheme], &url[scheme + at..]),
            Some(
                percent_encoding::percent_decode_str(password)
                    .decode_utf8_lossy()
                    .into_owned(),
            ),
        ),
        None => (url.to_owned(), None),
    }
}

/// The file a `sqlite:` URL names (none for an in-memory database or another engine).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:" && !url.contains("mode=memory"))
        .then(|| PathBuf::from(path))
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

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_password_is_taken_out_of_a_database_url() {
        let cases = [
            (
                "postgres://xuefa:p%40ss:w@db:5432/xuefa",
                "postgres://xuefa@db:5432/xuefa",
                Some("p@ss:w"),
            ),
            (
                "postgres://xuefa@db/xuefa?sslmode=require",
                "postgres://xuefa@db/xuefa?sslmode=require",
                None,
            ),
            ("postgres://db/x?user=a@b", "postgres://db/x?user=a@b", None),
            (
                "sqlite://xuefa.db?mode=rwc",
                "sqlite://xuefa.db?mode=rwc",
                None,
            ),
        ];
        for (url, bare, password) in cases {
            let (got, secret) = without_password(url);
            assert_eq!((got.as_str(), secret.as_deref()), (bare, password), "{url}");
        }
    }
}
