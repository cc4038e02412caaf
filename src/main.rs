//! `xuefa`: the one binary. `serve`, `openapi`, `migrate`, `backup`, `restore`, `doctor`,
//! `demo`, `user create` (`xuefa --help` lists them).

use std::io::Read;

use clap::{Parser, Subcommand};
use domain::auth::Role;
use domain::config::Config;

/// mimalloc rather than glibc's malloc: the server allocates for every request on two
/// threads and more (see docs/bench-log.md, "fewer pages and fewer round trips a commit").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "xuefa",
    version,
    about = "学法 — law study and law publicity records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve,
    /// Print the OpenAPI spec (JSON) to stdout.
    Openapi,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Write a consistent copy of the database to FILE while it serves: SQLite's own
    /// copy, or on PostgreSQL pg_dump's custom format (pg_dump must be installed). FILE
    /// must not exist.
    Backup {
        /// Where the copy goes.
        file: std::path::PathBuf,
    },
    /// Restore a backup made by `xuefa backup` into the empty database at DATABASE_URL
    /// (the same engine; pg_restore for PostgreSQL). A database that holds tables, or a
    /// damaged or foreign file, is refused and nothing is changed. Start the server
    /// afterwards: it migrates a backup of an older release.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
    },
    /// Load a demo district: its streets (units, HR and judicial accounts scoped to each,
    /// cadres), the district's campaign with courses and questions, study and exam records,
    /// a year of activities and of the judicial office's ledgers, and one street's own
    /// campaign. Larger numbers make the benchmark data set.
    Demo {
        /// Load even though the database already holds data (adds another district).
        #[arg(long)]
        force: bool,
        /// Streets in the district.
        #[arg(long, default_value_t = 3)]
        streets: u32,
        /// Cadres per street.
        #[arg(long, default_value_t = 120)]
        cadres: u32,
        #[arg(long, default_value_t = 8)]
        sessions_per_cadre: u32,
        #[arg(long, default_value_t = 100)]
        activities: u32,
        /// Questions drawn per exam attempt.
        #[arg(long, default_value_t = 50)]
        questions_per_attempt: u32,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Manage accounts from the command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Move to separation of duties (三权分立): every `admin` becomes `sysadmin` (same
    /// password and second factor), and a `secadmin` and an `auditor` account are made
    /// with one-time passwords printed once. Then set XUEFA_SEPARATION_OF_DUTIES=1.
    SeparateDuties {
        /// The security administrator's username, when one is made.
        #[arg(long, default_value = "secadmin")]
        secadmin: String,
        /// The auditor's username, when one is made.
        #[arg(long, default_value = "auditor")]
        auditor: String,
    },
    /// Check this installation: the configuration (secrets, the 等保 switches), the
    /// database (reachable, migrated, its clock), the SQLite folder's free disk and the
    /// webhook. One line each, OK / WARN / FAIL; exits 1 when anything FAILs.
    Doctor,
    /// The audit log's hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every entry's hash: prints how many were checked and the head hash and
    /// exits 0, or names the first entry that does not match and exits 1.
    Verify,
    /// Delete the entries older than XUEFA_AUDIT_RETENTION_DAYS (at least 180), keeping the
    /// chain checkable (the server also does this once an hour).
    Prune,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from stdin (one line).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// Comma-separated: admin, hr, judicial, cadre.
        #[arg(long, default_value = "cadre")]
        roles: String,
        #[arg(long)]
        unit_id: Option<i64>,
        #[arg(long)]
        employee_no: Option<String>,
        #[arg(long)]
        leader: bool,
    },
}

/// A migrated connection for a command that works on the database directly.
async fn open(config: &Config) -> domain::db::DatabaseConnection {
    let db = domain::db::connect(&config.database_url, 2)
        .await
        .unwrap_or_else(|e| fail(e));
    domain::db::migrate(&db).await.unwrap_or_else(|e| fail(e));
    db
}

