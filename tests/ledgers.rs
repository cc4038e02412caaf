//! The judicial office's other ledgers (mediation, legal services, screenings, petitions,
//! inspections): known answers in the annual summary, money to the cent, levels from the
//! units' kinds, the +08:00 year boundary, the year before, validation, the CSV import,
//! soft delete, and who may do what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use domain::auth::Role;
use serde_json::{Value, json};

use crate::common::{StreetUnits, TestApp};

/// A street with a department, a community, a village and a school; the judicial
/// office's token; the clock in January 2027 so that all of 2026 has happened.
struct Office {
    judicial: String,
    street: i64,
    dept: i64,
    community: i64,
    village: i64,
    school: i64,
}

async fn office(app: &TestApp) -> Office {
    app.state.clock.set("2027-01-10T04:00:00Z".parse().unwrap());
    let admin = app.admin_token().await;
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    let StreetUnits {
        street,
        dept,
        community,
        village,
        school,
    } = app.make_street(&admin).await;
    Office {
        judicial,
        street,
        dept,
        community,
        village,
        school,
    }
}

async fn record(app: &TestApp, token: &str, path: &str, body: Value) -> i64 {
    app.post(&format!("/api/v1/{path}"), token, body)
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap()
}

/// One valid new record of each ledger.
fn ledger_bodies(unit: i64) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "m",
            "mediation-cases",
            case(unit, "2026-05-01", "family", "settled", json!(10.5)),
        ),
        (
            "l",
            "legal-services",
            json!({"kind": "consultation", "unit_id": unit, "held_on": "2026-05-01"}),
        ),
        (
            "s",
            "screenings",
            json!({"unit_id": unit, "held_on": "2026-05-01", "issues_found": 3, "issues_resolved": 1}),
        ),
        (
            "p",
            "petitions",
            json!({"unit_id": unit, "received_on": "2026-05-01", "cases": 1, "visitors": 4}),
        ),
        (
            "i",
            "inspections",
            json!({"unit_id": unit, "held_on": "2026-05-01", "field": "safety", "entities_checked": 5}),
        ),
    ]
}

fn case(unit: i64, on: &str, category: &str, result: &str, amount: Value) -> Value {
    json!({"committee_unit_id": unit, "received_on": on, "category": category, "result": result, "amount": amount})
}

/// Every record the known answers below come from.
async fn record_year(app: &TestApp, o: &Office) -> i64 {
    let t = &o.judicial;
    // Mediation 2026: street 0.10 + 0.20 (a department counts as street), community
    // 100.05, village 0, school (other) 5; one deleted; one on 1 January 2027 in Beijing.
    record(
        app,
        t,
        "mediation-cases",
        case(o.street, "2026-03-01", "family", "settled", json!(0.10)),
    )
    .await;
    record(
        app,
        t,
        "mediation-cases",
        case(o.dept, "2026-04-01", "family", "unsettled", json!(0.20)),
    )
    .await;
    record(
        app,
        t,
        "mediation-cases",
        case(
            o.community,
            "2026-05-01",
            "neighbour",
            "settled",
            json!(100.05),
        ),
    )
    .await;
    record(
        app,
        t,
        "mediation-cases",
        case(o.village, "2026-06-01", "land", "pending", json!(0)),
    )
    .await;
    record(
        app,
        t,
        "mediation-cases",
        case(
            o.school,
            "2026-12-31T23:30:00+08:00",
            "labour",
            "settled",
            json!(5),
        ),
    )
    .await;
    let deleted = record(
        app,
        t,
        "mediation-cases",
        case(
            o.street,
            "2026-07-01",
            "property",
            "settled",
            json!(7777.77),
        ),
    )
    .await;
    record(
        app,
        t,
        "mediation-cases",
        case(
            o.street,
            "2026-12-31T16:30:00Z",
            "contract",
            "settled",
            json!(3),
        ),
    )
    .await;
    // The year before.
    record(
        app,
        t,
        "mediation-cases",
        case(o.street, "2025-03-01", "family", "settled", json!(1.5)),
    )
    .await;
    record(
        app,
        t,
        "mediation-cases",
        case(o.community, "2025-12-31", "family", "settled", json!(2)),
    )
    .await;

    for (kind, unit, count, topic) in [
        ("lawyer_duty", o.street, 3, Value::Null),
        ("lawyer_duty", o.community, 5, Value::Null),
        ("consultation", o.street, 4, json!("inheritance")),
        ("consultation", o.village, 2, Value::Null),
        ("legal_aid", o.street, 1, Value::Null),
    ] {
        record(app, t, "legal-services", json!({"kind": kind, "unit_id": unit, "held_on": "2026-08-08", "count": count, "topic": topic})).await;
    }
    record(
        app,
        t,
        "legal-services",
        json!({"kind": "consultation", "unit_id": o.street, "held_on": "2025-08-08", "count": 5}),
    )
    .await;

    record(app, t, "screenings", json!({"unit_id": o.street, "held_on": "2026-02-02", "issues_found": 10, "issues_resolved": 8})).await;
    record(app, t, "screenings", json!({"unit_id": o.community, "held_on": "2026-09-02", "issues_found": 5, "issues_resolved": 5})).await;
    record(
        app,
        t,
        "petitions",
        json!({"unit_id": o.street, "received_on": "2026-03-03", "cases": 3, "visitors": 12}),
    )
    .await;
    record(
        app,
        t,
        "petitions",
        json!({"unit_id": o.street, "received_on": "2026-04-03", "cases": 2, "visitors": 0}),
    )
    .await;
    record(
        app,
        t,
        "petitions",
        json!({"unit_id": o.street, "received_on": "2025-04-03", "cases": 4, "visitors": 9}),
    )
    .await;
    record(app, t, "inspections", json!({"unit_id": o.street, "held_on": "2026-06-06", "field": "safety", "entities_checked": 100, "hazards_found": 20, "hazards_fixed": 15, "penalties": 2, "fines": 1000.50})).await;
    record(app, t, "inspections", json!({"unit_id": o.dept, "held_on": "2026-07-07", "field": "city", "entities_checked": 30, "hazards_found": 3, "hazards_fixed": 3, "penalties": 1, "fines": 0.25})).await;
    deleted
}

