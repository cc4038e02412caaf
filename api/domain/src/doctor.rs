//! `xuefa doctor`: checks an installation the way its operator would before calling it
//! healthy — the configuration (secrets, the 等保 switches), the database (reachable,
//! migrated, its clock), the SQLite folder's free disk and the webhook — and says what it
//! found in plain words, one finding a line.

use std::{path::PathBuf, time::Duration};

use chrono::Utc;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::{
    config::{Config, Webhook},
    services::outbox,
};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    /// Works, but not as it should be run.
    Warn,
    /// Does not work, or must not be run so.
    Fail,
}

/// One thing checked and what was found.
#[derive(Debug, Clone)]
pub struct Finding {
    pub level: Level,
    pub topic: &'static str,
    pub said: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Ok => "OK  ",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        };
        write!(f, "{level} {}: {}", self.topic, self.said)
    }
}

fn found(level: Level, topic: &'static str, said: impl Into<String>) -> Finding {
    Finding {
        level,
        topic,
        said: said.into(),
    }
}

/// The clocks may differ this much before it is said (a deadline is kept to the second).
const CLOCK_WARN_SECS: f64 = 2.0;
const CLOCK_FAIL_SECS: f64 = 60.0;
/// Free space below which a SQLite database cannot be trusted to take the next write.
const DISK_FAIL_BYTES: u64 = 256 << 20;
const DISK_WARN_BYTES: u64 = 2 << 30;
/// How long the database and the webhook have to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// Every check, in the order printed. Reads the variables through `get` (the process's
/// environment in `xuefa doctor`).
pub async fn examine(get: impl Fn(&str) -> Option<String>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = match Config::from_lookup(&get) {
        Ok(config) => {
            findings.push(found(Level::Ok, "configuration", "read"));
            secrets(&config, &mut findings);
            switches(&config, &mut findings);
            Some(config)
        }
        Err(e) => {
            findings.push(found(Level::Fail, "configuration", e.to_string()));
            None
        }
    };
    let url = match &config {
        Some(c) => c.database_url.clone(),
        None => get("DATABASE_URL")
            .filter(|u| !u.trim().is_empty())
            .unwrap_or(Config::default().database_url),
    };
    database(&url, &mut findings).await;
    if let Some(file) = crate::db::sqlite_path(&url) {
        findings.push(disk(&file));
    }
    if let Some(hook) = config.as_ref().and_then(|c| c.notify.as_ref()) {
        findings.push(webhook(hook).await);
    }
    findings
}

fn secrets(config: &Config, findings: &mut Vec<Finding>) {
    let topic = "token key";
    findings.push(match &config.jwt_secret {
        None => found(
            Level::Warn,
            topic,
            "XUEFA_JWT_SECRET is not set, so a key kept in the database signs tokens; set \
             one (openssl rand -base64 48) to be able to rotate it",
        ),
        Some(key) if weak(key) => found(
            Level::Warn,
            topic,
            "XUEFA_JWT_SECRET repeats a few characters; make a random one (openssl rand -base64 48)",
        ),
        Some(key) => found(
            Level::Ok,
            topic,
            format!("XUEFA_JWT_SECRET is set ({} characters)", key.len()),
        ),
    });
    if config.jwt_previous_secret.is_some() {
        findings.push(found(
            Level::Warn,
            topic,
            "XUEFA_JWT_PREVIOUS_SECRET still verifies tokens: remove it once the tokens \
             signed before the rotation have expired (15 minutes after it)",
        ));
    }
    if let Some(hook) = &config.notify
        && (hook.secret.len() < 16 || weak(&hook.secret))
    {
        findings.push(found(
            Level::Warn,
            "webhook secret",
            "XUEFA_NOTIFY_SECRET is short or repetitive; the gateway checks signatures with it",
        ));
    }
}

/// Fewer than 8 different characters.
fn weak(secret: &str) -> bool {
    let mut seen: Vec<char> = secret.chars().collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len() < 8
}

/// The 等保 switches that are off.
fn switches(config: &Config, findings: &mut Vec<Finding>) {
    let s = &config.security;
    let off: Vec<String> = [
        (!s.force_password_change, "XUEFA_FORCE_PASSWORD_CHANGE", "0"),
        (
            s.totp_required_for.is_empty(),
            "XUEFA_2FA_REQUIRED_FOR",
            "none",
        ),
        (
            s.password_max_age_days == 0,
            "XUEFA_PASSWORD_MAX_AGE_DAYS",
            "0",
        ),
        (
            s.idle_timeout_minutes == 0,
            "XUEFA_IDLE_TIMEOUT_MINUTES",
            "0",
        ),
    ]
    .into_iter()
    .filter(|(is_off, _, _)| *is_off)
    .map(|(_, name, value)| format!("{name}={value}"))
    .collect();
    findings.push(if off.is_empty() {
        found(
            Level::Ok,
            "等保 switches",
            "forced password change, two factors for administrators and password expiry are on",
        )
    } else {
        found(
            Level::Warn,
            "等保 switches",
            format!(
                "{} turns off what a level-3 assessment expects (docs/SECURITY.md)",
                off.join(", ")
            ),
        )
    });
}

