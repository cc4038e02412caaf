//! Courses, campaigns, enrollment, exemption, who sees what.

use domain::auth::Role;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn courses_are_validated_and_written_only_by_admin_and_hr() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let (_, cadre) = app.login_as("cadre", &[Role::Cadre]).await;
    let id = app.make_course(&hr, "宪法", 45).await;
    let course = app
        .get(&format!("/api/v1/courses/{id}"), &cadre)
        .await
        .expect(200);
    assert_eq!(course["minutes"], 45);
    assert_eq!(
        app.get("/api/v1/courses?q=宪", &cadre).await.expect(200)["total"],
        1
    );

    app.post(
        "/api/v1/courses",
        &cadre,
        json!({"title": "x", "minutes": 10}),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/courses/{id}"),
        &cadre,
        json!({"minutes": 10}),
    )
    .await
    .expect(403);
    let bad = app
        .post("/api/v1/courses", &hr, json!({"title": " ", "minutes": 0}))
        .await;
    assert_eq!(bad.status, 422);
    app.post(
        "/api/v1/courses",
        &hr,
        json!({"title": "x", "minutes": 100000}),
    )
    .await
    .expect(422);
    app.patch(
        &format!("/api/v1/courses/{id}"),
        &hr,
        json!({"title": "中华人民共和国宪法"}),
    )
    .await
    .expect(200);
    app.get("/api/v1/courses/9999", &hr).await.expect(404);
}

#[tokio::test]
async fn campaign_settings_are_validated() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let course = app.make_course(&hr, "宪法", 45).await;
    let bad = app
        .post(
            "/api/v1/campaigns",
            &hr,
            json!({
                "year": 2026, "title": "t",
                "study_starts_on": "2026-12-01", "study_ends_on": "2026-01-01",
                "required_minutes": 0,
                "courses": [{"course_id": course}, {"course_id": course}],
                "exam_opens_at": "2026-11-02T00:00:00Z", "exam_closes_at": "2026-11-01T00:00:00Z",
                "pass_score": 101, "max_attempts": 0
            }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let mut fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "courses",
            "exam_closes_at",
            "good_score",
            "max_attempts",
            "pass_score",
            "required_minutes",
            "study_ends_on"
        ]
    );

    let unknown = app
        .post(
            "/api/v1/campaigns",
            &hr,
            json!({"year": 2026, "title": "t", "study_starts_on": "2026-01-01", "study_ends_on": "2026-12-31",
                   "required_minutes": 10, "courses": [{"course_id": 777}],
                   "exam_opens_at": "2026-11-01T00:00:00Z", "exam_closes_at": "2026-11-02T00:00:00Z"}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    app.post("/api/v1/campaigns", &hr, json!({"year": 2026}))
        .await
        .expect(422);
    assert_eq!(
        app.get("/api/v1/campaigns", &hr).await.expect(200)["total"],
        0,
        "nothing stored"
    );

    let made = app.make_campaign(&hr).await;
    let campaign = app
        .get(&format!("/api/v1/campaigns/{}", made.id), &hr)
        .await
        .expect(200);
    assert_eq!(campaign["courses"].as_array().unwrap().len(), 2);
    assert_eq!(campaign["courses"][0]["compulsory"], true);
    assert_eq!(campaign["exam_requires_study"], true);
    let patched = app.patch(&format!("/api/v1/campaigns/{}", made.id), &hr, json!({"pass_score": 80, "courses": [{"course_id": made.law_course, "compulsory": true}]})).await.expect(200);
    assert_eq!(patched["pass_score"], 80);
    assert_eq!(patched["courses"].as_array().unwrap().len(), 1);
    app.patch(
        &format!("/api/v1/campaigns/{}", made.id),
        &hr,
        json!({"exam_closes_at": "2020-01-01T00:00:00Z"}),
    )
    .await
    .expect(422);
}

#[tokio::test]
async fn enrollment_by_users_and_units_and_who_sees_the_campaign() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let street = app.make_unit(&admin, "街道", "street", None).await;
    let community = app
        .make_unit(&admin, "社区", "community", Some(street))
        .await;
    let other = app.make_unit(&admin, "别的街道", "street", None).await;
    let a = app.make_user("a", &[Role::Cadre], Some(street)).await;
    let b = app
        .make_user("b", &[Role::Cadre, Role::Hr], Some(community))
        .await;
    app.make_user("judge", &[Role::Judicial], Some(community))
        .await; // not a cadre
    let gone = app.make_user("gone", &[Role::Cadre], Some(community)).await;
    app.patch(
        &format!("/api/v1/users/{gone}"),
        &admin,
        json!({"active": false}),
    )
    .await
    .expect(200);
    let outsider = app.make_user("outsider", &[Role::Cadre], Some(other)).await;
    let campaign = app.make_campaign(&hr).await;
    let path = format!("/api/v1/campaigns/{}/enrollments", campaign.id);

    let first = app
        .post(&path, &hr, json!({"unit_ids": [street]}))
        .await
        .expect(200);
    assert_eq!(
        first["enrolled"], 2,
        "active cadres of the street and its community"
    );
    let again = app
        .post(&path, &hr, json!({"unit_ids": [street], "user_ids": [a]}))
        .await
        .expect(200);
    assert_eq!(again["enrolled"], 0, "enrolling twice is harmless");
    app.post(&path, &hr, json!({"user_ids": [424242]}))
        .await
        .expect(422);
    app.post(&path, &hr, json!({"unit_ids": [424242]}))
        .await
        .expect(422);
    app.post(&path, &hr, json!({"user_ids": [gone]}))
        .await
        .expect(422);
    app.post(&path, &hr, json!({})).await.expect(422);
    app.post(
        "/api/v1/campaigns/9999/enrollments",
        &hr,
        json!({"user_ids": [a]}),
    )
    .await
    .expect(404);

    let roster = app.get(&path, &hr).await.expect(200);
    assert_eq!(roster["total"], 2);
    let ids: Vec<i64> = roster["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a, b]);
    assert_eq!(
        app.get(&format!("{path}?unit_id={community}"), &hr)
            .await
            .expect(200)["total"],
        1
    );

    // A cadre sees the campaigns they are on, and only those.
    let a_token = app.token("a", crate::common::PASSWORD).await;
    let outsider_token = app.token("outsider", crate::common::PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/campaigns", &a_token).await.expect(200)["total"],
        1
    );
    app.get(&format!("/api/v1/campaigns/{}", campaign.id), &a_token)
        .await
        .expect(200);
    assert_eq!(
        app.get("/api/v1/campaigns", &outsider_token)
            .await
            .expect(200)["total"],
        0
    );
    app.get(
        &format!("/api/v1/campaigns/{}", campaign.id),
        &outsider_token,
    )
    .await
    .expect(404);
    app.get(&path, &a_token).await.expect(403);
    app.post(&path, &a_token, json!({"user_ids": [outsider]}))
        .await
        .expect(403);
    let (_, judicial) = app.login_as("clerk", &[Role::Judicial]).await;
    assert_eq!(
        app.get("/api/v1/campaigns", &judicial).await.expect(200)["total"],
        1
    );
}

#[tokio::test]
async fn exemption_needs_a_reason_and_can_be_lifted() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let cadre = app.make_user("c", &[Role::Cadre], None).await;
    let campaign = app.make_campaign(&hr).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    let path = format!("/api/v1/campaigns/{}/enrollments/{cadre}", campaign.id);

    app.patch(&path, &hr, json!({"exempt": true}))
        .await
        .expect(422);
    app.patch(&path, &hr, json!({"exempt": true, "exempt_reason": "  "}))
        .await
        .expect(422);
    let exempt = app
        .patch(
            &path,
            &hr,
            json!({"exempt": true, "exempt_reason": "长期病假"}),
        )
        .await
        .expect(200);
    assert_eq!(exempt["exempt"], true);
    assert_eq!(exempt["exempt_reason"], "长期病假");
    let roster = format!("/api/v1/campaigns/{}/enrollments", campaign.id);
    assert_eq!(
        app.get(&format!("{roster}?exempt=true"), &hr)
            .await
            .expect(200)["total"],
        1
    );
    let lifted = app
        .patch(&path, &hr, json!({"exempt": false}))
        .await
        .expect(200);
    assert_eq!(lifted["exempt"], false);
    assert_eq!(lifted["exempt_reason"], serde_json::Value::Null);
    app.patch(
        &format!("/api/v1/campaigns/{}/enrollments/424242", campaign.id),
        &hr,
        json!({"exempt": false}),
    )
    .await
    .expect(404);
    let admin = app.admin_token().await;
    assert_eq!(
        app.get("/api/v1/audit-log?action=exempt", &admin)
            .await
            .expect(200)["total"],
        2
    );
}

