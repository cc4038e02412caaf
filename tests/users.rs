//! Accounts: the role matrix, what HR may not do, validation, list filters.

use domain::auth::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::common::TestApp;

async fn user_count(app: &TestApp) -> u64 {
    entity::user::Entity::find().count(app.db()).await.unwrap()
}

#[tokio::test]
async fn role_matrix_over_every_endpoint_group() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let (_, judicial) = app.login_as("judicial", &[Role::Judicial]).await;
    let (cadre_id, cadre) = app.login_as("cadre", &[Role::Cadre]).await;
    let csv = "姓名,工号\n新人,9001\n".as_bytes().to_vec();

    // (role token, may manage users, may read the audit log)
    for (who, token, manages, audits) in [
        ("admin", &admin, true, true),
        ("hr", &hr, true, false),
        ("judicial", &judicial, false, false),
        ("cadre", &cadre, false, false),
    ] {
        let expect = |allowed: bool, ok: u16| if allowed { ok } else { 403 };
        assert_eq!(app.get("/api/v1/me", token).await.status, 200, "{who} /me");
        assert_eq!(
            app.get("/api/v1/users", token).await.status,
            expect(manages, 200),
            "{who} list users"
        );
        assert_eq!(
            app.get(&format!("/api/v1/users/{cadre_id}"), token)
                .await
                .status,
            expect(manages, 200),
            "{who} get user"
        );
        let create = app.post("/api/v1/users", token, json!({"username": format!("new-{who}"), "password": "Study-Law-123", "name": "新人"})).await;
        assert_eq!(create.status, expect(manages, 201), "{who} create user");
        let patch = app
            .patch(
                &format!("/api/v1/users/{cadre_id}"),
                token,
                json!({"is_leader": true}),
            )
            .await;
        assert_eq!(patch.status, expect(manages, 200), "{who} patch user");
        let import = app
            .call_raw(
                "POST",
                &format!("/api/v1/users/import?default_password=Initial-{who}-Pass9"),
                Some(token),
                "text/csv",
                csv.clone(),
            )
            .await;
        assert_eq!(import.status, expect(manages, 200), "{who} import");
        assert_eq!(
            app.get("/api/v1/audit-log", token).await.status,
            expect(audits, 200),
            "{who} audit log"
        );
    }
}

#[tokio::test]
async fn hr_can_neither_create_nor_promote_nor_touch_an_admin() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr, Role::Cadre]).await;
    let cadre_id = app.make_user("cadre", &[Role::Cadre], None).await;
    let before = user_count(&app).await;

    let made = app.post("/api/v1/users", &hr, json!({"username": "boss", "password": "Study-Law-123", "name": "x", "roles": ["admin"]})).await;
    assert_eq!(made.status, 403);
    assert_eq!(user_count(&app).await, before, "nothing stored");

    app.patch(
        &format!("/api/v1/users/{cadre_id}"),
        &hr,
        json!({"roles": ["cadre", "admin"]}),
    )
    .await
    .expect(403);
    // The admin account (id 1) is out of HR's reach: no password reset, no disabling.
    app.patch("/api/v1/users/1", &hr, json!({"password": "taken-over-1"}))
        .await
        .expect(403);
    app.patch("/api/v1/users/1", &hr, json!({"active": false}))
        .await
        .expect(403);
    app.login("admin", "Gov-Intranet-2026").await.expect(200);

    let roles = app
        .get(&format!("/api/v1/users/{cadre_id}"), &hr)
        .await
        .expect(200);
    assert_eq!(roles["roles"], json!(["cadre"]));

    // HR may make judicial staff and HR colleagues, and the admin may make an admin.
    app.post("/api/v1/users", &hr, json!({"username": "clerk", "password": "Study-Law-123", "name": "x", "roles": ["judicial", "cadre"]})).await.expect(201);
    let admin = app.admin_token().await;
    app.post(
        "/api/v1/users",
        &admin,
        json!({"username": "admin2", "password": "Study-Law-123", "name": "x", "roles": ["admin"]}),
    )
    .await
    .expect(201);
    let changes = app
        .get("/api/v1/audit-log?action=role_change", &admin)
        .await
        .expect(200);
    assert_eq!(
        changes["total"], 0,
        "refused promotions leave no trace of a change"
    );
}

