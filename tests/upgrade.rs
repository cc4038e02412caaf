//! Upgrades: a database made and served by an earlier release (tests/fixtures/upgrade,
//! made by its make.sh: a SQLite file and a PostgreSQL dump, with the figures that release
//! served) is restored with `xuefa restore`, opened by this build — its migrations run
//! once — and serves the same figures, at the moment the release served them. Each
//! release adds its fixture to RELEASES.

use std::process::Command;

use domain::clock::Clock;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::Value;

use crate::common::{TestApp, empty_database};

const RELEASES: &[&str] = &["0.1.0-cef5119"];

/// Every row of the migrations table: (version, applied at).
async fn migrations_applied(url: &str) -> Vec<(String, i64)> {
    let db = Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version, applied_at FROM seaql_migrations ORDER BY version",
        ))
        .await
        .unwrap();
    db.close().await.ok();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String>("", "version").unwrap(),
                r.try_get::<i64>("", "applied_at").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_database_of_each_earlier_release_opens_and_serves_the_same_figures() {
    use migration::MigratorTrait;
    let known = migration::Migrator::migrations().len();
    for label in RELEASES {
        let text = std::fs::read_to_string(format!("tests/fixtures/upgrade/{label}.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (url, _dropped) = empty_database(dir.path(), "upgraded.db").await;
        let (engine, ext) = match url.starts_with("postgres") {
            true => ("postgres", "pgdump"),
            false => ("sqlite", "sqlite"),
        };
        let restored = Command::new(env!("CARGO_BIN_EXE_xuefa"))
            .arg("restore")
            .arg(format!("tests/fixtures/upgrade/{label}.{ext}"))
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        assert!(
            restored.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&restored.stderr)
        );
        let of_the_release = migrations_applied(&url).await;
        assert!(!of_the_release.is_empty() && of_the_release.len() <= known);
        let served = &doc[engine];
        let at = served["served_at"].as_str().unwrap().parse().unwrap();
        let mut after_first: Option<Vec<(String, i64)>> = None;
        for start in ["first", "second"] {
            let app =
                TestApp::with_config(Clock::pinned(at), |c| c.database_url = url.clone()).await;
            let applied = migrations_applied(&url).await;
            assert_eq!(
                applied.len(),
                known,
                "{label}, {start} start: every migration once"
            );
            assert_eq!(
                applied[..of_the_release.len()],
                of_the_release[..],
                "{label}: the release's own migrations are not run again"
            );
            match &after_first {
                None => after_first = Some(applied),
                Some(first) => assert_eq!(&applied, first, "{label}: nothing runs again"),
            }
            let token = app.admin_token().await;
            for (path, expected) in served["figures"].as_object().unwrap() {
                let now = app.get(path, &token).await.expect(200);
                assert_eq!(&now, expected, "{label} ({engine}), {start} start: {path}");
            }
        }
    }
}