/// `xuefa doctor`: every finding on a line, then exits 1 when any is a FAIL. Runs before
/// the configuration is read, since a configuration the server refuses is one of them.
async fn doctor() -> ! {
    use domain::doctor::{Finding, Level};
    let mut findings = domain::doctor::examine(|name| std::env::var(name).ok()).await;
    if let Err(e) = api::config::HttpConfig::from_env() {
        let finding = Finding {
            level: Level::Fail,
            topic: "configuration",
            said: e.to_string(),
        };
        findings.insert(1.min(findings.len()), finding);
    }
    for finding in &findings {
        println!("{finding}");
    }
    let count = |level| findings.iter().filter(|f| f.level == level).count();
    let (warned, failed) = (count(Level::Warn), count(Level::Fail));
    println!(
        "{failed} failed, {warned} warnings, {} OK",
        count(Level::Ok)
    );
    std::process::exit(if failed > 0 { 1 } else { 0 })
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("xuefa: {message}");
    std::process::exit(1);
}

/// Log lines as text, or with `XUEFA_LOG_FORMAT=json` one object a line with the request's
/// span (`request_id`, method, path) in it.
fn init_logging(config: &Config) {
    use std::io::IsTerminal;
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        // Colours for a person at a terminal; plain text into a file or journald.
        .with_ansi(std::io::stdout().is_terminal());
    if config.log_json {
        logs.json().with_current_span(true).init();
    } else {
        logs.init();
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", api::spec_json());
        return;
    }
    if let Command::Doctor = cli.command {
        doctor().await;
    }
    let config = Config::from_env().unwrap_or_else(|e| fail(e));
    let http = api::config::HttpConfig::from_env().unwrap_or_else(|e| fail(e));
    init_logging(&config);
    match cli.command {
        Command::Openapi | Command::Doctor => unreachable!(),
        Command::Migrate => {
            let db = domain::db::connect(&config.database_url, 1)
                .await
                .unwrap_or_else(|e| fail(e));
            domain::db::migrate(&db).await.unwrap_or_else(|e| fail(e));
            println!("database is up to date");
        }
        Command::Backup { file } => {
            let started = std::time::Instant::now();
            let bytes = domain::backup::backup(&config.database_url, &file)
                .await
                .unwrap_or_else(|e| fail(e));
            println!(
                "backed up to {} ({bytes} bytes) in {:.1}s",
                file.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Restore { file } => {
            let started = std::time::Instant::now();
            let done = domain::backup::restore(&config.database_url, &file)
                .await
                .unwrap_or_else(|e| fail(e));
            println!("{done} in {:.1}s", started.elapsed().as_secs_f64());
        }
        Command::SeparateDuties { secadmin, auditor } => {
            separate_duties(&config, (&secadmin, &auditor)).await
        }
        Command::Audit { command } => audit_command(&config, command).await,
        Command::Serve => {
            let (state, generated) = api::start(config).await.unwrap_or_else(|e| fail(e));
            if let Some(password) = generated {
                println!(
                    "created the first administrator: username `admin`, password `{password}` (shown once; change it)"
                );
            }
            api::serve(state, http).await.unwrap_or_else(|e| fail(e));
        }
        Command::Demo {
            force,
            streets,
            cadres,
            sessions_per_cadre,
            activities,
            questions_per_attempt,
            seed,
        } => {
            let (state, generated) = api::start(config).await.unwrap_or_else(|e| fail(e));
            if let Some(password) = generated {
                println!(
                    "created the first administrator: username `admin`, password `{password}` (shown once; change it)"
                );
            }
            let options = demo::DemoOptions {
                streets,
                cadres,
                sessions_per_cadre,
                activities,
                questions_per_attempt,
                seed,
                force,
                // Small demos finish before a progress line would help.
                progress: u64::from(cadres) * u64::from(streets) >= 10_000,
            };
            report_demo(
                demo::load(&state.db, &options, state.clock.now(), state.config.tz),
                std::time::Instant::now(),
            )
            .await;
        }
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    name,
                    roles,
                    unit_id,
                    employee_no,
                    leader,
                },
        } => {
            let roles: Vec<Role> = roles
                .split(',')
                .map(|r| {
                    Role::parse(r.trim()).unwrap_or_else(|| fail(format!("unknown role {r:?}")))
                })
                .collect();
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .unwrap_or_else(|e| fail(e));
            let password = password.lines().next().unwrap_or("").to_owned();
            let (state, generated) = api::start(config).await.unwrap_or_else(|e| fail(e));
            if let Some(password) = generated {
                println!(
                    "created the first administrator: username `admin`, password `{password}` (shown once; change it)"
                );
            }
            let system = api::auth::Actor {
                id: 0,
                username: "cli".into(),
                roles: vec![Role::Admin],
            };
            let new = domain::services::users::NewUser {
                username,
                password,
                name,
                roles,
                unit_id,
                is_leader: leader,
                employee_no,
                phone: None,
                active: true,
                scope_unit_id: None,
            };
            let scope = domain::policy::Scope::operator();
            match domain::services::users::create(
                &state.db,
                (&system, &state.config.security),
                &scope,
                new,
                state.clock.now(),
            )
            .await
            {
                Ok(user) => println!("created user {} (id {})", user.username, user.id),
                Err(e) => fail(format!("{e:?}")),
            }
        }
    }
}