async fn database(url: &str, findings: &mut Vec<Finding>) {
    let topic = "database";
    if let Some(file) = crate::db::sqlite_path(url)
        && !file.exists()
    {
        findings.push(found(
            Level::Warn,
            topic,
            format!(
                "{} does not exist yet: the first `xuefa serve` makes it",
                file.display()
            ),
        ));
        return;
    }
    let within = ANSWER_WITHIN * 2;
    let db = match tokio::time::timeout(within, crate::db::connect(url, 1)).await {
        Ok(Ok(db)) => db,
        Ok(Err(e)) => {
            findings.push(found(
                Level::Fail,
                topic,
                format!("cannot reach {}: {e}", redact(url)),
            ));
            return;
        }
        Err(_) => {
            findings.push(found(
                Level::Fail,
                topic,
                format!(
                    "{} did not answer within {} s",
                    redact(url),
                    within.as_secs()
                ),
            ));
            return;
        }
    };
    let engine = match db.get_database_backend() {
        DbBackend::Postgres => "PostgreSQL",
        _ => "SQLite",
    };
    findings.push(found(
        Level::Ok,
        topic,
        format!("{engine} at {} answers", redact(url)),
    ));
    findings.push(migrations(&db).await);
    findings.push(clock(&db).await);
    db.close().await.ok();
}

/// The URL without its password.
fn redact(url: &str) -> String {
    crate::db::without_password(url).0
}

async fn migrations(db: &DatabaseConnection) -> Finding {
    let topic = "migrations";
    let known = Migrator::migrations().len();
    match Migrator::get_pending_migrations_read_only(db).await {
        Err(e) => found(
            Level::Fail,
            topic,
            format!(
                "the database holds migrations this xuefa does not know (was it upgraded by \
                 a newer release?): {e}"
            ),
        ),
        Ok(pending) if pending.is_empty() => {
            found(Level::Ok, topic, format!("all {known} applied"))
        }
        Ok(pending) if pending.len() == known => found(
            Level::Warn,
            topic,
            "the database is empty: the first `xuefa serve` (or `xuefa migrate`) makes its tables",
        ),
        Ok(pending) => found(
            Level::Warn,
            topic,
            format!(
                "{} of {known} pending (this binary is newer than the database): take a \
                 backup, then `xuefa migrate` or start the server",
                pending.len()
            ),
        ),
    }
}

/// The database server's clock against this server's (deadlines and windows are kept by
/// this server's clock, timestamps of other instances by theirs).
async fn clock(db: &DatabaseConnection) -> Finding {
    let topic = "clock";
    if db.get_database_backend() != DbBackend::Postgres {
        return found(
            Level::Ok,
            topic,
            "SQLite keeps no clock of its own: this server's is the only one",
        );
    }
    let asked = Utc::now();
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8 AS now",
        ))
        .await;
    let answered = Utc::now();
    let theirs = match row.map(|r| r.and_then(|r| r.try_get::<f64>("", "now").ok())) {
        Ok(Some(t)) => t,
        Ok(None) => return found(Level::Fail, topic, "the database did not say its time"),
        Err(e) => return found(Level::Fail, topic, format!("reading its time: {e}")),
    };
    let ours = (asked.timestamp_micros() + answered.timestamp_micros()) as f64 / 2e6;
    let apart = theirs - ours;
    let said = format!(
        "the database's clock is {:.1} s {} this server's",
        apart.abs(),
        if apart >= 0.0 { "ahead of" } else { "behind" }
    );
    let level = match apart.abs() {
        d if d <= CLOCK_WARN_SECS => Level::Ok,
        d if d <= CLOCK_FAIL_SECS => Level::Warn,
        _ => Level::Fail,
    };
    found(level, topic, said)
}

/// Free space in the SQLite database's folder, against its size (a backup and a
/// `VACUUM` each need the database's size again).
fn disk(file: &std::path::Path) -> Finding {
    let topic = "disk";
    let folder = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let Some(free) = free_bytes(&folder) else {
        return found(
            Level::Warn,
            topic,
            format!("could not read the free space of {}", folder.display()),
        );
    };
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let said = format!(
        "{} free in {} (the database is {})",
        human(free),
        folder.display(),
        human(size)
    );
    let level = if free < DISK_FAIL_BYTES {
        Level::Fail
    } else if free < DISK_WARN_BYTES.max(2 * size) {
        Level::Warn
    } else {
        Level::Ok
    };
    found(level, topic, said)
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.0} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{} KiB", b.div_ceil(1 << 10)),
    }
}

/// The bytes an unprivileged user may still write in `folder`'s file system.
fn free_bytes(folder: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a NUL-terminated string and `stat` a buffer of the right type,
    // which statvfs fills when it returns 0.
    let stat = unsafe {
        if libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return None;
        }
        stat.assume_init()
    };
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// Whether the webhook answers at all (any HTTP status: the gateway decides what a
/// plain request gets); nothing is delivered.
async fn webhook(hook: &Webhook) -> Finding {
    let topic = "webhook";
    let within = hook.timeout.min(ANSWER_WITHIN);
    let asked = outbox::client(hook).head(&hook.url).send();
    match tokio::time::timeout(within, asked).await {
        Ok(Ok(reply)) => found(
            Level::Ok,
            topic,
            format!("{} answers (HTTP {})", hook.url, reply.status().as_u16()),
        ),
        Ok(Err(e)) => found(
            Level::Fail,
            topic,
            format!("{} did not answer: {}", hook.url, causes(&e)),
        ),
        Err(_) => found(
            Level::Fail,
            topic,
            format!("{} did not answer within {} s", hook.url, within.as_secs()),
        ),
    }
}

/// An error with its causes, which reqwest keeps out of its own message.
fn causes(e: &dyn std::error::Error) -> String {
    let mut said = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        said.push_str(": ");
        said.push_str(&c.to_string());
        cause = c.source();
    }
    said
}
