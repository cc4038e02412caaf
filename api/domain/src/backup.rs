//! `xuefa backup FILE` and `xuefa restore FILE`, for both engines. A SQLite database is
//! copied with `VACUUM INTO` (one read transaction: exactly what was committed when it
//! began, while writers go on); a PostgreSQL one with `pg_dump`'s custom format (one
//! snapshot as well). A restore goes only into an empty database, checks the file first
//! and changes nothing when it fails: a SQLite copy is checked and then moved into place
//! in one rename, a dump is restored in one transaction.

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::Command,
};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TryGetable};

/// What a backup file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    PgDump,
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PGDUMP_MAGIC: &[u8] = b"PGDMP";

/// Writes a consistent copy of the database at `url` to `path`, which must not exist.
/// Returns the copy's size in bytes.
pub async fn backup(url: &str, path: &Path) -> Result<u64, String> {
    if path.exists() {
        return Err(format!(
            "{} already exists; name a new file",
            path.display()
        ));
    }
    if url.starts_with("postgres") {
        pg_dump(url, path)?;
    } else {
        let target = path.to_str().ok_or("the file name is not valid UTF-8")?;
        let db = crate::db::connect(url, 1)
            .await
            .map_err(|e| e.to_string())?;
        let copied = db
            .execute_unprepared(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
            .await;
        db.close().await.ok();
        copied.map_err(|e| e.to_string())?;
    }
    Ok(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
}

/// `pg_dump --format=custom` into a file beside `path`, renamed to it once complete (a
/// dump that fails leaves nothing under the name asked for).
fn pg_dump(url: &str, path: &Path) -> Result<(), String> {
    let partial = with_suffix(path, ".partial");
    let out = pg_tool("pg_dump", url)
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(&partial)
        .output()
        .map_err(|e| missing_tool("pg_dump", e))?;
    if !out.status.success() {
        std::fs::remove_file(&partial).ok();
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    std::fs::rename(&partial, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A PostgreSQL tool for the database at `url`, its password in the environment.
fn pg_tool(tool: &str, url: &str) -> Command {
    let (bare, password) = crate::db::without_password(url);
    let mut command = Command::new(tool);
    command.arg(format!("--dbname={bare}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command
}

fn missing_tool(tool: &str, e: std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!(
            "{tool} is not installed: PostgreSQL is backed up and restored with its own \
             tools (apt-get install postgresql-client, of the server's major version or newer)"
        )
    } else {
        format!("{tool}: {e}")
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Restores the backup at `file` into the empty database at `url`. Says what it did.
pub async fn restore(url: &str, file: &Path) -> Result<String, String> {
    let kind = kind_of(file)?;
    let postgres = url.starts_with("postgres");
    match (kind, postgres) {
        (Kind::Sqlite, false) => restore_sqlite(url, file).await,
        (Kind::PgDump, true) => restore_pg(url, file).await,
        (Kind::Sqlite, true) => Err(format!(
            "{} is a SQLite backup and DATABASE_URL is PostgreSQL: restore it into a \
             SQLite database",
            file.display()
        )),
        (Kind::PgDump, false) => Err(format!(
            "{} is a PostgreSQL dump and DATABASE_URL is SQLite: restore it into a \
             PostgreSQL database",
            file.display()
        )),
    }
}

fn kind_of(file: &Path) -> Result<Kind, String> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let head = &head[..read];
    if head.starts_with(SQLITE_MAGIC) {
        Ok(Kind::Sqlite)
    } else if head.starts_with(PGDUMP_MAGIC) {
        Ok(Kind::PgDump)
    } else {
        Err(format!(
            "{} is not a xuefa backup (neither a SQLite database nor a pg_dump \
             custom-format archive); nothing was restored",
            file.display()
        ))
    }
}

/// Copies a checked SQLite backup to the database's path, which must hold no tables.
async fn restore_sqlite(url: &str, file: &Path) -> Result<String, String> {
    let target = crate::db::sqlite_path(url)
        .ok_or("DATABASE_URL names an in-memory database: restore into a file")?;
    if target.exists() && std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0) > 0 {
        let tables = sqlite_tables(&target).await?;
        if tables > 0 {
            return Err(refusal(&target.display().to_string(), tables));
        }
    }
    check_sqlite(file).await?;
    let placing = with_suffix(&target, ".restoring");
    let placed = std::fs::copy(file, &placing)
        .and_then(|_| std::fs::File::open(&placing)?.sync_all())
        .and_then(|()| {
            // An empty database's leftovers must not be replayed over the restored file.
            for stale in ["-wal", "-shm", "-journal"] {
                std::fs::remove_file(with_suffix(&target, stale)).ok();
            }
            std::fs::rename(&placing, &target)
        });
    if let Err(e) = placed {
        std::fs::remove_file(&placing).ok();
        return Err(format!("{}: {e}", target.display()));
    }
    Ok(format!(
        "restored {} into {} (SQLite)",
        file.display(),
        target.display()
    ))
}

fn refusal(target: &str, tables: i64) -> String {
    format!(
        "{target} is not empty ({tables} tables): a restore goes only into an empty \
         database, so nothing was changed; point DATABASE_URL at a new database"
    )
}

async fn sqlite_tables(path: &Path) -> Result<i64, String> {
    let db = open_read_only(path).await?;
    let tables = one::<i64>(
        &db,
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .await;
    db.close().await.ok();
    tables
}

async fn open_read_only(path: &Path) -> Result<DatabaseConnection, String> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    sea_orm::Database::connect(url)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The one value `sql` answers.
async fn one<T: TryGetable>(db: &DatabaseConnection, sql: &str) -> Result<T, String> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no answer")?;
    row.try_get_by_index::<T>(0).map_err(|e| e.to_string())
}

/// A SQLite backup is whole (SQLite's integrity check) and xuefa's (its migrations).
async fn check_sqlite(file: &Path) -> Result<(), String> {
    let damaged = |why: String| {
        format!(
            "{} is damaged or truncated ({why}); nothing was restored",
            file.display()
        )
    };
    let db = open_read_only(file).await.map_err(damaged)?;
    let checked = one::<String>(&db, "PRAGMA integrity_check").await;
    let ours = one::<i64>(
        &db,
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'",
    )
    .await;
    db.close().await.ok();
    match (checked, ours) {
        (Err(e), _) | (Ok(_), Err(e)) => Err(damaged(e)),
        (Ok(problem), _) if problem != "ok" => Err(damaged(problem)),
        (Ok(_), Ok(0)) => Err(format!(
            "{} is a SQLite database but not xuefa's (it has no migrations table); \
             nothing was restored",
            file.display()
        )),
        (Ok(_), Ok(_)) => Ok(()),
    }
}

/// Restores a dump into an empty PostgreSQL database in one transaction.
async fn restore_pg(url: &str, file: &Path) -> Result<String, String> {
    let db = crate::db::connect(url, 1)
        .await
        .map_err(|e| e.to_string())?;
    let tables = one::<i64>(
        &db,
        "SELECT count(*) FROM information_schema.tables \
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .await;
    db.close().await.ok();
    let tables = tables?;
    if tables > 0 {
        return Err(refusal("the database at DATABASE_URL", tables));
    }
    let listed = Command::new("pg_restore")
        .arg("--list")
        .arg(file)
        .output()
        .map_err(|e| missing_tool("pg_restore", e))?;
    let contents = String::from_utf8_lossy(&listed.stdout);
    if !listed.status.success() {
        return Err(format!(
            "{} is damaged or truncated ({}); nothing was restored",
            file.display(),
            String::from_utf8_lossy(&listed.stderr).trim()
        ));
    }
    if !contents.contains("TABLE public seaql_migrations") {
        return Err(format!(
            "{} is a PostgreSQL dump but not of xuefa's database (it has no migrations \
             table); nothing was restored",
            file.display()
        ));
    }
    let out = pg_tool("pg_restore", url)
        .args([
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
        ])
        .arg(file)
        .output()
        .map_err(|e| missing_tool("pg_restore", e))?;
    if !out.status.success() {
        return Err(format!(
            "{} could not be restored, and nothing was ({})",
            file.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(format!(
        "restored {} into the database at DATABASE_URL (PostgreSQL)",
        file.display()
    ))
}
