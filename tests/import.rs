//! Roster import: encodings, headers, all-or-nothing, re-import.

use domain::auth::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use crate::common::TestApp;

async fn import(app: &TestApp, token: &str, bytes: Vec<u8>) -> crate::common::Reply {
    app.call_raw(
        "POST",
        "/api/v1/users/import?default_password=initial-pass-1",
        Some(token),
        "text/csv",
        bytes,
    )
    .await
}

async fn user_count(app: &TestApp) -> u64 {
    entity::user::Entity::find().count(app.db()).await.unwrap()
}

async fn by_username(app: &TestApp, username: &str) -> entity::user::Model {
    entity::user::Entity::find()
        .filter(entity::user::Column::Username.eq(username))
        .one(app.db())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{username} was not imported"))
}

#[tokio::test]
async fn utf8_with_bom_and_chinese_headers_then_reimport() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let street = app.make_unit(&hr, "新立街道", "street", None).await;
    let community = app
        .make_unit(&hr, "东丽湖社区", "community", Some(street))
        .await;

    let file = "\u{feff}姓名,工号,单位,角色,领导干部\n张伟,1001,新立街道,干部,是\n王芳,1002,东丽湖社区,\"干部,人事\",否\n李强,1003,东丽湖社区,,\n";
    let first = import(&app, &hr, file.as_bytes().to_vec())
        .await
        .expect(200);
    assert_eq!(first, serde_json::json!({"created": 3, "updated": 0}));
    let zhang = by_username(&app, "1001").await;
    assert_eq!(zhang.name, "张伟");
    assert_eq!(zhang.unit_id, Some(street));
    assert!(zhang.is_leader);
    let wang = by_username(&app, "1002").await;
    assert_eq!(wang.roles, "hr,cadre");
    assert_eq!(wang.unit_id, Some(community));
    assert_eq!(by_username(&app, "1003").await.roles, "cadre");
    // New accounts can log in with the default password.
    app.login("1001", "initial-pass-1").await.expect(200);

    // The same file again changes nothing and duplicates nothing.
    let again = import(&app, &hr, file.as_bytes().to_vec())
        .await
        .expect(200);
    assert_eq!(again, serde_json::json!({"created": 0, "updated": 0}));
    assert_eq!(user_count(&app).await, 5);

    // A corrected file updates in place (matched by employee number).
    let moved = "姓名,工号,单位\n张伟,1001,东丽湖社区\n";
    let third = import(&app, &hr, moved.as_bytes().to_vec())
        .await
        .expect(200);
    assert_eq!(third, serde_json::json!({"created": 0, "updated": 1}));
    assert_eq!(by_username(&app, "1001").await.unit_id, Some(community));
    assert_eq!(user_count(&app).await, 5);
}

#[tokio::test]
async fn gbk_file_from_excel() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    app.make_unit(&admin, "司法所", "department", None).await;
    let text = "用户名,姓名,单位,角色,密码\r\nsfs01,赵敏,司法所,司法,sifa-pass-1\r\n";
    let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the sample really is GBK"
    );
    import(&app, &admin, gbk.into_owned()).await.expect(200);
    let zhao = by_username(&app, "sfs01").await;
    assert_eq!(zhao.name, "赵敏");
    assert_eq!(zhao.roles, "judicial");
    app.login("sfs01", "sifa-pass-1").await.expect(200);
}

#[tokio::test]
async fn one_bad_line_stores_nothing_and_every_error_is_listed() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    app.make_unit(&admin, "街道", "street", None).await;
    let before = user_count(&app).await;
    let file = "name,employee_no,unit,roles,is_leader\n\
                Good One,2001,街道,cadre,no\n\
                ,2002,街道,cadre,no\n\
                Bad Unit,2003,不存在的单位,cadre,no\n\
                Bad Role,2004,街道,emperor,maybe\n\
                Dup,2001,街道,cadre,no\n";
    let reply = import(&app, &admin, file.as_bytes().to_vec()).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let errors = reply.body["errors"].as_array().unwrap();
    let at = |line: u64| -> Vec<String> {
        errors
            .iter()
            .filter(|e| e["line"] == line)
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(at(2).is_empty(), "line 2 is fine: {errors:?}");
    assert_eq!(at(3), vec!["name"]);
    assert_eq!(at(4), vec!["unit"]);
    assert_eq!(at(5), vec!["roles", "is_leader"]);
    assert_eq!(at(6), vec!["username"], "a duplicate line is named");
    assert_eq!(user_count(&app).await, before, "nothing stored");
}

