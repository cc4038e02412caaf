//! `xuefa backup FILE`: a consistent copy of a running SQLite database. A backup taken
//! while uploads go on opens, passes SQLite's integrity check and holds every upload
//! acknowledged before it started; the app starts on it (restore). On PostgreSQL the
//! command points to pg_dump and writes nothing.

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use chrono::{DateTime, Utc};
use domain::{auth::Role, clock::Clock};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::common::{PASSWORD, TestApp, test_config, test_now};

fn backup(database_url: &str, file: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_xuefa"))
        .arg("backup")
        .arg(file)
        .env("DATABASE_URL", database_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the xuefa binary starts")
}

/// Waits for a child process without blocking the test's runtime (the app serves on it).
async fn finished(mut child: std::process::Child) -> std::process::Output {
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_backup_during_uploads_holds_every_acknowledged_upload_and_restores() {
    let app = TestApp::new().await;
    let url = app.database_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    if url.starts_with("postgres") {
        let out = finished(backup(&url, &file)).await;
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        assert!(!file.exists());
        return;
    }
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let cadre = app.make_user("cadre", &[Role::Cadre], None).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    let token = app.token("cadre", PASSWORD).await;

    // Uploads go on while the backup runs (it is another process): one two-minute
    // session every three minutes of 14 June.
    let start: DateTime<Utc> = "2026-06-13T16:00:00Z".parse().unwrap();
    let mut acknowledged: Vec<String> = Vec::new();
    let upload = async |i: i64| {
        let from = start + chrono::Duration::minutes(3 * i);
        let id = uuid::Uuid::new_v4().to_string();
        let body = json!({"id": id, "campaign_id": campaign.id, "course_id": campaign.law_course,
            "started_at": from.to_rfc3339(), "ended_at": (from + chrono::Duration::minutes(2)).to_rfc3339()});
        let reply = app.post("/api/v1/study-sessions", &token, body).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        id
    };
    for i in 0..60 {
        acknowledged.push(upload(i).await);
    }
    let before = acknowledged.clone();
    let mut child = backup(&url, &file);
    let mut i = 60;
    while child.try_wait().unwrap().is_none() && i < 400 {
        acknowledged.push(upload(i).await);
        i += 1;
    }
    let out = finished(child).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let copy = Database::connect(format!("sqlite://{}?mode=ro", file.display()))
        .await
        .unwrap();
    let check = copy
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    let held = entity::study_session::Entity::find()
        .filter(entity::study_session::Column::Id.is_in(before.clone()))
        .count(&copy)
        .await
        .unwrap();
    assert_eq!(
        held as usize,
        before.len(),
        "every upload acknowledged before the backup"
    );
    copy.close().await.unwrap();

    // Restore: the app starts on the copy and serves what it holds.
    let restored_url = format!("sqlite://{}?mode=rwc", file.display());
    let (state, _) = api::start_with_clock(test_config(restored_url), Clock::pinned(test_now()))
        .await
        .unwrap();
    let client = poem::test::TestClient::new(api::app(state, Default::default()));
    let resp = client
        .get(format!(
            "/api/v1/study-sessions?campaign_id={}&per_page=500",
            campaign.id
        ))
        .header("Authorization", format!("Bearer {hr}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let body: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
    assert!(body["total"].as_u64().unwrap() >= before.len() as u64);

    // An existing file is never overwritten.
    let again = finished(backup(&url, &file)).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
