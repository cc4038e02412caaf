//! The rest of the 法治政府建设 report from records: the 任务分解表 and its 自查 notes,
//! legality reviews of major decisions, legal advisers, 述职述法 and the 普法责任清单.
//! Known answers for a hand-made year (and the year before) in the annual summary, its
//! narrative, CSV and XLSX, the archive and its diff; every rule's refusal; the import;
//! who may write what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use domain::auth::Role;
use serde_json::{Value, json};

use crate::common::{StreetUnits, TestApp};

/// A street, the judicial office's, HR's and the administrator's tokens, and three
/// leading cadres (street, community, department) and one cadre who does not lead; the
/// clock on 10 January 2027, so that all of 2026 has happened.
struct Office {
    judicial: String,
    hr: String,
    units: StreetUnits,
    leaders: [i64; 3],
    not_leader: i64,
}

async fn office(app: &TestApp) -> Office {
    app.state.clock.set("2027-01-10T04:00:00Z".parse().unwrap());
    let admin = app.admin_token().await;
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let units = app.make_street(&admin).await;
    let mut leaders = [0; 3];
    for (i, (name, unit)) in [
        ("l1", units.street),
        ("l2", units.community),
        ("l3", units.dept),
    ]
    .into_iter()
    .enumerate()
    {
        leaders[i] = app.make_user(name, &[Role::Cadre], Some(unit)).await;
        app.patch(
            &format!("/api/v1/users/{}", leaders[i]),
            &admin,
            json!({"is_leader": true}),
        )
        .await
        .expect(200);
    }
    let not_leader = app
        .make_user("c1", &[Role::Cadre], Some(units.community))
        .await;
    Office {
        judicial,
        hr,
        units,
        leaders,
        not_leader,
    }
}

async fn record(app: &TestApp, token: &str, path: &str, body: Value) -> i64 {
    let reply = app.post(&format!("/api/v1/{path}"), token, body).await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.body);
    reply.body["id"].as_i64().unwrap()
}

