//! The audit log records every change, and only admins read it.

use domain::auth::Role;
use serde_json::{Value, json};

use crate::common::TestApp;

#[tokio::test]
async fn changes_are_recorded_with_actor_and_summary() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (hr_id, hr) = app.login_as("hr", &[Role::Hr]).await;
    let street = app.make_unit(&hr, "街道", "street", None).await;
    app.patch(
        &format!("/api/v1/units/{street}"),
        &hr,
        json!({"name": "新立街道"}),
    )
    .await
    .expect(200);
    let cadre = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"username": "cad", "password": "Study-Law-123", "name": "干部"}),
        )
        .await
        .expect(201);
    let cadre_id = cadre["id"].as_i64().unwrap();
    app.patch(
        &format!("/api/v1/users/{cadre_id}"),
        &hr,
        json!({"roles": ["cadre", "judicial"]}),
    )
    .await
    .expect(200);
    app.call_raw(
        "POST",
        "/api/v1/users/import?default_password=Initial-Pass-1",
        Some(&hr),
        "text/csv",
        "姓名,工号\n甲,1\n".as_bytes().to_vec(),
    )
    .await
    .expect(200);
    let spare = app.make_unit(&hr, "临时", "other", None).await;
    app.call("DELETE", &format!("/api/v1/units/{spare}"), Some(&hr), None)
        .await
        .expect(204);

    let by_hr = app
        .get(
            &format!("/api/v1/audit-log?actor_id={hr_id}&per_page=100"),
            &admin,
        )
        .await
        .expect(200);
    let actions: Vec<(String, String)> = by_hr["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["entity"].as_str().unwrap().to_owned(),
            )
        })
        .rev()
        .collect();
    let expected: Vec<(String, String)> = [
        ("login", "user"),
        ("create", "unit"),
        ("update", "unit"),
        ("create", "user"),
        ("role_change", "user"),
        ("import", "user"),
        ("create", "unit"),
        ("delete", "unit"),
    ]
    .iter()
    .map(|(a, e)| (a.to_string(), e.to_string()))
    .collect();
    assert_eq!(actions, expected);
    let entry = &by_hr["items"][3];
    assert_eq!(entry["action"], "role_change");
    assert_eq!(entry["actor"], "hr");
    assert_eq!(entry["entity_id"], cadre_id.to_string());
    assert!(entry["summary"].as_str().unwrap().contains("judicial"));
    assert!(entry["at"].as_str().is_some());

    let roles = app
        .get("/api/v1/audit-log?action=role_change", &admin)
        .await
        .expect(200);
    assert_eq!(roles["total"], 1);
    let for_unit = app
        .get(
            &format!("/api/v1/audit-log?entity=unit&entity_id={street}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(for_unit["total"], 2);
    let future = app
        .get("/api/v1/audit-log?since=2999-01-01T00:00:00Z", &admin)
        .await
        .expect(200);
    assert_eq!(future["total"], 0);
    app.get("/api/v1/audit-log", &hr).await.expect(403);
}

#[tokio::test]
async fn a_busy_log_is_written_for_people_not_in_debug_text() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let street = app.make_street(&admin).await;
    let campaign = app.make_campaign(&admin).await;
    let cadre = app.make_user("busy-cadre", &[Role::Cadre], None).await;
    // Every kind of change the log records, with units set, moved and cleared.
    app.patch(
        &format!("/api/v1/users/{cadre}"),
        &admin,
        json!({"unit_id": street.community, "is_leader": true, "phone": "13912345678"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/users/{cadre}"),
        &admin,
        json!({"unit_id": null, "roles": ["cadre", "hr"], "scope_unit_id": street.street}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/units/{}", street.school),
        &admin,
        json!({"parent_id": null}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/units/{}", street.school),
        &admin,
        json!({"parent_id": street.street}),
    )
    .await
    .expect(200);
    app.enroll(&admin, campaign.id, &[cadre]).await;
    app.patch(
        &format!("/api/v1/campaigns/{}/enrollments/{cadre}", campaign.id),
        &admin,
        json!({"exempt": true, "exempt_reason": "病假"}),
    )
    .await
    .expect(200);
    app.get(
        &format!("/api/v1/users?unit_id={}&active=true", street.street),
        &admin,
    )
    .await
    .expect(200);
    app.get(
        &format!(
            "/api/v1/campaigns/{}/targets/missing?target=study",
            campaign.id
        ),
        &admin,
    )
    .await
    .expect(200);
    app.get(
        &format!(
            "/api/v1/campaigns/{}/targets/export?format=csv",
            campaign.id
        ),
        &admin,
    )
    .await;
    app.login("busy-cadre", "wrong-password").await;
    let log = app
        .get("/api/v1/audit-log?per_page=500", &admin)
        .await
        .expect(200);
    let items = log["items"].as_array().unwrap();
    assert!(items.len() > 10, "a busy log: {}", items.len());
    let words = app
        .call("GET", "/api/v1/vocabularies", None, None)
        .await
        .expect(200);
    let named = |vocabulary: &str, key: &Value| {
        words[vocabulary]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| &t["key"] == key && !t["name"].as_str().unwrap().is_ascii())
    };
    for entry in items {
        assert!(named("audit_action", &entry["action"]), "{entry}");
        assert!(named("audit_entity", &entry["entity"]), "{entry}");
        let summary = entry["summary"].as_str().unwrap();
        for code in ["Some(", "None", "{", "}"] {
            assert!(
                !summary.contains(code),
                "{code} in {}: {summary}",
                entry["action"]
            );
        }
    }
}

/// The log filtered by person and action, and downloaded as it is filtered: Chinese
/// headers and action names, times in Beijing, and the download itself logged.
#[tokio::test]
async fn the_log_filters_by_person_and_exports_in_chinese() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    app.make_unit(&hr, "街道", "street", None).await;
    app.make_unit(&admin, "另一街道", "street", None).await;
    let by_hr = app
        .get("/api/v1/audit-log?actor=hr&action=create", &admin)
        .await
        .expect(200);
    assert_eq!(by_hr["total"], 1, "{by_hr}");
    assert_eq!(by_hr["items"][0]["actor"], "hr");
    let file = app
        .call(
            "GET",
            "/api/v1/audit-log/export?format=csv&actor=hr",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(file.status, 200);
    let text = file.text;
    assert!(
        text.contains("编号,时间,操作人,操作,对象,对象编号,说明,校验值"),
        "{text}"
    );
    assert!(text.contains("hr,新建,单位"), "{text}");
    assert!(!text.contains("admin,新建"), "only hr's entries: {text}");
    let exports = app
        .get("/api/v1/audit-log?action=export&entity=audit_log", &admin)
        .await
        .expect(200);
    assert_eq!(exports["total"], 1);
    assert!(
        exports["items"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("actor=hr")
    );
    // Only administrators read it.
    app.call(
        "GET",
        "/api/v1/audit-log/export?format=csv",
        Some(&hr),
        None,
    )
    .await
    .expect(403);
}
