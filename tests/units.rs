//! The unit tree: create, read, move, delete rules.

use domain::auth::Role;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn unit_tree_lifecycle() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let street = app.make_unit(&admin, "新立街道", "street", None).await;
    let community = app
        .make_unit(&admin, "东丽湖社区", "community", Some(street))
        .await;
    let grid = app
        .make_unit(&admin, "第一网格", "other", Some(community))
        .await;

    let unit = app
        .get(&format!("/api/v1/units/{community}"), &admin)
        .await
        .expect(200);
    assert_eq!(unit["name"], "东丽湖社区");
    assert_eq!(unit["kind"], "community");
    assert_eq!(unit["parent_id"], street);

    let children = app
        .get(&format!("/api/v1/units?parent_id={street}"), &admin)
        .await
        .expect(200);
    assert_eq!(children["total"], 1);
    assert_eq!(children["items"][0]["id"], community);

    // Rename; move under itself or its own descendant is refused.
    app.patch(
        &format!("/api/v1/units/{community}"),
        &admin,
        json!({"name": "东丽湖社区居委会"}),
    )
    .await
    .expect(200);
    let cycle = app
        .patch(
            &format!("/api/v1/units/{street}"),
            &admin,
            json!({"parent_id": grid}),
        )
        .await;
    assert_eq!(cycle.status, 422, "{}", cycle.body);
    app.patch(
        &format!("/api/v1/units/{street}"),
        &admin,
        json!({"parent_id": street}),
    )
    .await
    .expect(422);
    app.post(
        "/api/v1/units",
        &admin,
        json!({"name": "x", "kind": "village", "parent_id": 999999}),
    )
    .await
    .expect(422);

    // Deleting a unit with sub-units or accounts is a conflict; a bare leaf goes.
    let del = app
        .call(
            "DELETE",
            &format!("/api/v1/units/{community}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(del.status, 409);
    assert_eq!(del.body["code"], "unit_in_use");
    app.make_user("member", &[Role::Cadre], Some(grid)).await;
    app.call(
        "DELETE",
        &format!("/api/v1/units/{grid}"),
        Some(&admin),
        None,
    )
    .await
    .expect(409);

    let empty = app.make_unit(&admin, "空单位", "other", Some(street)).await;
    app.call(
        "DELETE",
        &format!("/api/v1/units/{empty}"),
        Some(&admin),
        None,
    )
    .await
    .expect(204);
    app.get(&format!("/api/v1/units/{empty}"), &admin)
        .await
        .expect(404);
    app.call(
        "DELETE",
        &format!("/api/v1/units/{empty}"),
        Some(&admin),
        None,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn everyone_reads_units_only_admin_and_hr_write() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let street = app.make_unit(&admin, "街道", "street", None).await;
    for (name, role, may_write) in [
        ("hr1", Role::Hr, true),
        ("judicial1", Role::Judicial, false),
        ("cadre1", Role::Cadre, false),
    ] {
        let (_, token) = app.login_as(name, &[role]).await;
        app.get("/api/v1/units", &token).await.expect(200);
        app.get(&format!("/api/v1/units/{street}"), &token)
            .await
            .expect(200);
        let create = app
            .post(
                "/api/v1/units",
                &token,
                json!({"name": format!("{name} unit"), "kind": "other"}),
            )
            .await;
        let patch = app
            .patch(
                &format!("/api/v1/units/{street}"),
                &token,
                json!({"name": "改名"}),
            )
            .await;
        if may_write {
            assert_eq!(create.status, 201);
            assert_eq!(patch.status, 200);
        } else {
            assert_eq!(create.status, 403, "{name} created a unit");
            assert_eq!(patch.status, 403, "{name} changed a unit");
            let del = app
                .call(
                    "DELETE",
                    &format!("/api/v1/units/{street}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(del.status, 403);
        }
    }
    let all = app
        .get("/api/v1/units?per_page=100", &admin)
        .await
        .expect(200);
    assert_eq!(all["total"], 2, "only HR's unit was added");
}