/// The hand-made 2026 and 2025. The counts each section must show are written beside.
async fn the_year(app: &TestApp, o: &Office) -> i64 {
    let (j, u) = (&o.judicial, &o.units);
    let task = |year, title, unit, due, status: &str, done: Option<&str>| json!({"year": year, "title": title, "category": "leadership", "unit_id": unit, "lead": "张主任", "due_on": due, "status": status, "done_on": done});
    // 2026: 4 tasks, 2 done, 1 overdue (due 2026-12-31, in progress); one deleted.
    record(
        app,
        j,
        "law-tasks",
        task(
            2026,
            "制定年度工作要点",
            u.street,
            "2026-03-31",
            "done",
            Some("2026-03-20"),
        ),
    )
    .await;
    let overdue = record(
        app,
        j,
        "law-tasks",
        task(
            2026,
            "规范性文件清理",
            u.dept,
            "2026-12-31",
            "in_progress",
            None,
        ),
    )
    .await;
    record(
        app,
        j,
        "law-tasks",
        task(2026, "法治督察", u.street, "2027-02-28", "planned", None),
    )
    .await;
    record(
        app,
        j,
        "law-tasks",
        task(
            2026,
            "述法评议",
            u.community,
            "2026-06-30",
            "done",
            Some("2026-07-05"),
        ),
    )
    .await;
    let gone = record(
        app,
        j,
        "law-tasks",
        task(2026, "重复录入", u.street, "2026-05-01", "planned", None),
    )
    .await;
    app.delete(&format!("/api/v1/law-tasks/{gone}"), j)
        .await
        .expect(204);
    // 2025: 2 tasks, both done.
    record(
        app,
        j,
        "law-tasks",
        task(
            2025,
            "上年任务一",
            u.street,
            "2025-06-30",
            "done",
            Some("2025-06-01"),
        ),
    )
    .await;
    record(
        app,
        j,
        "law-tasks",
        task(
            2025,
            "上年任务二",
            u.dept,
            "2025-09-30",
            "done",
            Some("2025-09-01"),
        ),
    )
    .await;

    let decision = |title, submitted, result: Option<&str>, decided: Option<&str>, adopted| json!({"title": title, "unit_id": u.street, "category": "major_matter", "submitted_on": submitted, "reviewer": result.map(|_| "legal_adviser"), "result": result, "decided_on": decided, "adopted": adopted});
    // 2026: 5 decisions; 3 reviewed (one of each result), 3 adopted, 1 decided without a
    // review, 1 pending.
    record(
        app,
        j,
        "decision-reviews",
        decision(
            "征收补偿方案",
            "2026-02-01",
            Some("lawful"),
            Some("2026-02-10"),
            true,
        ),
    )
    .await;
    record(
        app,
        j,
        "decision-reviews",
        decision(
            "停车管理办法",
            "2026-03-01",
            Some("lawful_after_changes"),
            Some("2026-03-20"),
            true,
        ),
    )
    .await;
    record(
        app,
        j,
        "decision-reviews",
        decision(
            "收费调整",
            "2026-04-01",
            Some("unlawful"),
            Some("2026-04-15"),
            false,
        ),
    )
    .await;
    record(
        app,
        j,
        "decision-reviews",
        decision("临时采购", "2026-05-01", None, Some("2026-05-02"), true),
    )
    .await;
    record(
        app,
        j,
        "decision-reviews",
        decision("年底项目", "2026-12-20", None, None, false),
    )
    .await;
    // 2025: 1, reviewed and adopted.
    record(
        app,
        j,
        "decision-reviews",
        decision(
            "上年决策",
            "2025-05-01",
            Some("lawful"),
            Some("2025-05-10"),
            true,
        ),
    )
    .await;

    let adviser = |name, kind, since, until: Option<&str>| json!({"name": name, "kind": kind, "unit_id": u.street, "since": since, "until": until});
    // 2026: 1 legal adviser, 1 public lawyer; 2025: 2 legal advisers.
    record(
        app,
        j,
        "legal-advisers",
        adviser("王律师", "legal_adviser", "2024-01-01", None),
    )
    .await;
    record(
        app,
        j,
        "legal-advisers",
        adviser("李律师", "public_lawyer", "2026-03-01", None),
    )
    .await;
    record(
        app,
        j,
        "legal-advisers",
        adviser("赵律师", "legal_adviser", "2023-01-01", Some("2025-12-31")),
    )
    .await;

    // 述法 (HR records them): 2026: l1 on site, l2 written, l3 missing; 2025: l1 written.
    let report = |user, year, form, held| json!({"user_id": user, "year": year, "form": form, "held_on": held, "rating": "good"});
    record(
        app,
        &o.hr,
        "law-reports",
        report(o.leaders[0], 2026, "on_site", "2027-01-05"),
    )
    .await;
    record(
        app,
        &o.hr,
        "law-reports",
        report(o.leaders[1], 2026, "written", "2026-12-28"),
    )
    .await;
    record(
        app,
        &o.hr,
        "law-reports",
        report(o.leaders[0], 2025, "written", "2026-01-08"),
    )
    .await;

    let duty = |unit, year, law, cases, status| json!({"unit_id": unit, "year": year, "law": law, "audience": "辖区群众", "actions": "进社区宣讲", "cases_explained": cases, "status": status});
    // 2026: 2 units, 3 duties, 2 done, 5 cases explained; 2025: 1 unit, 1 duty, 1 case.
    record(
        app,
        j,
        "pufa-duties",
        duty(u.dept, 2026, "安全生产法", 3, "done"),
    )
    .await;
    record(
        app,
        j,
        "pufa-duties",
        duty(u.dept, 2026, "消防法", 0, "planned"),
    )
    .await;
    record(
        app,
        j,
        "pufa-duties",
        duty(u.community, 2026, "民法典", 2, "done"),
    )
    .await;
    record(
        app,
        j,
        "pufa-duties",
        duty(u.dept, 2025, "安全生产法", 1, "done"),
    )
    .await;
    overdue
}

