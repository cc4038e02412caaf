//! `xuefa demo`: a demo district (新区) of streets modelled on a real one, and (with
//! larger numbers) the city-scale data set the benchmark runs on. A tool, not a rule: it lives apart from the
//! domain and calls the domain's rules (`credit::credit`, `scoring`) for every derived
//! figure (per-course totals, credited minutes, study complete, attempts used, best
//! score). Rows are written in bulk inside one transaction, with ids assigned here.
//!
//! The builders run in a fixed order from one seeded generator: the district and the
//! district's campaign with its bank ([`campaign`]); then, street by street, its units and
//! accounts ([`org`]), each cadre's study and exam ([`records`]), the year's activities
//! ([`activities`]) and the judicial office's other ledgers, this year and the year
//! before ([`ledgers`]); last, the second street's own campaign.

mod activities;
mod campaign;
mod data;
mod law;
mod ledgers;
mod org;
mod progress;
mod records;
mod write;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use domain::{
    auth::hash_password,
    error::{AppError, AppResult, Clash, Code, FieldError},
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
    /// Streets in the district.
    pub streets: u32,
    /// Cadres per street.
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
            streets: 3,
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
    pub district: String,
    /// The streets, first the one whose accounts are `hr` and `sifa`.
    pub streets: Vec<String>,
    pub units: usize,
    pub cadres: usize,
    pub sessions: usize,
    pub attempts: usize,
    pub activities: usize,
    /// Mediation, legal-service, screening, petition and inspection records, and the rest
    /// of the report's (tasks, decision reviews, advisers, 述法, 普法 duties).
    pub ledger_records: usize,
    /// The district's campaign.
    pub campaign_id: i64,
    /// The second street's own campaign, if there is a second street.
    pub street_campaign_id: Option<i64>,
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
            Clash::NotEmpty,
            "the database already holds data; run with --force to add a demo district anyway",
        ));
    }
    if options.streets == 0 {
        return Err(AppError::invalid(FieldError::bounded(
            "streets",
            Code::OutOfRange,
            Some(1),
            None,
        )));
    }
    let districts = unit::Entity::find()
        .filter(unit::Column::Kind.eq(unit::UnitKind::District))
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
        tag: if districts == 0 {
            String::new()
        } else {
            format!("d{}-", districts + 1)
        },
        progress: progress::Progress::new(options.progress),
    };
    let (district, district_name) = org::district(&mut g).await?;
    let plan = campaign::campaign(&mut g, options.questions_per_attempt, district).await?;
    let mut made = District::default();
    for n in 0..options.streets as usize {
        let street = org::Street::nth(n, &g.tag);
        let org = org::units(&mut g, district, &street).await?;
        let people = org::accounts(&mut g, (&org, &street), options.cadres, &password_hash).await?;
        let records =
            records::study_and_exams(&mut g, &plan, &people.cadres, options.sessions_per_cadre)
                .await?;
        g.progress.phase("activities", 1);
        made.activities +=
            activities::activities(&mut g, &org, &people.cadres, options.activities).await?;
        g.progress.phase("ledgers", 1);
        made.ledger_records += ledgers::ledgers(&mut g, &org).await?;
        made.ledger_records += law::records(&mut g, &org).await?;
        made.sessions += records.sessions;
        made.attempts += records.attempts;
        made.units += org.count;
        made.cadres += people.cadres.len();
        if n == 1 {
            made.street_campaign = Some(
                campaign::street_campaign(&mut g, (&org, &street.name), &people.cadres).await?,
            );
        }
        made.streets.push((org, people));
    }
    let first_office = made.streets[0].0.street_id;
    let district_managers =
        org::district_managers(&mut g, (district, first_office), &password_hash).await?;
    write::resync_sequences(&txn).await?;
    audit::record_as(
        &txn,
        now,
        (None, "demo"),
        audit::AuditAction::Load,
        "demo",
        None,
        format!(
            "{district_name}: {} streets, {} cadres, {} sessions, {} activities, {} ledger records",
            made.streets.len(),
            made.cadres,
            made.sessions,
            made.activities,
            made.ledger_records
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
    let accounts = sign_ins(&made, &tag, district_managers);
    Ok(DemoReport {
        accounts,
        district: district_name,
        streets: made
            .streets
            .iter()
            .map(|(o, _)| o.street_name.clone())
            .collect(),
        units: made.units + 1,
        cadres: made.cadres,
        sessions: made.sessions,
        attempts: made.attempts,
        activities: made.activities,
        ledger_records: made.ledger_records,
        campaign_id: plan.campaign_id,
        street_campaign_id: made.street_campaign,
        year,
    })
}

/// Who to sign in as, and for what: the first street's HR, judicial office and a cadre,
/// the district's managers, then the other streets'.
fn sign_ins(
    made: &District,
    tag: &str,
    district_managers: [String; 2],
) -> Vec<(String, String, String)> {
    let sign_in = |username: String, what: &str| (username, DEMO_PASSWORD.into(), what.into());
    let (first, first_people) = &made.streets[0];
    let [qu_hr, qu_sifa] = district_managers;
    let mut accounts = vec![
        sign_in(
            first_people.hr.clone(),
            &format!(
                "HR (组织人事) of {}: roster, campaign, targets",
                first.street_name
            ),
        ),
        sign_in(
            first_people.judicial.clone(),
            &format!(
                "judicial office (司法所) of {}: activities, ledgers, the street's annual summary",
                first.street_name
            ),
        ),
        sign_in(
            format!("{tag}gb00004"),
            &format!("a cadre of {}: study progress, exam", first.street_name),
        ),
        sign_in(
            qu_hr,
            "the district's HR (区): every street, the league table",
        ),
        sign_in(
            qu_sifa,
            "the district's judicial bureau (区): every street's records",
        ),
    ];
    for (org, people) in made.streets.iter().skip(1) {
        accounts.push(sign_in(
            people.hr.clone(),
            &format!("HR of {}", org.street_name),
        ));
        accounts.push(sign_in(
            people.judicial.clone(),
            &format!("judicial office of {}", org.street_name),
        ));
    }
    accounts
}

/// What the streets of a district added up to.
#[derive(Default)]
struct District {
    streets: Vec<(org::Org, org::People)>,
    units: usize,
    cadres: usize,
    sessions: usize,
    attempts: usize,
    activities: usize,
    ledger_records: usize,
    street_campaign: Option<i64>,
}