/// Someone enrolled by mistake is taken off the roster; someone who has started cannot be
/// (exempt them instead); a cadre takes no one off; the change is audited.
#[tokio::test]
async fn a_mistaken_enrolment_is_taken_off_the_roster_but_not_one_that_has_started() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let (started, started_token) = app.login_as("started", &[Role::Cadre]).await;
    let (mistaken, mistaken_token) = app.login_as("mistaken", &[Role::Cadre]).await;
    let campaign = app.make_campaign(&hr).await;
    app.enroll(&hr, campaign.id, &[started, mistaken]).await;
    app.post(
        "/api/v1/study-sessions",
        &started_token,
        crate::common::session(campaign.id, campaign.law_course, "08:00", "08:30"),
    )
    .await
    .expect(201);
    let path = |user: i64| format!("/api/v1/campaigns/{}/enrollments/{user}", campaign.id);
    app.call("DELETE", &path(mistaken), Some(&mistaken_token), None)
        .await
        .expect(403);
    let refused = app
        .call("DELETE", &path(started), Some(&hr), None)
        .await
        .expect(409);
    assert_eq!(refused["code"], "started");
    app.call("DELETE", &path(mistaken), Some(&hr), None)
        .await
        .expect(204);
    app.call("DELETE", &path(mistaken), Some(&hr), None)
        .await
        .expect(404);
    let roster = app
        .get(
            &format!("/api/v1/campaigns/{}/enrollments", campaign.id),
            &hr,
        )
        .await
        .expect(200);
    assert_eq!(roster["total"], 1);
    assert_eq!(roster["items"][0]["user_id"], started);
    let log = app
        .get("/api/v1/audit-log?action=unenroll", &admin)
        .await
        .expect(200);
    assert_eq!(log["total"], 1);
    // Enrolled again, they start afresh.
    app.enroll(&hr, campaign.id, &[mistaken]).await;
}