/// Every number of `v` that is not zero, as its JSON text (`0.30` stays `0.30`).
fn nonzero_figures(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Number(n) => {
            let text = n.to_string();
            if !text.trim_start_matches(['0', '.']).is_empty() {
                out.push(text);
            }
        }
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| *k != "year")
            .for_each(|(_, v)| nonzero_figures(v, out)),
        Value::Array(a) => a.iter().for_each(|v| nonzero_figures(v, out)),
        _ => {}
    }
}

fn keyed<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap()
}

#[tokio::test]
async fn the_annual_summary_counts_every_ledger_exactly() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let deleted = record_year(&app, &o).await;
    app.call(
        "DELETE",
        &format!("/api/v1/mediation-cases/{deleted}"),
        Some(&o.judicial),
        None,
    )
    .await
    .expect(204);
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let r = app
        .get("/api/v1/reports/annual/2026", &hr)
        .await
        .expect(200);

    let m = &r["mediation"];
    assert_eq!(m["cases"], 5, "{m}");
    assert_eq!(m["settled"], 3);
    assert_eq!(m["amount"].to_string(), "105.35");
    let by_level: Vec<(String, u64, String)> = m["by_level"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["key"].as_str().unwrap().into(),
                l["cases"].as_u64().unwrap(),
                l["amount"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        by_level,
        [
            ("street".into(), 2, "0.30".into()),
            ("community".into(), 1, "100.05".into()),
            ("village".into(), 1, "0.00".into()),
            ("other".into(), 1, "5.00".into()),
        ]
    );
    assert_eq!(keyed(&m["by_category"], "family")["cases"], 2);
    assert_eq!(
        keyed(&m["by_category"], "property")["cases"],
        0,
        "the deleted case"
    );
    assert_eq!(
        keyed(&m["by_category"], "contract")["cases"],
        0,
        "1 January 2027 in Beijing"
    );
    assert_eq!(m["by_category"].as_array().unwrap().len(), 7);

    let s = &r["legal_services"];
    assert_eq!(s["lawyer_duty"]["count"], 8);
    assert_eq!(keyed(&s["lawyer_duty"]["by_level"], "street")["count"], 3);
    assert_eq!(
        keyed(&s["lawyer_duty"]["by_level"], "community")["count"],
        5
    );
    assert_eq!(keyed(&s["lawyer_duty"]["by_level"], "village")["count"], 0);
    assert_eq!(s["consultation"]["count"], 6);
    assert_eq!(
        keyed(&s["consultation"]["by_topic"], "inheritance")["count"],
        4
    );
    assert_eq!(keyed(&s["consultation"]["by_topic"], "other")["count"], 2);
    assert_eq!(s["legal_aid"]["count"], 1);
    assert_eq!(
        r["screenings"],
        json!({"events": 2, "issues_found": 15, "issues_resolved": 13})
    );
    assert_eq!(r["petitions"], json!({"cases": 5, "visitors": 12}));
    let i = &r["inspections"];
    assert_eq!(
        (
            i["events"].clone(),
            i["entities_checked"].clone(),
            i["hazards_found"].clone(),
            i["hazards_fixed"].clone(),
            i["penalties"].clone()
        ),
        (json!(2), json!(130), json!(23), json!(18), json!(3))
    );
    assert_eq!(i["fines"].to_string(), "1000.75");
    assert_eq!(keyed(&i["by_field"], "city")["fines"].to_string(), "0.25");

    // The year before, and the next year holding the case of 1 January 2027 (Beijing).
    let p = &r["previous"];
    assert_eq!(p["year"], 2025);
    assert_eq!(p["mediation"]["cases"], 2);
    assert_eq!(p["mediation"]["amount"].to_string(), "3.50");
    assert_eq!(p["legal_services"]["consultation"]["count"], 5);
    assert_eq!(p["petitions"], json!({"cases": 4, "visitors": 9}));
    let next = app
        .get("/api/v1/reports/annual/2027", &hr)
        .await
        .expect(200);
    assert_eq!(next["mediation"]["cases"], 1);
    assert_eq!(
        keyed(&next["mediation"]["by_category"], "contract")["cases"],
        1
    );
    assert_eq!(next["previous"]["mediation"]["cases"], 5);

    // Money on the wire is the exact decimal text, never a float's.
    let raw = String::from_utf8(app.bytes("/api/v1/reports/annual/2026", &hr).await).unwrap();
    assert!(raw.contains(r#""amount":0.30"#), "{raw}");

    narrative_states_every_figure(&app, &hr, &r).await;
    files_hold_the_exact_amounts(&app, &hr).await;
}

async fn narrative_states_every_figure(app: &TestApp, token: &str, report: &Value) {
    let text = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=text", token)
            .await,
    )
    .unwrap();
    assert!(
        text.contains("全年共调解各类矛盾纠纷5起，比上年（2起）增长150%"),
        "{text}"
    );
    assert!(
        text.contains("街道调委会调解2件（涉及金额0.30元）"),
        "{text}"
    );
    assert!(
        text.contains("受理信访案件5件，比上年（4件）增长25%"),
        "{text}"
    );
    assert!(
        !text.contains("7777.77"),
        "a deleted case counts nowhere: {text}"
    );
    let mut figures = Vec::new();
    for section in [
        "mediation",
        "legal_services",
        "screenings",
        "petitions",
        "inspections",
    ] {
        nonzero_figures(&report[section], &mut figures);
    }
    assert!(figures.len() > 30, "{figures:?}");
    for n in figures {
        assert!(text.contains(&n), "the narrative misses {n}: {text}");
    }
}

async fn files_hold_the_exact_amounts(app: &TestApp, token: &str) {
    let csv = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=csv", token)
            .await,
    )
    .unwrap();
    assert!(csv.contains("街道调委会涉及金额（元）,0.30,1.50"), "{csv}");
    let bytes = app
        .bytes("/api/v1/reports/annual/2026/export?format=xlsx", token)
        .await;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    for sheet in [
        "人民调解",
        "公共法律服务",
        "矛盾纠纷排查",
        "信访",
        "行政执法检查",
    ] {
        assert!(
            book.sheet_names().contains(&sheet.to_owned()),
            "no sheet {sheet}"
        );
    }
    let mediation = book.worksheet_range("人民调解").unwrap();
    let row = mediation
        .rows()
        .find(|r| r[0] == Data::String("街道调委会涉及金额（元）".into()))
        .unwrap();
    assert_eq!(row[1], Data::String("0.30".into()));
    let inspections = book.worksheet_range("行政执法检查").unwrap();
    assert!(
        inspections
            .rows()
            .any(|r| r[1] == Data::String("1000.75".into()))
    );
}

