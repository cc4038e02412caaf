//! `xuefa demo`: a demo street modelled on a real one, and (with larger numbers) the
//! city-scale data set the benchmark runs on. A tool, not a rule: it lives apart from the
//! domain and calls the domain's rules (`credit::credit`, `scoring`) for every derived
//! figure (per-course totals, credited minutes, study complete, attempts used, best
//! score). Rows are written in bulk inside one transaction, with ids assigned here.
//!
//! The builders run in a fixed order from one seeded generator: the street's units and
//! accounts ([`org`]), the campaign and its bank ([`campaign`]), each cadre's study and
//! exam ([`records`]), the year's activities ([`activities`]) and the judicial office's
//! other ledgers, this year and the year before ([`ledgers`]).

mod activities;
mod campaign;
mod data;
mod ledgers;
mod org;
mod progress;
mod records;
mod write;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use domain::{
    auth::hash_password,
    error::{AppError, AppResult},
    services::audit,
};
use entity::{unit, user};
use rand::{SeedableRng, rngs::StdRng};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};

/// How much to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub cadres: u32,
    pub sessions_per_cadre: u32,
    pub activities: u32,
    /// Questions drawn per generated attempt (the campaign's `question_count`).
    pub questions_per_attempt: u32,
    pub seed: u64,
    /// Run even if the database already holds data.
    pub force: bool,
    /// Show what it is doing on stderr (a bar on a terminal, plain lines in a log).
    pub progress: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            cadres: 120,
            sessions_per_cadre: 8,
            activities: 100,
            questions_per_attempt: 50,
            seed: 2026,
            force: false,
            progress: false,
        }
    }
}

/// What was made, and how to sign in.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub street: String,
    pub units: usize,
    pub cadres: usize,
    pub sessions: usize,
    pub attempts: usize,
    pub activities: usize,
    /// Mediation, legal-service, screening, petition and inspection records.
    pub ledger_records: usize,
    pub campaign_id: i64,
    pub year: i32,
    /// `(username, password, what for)`.
    pub accounts: Vec<(String, String, String)>,
}

pub const DEMO_PASSWORD: &str = "xuefa-demo-2026";

/// What every builder shares: the transaction, the seeded generator, and the time.
pub(crate) struct Gen<'t> {
    txn: &'t DatabaseTransaction,
    rng: StdRng,
    now: DateTime<Utc>,
    tz: FixedOffset,
    today: NaiveDate,
    year: i32,
    /// Prefixes names and usernames when the database already holds a demo street.
    tag: String,
    progress: progress::Progress,
}

/// Loads the demo. Refuses a database that already holds data unless `force`.
pub async fn load(
    db: &DatabaseConnection,
    options: &DemoOptions,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> AppResult<DemoReport> {
    let existing_users = user::Entity::find().count(db).await?;
    let existing_units = unit::Entity::find().count(db).await?;
    if !options.force && (existing_users > 1 || existing_units > 0) {
        return Err(AppError::conflict(
            "not_empty",
            "the database already holds data; run with --force to add a demo street anyway",
        ));
    }
    let streets = unit::Entity::find()
        .filter(unit::Column::Kind.eq(unit::UnitKind::Street))
        .count(db)
        .await?;
    let password_hash = hash_password(DEMO_PASSWORD).await?;
    let today = now.with_timezone(&tz).date_naive();
    let txn = db.begin().await?;
    let mut g = Gen {
        txn: &txn,
        // Another street in the same database gets other ids (session UUIDs come from here).
        rng: StdRng::seed_from_u64(
            options.seed ^ existing_units.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        ),
        now,
        tz,
        today,
        year: today.year(),
        tag: if streets == 0 {
            String::new()
        } else {
            format!("s{}-", streets + 1)
        },
        progress: progress::Progress::new(options.progress),
    };
    let org = org::units(&mut g).await?;
    let people = org::accounts(&mut g, &org, options.cadres, &password_hash).await?;
    let plan = campaign::campaign(&mut g, options.questions_per_attempt).await?;
    let made =
        records::study_and_exams(&mut g, &plan, &people.cadres, options.sessions_per_cadre).await?;
    g.progress.phase("activities", 1);
    let activity_count =
        activities::activities(&mut g, &org, &people.cadres, options.activities).await?;
    g.progress.phase("ledgers", 1);
    let ledger_records = ledgers::ledgers(&mut g, &org).await?;
    write::resync_sequences(&txn).await?;
    audit::record_as(
        &txn,
        now,
        (None, "demo"),
        "load",
        "demo",
        None,
        format!(
            "{}: {} cadres, {} sessions, {activity_count} activities, {ledger_records} ledger records",
            org.street_name,
            people.cadres.len(),
            made.sessions
        ),
    )
    .await?;
    g.progress.phase("committing", 1);
    g.progress.finish();
    let (tag, year) = (g.tag, g.year);
    txn.commit().await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // Fold the whole load into the file now, so the next open does not have to
        // recover a write-ahead log as large as the data.
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    let sign_in = |username: String, what: &str| (username, DEMO_PASSWORD.into(), what.into());
    Ok(DemoReport {
        accounts: vec![
            sign_in(people.hr, "HR (组织人事): roster, campaign, targets"),
            sign_in(
                people.judicial,
                "judicial office (司法所): activities, mediation and the other ledgers, annual summary",
            ),
            sign_in(format!("{tag}gb00004"), "a cadre: study progress, exam"),
        ],
        street: org.street_name,
        units: org.count,
        cadres: people.cadres.len(),
        sessions: made.sessions,
        attempts: made.attempts,
        activities: activity_count,
        ledger_records,
        campaign_id: plan.campaign_id,
        year,
    })
}