#[tokio::test]
async fn import_refuses_what_the_importer_may_not_do() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let before = user_count(&app).await;
    let reply = import(
        &app,
        &hr,
        "姓名,用户名,角色\n老板,boss,管理员\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["errors"][0]["field"], "roles");
    // HR cannot rewrite the admin account by naming it in a file.
    let reply = import(
        &app,
        &hr,
        "姓名,用户名,角色\n改名,admin,干部\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(user_count(&app).await, before);

    // New accounts need a password from somewhere.
    let no_pw = app
        .call_raw(
            "POST",
            "/api/v1/users/import",
            Some(&hr),
            "text/csv",
            "姓名,工号\n某人,3001\n".as_bytes().to_vec(),
        )
        .await;
    assert_eq!(no_pw.status, 422);
    assert_eq!(no_pw.body["errors"][0]["field"], "password");

    // Files that are not text, or have no usable header.
    let binary = app
        .call_raw(
            "POST",
            "/api/v1/users/import",
            Some(&hr),
            "text/csv",
            vec![0xff, 0xfe, 0x00, 0x81, 0x30],
        )
        .await;
    assert!(
        matches!(binary.status.as_u16(), 400 | 422),
        "{}",
        binary.body
    );
    let headless = import(&app, &hr, "foo,bar\n1,2\n".as_bytes().to_vec()).await;
    assert_eq!(headless.status, 422);
    let empty = import(&app, &hr, "姓名,工号\n".as_bytes().to_vec()).await;
    assert_eq!(empty.status, 422);
    assert_eq!(user_count(&app).await, before);
    let json_body = app.post("/api/v1/users/import", &hr, Value::Null).await;
    assert!(
        matches!(json_body.status.as_u16(), 400 | 415),
        "{}",
        json_body.status
    );
}

#[tokio::test]
async fn the_charset_a_client_names_is_honoured_and_an_unknown_type_is_415() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let csv = "姓名,工号,密码\n张伟,1001,Study-Law-123\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let post = |content_type: &'static str, body: Vec<u8>| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.call_raw(
                "POST",
                "/api/v1/users/import",
                Some(&admin),
                content_type,
                body,
            )
            .await
        }
    };
    // As browsers and HTTP clients send it: with parameters.
    post("text/csv; charset=gbk", gbk.to_vec())
        .await
        .expect(200);
    assert_eq!(by_username(&app, "1001").await.name, "张伟");
    post("text/csv; charset=UTF-8", csv.as_bytes().to_vec())
        .await
        .expect(200);
    // Declared UTF-8 but GBK bytes: refused, not guessed; nothing changes.
    let wrong = post("text/csv; charset=utf-8", gbk.to_vec()).await;
    assert_eq!(wrong.status, 400);
    let unknown = post("text/csv; charset=klingon", csv.as_bytes().to_vec()).await;
    assert_eq!(unknown.status, 415);
    assert_eq!(unknown.body["code"], "unsupported_media_type");
    let xml = post("application/xml", b"<roster/>".to_vec()).await;
    assert_eq!(xml.status, 415);
    assert_eq!(xml.body["code"], "unsupported_media_type");
    assert_eq!(user_count(&app).await, 2, "admin and 张伟");
    // JSON with a charset parameter is JSON.
    app.call_raw(
        "POST",
        "/api/v1/units",
        Some(&admin),
        "application/json; charset=utf-8",
        r#"{"name": "新立街道", "kind": "street"}"#.as_bytes().to_vec(),
    )
    .await
    .expect(201);
}