#[tokio::test]
async fn bad_records_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let t = &o.judicial;
    let before = app.fingerprint().await;
    for (path, body, field) in [
        (
            "mediation-cases",
            case(o.street, "2027-01-11", "family", "settled", json!(1)),
            "received_on",
        ),
        (
            "mediation-cases",
            case(o.street, "2026-02-30", "family", "settled", json!(1)),
            "received_on",
        ),
        (
            "mediation-cases",
            case(o.street, "2026-02-01", "family", "settled", json!(-1)),
            "amount",
        ),
        (
            "mediation-cases",
            case(o.street, "2026-02-01", "family", "settled", json!(1.234)),
            "amount",
        ),
        (
            "mediation-cases",
            case(999_999, "2026-02-01", "family", "settled", json!(1)),
            "committee_unit_id",
        ),
        (
            "mediation-cases",
            json!({"committee_unit_id": o.street, "received_on": "2026-02-01", "closed_on": "2026-01-31", "category": "family", "result": "settled"}),
            "closed_on",
        ),
        (
            "mediation-cases",
            json!({"committee_unit_id": o.street, "received_on": "2026-02-01", "category": "gossip", "result": "settled"}),
            "category",
        ),
        (
            "legal-services",
            json!({"kind": "consultation", "unit_id": o.street, "held_on": "2026-02-01", "count": 0}),
            "count",
        ),
        (
            "screenings",
            json!({"unit_id": o.street, "held_on": "2026-02-01", "issues_found": 2, "issues_resolved": 3}),
            "issues_resolved",
        ),
        (
            "petitions",
            json!({"unit_id": o.street, "received_on": "2026-02-01", "cases": -1, "visitors": 0}),
            "cases",
        ),
        (
            "inspections",
            json!({"unit_id": o.street, "held_on": "2026-02-01", "field": "safety", "entities_checked": 5, "hazards_found": 1, "hazards_fixed": 2}),
            "hazards_fixed",
        ),
        (
            "inspections",
            json!({"unit_id": o.street, "held_on": "2026-02-01", "field": "safety", "entities_checked": 5, "fines": 0.001}),
            "fines",
        ),
        (
            "petitions",
            json!({"unit_id": o.street, "received_on": "2026-02-01", "cases": 1, "visitors": 0, "mood": "calm"}),
            "mood",
        ),
    ] {
        let reply = app.post(&format!("/api/v1/{path}"), t, body.clone()).await;
        assert_eq!(reply.status, 422, "{path} {body}: {}", reply.body);
        let fields: Vec<&str> = reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(
            fields.iter().any(|f| f.contains(field)),
            "{path} {body}: {}",
            reply.body
        );
    }
    // An exponent is not how a 台账 writes money.
    let raw = format!(
        r#"{{"committee_unit_id": {}, "received_on": "2026-02-01", "category": "family", "result": "settled", "amount": 1e3}}"#,
        o.street
    );
    let reply = app
        .call_raw(
            "POST",
            "/api/v1/mediation-cases",
            Some(t),
            "application/json",
            raw.into_bytes(),
        )
        .await;
    assert_eq!(
        (
            reply.status.as_u16(),
            reply.body["errors"][0]["field"].clone()
        ),
        (422, json!("amount"))
    );
    assert_eq!(app.fingerprint().await, before);

    // A change is checked like a new record, and a refused one changes nothing.
    let id = record(&app, t, "screenings", json!({"unit_id": o.street, "held_on": "2026-02-01", "issues_found": 2, "issues_resolved": 1})).await;
    let reply = app
        .patch(
            &format!("/api/v1/screenings/{id}"),
            t,
            json!({"issues_found": 0}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let stored = app
        .get(&format!("/api/v1/screenings/{id}"), t)
        .await
        .expect(200);
    assert_eq!(stored["issues_found"], 2);
    let changed = app
        .patch(
            &format!("/api/v1/screenings/{id}"),
            t,
            json!({"issues_found": 4, "unit_id": o.community}),
        )
        .await
        .expect(200);
    assert_eq!(
        (changed["issues_found"].clone(), changed["level"].clone()),
        (json!(4), json!("community"))
    );
}

#[tokio::test]
async fn an_import_is_all_or_nothing_and_reports_every_bad_line() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let t = &o.judicial;
    let import = |path: &'static str, bytes: Vec<u8>, content_type: &'static str| {
        let app = &app;
        async move {
            app.call_raw(
                "POST",
                &format!("/api/v1/{path}/import"),
                Some(t),
                content_type,
                bytes,
            )
            .await
        }
    };
    // Chinese headers in GBK, units by name, dates as Excel writes them, 元 in the amount.
    let good = "调委会,受理日期,结案日期,类别,结果,涉及金额,备注\n\
                新立街道,2026/3/1,2026/3/5,婚姻家庭,调解成功,0.10,\n\
                东丽湖社区,2026-04-01,,neighbour,pending,0.20元,邻里漏水\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(good);
    let reply = import("mediation-cases", gbk.into_owned(), "text/csv; charset=gbk").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["created"], 2);
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let listed = app
        .get("/api/v1/mediation-cases?year=2026&per_page=10", &hr)
        .await
        .expect(200);
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["items"][0]["notes"], "邻里漏水");
    assert_eq!(listed["items"][1]["amount"].to_string(), "0.10");

    // English headers with a BOM; two bad lines: nothing stored, both reported.
    let before = app.fingerprint().await;
    let bad = "\u{feff}unit_id,held_on,field,entities_checked,hazards_found,hazards_fixed,fines\n\
               新立街道,2026-05-05,safety,10,2,1,100\n\
               新立街道,2026-05-06,safety,10,1,2,100\n\
               无此单位,2026-05-07,city,10,0,0,1.005\n\
               东丽湖社区,2026-05-08,other,3,0,0,\n";
    let reply = import("inspections", bad.as_bytes().to_vec(), "text/csv").await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let errors: Vec<(u64, String)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "hazards_fixed".into()),
            (4, "unit_id".into()),
            (4, "fines".into())
        ],
        "{}",
        reply.body
    );
    assert_eq!(app.fingerprint().await, before);
    // A file without a required column is refused before any line.
    let reply = import(
        "petitions",
        "单位,日期,案件数\n新立街道,2026-01-01,1\n".into(),
        "text/csv",
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["errors"][0]["field"], "visitors");
}

