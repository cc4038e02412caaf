//! Activities, statistics and the annual summary: known answers, year boundaries in
//! +08:00, six-into coverage, the narrative, the workbook, and who may do what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use domain::auth::Role;
use serde_json::{Value, json};

use crate::common::{StreetUnits, TestApp};

struct Setup {
    judicial: String,
    ids: std::collections::HashMap<&'static str, i64>,
    cadres: Vec<i64>,
    street: i64,
}

async fn setup(app: &TestApp) -> Setup {
    // The year is recorded as it happened: the clerk enters its last events in January.
    app.state.clock.set("2027-01-05T02:00:00Z".parse().unwrap());
    let admin = app.admin_token().await;
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    let StreetUnits {
        street,
        dept,
        community,
        village,
        school,
    } = app.make_street(&admin).await;
    let cadres = vec![
        app.make_user("c1", &[Role::Cadre], Some(community)).await,
        app.make_user("c2", &[Role::Cadre], Some(community)).await,
    ];
    let mut ids = std::collections::HashMap::new();
    let records = [
        (
            "A1",
            json!({"kind": "publicity", "title": "宪法宣传周集中宣传", "held_on": "2026-12-04", "organizer_unit_id": street, "venue": "organ", "themes": ["constitution_day"], "audience": "public", "attendance": 200, "materials": 300}),
        ),
        (
            "A2",
            json!({"kind": "publicity", "title": "国家安全教育日进企业", "held_on": "2026-04-15", "organizer_unit_id": dept, "venue": "enterprise", "themes": ["national_security_day", "other"], "audience": "public", "attendance": 150, "materials": 100}),
        ),
        (
            "A3",
            json!({"kind": "publicity", "title": "禁毒宣传", "held_on": "2026-06-26", "organizer_unit_id": community, "venue": "community", "themes": ["anti_drug_day"], "audience": "public", "attendance": 80, "materials": 120}),
        ),
        (
            "A4",
            json!({"kind": "publicity", "title": "安全生产月宣传", "held_on": "2026-06-10", "organizer_unit_id": village, "venue": "village", "themes": ["safety_month"], "audience": "public", "attendance": 60, "materials": 50}),
        ),
        (
            "A5",
            json!({"kind": "training", "title": "民法典进校园专题课", "held_on": "2026-03-01", "organizer_unit_id": street, "venue": "school", "themes": ["civil_code"], "audience": "students", "attendance": 300}),
        ),
        (
            "A6",
            json!({"kind": "training", "title": "干部学法专题培训", "held_on": "2026-05-01", "organizer_unit_id": community, "venue": "unit", "themes": ["constitution_day", "civil_code"], "audience": "cadres", "attendance": 40, "attendee_ids": cadres}),
        ),
        (
            "A7",
            json!({"kind": "publicity", "title": "校园普法", "held_on": "2026-09-01", "organizer_unit_id": school, "audience": "public", "attendance": 30}),
        ),
        // 23:30 Beijing time on 31 December is still 2026 (15:30 UTC).
        (
            "A8",
            json!({"kind": "publicity", "title": "跨年夜普法", "held_on": "2026-12-31T23:30:00+08:00", "organizer_unit_id": street, "audience": "public", "attendance": 10, "materials": 5}),
        ),
        // 00:10 Beijing time on 1 January is 2027, though it is still 2026 in UTC.
        (
            "A9",
            json!({"kind": "publicity", "title": "新年普法", "held_on": "2026-12-31T16:10:00Z", "organizer_unit_id": street, "audience": "public", "attendance": 999, "materials": 999}),
        ),
        (
            "A10",
            json!({"kind": "publicity", "title": "录错了", "held_on": "2026-07-01", "organizer_unit_id": street, "audience": "public", "attendance": 5000, "materials": 5000}),
        ),
    ];
    for (name, body) in records {
        let made = app
            .post("/api/v1/activities", &judicial, body)
            .await
            .expect(201);
        ids.insert(name, made["id"].as_i64().unwrap());
    }
    app.call(
        "DELETE",
        &format!("/api/v1/activities/{}", ids["A10"]),
        Some(&judicial),
        None,
    )
    .await
    .expect(204);
    Setup {
        judicial,
        ids,
        cadres,
        street,
    }
}

