//! The year-end archive: its figures equal the live report when frozen, stay the same
//! after records are edited and added, its sha256 is the served bytes', and the diff
//! names exactly the figures that moved.

use domain::auth::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{Campaign, StreetUnits, TestApp};

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A street office in January 2027, its 2026 campaign made, with the judicial office and HR
/// signed in.
struct Year {
    app: TestApp,
    judicial: String,
    hr: String,
    units: StreetUnits,
    campaign: Campaign,
}

async fn year_end() -> Year {
    let app = TestApp::new().await;
    app.state.clock.set("2027-01-10T04:00:00Z".parse().unwrap());
    let admin = app.admin_token().await;
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let units = app.make_street(&admin).await;
    let campaign = app.make_campaign(&hr).await;
    Year {
        app,
        judicial,
        hr,
        units,
        campaign,
    }
}

#[tokio::test]
async fn an_archive_keeps_its_figures_and_the_diff_names_what_moved() {
    let Year {
        app,
        judicial,
        hr,
        units,
        campaign,
    } = year_end().await;
    let cadre = app
        .make_user("c1", &[Role::Cadre], Some(units.community))
        .await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    let case = app
        .post(
            "/api/v1/mediation-cases",
            &judicial,
            json!({"committee_unit_id": units.street, "received_on": "2026-03-01", "category": "family", "result": "settled", "amount": 0.10}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/activities",
        &judicial,
        json!({"kind": "publicity", "title": "宪法宣传", "held_on": "2026-12-04", "organizer_unit_id": units.street, "venue": "organ", "themes": ["constitution_day"], "audience": "public", "attendance": 100, "materials": 50}),
    )
    .await
    .expect(201);

    let live_then = summary_part(
        app.get("/api/v1/reports/annual/2026", &hr)
            .await
            .expect(200),
    );
    let text_then = app
        .bytes("/api/v1/reports/annual/2026/export?format=text", &hr)
        .await;
    let created = app
        .post("/api/v1/reports/annual/2026/archive", &judicial, json!({}))
        .await
        .expect(201);
    let id = created["id"].as_i64().unwrap();
    let served = app
        .bytes(&format!("/api/v1/reports/archives/{id}"), &hr)
        .await;
    assert_eq!(
        created["sha256"],
        hex(&served),
        "anyone can recompute the sha256"
    );
    let archived: Value = serde_json::from_slice(&served).unwrap();
    assert_eq!(
        archived["summary"], live_then,
        "the archive is the live report at the time"
    );
    assert_eq!(archived["year"], 2026);
    assert_eq!(archived["targets"][0]["targets"]["roster"], 1);
    assert!(
        archived["targets"][0]["targets"]["by_unit"]
            .as_array()
            .unwrap()
            .len()
            > 1
    );
    let listed = app
        .get("/api/v1/reports/annual/2026/archives", &hr)
        .await
        .expect(200);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["sha256"], created["sha256"]);
    let diff = app
        .get(&format!("/api/v1/reports/archives/{id}/diff"), &hr)
        .await
        .expect(200);
    assert_eq!(diff, json!([]), "nothing moved yet");

    // Records are edited and added after the filing.
    app.patch(
        &format!("/api/v1/mediation-cases/{case}"),
        &judicial,
        json!({"amount": 0.50}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/petitions",
        &judicial,
        json!({"unit_id": units.street, "received_on": "2026-05-05", "cases": 2, "visitors": 3}),
    )
    .await
    .expect(201);

    let served_later = app
        .bytes(&format!("/api/v1/reports/archives/{id}"), &hr)
        .await;
    assert_eq!(served_later, served, "an archive never moves");
    let text_later = app
        .bytes(
            &format!("/api/v1/reports/archives/{id}/export?format=text"),
            &hr,
        )
        .await;
    assert_eq!(text_later, text_then);
    assert_ne!(
        app.bytes("/api/v1/reports/annual/2026/export?format=text", &hr)
            .await,
        text_then
    );
    let xlsx = app
        .bytes(
            &format!("/api/v1/reports/archives/{id}/export?format=xlsx"),
            &hr,
        )
        .await;
    assert!(xlsx.starts_with(b"PK"));

    let diff = app
        .get(&format!("/api/v1/reports/archives/{id}/diff"), &hr)
        .await
        .expect(200);
    let mut paths: Vec<String> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "summary.mediation.amount",
            "summary.mediation.by_level[0].amount",
            "summary.petitions.cases",
            "summary.petitions.visitors",
        ],
        "{diff}"
    );
    let amount = diff
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "summary.mediation.amount")
        .unwrap();
    assert_eq!(
        (amount["archived"].to_string(), amount["live"].to_string()),
        ("0.10".into(), "0.50".into())
    );

    // Roles: HR and the judicial office read; only admin and the judicial office freeze.
    let (_, cadre_token) = app.login_as("c2", &[Role::Cadre]).await;
    assert_eq!(
        app.post("/api/v1/reports/annual/2026/archive", &hr, json!({}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.get(&format!("/api/v1/reports/archives/{id}"), &cadre_token)
            .await
            .status,
        403
    );
    assert_eq!(
        app.get("/api/v1/reports/archives/999999", &hr).await.status,
        404
    );
    assert_eq!(
        app.post("/api/v1/reports/annual/1999/archive", &judicial, json!({}))
            .await
            .status,
        422
    );
}

/// The document an archive freezes is the domain's own (`services::archives::v1`): its
/// JSON for a known year is pinned here, byte for byte, so that no change to a view, a
/// vocabulary or a figure's code moves what a future archive says unnoticed. To accept a
/// deliberate change of shape, run with `XUEFA_WRITE_FIXTURES=1` and review the diff.
#[tokio::test]
async fn an_archive_of_a_known_year_is_pinned_to_its_fixture() {
    let Year {
        app,
        judicial,
        hr,
        units,
        campaign,
    } = year_end().await;
    let c1 = app
        .make_user("c1", &[Role::Cadre], Some(units.community))
        .await;
    let c2 = app.make_user("c2", &[Role::Cadre], Some(units.dept)).await;
    app.enroll(&hr, campaign.id, &[c1, c2]).await;
    // One of the two studied the compulsory course in full: a rate of 0.5.
    let c1_token = app.token("c1", crate::common::PASSWORD).await;
    app.post(
        "/api/v1/study-sessions",
        &c1_token,
        json!({"id": "7d3a5f0e-1c2b-4a6d-9e8f-0a1b2c3d4e5f", "campaign_id": campaign.id, "course_id": campaign.law_course, "started_at": "2026-06-01T09:00:00+08:00", "ended_at": "2026-06-01T10:00:00+08:00"}),
    )
    .await
    .expect(201);
    let records = [
        (
            "mediation-cases",
            json!({"committee_unit_id": units.street, "received_on": "2026-03-01", "category": "family", "result": "settled", "amount": 1234.5}),
        ),
        (
            "mediation-cases",
            json!({"committee_unit_id": units.village, "received_on": "2025-06-01", "category": "land", "result": "unsettled", "amount": 0.10}),
        ),
        (
            "legal-services",
            json!({"kind": "consultation", "unit_id": units.community, "held_on": "2026-05-05", "count": 3, "topic": "labour"}),
        ),
        (
            "screenings",
            json!({"unit_id": units.community, "held_on": "2026-04-01", "issues_found": 5, "issues_resolved": 4}),
        ),
        (
            "petitions",
            json!({"unit_id": units.street, "received_on": "2026-02-02", "cases": 2, "visitors": 7}),
        ),
        (
            "inspections",
            json!({"unit_id": units.street, "held_on": "2026-06-16", "field": "safety", "entities_checked": 12, "hazards_found": 3, "hazards_fixed": 3, "penalties": 1, "fines": 5000}),
        ),
        (
            "activities",
            json!({"kind": "publicity", "title": "宪法宣传", "held_on": "2026-12-04", "organizer_unit_id": units.street, "venue": "organ", "themes": ["constitution_day"], "audience": "public", "attendance": 100, "materials": 50}),
        ),
        (
            "activities",
            json!({"kind": "training", "title": "民法典培训", "held_on": "2026-07-01", "organizer_unit_id": units.community, "venue": "school", "themes": ["civil_code"], "audience": "cadres", "attendance": 30}),
        ),
        (
            "law-tasks",
            json!({"year": 2026, "title": "制定年度普法计划", "category": "publicity", "unit_id": units.street, "due_on": "2026-03-31", "status": "done", "done_on": "2026-03-20"}),
        ),
        (
            "decision-reviews",
            json!({"title": "老旧小区改造", "unit_id": units.street, "category": "major_project", "submitted_on": "2026-04-01", "reviewer": "legal_adviser", "result": "lawful", "decided_on": "2026-04-10", "adopted": true}),
        ),
        (
            "legal-advisers",
            json!({"name": "王律师", "kind": "legal_adviser", "unit_id": units.street, "since": "2025-01-01"}),
        ),
        (
            "pufa-duties",
            json!({"unit_id": units.dept, "year": 2026, "law": "安全生产法", "audience": "辖区企业", "cases_explained": 2, "status": "done"}),
        ),
    ];
    for (path, body) in records {
        app.post(&format!("/api/v1/{path}"), &judicial, body)
            .await
            .expect(201);
    }
    let created = app
        .post("/api/v1/reports/annual/2026/archive", &judicial, json!({}))
        .await
        .expect(201);
    let id = created["id"].as_i64().unwrap();
    let served = app
        .bytes(&format!("/api/v1/reports/archives/{id}"), &hr)
        .await;
    let served = String::from_utf8(served).unwrap();

    // The archive's two parts agree with the live operations (the API's views).
    let archived: Value = serde_json::from_str(&served).unwrap();
    let live_targets = app
        .get(&format!("/api/v1/campaigns/{}/targets", campaign.id), &hr)
        .await
        .expect(200);
    assert_eq!(
        archived["targets"][0]["targets"],
        without_live_minutes(live_targets)
    );
    let live_summary = summary_part(
        app.get("/api/v1/reports/annual/2026", &hr)
            .await
            .expect(200),
    );
    assert_eq!(archived["summary"], live_summary);

    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/archive-v2.json"
    );
    if std::env::var("XUEFA_WRITE_FIXTURES").is_ok_and(|v| v == "1") {
        let pretty = serde_json::to_string_pretty(&archived).unwrap();
        std::fs::write(fixture, pretty + "\n").unwrap();
    }
    // The fixture is kept pretty for review; its compact form is the served bytes.
    let pinned: Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_string(&pinned).unwrap(),
        served,
        "the archived JSON changed: if on purpose, a new version of \
         services::archives (see its module doc), then XUEFA_WRITE_FIXTURES=1"
    );
}

/// The live targets as an archive of version 1 holds them: without the minutes credited
/// and their live share, which came after that version (the narrative states the share).
fn without_live_minutes(mut live: Value) -> Value {
    let strip = |v: &mut Value| {
        let o = v.as_object_mut().unwrap();
        for key in ["credited_minutes", "live_minutes", "live_share"] {
            o.remove(key);
        }
    };
    strip(&mut live);
    for unit in live["by_unit"].as_array_mut().unwrap() {
        strip(unit);
    }
    live
}

/// The live report as an archive's `summary` holds it: the summarised unit is the
/// archive's own `unit` (absent for the whole installation), and the per-unit rows are in
/// its `targets[].by_unit`.
fn summary_part(mut live: Value) -> Value {
    let object = live.as_object_mut().unwrap();
    object.remove("unit");
    object.remove("by_unit");
    live
}
