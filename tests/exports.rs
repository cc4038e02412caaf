//! Exports are operations of their own: each answers with its file type and an
//! `attachment` Content-Disposition whose `filename*` (RFC 5987) is the Chinese name, and
//! refuses an unknown format; the JSON operations answer JSON only.

use demo::{DEMO_PASSWORD, DemoOptions, load};

use crate::common::{TestApp, test_now};

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const TEXT: &str = "text/plain; charset=utf-8";

/// Decodes `filename*=UTF-8''…` of a Content-Disposition.
fn chinese_filename(disposition: &str) -> String {
    let encoded = disposition
        .split("filename*=UTF-8''")
        .nth(1)
        .expect("an RFC 5987 filename*");
    let bytes: Vec<u8> = {
        let mut out = Vec::new();
        let raw = encoded.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'%' {
                out.push(u8::from_str_radix(&encoded[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(raw[i]);
                i += 1;
            }
        }
        out
    };
    String::from_utf8(bytes).expect("UTF-8")
}

#[tokio::test]
async fn every_export_names_its_file_in_chinese_with_its_type() {
    let app = TestApp::new().await;
    let options = DemoOptions {
        cadres: 12,
        sessions_per_cadre: 4,
        activities: 10,
        questions_per_attempt: 5,
        ..Default::default()
    };
    let report = load(app.db(), &options, test_now(), app.state.config.tz)
        .await
        .expect("the demo loads");
    let hr = app.token("hr", DEMO_PASSWORD).await;
    let c = report.campaign_id;
    let y = report.year;
    // `hr` is 新立街道's: its annual summary is the street's, and its files say so.
    let scope = app.get("/api/v1/me", &hr).await.expect(200)["scope"].clone();
    let (unit, street) = (&scope["unit_id"], scope["name"].as_str().unwrap());
    let cases = [
        (
            format!("/api/v1/campaigns/{c}/targets/export?format=csv"),
            CSV,
            format!("四个100%统计-活动{c}.csv"),
            format!("targets-{c}.csv"),
        ),
        (
            format!("/api/v1/campaigns/{c}/targets/export?format=xlsx"),
            XLSX,
            format!("四个100%统计-活动{c}.xlsx"),
            format!("targets-{c}.xlsx"),
        ),
        (
            format!("/api/v1/campaigns/{c}/targets/missing/export?target=study&format=csv"),
            CSV,
            format!("学习未完成名单-活动{c}.csv"),
            format!("missing-{c}.csv"),
        ),
        (
            format!("/api/v1/campaigns/{c}/targets/missing/export?target=pass&format=xlsx"),
            XLSX,
            format!("未合格名单-活动{c}.xlsx"),
            format!("missing-{c}.xlsx"),
        ),
        (
            format!("/api/v1/campaigns/{c}/attempts/export?format=csv"),
            CSV,
            format!("考试记录-活动{c}.csv"),
            format!("attempts-{c}.csv"),
        ),
        (
            format!("/api/v1/campaigns/{c}/attempts/export?format=xlsx"),
            XLSX,
            format!("考试记录-活动{c}.xlsx"),
            format!("attempts-{c}.xlsx"),
        ),
        (
            format!("/api/v1/reports/annual/{y}/export?format=text"),
            TEXT,
            format!("{street}{y}年法治政府建设工作总结数据.txt"),
            format!("annual-{y}-unit-{unit}.txt"),
        ),
        (
            format!("/api/v1/reports/annual/{y}/export?format=csv"),
            CSV,
            format!("{street}{y}年法治政府建设工作总结数据.csv"),
            format!("annual-{y}-unit-{unit}.csv"),
        ),
        (
            format!("/api/v1/reports/annual/{y}/export?format=xlsx"),
            XLSX,
            format!("{street}{y}年法治政府建设工作总结数据.xlsx"),
            format!("annual-{y}-unit-{unit}.xlsx"),
        ),
    ];
    for (path, content_type, name, ascii) in cases {
        let reply = app.call("GET", &path, Some(&hr), None).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.headers["content-type"], content_type, "{path}");
        let disposition = reply.headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with(&format!("attachment; filename=\"{ascii}\"; ")),
            "{path}: {disposition}"
        );
        assert_eq!(chinese_filename(disposition), name, "{path}");
        let body = app.bytes(&path, &hr).await;
        match content_type {
            CSV => assert!(body.starts_with("\u{feff}".as_bytes()), "{path}: a BOM"),
            XLSX => assert!(body.starts_with(b"PK"), "{path}: a zip (XLSX)"),
            _ => assert!(String::from_utf8(body).unwrap().contains("年")),
        }
    }
    // An export needs a format it knows; the JSON operations answer JSON only.
    app.call(
        "GET",
        &format!("/api/v1/campaigns/{c}/targets/export"),
        Some(&hr),
        None,
    )
    .await
    .expect(422);
    app.call(
        "GET",
        &format!("/api/v1/campaigns/{c}/targets/export?format=pdf"),
        Some(&hr),
        None,
    )
    .await
    .expect(422);
    for path in [
        format!("/api/v1/campaigns/{c}/targets?format=xlsx"),
        format!("/api/v1/reports/annual/{y}?format=text"),
    ] {
        let reply = app.call("GET", &path, Some(&hr), None).await;
        assert_eq!(reply.status, 200);
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
    }
}
