//! The year-end archive: its figures equal the live report when frozen, stay the same
//! after records are edited and added, its sha256 is the served bytes', and the diff
//! names exactly the figures that moved.

use domain::auth::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::TestApp;

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn an_archive_keeps_its_figures_and_the_diff_names_what_moved() {
    let app = TestApp::new().await;
    app.state.clock.set("2027-01-10T04:00:00Z".parse().unwrap());
    let admin = app.admin_token().await;
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let units = app.make_street(&admin).await;
    let campaign = app.make_campaign(&hr).await;
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

    let live_then = app
        .get("/api/v1/reports/annual/2026", &hr)
        .await
        .expect(200);
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
