//! The four 100% targets: known answers over a crafted roster on a three-level unit tree,
//! the missing lists, and the exports read back.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use domain::auth::Role;
use serde_json::{Value, json};

use crate::{
    common::{Campaign, PASSWORD, TestApp, session},
    exam::{add_bank, answers, right_choices, wrong_choice},
};

struct World {
    campaign: Campaign,
    hr: String,
    street: i64,
    c1: i64,
    g1: i64,
    c2: i64,
    ids: std::collections::HashMap<&'static str, i64>,
}

/// Street ─┬─ community C1 ── grid G1
///         └─ community C2
/// exempt (C1, exempt), idle (G1), partial (G1: 30 of 60 compulsory minutes),
/// overstudied (C1: 120 minutes on the 60-minute course only), failed (C2), retook
/// (C2: failed then passed), expired (street: time ran out with right answers saved),
/// disabled (C2: disabled after enrollment, did nothing).
async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let street = app.make_unit(&admin, "新立街道", "street", None).await;
    let c1 = app
        .make_unit(&admin, "东丽湖社区", "community", Some(street))
        .await;
    let g1 = app.make_unit(&admin, "第一网格", "other", Some(c1)).await;
    let c2 = app
        .make_unit(&admin, "华明社区", "community", Some(street))
        .await;
    let mut ids = std::collections::HashMap::new();
    for (name, unit) in [
        ("exempt", c1),
        ("idle", g1),
        ("partial", g1),
        ("overstudied", c1),
        ("failed", c2),
        ("retook", c2),
        ("expired", street),
        ("disabled", c2),
    ] {
        ids.insert(name, app.make_user(name, &[Role::Cadre], Some(unit)).await);
    }
    let campaign = app.make_campaign(&hr).await;
    add_bank(app, &hr, campaign.id).await;
    let enrolled = app
        .post(
            &format!("/api/v1/campaigns/{}/enrollments", campaign.id),
            &hr,
            json!({"unit_ids": [street]}),
        )
        .await
        .expect(200);
    assert_eq!(enrolled["enrolled"], 8);
    app.patch(
        &format!(
            "/api/v1/campaigns/{}/enrollments/{}",
            campaign.id, ids["exempt"]
        ),
        &hr,
        json!({"exempt": true, "exempt_reason": "病休"}),
    )
    .await
    .expect(200);

    let study = |name: &'static str, sessions: Vec<(i64, &'static str, &'static str)>| {
        let campaign_id = campaign.id;
        async move {
            let token = app.token(name, PASSWORD).await;
            for (course, from, to) in sessions {
                app.post(
                    "/api/v1/study-sessions",
                    &token,
                    session(campaign_id, course, from, to),
                )
                .await
                .expect(201);
            }
            token
        }
    };
    let (law, extra) = (campaign.law_course, campaign.extra_course);
    study("partial", vec![(law, "06:00", "06:30")]).await;
    study(
        "overstudied",
        vec![(law, "06:00", "07:00"), (law, "07:00", "08:00")],
    )
    .await;
    study(
        "failed",
        vec![(law, "06:00", "07:00"), (extra, "07:00", "07:20")],
    )
    .await;
    study(
        "retook",
        vec![(law, "06:00", "07:00"), (extra, "07:00", "07:20")],
    )
    .await;
    study(
        "expired",
        vec![(law, "06:00", "07:00"), (extra, "07:00", "07:20")],
    )
    .await;
    app.patch(
        &format!("/api/v1/users/{}", ids["disabled"]),
        &app.admin_token().await,
        json!({"active": false}),
    )
    .await
    .expect(200);

    sit_exams(app, campaign.id).await;
    // Two hours later the attempt's hour is long over; nobody submitted it.
    app.state
        .clock
        .set("2026-11-10T12:00:00+08:00".parse().unwrap());
    let hr = app.token("hr", PASSWORD).await;
    World {
        campaign,
        hr,
        street,
        c1,
        g1,
        c2,
        ids,
    }
}