#[tokio::test]
async fn user_validation_and_conflicts() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let street = app.make_unit(&admin, "街道", "street", None).await;
    let ok = json!({"username": "liu", "password": "Study-Law-123", "name": "刘洋", "unit_id": street, "employee_no": "E01", "is_leader": true});
    let created = app
        .post("/api/v1/users", &admin, ok.clone())
        .await
        .expect(201);
    assert_eq!(created["roles"], json!(["cadre"]));
    assert_eq!(created["is_leader"], true);
    assert_eq!(created["unit_id"], street);

    let dup = app.post("/api/v1/users", &admin, ok).await;
    assert_eq!(dup.status, 409);
    let dup_no = app.post("/api/v1/users", &admin, json!({"username": "liu2", "password": "Study-Law-123", "name": "x", "employee_no": "E01"})).await;
    assert_eq!(dup_no.status, 409);

    let bad = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "has space", "password": "short", "name": "  ", "roles": []}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["username", "password", "name", "roles"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    app.post(
        "/api/v1/users",
        &admin,
        json!({"username": "x1", "password": "Study-Law-123", "name": "x", "unit_id": 424242}),
    )
    .await
    .expect(422);
    app.post(
        "/api/v1/users",
        &admin,
        json!({"username": "x2", "password": "Study-Law-123", "name": "x", "roles": ["boss"]}),
    )
    .await
    .expect(422);
    app.get("/api/v1/users/424242", &admin).await.expect(404);
    app.patch("/api/v1/users/424242", &admin, json!({"name": "x"}))
        .await
        .expect(404);
    // The admin cannot lock themself out.
    app.patch("/api/v1/users/1", &admin, json!({"active": false}))
        .await
        .expect(422);
    app.patch("/api/v1/users/1", &admin, json!({"roles": ["cadre"]}))
        .await
        .expect(422);
}

#[tokio::test]
async fn list_users_filters_by_unit_subtree_role_and_text() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let street = app.make_unit(&admin, "街道", "street", None).await;
    let c1 = app
        .make_unit(&admin, "一社区", "community", Some(street))
        .await;
    let c2 = app
        .make_unit(&admin, "二社区", "community", Some(street))
        .await;
    app.make_user("a", &[Role::Cadre], Some(street)).await;
    app.make_user("b", &[Role::Cadre], Some(c1)).await;
    app.make_user("c", &[Role::Cadre, Role::Hr], Some(c2)).await;
    app.make_user("d", &[Role::Judicial], Some(c2)).await;

    let total = |v: serde_json::Value| v["total"].as_u64().unwrap();
    assert_eq!(
        total(
            app.get(&format!("/api/v1/users?unit_id={street}"), &admin)
                .await
                .expect(200)
        ),
        4
    );
    assert_eq!(
        total(
            app.get(&format!("/api/v1/users?unit_id={c2}"), &admin)
                .await
                .expect(200)
        ),
        2
    );
    assert_eq!(
        total(
            app.get(&format!("/api/v1/users?unit_id={c2}&role=cadre"), &admin)
                .await
                .expect(200)
        ),
        1
    );
    assert_eq!(
        total(app.get("/api/v1/users?role=hr", &admin).await.expect(200)),
        1
    );
    assert_eq!(
        total(app.get("/api/v1/users?q=admin", &admin).await.expect(200)),
        1
    );

    let page = app
        .get("/api/v1/users?per_page=2&page=2", &admin)
        .await
        .expect(200);
    assert_eq!(page["total"], 5);
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    app.get("/api/v1/users?per_page=501", &admin)
        .await
        .expect(422);
    app.get("/api/v1/users?page=0", &admin).await.expect(422);
}

#[tokio::test]
async fn a_phone_is_a_mainland_mobile_number_from_the_form_or_the_roster() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[domain::auth::Role::Hr]).await;
    let made = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"username": "zhang", "password": "Study-Law-123", "name": "张伟", "roles": ["cadre"], "phone": "+86 139-1234-5678"}),
        )
        .await
        .expect(201);
    assert_eq!(made["phone"], "13912345678");
    let id = made["id"].as_i64().unwrap();
    let bad = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &hr,
            json!({"phone": "010-12345678"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["errors"][0]["field"], "phone");
    let cleared = app
        .patch(&format!("/api/v1/users/{id}"), &hr, json!({"phone": null}))
        .await
        .expect(200);
    assert_eq!(cleared["phone"], serde_json::Value::Null);

    // The roster's 手机号 column; a bad number is that line's error and nothing is stored.
    let import = |csv: &'static str| {
        let (app, hr) = (&app, &hr);
        async move {
            app.call_raw(
                "POST",
                "/api/v1/users/import?default_password=Study-Law-123",
                Some(hr),
                "text/csv",
                csv.as_bytes().to_vec(),
            )
            .await
        }
    };
    let reply = import("姓名,工号,手机号\n李四,9001,13800001111\n王五,9002,1380000\n").await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        (
            reply.body["errors"][0]["line"].clone(),
            reply.body["errors"][0]["field"].clone()
        ),
        (json!(3), json!("phone"))
    );
    import("姓名,工号,手机号\n李四,9001,13800001111\n")
        .await
        .expect(200);
    let listed = app.get("/api/v1/users?q=9001", &hr).await.expect(200);
    assert_eq!(listed["items"][0]["phone"], "13800001111");
    // One's own profile shows one's own number (as with the employee number).
    let me = app
        .get("/api/v1/me", &app.token("9001", "Study-Law-123").await)
        .await
        .expect(200);
    assert_eq!(me["phone"], "13800001111");
}

