//! The rules, free of HTTP: async functions over a connection or transaction.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod campaigns;
pub mod courses;
pub mod demo;
pub mod exam;
pub mod progress;
pub mod questions;
pub mod reports;
pub mod study;
pub mod targets;
pub mod units;
pub mod users;

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, TransactionOptions, TransactionTrait,
};

/// A page request: 1-based page, at most 500 per page.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: u64,
    pub per_page: u64,
}

impl PageReq {
    pub const MAX_PER_PAGE: u64 = 500;

    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// The rows to skip, kept within what the databases accept (a signed 64-bit value).
    pub fn offset(&self) -> u64 {
        (self.page - 1)
            .saturating_mul(self.per_page)
            .min(i64::MAX as u64)
    }
}

/// A page of results and the total count.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// One page of `query` (already filtered and ordered) and the total it pages through.
pub async fn fetch_page<E>(
    db: &impl sea_orm::ConnectionTrait,
    query: sea_orm::Select<E>,
    page: PageReq,
) -> crate::error::AppResult<Page<E::Model>>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    let total = query.clone().count(db).await?;
    let items = query
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
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