#[tokio::test]
async fn every_figure_of_the_five_sections_equals_a_hand_count() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let overdue = the_year(&app, &o).await;
    let r = app
        .get("/api/v1/reports/annual/2026", &o.hr)
        .await
        .expect(200);
    assert_eq!(r["tasks"], json!({"total": 4, "done": 2, "overdue": 1}));
    assert_eq!(
        r["decisions"],
        json!({"total": 5, "reviewed": 3, "adopted": 3, "decided_unreviewed": 1, "pending": 1,
               "by_result": [{"key": "lawful", "count": 1}, {"key": "lawful_after_changes", "count": 1}, {"key": "unlawful", "count": 1}]})
    );
    assert_eq!(
        r["advisers"],
        json!({"legal_advisers": 1, "public_lawyers": 1})
    );
    assert_eq!(
        r["law_reports"],
        json!({"leaders": 3, "reported": 2, "on_site": 1, "missing": 1})
    );
    assert_eq!(
        r["duties"],
        json!({"units": 2, "items": 3, "done": 2, "cases_explained": 5})
    );
    let p = &r["previous"];
    assert_eq!(p["year"], 2025);
    assert_eq!(p["tasks"], json!({"total": 2, "done": 2, "overdue": 0}));
    assert_eq!(p["decisions"]["total"], 1);
    assert_eq!(p["decisions"]["reviewed"], 1);
    assert_eq!(
        p["advisers"],
        json!({"legal_advisers": 2, "public_lawyers": 0})
    );
    assert_eq!(p["law_reports"]["reported"], 1);
    assert_eq!(p["law_reports"]["missing"], 2);
    assert_eq!(
        p["duties"],
        json!({"units": 1, "items": 1, "done": 1, "cases_explained": 1})
    );

    // The narrative states them, and says honestly what fell short.
    let text = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=text", &o.hr)
            .await,
    )
    .unwrap();
    for said in [
        "全年制定法治政府建设任务4项，比上年（2项）增长100%，已完成2项，1项已过完成时限尚未完成，1项正在推进",
        "2名领导干部将履行推进法治建设第一责任人职责情况纳入述职述法，比上年（1名）增长100%，其中现场述法1名，尚有1名领导干部未述法",
        "重大行政决策5项，比上年（1项）增长400%，经合法性审查3项，1项未经合法性审查即作出决策，1项正在审查",
        "其中审查认定合法1项、审查认定修改后合法1项、审查认定不合法1项，不合法的决策均未进入决策程序；经决策通过3项",
        "聘请法律顾问1名、配备公职律师1名",
        "2个单位制定普法责任清单3项，比上年（1项）增长200%，已落实2项，开展以案释法5件，比上年（1件）增长400%",
    ] {
        assert!(text.contains(said), "the narrative misses {said}: {text}");
    }
    assert!(!text.contains("全部经合法性审查"), "{text}");

    // The workbook: a sheet each, this year beside the year before.
    let xlsx = app
        .bytes("/api/v1/reports/annual/2026/export?format=xlsx", &o.hr)
        .await;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let row_of = |book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, label: &str| -> (f64, f64) {
        let range = book.worksheet_range(sheet).unwrap();
        let row = range
            .rows()
            .find(|r| r[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("{sheet} has no {label}"));
        let n = |c: &Data| match c {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("{other:?}"),
        };
        (n(&row[1]), n(&row[2]))
    };
    assert_eq!(
        row_of(&mut book, "法治建设任务", "逾期未完成（项）"),
        (1.0, 0.0)
    );
    assert_eq!(
        row_of(&mut book, "重大行政决策", "未经审查即决策（项）"),
        (1.0, 0.0)
    );
    assert_eq!(row_of(&mut book, "法律顾问", "法律顾问（名）"), (1.0, 2.0));
    assert_eq!(row_of(&mut book, "述职述法", "未述法（名）"), (1.0, 2.0));
    assert_eq!(
        row_of(&mut book, "普法责任清单", "以案释法（件）"),
        (5.0, 1.0)
    );
    let csv = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=csv", &o.hr)
            .await,
    )
    .unwrap();
    assert!(csv.contains("经合法性审查（项）,3,1"), "{csv}");

    // The archive freezes them; completing the overdue task moves the live report, and
    // the diff names what changed.
    let archive = app
        .post(
            "/api/v1/reports/annual/2026/archive",
            &o.judicial,
            json!({}),
        )
        .await
        .expect(201);
    let id = archive["id"].as_i64().unwrap();
    let frozen: Value = serde_json::from_slice(
        &app.bytes(&format!("/api/v1/reports/archives/{id}"), &o.hr)
            .await,
    )
    .unwrap();
    assert_eq!(frozen["summary"]["tasks"]["overdue"], 1);
    assert_eq!(
        frozen["summary"]["previous"]["advisers"]["legal_advisers"],
        2
    );
    app.patch(
        &format!("/api/v1/law-tasks/{overdue}"),
        &o.judicial,
        json!({"status": "done", "done_on": "2027-01-08"}),
    )
    .await
    .expect(200);
    let diff = app
        .get(&format!("/api/v1/reports/archives/{id}/diff"), &o.hr)
        .await
        .expect(200);
    let paths: Vec<&str> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["summary.tasks.done", "summary.tasks.overdue"],
        "{diff}"
    );
    let r = app
        .get("/api/v1/reports/annual/2026", &o.hr)
        .await
        .expect(200);
    assert_eq!(r["tasks"], json!({"total": 4, "done": 3, "overdue": 0}));
}