/// HR resets a cadre's forgotten password: a one-time password shown once, the old
/// password and the old sessions end at once, the account signs in with the new one, the
/// audit log records the reset without the password; HR cannot reset an administrator's.
#[tokio::test]
async fn hr_resets_a_password_and_the_account_signs_in_with_the_one_time_password() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let (cadre_id, _) = app.login_as("zhang", &[Role::Cadre]).await;
    let old = app
        .login("zhang", crate::common::PASSWORD)
        .await
        .expect(200);
    let reset = app
        .post(
            &format!("/api/v1/users/{cadre_id}/reset-password"),
            &hr,
            json!({}),
        )
        .await
        .expect(200);
    let password = reset["password"].as_str().unwrap().to_owned();
    assert_eq!(reset["user"]["id"], cadre_id);
    assert_eq!(password.chars().count(), 12, "{password}");
    for class in [
        |c: char| c.is_ascii_lowercase(),
        |c: char| c.is_ascii_uppercase(),
        |c: char| c.is_ascii_digit(),
    ] {
        assert!(password.chars().any(class), "{password}");
    }
    assert!(!password.contains(['0', 'O', '1', 'l', 'I']), "{password}");
    // The old password and the old session are gone; the new password works.
    app.login("zhang", crate::common::PASSWORD)
        .await
        .expect(401);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": old["refresh_token"]})),
    )
    .await
    .expect(401);
    let signed_in = app.token("zhang", &password).await;
    app.get("/api/v1/me", &signed_in).await.expect(200);
    // A second reset gives another password.
    let again = app
        .post(
            &format!("/api/v1/users/{cadre_id}/reset-password"),
            &admin,
            json!({}),
        )
        .await
        .expect(200);
    assert_ne!(again["password"], reset["password"]);
    // The audit log says who reset whose password, and never the password.
    let log = app
        .get("/api/v1/audit-log?entity=user&per_page=100", &admin)
        .await
        .expect(200);
    let text = log.to_string();
    assert!(text.contains("password_reset"), "{text}");
    assert!(!text.contains(&password), "the password is not in the log");
    // HR cannot take over an administrator's account; a cadre resets nobody's.
    let admin_id = app.make_user("admin2", &[Role::Admin], None).await;
    app.post(
        &format!("/api/v1/users/{admin_id}/reset-password"),
        &hr,
        json!({}),
    )
    .await
    .expect(403);
    app.post("/api/v1/users/999999/reset-password", &hr, json!({}))
        .await
        .expect(404);
    let cadre = app
        .token("zhang", again["password"].as_str().unwrap())
        .await;
    app.post(
        &format!("/api/v1/users/{cadre_id}/reset-password"),
        &cadre,
        json!({}),
    )
    .await
    .expect(403);
}

/// Lists sort on the server by the keys each names (`-` for descending), with the id as a
/// tie-break so pages never overlap; an unknown key is a 422 naming the keys there are.
#[tokio::test]
async fn lists_sort_by_their_keys_and_refuse_others() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    // Letters only: PostgreSQL's collation and a byte order agree on them.
    for name in ["bwang", "ali", "czhao", "ali2"] {
        app.make_user(name, &[Role::Cadre], None).await;
    }
    let usernames = |body: serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    };
    let up = usernames(
        app.get("/api/v1/users?sort=username&per_page=100", &admin)
            .await
            .expect(200),
    );
    let mut expected = up.clone();
    expected.sort();
    assert_eq!(up, expected);
    let down = usernames(
        app.get("/api/v1/users?sort=-username&per_page=100", &admin)
            .await
            .expect(200),
    );
    expected.reverse();
    assert_eq!(down, expected);
    // Pages of a sorted list neither repeat nor skip anyone.
    let mut paged = Vec::new();
    for page in 1..=3 {
        paged.extend(usernames(
            app.get(
                &format!("/api/v1/users?sort=-username&per_page=2&page={page}"),
                &admin,
            )
            .await
            .expect(200),
        ));
    }
    assert_eq!(paged, down);
    let refused = app
        .get("/api/v1/users?sort=password_hash", &admin)
        .await
        .expect(422);
    assert_eq!(refused["errors"][0]["field"], "sort");
    assert_eq!(refused["errors"][0]["code"], "unknown_value");
    assert!(
        refused["errors"][0]["params"]["allowed"]
            .as_array()
            .unwrap()
            .contains(&json!("-name"))
    );
}
