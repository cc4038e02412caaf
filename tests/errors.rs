//! One error shape for every refusal, whichever layer refuses; nothing half-stored.

use domain::auth::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::common::TestApp;

async fn unit_count(app: &TestApp) -> u64 {
    entity::unit::Entity::find().count(app.db()).await.unwrap()
}

#[tokio::test]
async fn malformed_wrong_typed_and_oversized_bodies() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;

    let broken = app
        .call_raw(
            "POST",
            "/api/v1/units",
            Some(&admin),
            "application/json",
            b"{\"name\": \"x\", ".to_vec(),
        )
        .await;
    assert_eq!(broken.status, 400);
    assert_eq!(broken.headers["content-type"], "application/problem+json");
    assert_eq!(broken.body["status"], 400);

    let not_utf8 = app
        .call_raw(
            "POST",
            "/api/v1/units",
            Some(&admin),
            "application/json",
            b"{\"name\": \"\xff\xfe\", \"kind\": \"street\"}".to_vec(),
        )
        .await;
    assert_eq!(not_utf8.status, 400);

    // Strings must be strings: `{"name": 5}` is not the name "5".
    let typed = app
        .post(
            "/api/v1/units",
            &admin,
            json!({"name": 5, "kind": "street"}),
        )
        .await;
    assert_eq!(typed.status, 422, "{}", typed.body);
    assert_eq!(typed.body["code"], "invalid_field");
    app.post(
        "/api/v1/units",
        &admin,
        json!({"name": "x", "kind": "palace"}),
    )
    .await
    .expect(422);
    app.post("/api/v1/units", &admin, json!({"kind": "street"}))
        .await
        .expect(422);
    app.post("/api/v1/units", &admin, json!([1, 2, 3]))
        .await
        .expect(422);
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let nested = app
        .call_raw(
            "POST",
            "/api/v1/units",
            Some(&admin),
            "application/json",
            deep.into_bytes(),
        )
        .await;
    assert!(nested.status.is_client_error(), "{}", nested.status);

    // The test app accepts at most 1 MiB.
    let huge = json!({"name": "x".repeat(1024 * 1024 + 10), "kind": "street"});
    let too_big = app.post("/api/v1/units", &admin, huge).await;
    assert_eq!(too_big.status, 413);
    assert_eq!(too_big.headers["content-type"], "application/problem+json");

    app.call(
        "POST",
        "/api/v1/users",
        Some(&admin),
        Some(json!({"username": 1, "password": true, "name": null})),
    )
    .await
    .expect(422);
    assert_eq!(unit_count(&app).await, 0, "nothing was stored");
}

#[tokio::test]
async fn routing_errors_share_the_shape() {
    let app = TestApp::new().await;
    let (_, cadre) = app.login_as("c", &[Role::Cadre]).await;
    let missing = app.get("/api/v1/no-such-thing", &cadre).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.headers["content-type"], "application/problem+json");
    let wrong_method = app.call("PUT", "/api/v1/units", Some(&cadre), None).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.body["status"], 405);
    let bad_id = app.get("/api/v1/units/abc", &cadre).await;
    assert!(bad_id.status.is_client_error());
    assert_eq!(bad_id.headers["content-type"], "application/problem+json");
    let huge_id = app
        .get("/api/v1/units/99999999999999999999999", &cadre)
        .await;
    assert!(huge_id.status.is_client_error());
}

/// What schema-driven fuzzing found, kept fixed.
#[tokio::test]
async fn fuzzing_regressions() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    // A page number so large that the offset overflowed the database's integer.
    let far = app
        .get(
            "/api/v1/courses?page=180713379809407232&per_page=121",
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(far["items"], json!([]));
    // 405 says what is allowed.
    let trace = app.call("TRACE", "/api/v1/units", Some(&admin), None).await;
    assert_eq!(trace.status, 405);
    assert_eq!(trace.headers["allow"], "GET, POST");
    // A unit that organised an activity cannot be deleted: 409, not a foreign-key 500.
    let unit = app.make_unit(&admin, "临时单位", "other", None).await;
    let body = json!({"kind": "publicity", "title": "t", "held_on": "2026-01-02", "organizer_unit_id": unit, "audience": "public", "attendance": 1});
    app.post("/api/v1/activities", &admin, body)
        .await
        .expect(201);
    let del = app
        .call(
            "DELETE",
            &format!("/api/v1/units/{unit}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(del.status, 409, "{}", del.body);
    // Optional fields are sent as null, so the spec says they may be.
    let spec: serde_json::Value = serde_json::from_str(&api::spec_json()).unwrap();
    assert_eq!(
        spec["components"]["schemas"]["UserView"]["properties"]["employee_no"]["nullable"],
        true
    );
    // In a PATCH body only a field that `null` clears is nullable.
    assert_eq!(
        spec["components"]["schemas"]["UpdateActivity"]["properties"]["venue"]["anyOf"],
        json!([
            {"$ref": "#/components/schemas/Venue"},
            {"type": "string", "nullable": true, "enum": [null]}
        ])
    );
    assert_eq!(
        spec["components"]["schemas"]["UpdateUnit"]["properties"]["kind"],
        json!({"$ref": "#/components/schemas/UnitKind"})
    );
}

#[tokio::test]
async fn unreadable_parameters_are_named_in_plain_words() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let whole = json!({"expected": "integer"});
    for (path, field, message, code, params) in [
        (
            "/api/v1/units?per_page=abc",
            "per_page",
            "must be a whole number",
            "wrong_type",
            whole.clone(),
        ),
        (
            "/api/v1/units?per_page=900",
            "per_page",
            "must be between 1 and 500",
            "out_of_range",
            json!({"min": 1, "max": 500}),
        ),
        (
            "/api/v1/units/abc",
            "path",
            "must be a whole number",
            "wrong_type",
            whole.clone(),
        ),
        (
            "/api/v1/activities?kind=party",
            "kind",
            "is not one of the allowed values",
            "unknown_value",
            json!({}),
        ),
        (
            "/api/v1/campaigns/1/targets/export",
            "format",
            "is required",
            "required",
            json!({}),
        ),
    ] {
        let reply = app.get(path, &admin).await;
        assert_eq!(reply.status, 422, "{path}");
        assert_eq!(reply.body["code"], "invalid_field");
        assert_eq!(
            reply.body["errors"],
            json!([{"field": field, "code": code, "params": params, "message": message}]),
            "{path}"
        );
        assert!(
            !reply.body["detail"].as_str().unwrap().contains("parse"),
            "{path}"
        );
    }
    // A body that is not JSON at all is unreadable (400), in plain words.
    let reply = app
        .call_raw(
            "POST",
            "/api/v1/units",
            Some(&admin),
            "application/json",
            b"{name".to_vec(),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("the body is not JSON")
    );
}