fn groups(v: &Value) -> Vec<(String, u64)> {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_owned(),
                g["events"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn recording_validates_and_converts_timestamps_to_local_dates() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let a8 = app
        .get(&format!("/api/v1/activities/{}", s.ids["A8"]), &s.judicial)
        .await
        .expect(200);
    assert_eq!(a8["held_on"], "2026-12-31");
    let a9 = app
        .get(&format!("/api/v1/activities/{}", s.ids["A9"]), &s.judicial)
        .await
        .expect(200);
    assert_eq!(a9["held_on"], "2027-01-01");
    let a6 = app
        .get(&format!("/api/v1/activities/{}", s.ids["A6"]), &s.judicial)
        .await
        .expect(200);
    assert_eq!(a6["attendee_ids"], json!(s.cadres));
    assert_eq!(a6["organizer_level"], "community");
    app.get(&format!("/api/v1/activities/{}", s.ids["A10"]), &s.judicial)
        .await
        .expect(404);

    let base = json!({"kind": "publicity", "title": "t", "held_on": "2026-05-01", "organizer_unit_id": s.street, "audience": "public", "attendance": 1});
    let bad = |patch: Value| {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    // Each refusal names the field and says why as a code the console words in Chinese.
    for (what, body, field, code) in [
        (
            "negative attendance",
            bad(json!({"attendance": -1})),
            "attendance",
            "out_of_range",
        ),
        (
            "negative materials",
            bad(json!({"materials": -5})),
            "materials",
            "out_of_range",
        ),
        (
            "materials on a training",
            bad(json!({"kind": "training", "materials": 3})),
            "materials",
            "only_for_kind",
        ),
        (
            "unknown unit",
            bad(json!({"organizer_unit_id": 424242})),
            "organizer_unit_id",
            "not_found",
        ),
        (
            "not a date",
            bad(json!({"held_on": "2026-02-30"})),
            "held_on",
            "not_a_date",
        ),
        (
            "a day after today",
            bad(json!({"held_on": "2027-01-06"})),
            "held_on",
            "in_future",
        ),
        (
            "before 2000",
            bad(json!({"held_on": "1999-12-31"})),
            "held_on",
            "too_early",
        ),
        (
            "unknown venue",
            bad(json!({"venue": "moon"})),
            "venue",
            "unknown_value",
        ),
        (
            "unknown theme",
            bad(json!({"themes": ["birthday"]})),
            "themes[0]",
            "unknown_value",
        ),
        (
            "attendees on publicity",
            bad(json!({"attendee_ids": [s.cadres[0]]})),
            "attendee_ids",
            "only_for_kind",
        ),
        (
            "fewer attendance than attendees",
            bad(json!({"kind": "training", "attendance": 1, "attendee_ids": s.cadres})),
            "attendance",
            "out_of_range",
        ),
        (
            "attendee not a cadre",
            bad(json!({"kind": "training", "attendance": 5, "attendee_ids": [1]})),
            "attendee_ids",
            "not_found",
        ),
        (
            "empty title",
            bad(json!({"title": " "})),
            "title",
            "required",
        ),
    ] {
        let reply = app.post("/api/v1/activities", &s.judicial, body).await;
        assert_eq!(reply.status, 422, "{what}: {}", reply.body);
        let errors = reply.body["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{what}: {}",
            reply.body
        );
    }
    // Every problem of a form at once, not in waves.
    let empty = app
        .post(
            "/api/v1/activities",
            &s.judicial,
            json!({"title": "", "held_on": "2027-02-01", "organizer_unit_id": 0, "audience": "public", "attendance": 1, "materials": 2, "kind": "training"}),
        )
        .await
        .expect(422);
    let fields: Vec<&str> = empty["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["title", "held_on", "materials", "organizer_unit_id"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let future = &empty["errors"][fields.iter().position(|f| *f == "held_on").unwrap()];
    assert_eq!(
        future["params"]["to"], "2027-01-05",
        "today, in the office's zone"
    );
    // An edit cannot move a record into the future either, and nothing is changed.
    app.patch(
        &format!("/api/v1/activities/{}", s.ids["A1"]),
        &s.judicial,
        json!({"held_on": "2027-03-01", "title": "改了"}),
    )
    .await
    .expect(422);
    let a1 = app
        .get(&format!("/api/v1/activities/{}", s.ids["A1"]), &s.judicial)
        .await
        .expect(200);
    assert_eq!(
        (&a1["held_on"], &a1["title"]),
        (&json!("2026-12-04"), &json!("宪法宣传周集中宣传"))
    );
    let list = app
        .get("/api/v1/activities?per_page=100", &s.judicial)
        .await
        .expect(200);
    assert_eq!(
        list["total"], 9,
        "nothing stored by the refusals; the deleted one is gone"
    );
    // Edits are checked the same way.
    app.patch(
        &format!("/api/v1/activities/{}", s.ids["A5"]),
        &s.judicial,
        json!({"materials": 10}),
    )
    .await
    .expect(422);
    let edited = app
        .patch(
            &format!("/api/v1/activities/{}", s.ids["A7"]),
            &s.judicial,
            json!({"venue": "school", "materials": 20}),
        )
        .await
        .expect(200);
    assert_eq!(edited["venue"], "school");
    let admin = app.admin_token().await;
    assert_eq!(
        app.get("/api/v1/audit-log?entity=activity&action=delete", &admin)
            .await
            .expect(200)["total"],
        1
    );
}

#[tokio::test]
async fn list_filters() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let count = |v: Value| v["total"].as_u64().unwrap();
    let j = &s.judicial;
    assert_eq!(
        count(app.get("/api/v1/activities?year=2026", j).await.expect(200)),
        8
    );
    assert_eq!(
        count(app.get("/api/v1/activities?year=2027", j).await.expect(200)),
        1
    );
    assert_eq!(
        count(
            app.get("/api/v1/activities?year=2026&kind=training", j)
                .await
                .expect(200)
        ),
        2
    );
    assert_eq!(
        count(
            app.get("/api/v1/activities?theme=civil_code", j)
                .await
                .expect(200)
        ),
        2
    );
    assert_eq!(
        count(
            app.get("/api/v1/activities?venue=organ", j)
                .await
                .expect(200)
        ),
        1
    );
    assert_eq!(
        count(
            app.get("/api/v1/activities?audience=students", j)
                .await
                .expect(200)
        ),
        1
    );
    assert_eq!(
        count(
            app.get("/api/v1/activities?from=2026-06-01&to=2026-06-30", j)
                .await
                .expect(200)
        ),
        2
    );
    let community = app
        .get(&format!("/api/v1/activities/{}", s.ids["A3"]), j)
        .await
        .expect(200)["organizer_unit_id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        count(
            app.get(
                &format!("/api/v1/activities?organizer_unit_id={community}"),
                j
            )
            .await
            .expect(200)
        ),
        2
    );
    assert_eq!(
        count(
            app.get(
                &format!(
                    "/api/v1/activities?organizer_unit_id={}&year=2026",
                    s.street
                ),
                j
            )
            .await
            .expect(200)
        ),
        8
    );
}

#[tokio::test]
async fn stats_by_every_grouping() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let j = &s.judicial;
    let stats = |q: &str| {
        let url = format!("/api/v1/activities/stats?year=2026&{q}");
        let app = &app;
        async move { app.get(&url, j).await }
    };
    let level = stats("group_by=organizer_level").await.expect(200);
    assert_eq!(
        groups(&level),
        vec![
            ("street".into(), 4),
            ("community".into(), 3),
            ("other".into(), 1)
        ]
    );
    assert_eq!(
        level["total"],
        json!({"events": 8, "attendance": 870, "materials": 575})
    );
    let publicity = stats("group_by=organizer_level&kind=publicity")
        .await
        .expect(200);
    assert_eq!(
        groups(&publicity),
        vec![
            ("street".into(), 3),
            ("community".into(), 2),
            ("other".into(), 1)
        ]
    );
    assert_eq!(publicity["total"]["events"], 6);
    let themes = stats("group_by=theme").await.expect(200);
    let by_theme: std::collections::HashMap<String, u64> = groups(&themes).into_iter().collect();
    assert_eq!(by_theme["constitution_day"], 2);
    assert_eq!(by_theme["civil_code"], 2);
    assert_eq!(by_theme["fire_safety"], 0);
    assert_eq!(
        themes["total"]["events"], 8,
        "an event with two themes is counted once in the total"
    );
    let constitution = themes["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "constitution_day")
        .unwrap();
    assert_eq!(
        (
            constitution["attendance"].as_u64(),
            constitution["materials"].as_u64()
        ),
        (Some(240), Some(300))
    );
    let venues = stats("group_by=venue").await.expect(200);
    assert_eq!(groups(&venues).last().unwrap(), &("none".to_owned(), 2));
    let months = stats("group_by=month").await.expect(200);
    assert_eq!(groups(&months).len(), 12);
    assert_eq!(groups(&months)[11], ("2026-12".into(), 2));
    let audience = stats("group_by=audience&kind=training").await.expect(200);
    assert_eq!(groups(&audience)[1], ("cadres".into(), 1));
    let kinds = stats("group_by=kind").await.expect(200);
    assert_eq!(
        groups(&kinds),
        vec![("publicity".into(), 6), ("training".into(), 2)]
    );
    stats("group_by=colour").await.expect(422);
    app.get("/api/v1/activities/stats?year=2026", j)
        .await
        .expect(422);
}

/// Every number in a JSON value that is not zero.
fn nonzero_numbers(v: &Value, out: &mut Vec<u64>) {
    match v {
        Value::Number(n) => {
            if let Some(n) = n.as_u64()
                && n > 0
            {
                out.push(n);
            }
        }
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| *k != "year" && *k != "campaign_id" && *k != "rate")
            .for_each(|(_, v)| nonzero_numbers(v, out)),
        Value::Array(a) => a.iter().for_each(|v| nonzero_numbers(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn annual_summary_known_answers_narrative_and_workbook() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    app.enroll(&hr, campaign.id, &s.cadres).await;

    let report = app
        .get("/api/v1/reports/annual/2026", &hr)
        .await
        .expect(200);
    assert_eq!(report["year"], 2026);
    assert_eq!(
        report["publicity"],
        json!({"events": 6, "street_events": 3, "community_events": 2, "attendance": 530, "materials": 575})
    );
    assert_eq!(report["training"]["events"], 2);
    assert_eq!(report["training"]["attendance"], 340);
    let audiences: Vec<(String, u64, u64)> = report["training"]["by_audience"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["events"] != 0)
        .map(|a| {
            (
                a["key"].as_str().unwrap().to_owned(),
                a["events"].as_u64().unwrap(),
                a["attendance"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        audiences,
        vec![("cadres".into(), 1, 40), ("students".into(), 1, 300)]
    );
    let theme = |key: &str| {
        report["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(
        theme("constitution_day"),
        json!({"key": "constitution_day", "events": 2, "attendance": 240, "materials": 300})
    );
    assert_eq!(
        theme("civil_code"),
        json!({"key": "civil_code", "events": 2, "attendance": 340, "materials": 0})
    );
    assert_eq!(theme("stability_month")["events"], 0);
    assert_eq!(report["six_into"]["full_coverage"], true);
    assert_eq!(report["six_into"]["covered"].as_array().unwrap().len(), 6);
    assert_eq!(report["campaigns"][0]["roster"], 2);
    assert_eq!(
        report["campaigns"][0]["participation"],
        json!({"count": 0, "rate": 0.0})
    );

    // The narrative states every figure that is not zero.
    let text = app
        .call(
            "GET",
            "/api/v1/reports/annual/2026/export?format=text",
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(text.status, 200);
    let text = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=text", &hr)
            .await,
    )
    .unwrap();
    assert!(
        text.contains("全年街道共组织普法宣传活动3次，各村居社区共计组织普法宣传活动2次"),
        "{text}"
    );
    assert!(text.contains("实现法律“六进”全覆盖"), "{text}");
    assert!(text.contains("12·4国家宪法日"), "{text}");
    assert!(text.contains("参与率0%"), "{text}");
    let mut figures = Vec::new();
    nonzero_numbers(&report, &mut figures);
    for n in figures {
        assert!(
            text.contains(&n.to_string()),
            "the narrative misses {n}: {text}"
        );
    }
    assert!(!text.contains("5000"), "a deleted activity counts nowhere");

    // Without the unit venue, coverage is no longer full, and the text says what is missing.
    app.call(
        "DELETE",
        &format!("/api/v1/activities/{}", s.ids["A6"]),
        Some(&s.judicial),
        None,
    )
    .await
    .expect(204);
    let partial = app
        .get("/api/v1/reports/annual/2026", &hr)
        .await
        .expect(200);
    assert_eq!(partial["six_into"]["full_coverage"], false);
    let text = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=text", &hr)
            .await,
    )
    .unwrap();
    assert!(text.contains("尚未覆盖单位"), "{text}");

    let next = app
        .get("/api/v1/reports/annual/2027", &hr)
        .await
        .expect(200);
    assert_eq!(next["publicity"]["events"], 1);
    assert_eq!(next["publicity"]["attendance"], 999);

    let xlsx = app
        .bytes("/api/v1/reports/annual/2026/export?format=xlsx", &hr)
        .await;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let publicity = book.worksheet_range("普法宣传").unwrap();
    let row: Vec<Data> = publicity.rows().nth(1).unwrap().to_vec();
    assert_eq!(
        row,
        vec![
            Data::String("普法宣传活动合计".into()),
            Data::Float(6.0),
            Data::Float(530.0),
            Data::Float(575.0)
        ]
    );
    let csv = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=csv", &hr)
            .await,
    )
    .unwrap();
    assert!(csv.contains("普法宣传活动合计,6,530,575"), "{csv}");
}

#[tokio::test]
async fn only_admin_and_judicial_write_and_hr_reads_the_figures() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let (_, cadre) = app.login_as("cadre", &[Role::Cadre]).await;
    let admin = app.admin_token().await;
    let body = json!({"kind": "publicity", "title": "t", "held_on": "2026-05-01", "organizer_unit_id": s.street, "audience": "public", "attendance": 1});
    for (who, token, writes, reads_figures) in [
        ("admin", &admin, true, true),
        ("judicial", &s.judicial, true, true),
        ("hr", &hr, false, true),
        ("cadre", &cadre, false, false),
    ] {
        let expect = |ok: bool, status: u16| if ok { status } else { 403 };
        assert_eq!(
            app.post("/api/v1/activities", token, body.clone())
                .await
                .status,
            expect(writes, 201),
            "{who} create"
        );
        assert_eq!(
            app.get("/api/v1/activities", token).await.status,
            expect(writes, 200),
            "{who} list"
        );
        assert_eq!(
            app.patch(
                &format!("/api/v1/activities/{}", s.ids["A1"]),
                token,
                json!({"attendance": 201})
            )
            .await
            .status,
            expect(writes, 200),
            "{who} edit"
        );
        assert_eq!(
            app.get("/api/v1/activities/stats?group_by=kind", token)
                .await
                .status,
            expect(reads_figures, 200),
            "{who} stats"
        );
        assert_eq!(
            app.get("/api/v1/reports/annual/2026", token).await.status,
            expect(reads_figures, 200),
            "{who} summary"
        );
    }
    app.call(
        "DELETE",
        &format!("/api/v1/activities/{}", s.ids["A1"]),
        Some(&hr),
        None,
    )
    .await
    .expect(403);
    app.get("/api/v1/reports/annual/1999", &hr)
        .await
        .expect(422);
}