#[tokio::test]
async fn cadres_are_refused_everywhere_and_hr_only_reads() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let (_, cadre) = app.login_as("cadre", &[Role::Cadre]).await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let id = record(
        &app,
        &o.judicial,
        "petitions",
        json!({"unit_id": o.street, "received_on": "2026-02-01", "cases": 1, "visitors": 2}),
    )
    .await;
    for path in [
        "mediation-cases",
        "legal-services",
        "screenings",
        "petitions",
        "inspections",
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/{path}"), &cadre).await.status,
            403
        );
        assert_eq!(app.get(&format!("/api/v1/{path}"), &hr).await.status, 200);
    }
    for (_, path, body) in ledger_bodies(o.street) {
        let reply = app
            .post(&format!("/api/v1/{path}"), &hr, body.clone())
            .await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        let reply = app.post(&format!("/api/v1/{path}"), &cadre, body).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        let reply = app
            .call_raw(
                "POST",
                &format!("/api/v1/{path}/import"),
                Some(&hr),
                "text/csv",
                b"unit_id\n1\n".to_vec(),
            )
            .await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
    }
    assert_eq!(
        app.get(&format!("/api/v1/petitions/{id}"), &hr)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/petitions/{id}"), &cadre)
            .await
            .status,
        403
    );
    assert_eq!(
        app.patch(&format!("/api/v1/petitions/{id}"), &hr, json!({"cases": 9}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.call(
            "DELETE",
            &format!("/api/v1/petitions/{id}"),
            Some(&hr),
            None
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.get("/api/v1/reports/annual/2026", &cadre).await.status,
        403
    );

    // A delete is audited and the record is gone from every read.
    app.call(
        "DELETE",
        &format!("/api/v1/petitions/{id}"),
        Some(&o.judicial),
        None,
    )
    .await
    .expect(204);
    assert_eq!(
        app.get(&format!("/api/v1/petitions/{id}"), &hr)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/petitions", &hr).await.expect(200)["total"],
        0
    );
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/audit-log?per_page=100", &admin)
        .await
        .expect(200);
    let actions: Vec<String> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "petition")
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        actions.contains(&"create".into()) && actions.contains(&"delete".into()),
        "{log}"
    );
}