#[tokio::test]
async fn the_whole_review_claim_is_made_only_when_every_decision_was_reviewed() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    for (title, result) in [("甲", "lawful"), ("乙", "unlawful")] {
        record(&app, &o.judicial, "decision-reviews", json!({"title": title, "unit_id": o.units.street, "category": "large_fund", "submitted_on": "2026-03-01", "reviewer": "public_lawyer", "result": result})).await;
    }
    record(&app, &o.judicial, "law-tasks", json!({"year": 2026, "title": "任务", "category": "other", "unit_id": o.units.street, "due_on": "2026-05-01", "status": "done", "done_on": "2026-04-01"})).await;
    let text = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=text", &o.hr)
            .await,
    )
    .unwrap();
    assert!(text.contains("重大行政决策2项，全部经合法性审查，其中审查认定合法1项、审查认定不合法1项，不合法的决策均未进入决策程序"), "{text}");
    assert!(
        text.contains("全年制定法治政府建设任务1项，已完成1项，全部完成"),
        "{text}"
    );
    // No leader reported: the paragraph says so rather than staying silent.
    assert!(
        text.contains(
            "0名领导干部将履行推进法治建设第一责任人职责情况纳入述职述法，尚有3名领导干部未述法"
        ),
        "{text}"
    );
}

/// A 422 naming `field` with `code`.
fn refused(reply: &crate::common::Reply, field: &str, code: &str) {
    assert_eq!(reply.status, 422, "{}", reply.body);
    let errors = reply.body["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field && e["code"] == code),
        "{field} {code}: {}",
        reply.body
    );
}