/// `xuefa separate-duties`: moves the installation to 三权分立 and prints what it did.
async fn separate_duties(config: &Config, (secadmin, auditor): (&str, &str)) {
    let db = open(config).await;
    let done = domain::services::users::duties::separate(
        &db,
        (secadmin, auditor),
        domain::clock::Clock::system().now(),
    )
    .await
    .unwrap_or_else(|e| fail(format!("{e:?}")));
    for username in &done.converted {
        println!("{username}: admin → sysadmin (password and second factor unchanged)");
    }
    for (username, role, password) in &done.created {
        println!(
            "{username}: new {} account, one-time password `{password}` (shown once; \
             changed at first sign-in)",
            role.key()
        );
    }
    println!(
        "done; now set XUEFA_SEPARATION_OF_DUTIES=1 and restart the server (see docs/SECURITY.md)"
    );
}

/// `xuefa audit verify|prune`.
async fn audit_command(config: &Config, command: AuditCommand) {
    let db = open(config).await;
    match command {
        AuditCommand::Verify => {
            use domain::services::audit::{Verified, verify};
            match verify(&db).await.unwrap_or_else(|e| fail(format!("{e:?}"))) {
                Verified::Intact { checked: 0, .. } => println!("audit log empty"),
                Verified::Intact { checked, head } => {
                    println!("audit log intact: {checked} entries checked; head {head}")
                }
                Verified::Broken {
                    checked,
                    id,
                    reason,
                } => {
                    println!(
                        "audit log BROKEN at entry {id}: {reason} ({checked} entries before it matched)"
                    );
                    std::process::exit(1);
                }
            }
        }
        AuditCommand::Prune => {
            let days = config.security.audit_retention_days;
            let gone =
                domain::services::audit::prune(&db, days, domain::clock::Clock::system().now())
                    .await
                    .unwrap_or_else(|e| fail(format!("{e:?}")));
            println!("{gone} audit entries older than {days} days pruned");
        }
    }
}

/// Prints what `xuefa demo` made and how to sign in, or fails with why it did not.
async fn report_demo(
    loading: impl std::future::Future<Output = Result<demo::DemoReport, api::error::AppError>>,
    started: std::time::Instant,
) {
    match loading.await {
        Ok(r) => {
            println!(
                "loaded {} ({}): {} units, {} cadres, {} study sessions, {} exam attempts, {} activities, {} ledger records in {:.1}s",
                r.district,
                r.streets.join("、"),
                r.units,
                r.cadres,
                r.sessions,
                r.attempts,
                r.activities,
                r.ledger_records,
                started.elapsed().as_secs_f64()
            );
            match r.street_campaign_id {
                Some(street) => println!(
                    "the district's campaign {}, a street's own campaign {street} ({}); sign in as:",
                    r.campaign_id, r.year
                ),
                None => {
                    println!("campaign {} ({}); sign in as:", r.campaign_id, r.year)
                }
            }
            for (username, password, what) in r.accounts {
                println!("  {username} / {password}  — {what}");
            }
            println!(
                "then run `xuefa serve` and open http://127.0.0.1:8080/ (the console), or the \
                 API: /api/v1/campaigns/{}/targets and /api/v1/reports/annual/{}/export?format=text",
                r.campaign_id, r.year
            );
        }
        Err(api::error::AppError::Conflict { detail, .. }) => fail(detail),
        Err(e) => fail(format!("{e:?}")),
    }
}