/// In November: `failed` fails once, `retook` fails then passes, `expired` starts and
/// saves right answers but never submits.
async fn sit_exams(app: &TestApp, campaign_id: i64) {
    // Months later the exam opens; tokens follow the server's clock, so everyone signs in
    // again.
    app.state
        .clock
        .set("2026-11-10T10:00:00+08:00".parse().unwrap());
    let (failed, retook, expired) = (
        app.token("failed", PASSWORD).await,
        app.token("retook", PASSWORD).await,
        app.token("expired", PASSWORD).await,
    );
    let attempts = format!("/api/v1/campaigns/{campaign_id}/attempts");
    let sit = |token: String, right: bool| {
        let attempts = attempts.clone();
        async move {
            let a = app
                .call("POST", &attempts, Some(&token), None)
                .await
                .expect(201);
            let sheet = if right {
                answers(&a, right_choices)
            } else {
                answers(&a, wrong_choice)
            };
            app.post(
                &format!("/api/v1/attempts/{}/submit", a["id"]),
                &token,
                sheet,
            )
            .await
            .expect(200)
        }
    };
    assert_eq!(sit(failed, false).await["passed"], false);
    assert_eq!(sit(retook.clone(), false).await["passed"], false);
    assert_eq!(sit(retook, true).await["passed"], true);
    let a = app
        .call("POST", &attempts, Some(&expired), None)
        .await
        .expect(201);
    app.call(
        "PUT",
        &format!("/api/v1/attempts/{}/answers", a["id"]),
        Some(&expired),
        Some(answers(&a, right_choices)),
    )
    .await
    .expect(200);
}

/// The usernames of a missing list's page, in order.
fn usernames(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap().to_owned())
        .collect()
}

fn figures(v: &Value) -> [i64; 5] {
    [
        v["roster"].as_i64().unwrap(),
        v["participation"]["count"].as_i64().unwrap(),
        v["study"]["count"].as_i64().unwrap(),
        v["exam"]["count"].as_i64().unwrap(),
        v["pass"]["count"].as_i64().unwrap(),
    ]
}