#[tokio::test]
async fn each_rule_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let (j, u) = (&o.judicial, &o.units);
    let before = app.fingerprint().await;
    let post = |path: &'static str, body: Value| {
        let app = &app;
        async move { app.post(&format!("/api/v1/{path}"), j, body).await }
    };
    let task = json!({"year": 2026, "title": "任务", "category": "leadership", "unit_id": u.street, "due_on": "2026-05-01"});
    let with = |base: &Value, extra: Value| {
        let mut b = base.clone();
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let reply = post("law-tasks", with(&task, json!({"category": "parade"}))).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    refused(
        &post("law-tasks", with(&task, json!({"status": "done"}))).await,
        "done_on",
        "required",
    );
    refused(
        &post("law-tasks", with(&task, json!({"done_on": "2026-04-01"}))).await,
        "done_on",
        "only_for_kind",
    );
    refused(
        &post(
            "law-tasks",
            with(&task, json!({"status": "done", "done_on": "2027-02-01"})),
        )
        .await,
        "done_on",
        "in_future",
    );
    refused(
        &post("law-tasks", with(&task, json!({"year": 2029}))).await,
        "year",
        "out_of_range",
    );
    refused(
        &post("law-tasks", with(&task, json!({"due_on": "2026-02-30"}))).await,
        "due_on",
        "not_a_date",
    );

    let decision = json!({"title": "决策", "unit_id": u.street, "category": "major_matter", "submitted_on": "2026-03-01", "reviewer": "legal_adviser", "result": "unlawful", "decided_on": "2026-03-05"});
    refused(
        &post(
            "decision-reviews",
            with(&decision, json!({"adopted": true})),
        )
        .await,
        "adopted",
        "unlawful_adopted",
    );
    refused(
        &post(
            "decision-reviews",
            with(&decision, json!({"decided_on": "2026-02-28"})),
        )
        .await,
        "decided_on",
        "before_field",
    );
    refused(
        &post(
            "decision-reviews",
            with(&decision, json!({"reviewer": null})),
        )
        .await,
        "reviewer",
        "required",
    );
    refused(&post("decision-reviews", json!({"title": "决策", "unit_id": u.street, "category": "other", "submitted_on": "2026-03-01", "adopted": true})).await, "decided_on", "required");
    refused(
        &post(
            "decision-reviews",
            with(
                &decision,
                json!({"submitted_on": "2027-03-01", "decided_on": null}),
            ),
        )
        .await,
        "submitted_on",
        "in_future",
    );

    let adviser = json!({"name": "王律师", "kind": "legal_adviser", "unit_id": u.street, "since": "2026-03-01"});
    refused(
        &post(
            "legal-advisers",
            with(&adviser, json!({"until": "2026-02-01"})),
        )
        .await,
        "until",
        "before_field",
    );
    refused(
        &post("legal-advisers", with(&adviser, json!({"name": " "}))).await,
        "name",
        "required",
    );
    refused(
        &post(
            "pufa-duties",
            json!({"unit_id": u.dept, "year": 2026, "law": "法", "cases_explained": -1}),
        )
        .await,
        "cases_explained",
        "out_of_range",
    );
    refused(
        &post(
            "pufa-duties",
            json!({"unit_id": 999999, "year": 2026, "law": "法"}),
        )
        .await,
        "unit_id",
        "not_found",
    );

    let report =
        json!({"user_id": o.not_leader, "year": 2026, "form": "written", "held_on": "2026-12-01"});
    let reply = post("law-reports", report.clone()).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.body["code"], "not_a_leader");
    refused(
        &post(
            "law-reports",
            with(
                &report,
                json!({"user_id": o.leaders[0], "held_on": "2025-12-01"}),
            ),
        )
        .await,
        "held_on",
        "too_early",
    );
    refused(
        &post("law-reports", with(&report, json!({"user_id": 999999}))).await,
        "user_id",
        "not_found",
    );
    assert_eq!(app.fingerprint().await, before, "nothing stored");

    // One a leader a year: the second is 409, also after a change of year onto it.
    let first = record(
        &app,
        j,
        "law-reports",
        with(&report, json!({"user_id": o.leaders[0]})),
    )
    .await;
    let reply = post(
        "law-reports",
        with(&report, json!({"user_id": o.leaders[0], "form": "on_site"})),
    )
    .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.body["code"], "already_reported");
    let other = record(
        &app,
        j,
        "law-reports",
        with(
            &report,
            json!({"user_id": o.leaders[0], "year": 2025, "held_on": "2026-01-10"}),
        ),
    )
    .await;
    let reply = app
        .patch(
            &format!("/api/v1/law-reports/{other}"),
            j,
            json!({"year": 2026}),
        )
        .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    // A change of its own fields is no clash with itself; once deleted, a new one is fine.
    app.patch(
        &format!("/api/v1/law-reports/{first}"),
        j,
        json!({"rating": "excellent"}),
    )
    .await
    .expect(200);
    app.delete(&format!("/api/v1/law-reports/{first}"), j)
        .await
        .expect(204);
    record(
        &app,
        j,
        "law-reports",
        with(&report, json!({"user_id": o.leaders[0]})),
    )
    .await;
}