#[tokio::test]
async fn lists_filter_by_year_and_unit_subtree_and_page() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let t = &o.judicial;
    for (unit, on) in [
        (o.street, "2026-01-01"),
        (o.community, "2026-02-01"),
        (o.village, "2026-03-01"),
        (o.community, "2025-03-01"),
    ] {
        record(
            &app,
            t,
            "screenings",
            json!({"unit_id": unit, "held_on": on, "issues_found": 1, "issues_resolved": 1}),
        )
        .await;
    }
    let page = app
        .get("/api/v1/screenings?year=2026&per_page=2", t)
        .await
        .expect(200);
    assert_eq!(
        (
            page["total"].clone(),
            page["items"].as_array().unwrap().len()
        ),
        (json!(3), 2)
    );
    assert_eq!(page["items"][0]["held_on"], "2026-03-01", "newest first");
    let community = app
        .get(&format!("/api/v1/screenings?unit_id={}", o.community), t)
        .await
        .expect(200);
    assert_eq!(community["total"], 2);
    let street = app
        .get(
            &format!("/api/v1/screenings?unit_id={}&year=2026", o.street),
            t,
        )
        .await
        .expect(200);
    assert_eq!(
        street["total"], 3,
        "a street's list holds its sub-units' records"
    );
    assert_eq!(app.get("/api/v1/screenings?year=1999", t).await.status, 422);
    assert_eq!(
        app.get("/api/v1/screenings?unit_id=999999", t).await.status,
        422
    );
}