#[tokio::test]
async fn known_answers_at_every_level() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let path = format!("/api/v1/campaigns/{}/targets", w.campaign.id);
    let t = app.get(&path, &w.hr).await.expect(200);
    assert_eq!(figures(&t), [7, 5, 3, 3, 2]);
    assert_eq!(t["participation"]["rate"], 5.0 / 7.0);
    assert_eq!(
        t["pass"]["rate"],
        2.0 / 7.0,
        "over the whole roster, not over those who sat the exam"
    );
    assert_eq!(t["all_met"], false);
    let units: Vec<(i64, [i64; 5])> = t["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["unit_id"].as_i64().unwrap(), figures(u)))
        .collect();
    assert_eq!(
        units,
        vec![
            (w.street, [7, 5, 3, 3, 2]),
            (w.c1, [3, 2, 0, 0, 0]),
            (w.g1, [2, 1, 0, 0, 0]),
            (w.c2, [3, 2, 2, 2, 1])
        ]
    );
    assert_eq!(t["by_unit"][3]["study"]["rate"], 2.0 / 3.0);

    // One branch.
    let branch = app
        .get(&format!("{path}?unit_id={}", w.c1), &w.hr)
        .await
        .expect(200);
    assert_eq!(figures(&branch), [3, 2, 0, 0, 0]);
    let ids: Vec<i64> = branch["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![w.c1, w.g1]);
    app.get(&format!("{path}?unit_id=424242"), &w.hr)
        .await
        .expect(422);

    // Cadres and the judicial office do not read the targets.
    let idle = app.token("idle", PASSWORD).await;
    app.get(&path, &idle).await.expect(403);
    let (_, judicial) = app.login_as("clerk", &[Role::Judicial]).await;
    app.get(&path, &judicial).await.expect(403);
    app.get(&format!("{path}/missing?target=study"), &idle)
        .await
        .expect(403);
}

/// A cadre who moves to another unit (by the console's edit or by a roster import) is
/// counted under the new unit in every campaign they are on, and nowhere else.
#[tokio::test]
async fn a_cadre_who_moves_is_counted_in_the_new_unit() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let path = format!("/api/v1/campaigns/{}/targets", w.campaign.id);
    let by_unit = |t: Value| -> Vec<(i64, [i64; 5])> {
        t["by_unit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u["unit_id"].as_i64().unwrap(), figures(u)))
            .collect()
    };
    let admin = app.admin_token().await;
    // `retook` (community C2, passed) moves to grid G1.
    app.patch(
        &format!("/api/v1/users/{}", w.ids["retook"]),
        &admin,
        json!({"unit_id": w.g1}),
    )
    .await
    .expect(200);
    let moved = vec![
        (w.street, [7, 5, 3, 3, 2]),
        (w.c1, [4, 3, 1, 1, 1]),
        (w.g1, [3, 2, 1, 1, 1]),
        (w.c2, [2, 1, 1, 1, 0]),
    ];
    assert_eq!(by_unit(app.get(&path, &w.hr).await.expect(200)), moved);
    let c2 = app
        .get(&format!("{path}?unit_id={}", w.c2), &w.hr)
        .await
        .expect(200);
    assert_eq!(figures(&c2), [2, 1, 1, 1, 0]);

    // A roster import moves them back; an import that leaves the unit alone moves nothing.
    for (file, expected) in [
        (
            format!("username,name,unit_id\nretook,retook 同志,{}\n", w.c2),
            1,
        ),
        ("username,name\nretook,retook 同志\n".to_owned(), 0),
    ] {
        let r = app
            .call_raw(
                "POST",
                "/api/v1/users/import",
                Some(&admin),
                "text/csv",
                file.into_bytes(),
            )
            .await
            .expect(200);
        assert_eq!(r["updated"], expected);
    }
    assert_eq!(
        by_unit(app.get(&path, &w.hr).await.expect(200)),
        vec![
            (w.street, [7, 5, 3, 3, 2]),
            (w.c1, [3, 2, 0, 0, 0]),
            (w.g1, [2, 1, 0, 0, 0]),
            (w.c2, [3, 2, 2, 2, 1])
        ]
    );
}

/// The migration that put each member's unit and participation (参与) on the enrollments
/// fills them for the enrollments already there: undone and done again on a populated
/// database, every figure is the same — with a cadre who took part only by starting an
/// attempt.
#[tokio::test]
async fn the_report_columns_migration_fills_existing_enrollments() {
    use migration::{AddEnrollmentReportColumns, AddLiveStudy, MigrationTrait, SchemaManager};
    use sea_orm::TransactionTrait;
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (lazy, lazy_token) = app.login_as("lazy", &[Role::Cadre]).await;
    app.patch(
        &format!("/api/v1/users/{lazy}"),
        &app.admin_token().await,
        json!({"unit_id": w.c1}),
    )
    .await
    .expect(200);
    app.enroll(&w.hr, w.campaign.id, &[lazy]).await;
    app.patch(
        &format!("/api/v1/campaigns/{}", w.campaign.id),
        &w.hr,
        json!({"exam_requires_study": false}),
    )
    .await
    .expect(200);
    app.call(
        "POST",
        &format!("/api/v1/campaigns/{}/attempts", w.campaign.id),
        Some(&lazy_token),
        None,
    )
    .await
    .expect(201);
    let path = format!("/api/v1/campaigns/{}/targets", w.campaign.id);
    let before = app.get(&path, &w.hr).await.expect(200);
    assert_eq!(figures(&before), [8, 6, 3, 3, 2]);
    assert_eq!(
        figures(&before["by_unit"][1]),
        [4, 3, 0, 0, 0],
        "C1 has lazy"
    );

    // That migration itself, undone and done again (the migrator's own bookkeeping cannot
    // tell which of several migrations applied in the same second was last), with the
    // later one that widened its index undone first and done again after.
    // On one connection, in one transaction (both engines take DDL in a transaction).
    let txn = app.db().begin().await.unwrap();
    let manager = SchemaManager::new(&txn);
    AddLiveStudy.down(&manager).await.unwrap();
    AddEnrollmentReportColumns.down(&manager).await.unwrap();
    AddEnrollmentReportColumns.up(&manager).await.unwrap();
    AddLiveStudy.up(&manager).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(app.get(&path, &w.hr).await.expect(200), before);
}

/// The attempt `expired` left open is overdue: reports count it as finished (graded on
/// the answers it saved) but write nothing, so they answer while another connection holds
/// the write lock; the sweep writes it down later and the figures stay the same.
#[tokio::test]
async fn reports_count_overdue_attempts_without_writing() {
    use entity::attempt;
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
    let app = TestApp::new().await;
    let w = world(&app).await;
    let open_attempt = || async {
        attempt::Entity::find()
            .filter(attempt::Column::UserId.eq(w.ids["expired"]))
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(open_attempt().await.status, attempt::AttemptStatus::Open);

    // Another connection takes the write lock (SQLite) or locks the exam tables against
    // writes (PostgreSQL; plain reads still go through) and keeps it for the reports.
    let mut options = sea_orm::ConnectOptions::new(app.database_url());
    options.max_connections(1).min_connections(1);
    let other = sea_orm::Database::connect(options).await.unwrap();
    match other.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            other.execute_unprepared("BEGIN IMMEDIATE").await.unwrap();
        }
        _ => {
            other.execute_unprepared("BEGIN").await.unwrap();
            other
                .execute_unprepared("LOCK TABLE attempts, enrollments IN EXCLUSIVE MODE")
                .await
                .unwrap();
        }
    }
    let path = format!("/api/v1/campaigns/{}/targets", w.campaign.id);
    let reports = async {
        let t = app.get(&path, &w.hr).await.expect(200);
        let year = app
            .get("/api/v1/reports/annual/2026", &w.hr)
            .await
            .expect(200);
        (t, year)
    };
    let (t, year) = tokio::time::timeout(std::time::Duration::from_secs(4), reports)
        .await
        .expect("the reports answer while writes are locked out");
    other.execute_unprepared("ROLLBACK").await.unwrap();
    // The missing lists read the same way (they write only their disclosure audit entry,
    // so they are asked once the lock is gone).
    let pass = app
        .get(&format!("{path}/missing?target=pass"), &w.hr)
        .await
        .expect(200);
    let exam = app
        .get(&format!("{path}/missing?target=exam"), &w.hr)
        .await
        .expect(200);
    assert_eq!(
        figures(&t),
        [7, 5, 3, 3, 2],
        "the overdue attempt counts, and passes"
    );
    assert!(!usernames(&pass).contains(&"expired".to_owned()));
    assert!(!usernames(&exam).contains(&"expired".to_owned()));
    assert_eq!(year["campaigns"][0]["pass"]["count"], 2);
    assert_eq!(
        open_attempt().await.status,
        attempt::AttemptStatus::Open,
        "no report wrote it down"
    );

    // The sweep does, and the figures do not move.
    let now = app.state.clock.now();
    assert_eq!(
        domain::services::exam::expire_due(app.db(), now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(open_attempt().await.status, attempt::AttemptStatus::Expired);
    assert_eq!(
        figures(&app.get(&path, &w.hr).await.expect(200)),
        [7, 5, 3, 3, 2]
    );
}

#[tokio::test]
async fn missing_lists_name_exactly_who_and_what() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let path = format!("/api/v1/campaigns/{}/targets/missing", w.campaign.id);
    let get = |target: &str| {
        let url = format!("{path}?target={target}");
        let hr = w.hr.clone();
        let app = &app;
        async move { app.get(&url, &hr).await }
    };
    assert_eq!(
        usernames(&get("participation").await.expect(200)),
        ["idle", "disabled"]
    );
    assert_eq!(
        usernames(&get("study").await.expect(200)),
        ["idle", "partial", "overstudied", "disabled"]
    );
    assert_eq!(
        usernames(&get("exam").await.expect(200)),
        ["idle", "partial", "overstudied", "disabled"]
    );
    let pass = get("pass").await.expect(200);
    assert_eq!(
        usernames(&pass),
        ["idle", "partial", "overstudied", "failed", "disabled"]
    );
    assert_eq!(pass["total"], 5);

    let study = get("study").await.expect(200);
    let partial = &study["items"][1];
    assert_eq!(partial["credited_minutes"], 30);
    assert_eq!(partial["minutes_short"], 50);
    assert_eq!(partial["compulsory_unfinished"], json!(["习近平法治思想"]));
    assert_eq!(partial["unit_name"], "第一网格");
    let over = &study["items"][2];
    assert_eq!(
        over["credited_minutes"], 60,
        "120 minutes on a 60-minute course"
    );
    assert_eq!(over["compulsory_unfinished"], json!([]));
    assert_eq!(
        study["items"][3]["active"], false,
        "disabled after enrollment, still due"
    );
    let failed = &pass["items"][3];
    assert_eq!(failed["attempts_used"], 1);
    assert_eq!(failed["attempts_left"], 1);
    assert!(failed["best_score"].as_f64().unwrap() < 60.0);

    let branch = app
        .get(&format!("{path}?target=study&unit_id={}", w.g1), &w.hr)
        .await
        .expect(200);
    assert_eq!(usernames(&branch), ["idle", "partial"]);
    let paged = app
        .get(&format!("{path}?target=study&per_page=2&page=2"), &w.hr)
        .await
        .expect(200);
    assert_eq!(usernames(&paged), ["overstudied", "disabled"]);
    assert_eq!(paged["total"], 4);
    app.get(&format!("{path}?target=everything"), &w.hr)
        .await
        .expect(422);
    app.get(&path, &w.hr).await.expect(422);
    let _ = (w.street, w.c2, &w.ids);
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let range = book.worksheet_range(name).expect("the sheet exists");
    range.rows().map(|r| r.to_vec()).collect()
}

#[tokio::test]
async fn exports_hold_the_same_figures() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let path = format!("/api/v1/campaigns/{}/targets", w.campaign.id);
    let xlsx = app
        .call(
            "GET",
            &format!("{path}/export?format=xlsx"),
            Some(&w.hr),
            None,
        )
        .await;
    assert_eq!(xlsx.status, 200);
    let bytes = raw(&app, &format!("{path}/export?format=xlsx"), &w.hr).await;
    let overall = sheet(&bytes, "总体");
    assert_eq!(overall[0][0], Data::String("单位".into()));
    assert_eq!(overall[0][3], Data::String("参与率".into()));
    assert_eq!(overall[1][1], Data::Float(7.0));
    assert_eq!(overall[1][2], Data::Float(5.0));
    assert_eq!(
        overall[1][3],
        Data::Float(5.0 / 7.0),
        "a rate is a number formatted as a percentage"
    );
    assert_eq!(overall[1][10], Data::String("否".into()));
    let units = sheet(&bytes, "各单位");
    assert_eq!(units.len(), 5, "header and four units");
    assert_eq!(units[4][0], Data::String("华明社区".into()));
    let row: Vec<f64> = units[4][1..10]
        .iter()
        .map(|c| match c {
            Data::Float(f) => *f,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        row,
        vec![
            3.0,
            2.0,
            2.0 / 3.0,
            2.0,
            2.0 / 3.0,
            2.0,
            2.0 / 3.0,
            1.0,
            1.0 / 3.0
        ]
    );

    let csv =
        String::from_utf8(raw(&app, &format!("{path}/export?format=csv"), &w.hr).await).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        csv.contains("新立街道,7,5,71.43%,3,42.86%,3,42.86%,2,28.57%,否"),
        "{csv}"
    );

    let missing = raw(
        &app,
        &format!("{path}/missing/export?target=pass&format=xlsx"),
        &w.hr,
    )
    .await;
    let rows = sheet(&missing, "未合格");
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1][0], Data::String("idle 同志".into()));
}

/// The body of a response that is not JSON.
async fn raw(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    app.bytes(path, token).await
}