#[tokio::test]
async fn an_import_names_every_bad_line_and_stores_nothing() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let import = |path: &'static str, csv: String, token: &str| {
        let app = &app;
        let token = token.to_owned();
        async move {
            app.call_raw(
                "POST",
                &format!("/api/v1/{path}/import"),
                Some(&token),
                "text/csv; charset=gbk",
                encoding_rs::GBK.encode(&csv).0.into_owned(),
            )
            .await
        }
    };
    let before = app.fingerprint().await;
    let bad = "年度,任务,类别,责任单位,完成时限,进度,完成日期\n\
               2026,制定计划,组织领导,新立街道,2026-03-31,已完成,2026/3/20\n\
               2026,清理文件,依法决策,新立街道,2026-06-30,已完成,\n\
               2026,督察,阅兵,无此单位,2026-06-30,未开始,\n";
    let reply = import("law-tasks", bad.into(), &o.judicial).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let named: Vec<(u64, &str)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [(3, "done_on"), (4, "category"), (4, "unit_id")],
        "{}",
        reply.body
    );
    // 述法 lines are checked against the stored accounts and each other.
    let reports = "账号,年度,形式,述法日期\n\
                   l1,2026,现场述法,2026-12-01\n\
                   c1,2026,书面述法,2026-12-01\n\
                   l1,2026,书面述法,2026-12-02\n\
                   nobody,2026,书面述法,2026-12-02\n"
        .to_owned();
    let reply = import("law-reports", reports, &o.hr).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let named: Vec<(u64, &str, &str)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap(),
                e["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (3, "user_id", "not_a_leader"),
            (4, "year", "not_unique"),
            (5, "user_id", "not_found")
        ],
        "{}",
        reply.body
    );
    assert_eq!(app.fingerprint().await, before, "nothing stored");

    let good = "年度,任务,类别,责任单位,牵头领导,完成时限,进度,完成日期\n\
                2026,制定计划,组织领导,新立街道,张主任,2026-03-31,已完成,2026/3/20\n\
                2026,清理文件,依法决策,综治办,,2026-06-30,推进中,\n";
    let reply = import("law-tasks", good.into(), &o.judicial).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["created"], 2);
    let duties =
        "责任单位,年度,法律法规,普法对象,以案释法,落实情况\n综治办,2026,安全生产法,企业,4,已落实\n";
    assert_eq!(
        import("pufa-duties", duties.into(), &o.judicial)
            .await
            .status,
        200
    );
    let advisers =
        "姓名,类别,单位,聘任日期,到期日期\n王律师,法律顾问,新立街道,2026-01-01,2027-12-31\n";
    assert_eq!(
        import("legal-advisers", advisers.into(), &o.judicial)
            .await
            .status,
        200
    );
    let decisions = "决策事项,决策单位,类别,提交审查日期,审查人,审查结论,决策日期,是否通过\n\
                     改造,新立街道,重大项目,2026-04-01,法律顾问,合法,2026-04-10,是\n";
    assert_eq!(
        import("decision-reviews", decisions.into(), &o.judicial)
            .await
            .status,
        200
    );
    let reports =
        "账号,年度,形式,述法日期\nl1,2026,现场述法,2026-12-01\nl2,2026,书面述法,2026-12-01\n";
    assert_eq!(
        import("law-reports", reports.into(), &o.hr).await.status,
        200
    );
    let r = app
        .get("/api/v1/reports/annual/2026", &o.hr)
        .await
        .expect(200);
    assert_eq!(r["tasks"]["total"], 2);
    assert_eq!(r["duties"]["cases_explained"], 4);
    assert_eq!(r["advisers"]["legal_advisers"], 1);
    assert_eq!(r["decisions"]["adopted"], 1);
    assert_eq!(r["law_reports"]["on_site"], 1);
}

#[tokio::test]
async fn a_tasks_self_checks_are_kept_in_order_and_counted() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let id = record(&app, &o.judicial, "law-tasks", json!({"year": 2026, "title": "法治督察", "category": "leadership", "unit_id": o.units.dept, "due_on": "2026-12-31", "status": "in_progress"})).await;
    let path = format!("/api/v1/law-tasks/{id}/notes");
    for (on, text) in [
        ("2026-06-30", "已完成半年自查"),
        ("2026-03-31", "已制定方案"),
    ] {
        app.post(&path, &o.judicial, json!({"on": on, "text": text}))
            .await
            .expect(201);
    }
    let reply = app
        .post(
            &path,
            &o.judicial,
            json!({"on": "2027-02-01", "text": "未来"}),
        )
        .await;
    refused(&reply, "on", "in_future");
    refused(
        &app.post(&path, &o.judicial, json!({"on": "2026-07-01", "text": " "}))
            .await,
        "text",
        "required",
    );
    assert_eq!(
        app.post(&path, &o.hr, json!({"on": "2026-07-01", "text": "x"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post(
            "/api/v1/law-tasks/999999/notes",
            &o.judicial,
            json!({"on": "2026-07-01", "text": "x"})
        )
        .await
        .status,
        404
    );
    let notes = app.get(&path, &o.hr).await.expect(200);
    let days: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["on"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-06-30", "2026-03-31"]);
    let task = app
        .get(&format!("/api/v1/law-tasks/{id}"), &o.hr)
        .await
        .expect(200);
    assert_eq!(task["note_count"], 2);
    assert_eq!(task["last_note_on"], "2026-06-30");
    // A change to the task keeps its notes' count.
    let task = app
        .patch(
            &format!("/api/v1/law-tasks/{id}"),
            &o.judicial,
            json!({"lead": "李书记"}),
        )
        .await
        .expect(200);
    assert_eq!(task["note_count"], 2);
}

#[tokio::test]
async fn hr_keeps_law_reports_and_sees_who_is_missing_but_writes_no_judicial_record() {
    let app = TestApp::new().await;
    let o = office(&app).await;
    let (_, cadre) = app.login_as("cadre", &[Role::Cadre]).await;
    let missing = app
        .get("/api/v1/law-reports/missing?year=2026", &o.hr)
        .await
        .expect(200);
    assert_eq!(missing["total"], 3);
    record(
        &app,
        &o.hr,
        "law-reports",
        json!({"user_id": o.leaders[1], "year": 2026, "form": "written", "held_on": "2026-12-01"}),
    )
    .await;
    let missing = app
        .get("/api/v1/law-reports/missing?year=2026", &o.judicial)
        .await
        .expect(200);
    let names: Vec<&str> = missing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["l1", "l3"]);
    let of_dept = app
        .get(
            &format!(
                "/api/v1/law-reports/missing?year=2026&unit_id={}",
                o.units.dept
            ),
            &o.hr,
        )
        .await
        .expect(200);
    assert_eq!(of_dept["total"], 1);
    assert_eq!(
        app.get("/api/v1/law-reports/missing?year=2026", &cadre)
            .await
            .status,
        403
    );

    let bodies = [
        (
            "law-tasks",
            json!({"year": 2026, "title": "任务", "category": "other", "unit_id": o.units.street, "due_on": "2026-05-01"}),
        ),
        (
            "decision-reviews",
            json!({"title": "决策", "unit_id": o.units.street, "category": "other", "submitted_on": "2026-03-01"}),
        ),
        (
            "legal-advisers",
            json!({"name": "王律师", "kind": "public_lawyer", "unit_id": o.units.street, "since": "2026-03-01"}),
        ),
        (
            "pufa-duties",
            json!({"unit_id": o.units.dept, "year": 2026, "law": "法"}),
        ),
    ];
    for (path, body) in bodies {
        assert_eq!(
            app.post(&format!("/api/v1/{path}"), &o.hr, body.clone())
                .await
                .status,
            403,
            "{path}"
        );
        assert_eq!(
            app.post(&format!("/api/v1/{path}"), &cadre, body)
                .await
                .status,
            403,
            "{path}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/{path}?year=2026"), &o.hr)
                .await
                .status,
            200,
            "{path}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/{path}"), &cadre).await.status,
            403,
            "{path}"
        );
    }
    let report =
        json!({"user_id": o.leaders[0], "year": 2026, "form": "written", "held_on": "2026-12-01"});
    assert_eq!(
        app.post("/api/v1/law-reports", &cadre, report).await.status,
        403
    );
    // Listed by year: 2026's report, not another year's.
    let listed = app
        .get("/api/v1/law-reports?year=2026", &o.hr)
        .await
        .expect(200);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["user_name"], "l2 同志");
    assert_eq!(
        app.get("/api/v1/law-reports?year=2025", &o.hr)
            .await
            .expect(200)["total"],
        0
    );
}
