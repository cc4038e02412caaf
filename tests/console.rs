//! The console in a real headless Chromium against the real server, loaded with the demo
//! street: what each person sees equals what the API says, and what they do is stored.
//! With `XUEFA_SCREENSHOTS=1` the HR dashboard and the cadre's phone view are written to
//! `docs/screenshots/` (the README shows them).

use std::time::Duration;

use demo::{DEMO_PASSWORD, DemoOptions, DemoReport, load};
use domain::clock::Clock;
use entity::{enrollment, notice, study_session, user};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::{
    browser::{self, Browser},
    common::TestApp,
};

struct Console {
    app: TestApp,
    origin: String,
    demo: DemoReport,
}

impl Console {
    /// Today in the office's time zone, as a date input holds it.
    fn today(&self) -> String {
        let tz = self.app.state.config.tz;
        self.app
            .state
            .clock
            .now()
            .with_timezone(&tz)
            .date_naive()
            .to_string()
    }
}

/// A demo cadre on the roster (not exempt) whose enrollment also meets `condition`.
async fn roster_cadre(c: &Console, condition: Condition, what: &str) -> user::Model {
    let enrolled = enrollment::Entity::find()
        .filter(enrollment::Column::Exempt.eq(false))
        .filter(condition)
        .one(c.app.db())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{what}"));
    user::Entity::find_by_id(enrolled.user_id)
        .one(c.app.db())
        .await
        .unwrap()
        .unwrap()
}

/// The demo street on the system clock, served on a port of its own.
async fn console() -> Option<Console> {
    // One street (with its district above it) keeps every demo cadre in `hr`'s and
    // `sifa`'s scope; the district's campaign is `qu-hr`'s to change.
    console_with(DemoOptions {
        streets: 1,
        cadres: 30,
        sessions_per_cadre: 6,
        activities: 20,
        questions_per_attempt: 10,
        ..Default::default()
    })
    .await
}

/// A demo of these options on the system clock, served on a port of its own (`None`
/// without a browser to drive).
async fn console_with(options: DemoOptions) -> Option<Console> {
    browser::available()?;
    let app = TestApp::with_clock(Clock::system()).await;
    let demo = load(
        app.db(),
        &options,
        app.state.clock.now(),
        app.state.config.tz,
    )
    .await
    .expect("the demo loads");
    let origin = crate::common::serve(&app).await;
    Some(Console { app, origin, demo })
}

fn percent(rate: &Value) -> String {
    format!("{:.2}%", rate.as_f64().unwrap() * 100.0)
}

/// A count as the console writes it: 12,345.
fn thousands(n: &Value) -> String {
    let digits = n.as_u64().unwrap().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn screenshot_to(name: &str) -> Option<std::path::PathBuf> {
    std::env::var("XUEFA_SCREENSHOTS")
        .ok()
        .filter(|v| v == "1")?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join(name))
}

#[tokio::test]
async fn hr_sees_the_apis_rates_per_unit_and_downloads_the_xlsx() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 1100).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    let token = c.app.token("hr", DEMO_PASSWORD).await;
    let id = c.demo.campaign_id;
    let api = c
        .app
        .get(&format!("/api/v1/campaigns/{id}/targets"), &token)
        .await
        .expect(200);
    assert_eq!(b.text("#roster").await, api["roster"].to_string());
    for t in ["participation", "study", "exam", "pass"] {
        let figure = format!(".figure[data-target={t}]");
        assert_eq!(
            b.text(&format!("{figure} .rate")).await,
            percent(&api[t]["rate"]),
            "{t}"
        );
        assert_eq!(
            b.text(&format!("{figure} .count")).await,
            format!("{} 人", api[t]["count"]),
            "{t}"
        );
    }
    // The live share: the minutes timed live of those credited, as the API counts them.
    let live = b.text("#live-share").await;
    assert!(
        live.contains(&percent(&api["live_share"]))
            && live.contains(&format!(
                "{} / {} 分钟",
                thousands(&api["live_minutes"]),
                thousands(&api["credited_minutes"])
            )),
        "{live} against {} of {}",
        api["live_minutes"],
        api["credited_minutes"]
    );
    // The grade distribution (优秀/良好/合格/不合格/未参考), each as the API counts it.
    for g in ["excellent", "good", "pass", "fail", "not_sat"] {
        assert_eq!(
            b.text(&format!(".figure[data-grade={g}] strong")).await,
            api["grades"][g].to_string(),
            "{g}"
        );
    }
    // The street's row, then drill down to its units: each as the API counts it.
    let street = api["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"].as_str().unwrap().ends_with("新立街道"))
        .unwrap()
        .clone();
    let row = |u: &Value, t: &str| format!("tr[data-unit='{}'] td[data-target={t}]", u["unit_id"]);
    assert_eq!(
        b.text(&row(&street, "study")).await,
        format!(
            "{}（{}）",
            percent(&street["study"]["rate"]),
            street["study"]["count"]
        )
    );
    if let Some(path) = screenshot_to("hr-dashboard.png") {
        b.screenshot(&path).await;
    }
    b.click(&format!("tr[data-unit='{}'] a", street["unit_id"]))
        .await;
    let branch = c
        .app
        .get(
            &format!(
                "/api/v1/campaigns/{id}/targets?unit_id={}",
                street["unit_id"]
            ),
            &token,
        )
        .await
        .expect(200);
    let community = branch["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"].as_str().unwrap().ends_with("社区") && u["roster"].as_u64() > Some(0))
        .unwrap()
        .clone();
    assert_eq!(
        b.text(&row(&community, "pass")).await,
        format!(
            "{}（{}）",
            percent(&community["pass"]["rate"]),
            community["pass"]["count"]
        )
    );
    // The Excel file, under its Chinese name.
    b.click("#targets-xlsx").await;
    let name = format!("四个100%统计-活动{id}.xlsx");
    let xlsx = b.downloaded(&name).await;
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip file");
}

#[tokio::test]
async fn hr_imports_a_roster_with_a_bad_line_and_sees_that_lines_error() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/hr/roster", c.origin)).await;
    let before = user::Entity::find().count(c.app.db()).await.unwrap();
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(
        file.path(),
        "姓名,工号,密码\n张三,900001,Study-Law-123\n李四,900002,short\n",
    )
    .unwrap();
    b.type_into("#roster-file", &file.path().display().to_string())
        .await;
    b.click("#import-form button[type=submit]").await;
    let errors = b.text(".line-errors").await;
    assert!(errors.contains("第 3 行"), "{errors}");
    assert!(errors.contains("密码"), "{errors}");
    assert_eq!(
        user::Entity::find().count(c.app.db()).await.unwrap(),
        before,
        "nothing stored"
    );
}

#[tokio::test]
async fn the_judicial_office_records_an_activity_and_sees_the_stats_change() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/judicial/stats", c.origin)).await;
    let total = |text: String| text.trim().parse::<u64>().unwrap();
    let before = total(b.text(".stat[data-group=month] .total-events").await);
    b.goto(&format!("{}/#/judicial/activities", c.origin)).await;
    b.click("#new-activity").await;
    b.type_into("#activity-form input[name=title]", "宪法进社区宣传")
        .await;
    let today = c.today();
    b.fill("#activity-form input[name=held_on]", &today).await;
    let street = c
        .app
        .get(
            "/api/v1/units?kind=street",
            &c.app.token("sifa", DEMO_PASSWORD).await,
        )
        .await
        .expect(200);
    b.select(
        "#activity-form select[name=organizer_unit_id]",
        &street["items"][0]["id"].to_string(),
    )
    .await;
    b.select("#activity-form select[name=venue]", "community")
        .await;
    b.type_into("#activity-form input[name=attendance]", "120")
        .await;
    b.click("#activity-form button[type=submit]").await;
    b.until(
        "the new activity in the list",
        "return document.querySelector('#activities') && document.querySelector('#activities').innerText.includes('宪法进社区宣传');",
        json!([]),
    )
    .await;
    b.goto(&format!("{}/#/judicial/stats", c.origin)).await;
    b.until(
        "the month total to move",
        "const e = document.querySelector('.stat[data-group=month] .total-events'); return e && Number(e.innerText) === arguments[0];",
        json!([before + 1]),
    )
    .await;
}

/// No English reaches a person: letters other than a unit's own name.
fn assert_no_english(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| c.is_ascii_alphabetic()),
        "{what} shows English: {text:?}"
    );
}

#[tokio::test]
async fn the_activity_form_says_every_problem_at_once_in_chinese_and_refuses_a_future_day() {
    let Some(c) = console().await else { return };
    let token = c.app.token("sifa", DEMO_PASSWORD).await;
    let count = async || {
        c.app
            .get("/api/v1/activities?per_page=1", &token)
            .await
            .expect(200)["total"]
            .clone()
    };
    let before = count().await;
    for (width, height) in [(1280, 1000), (375, 800)] {
        let b = Browser::start(width, height).await;
        b.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
        b.goto(&format!("{}/#/judicial/activities", c.origin)).await;
        b.click("#new-activity").await;
        // An empty form: 名称, 日期 and 组织单位 flagged together, not one by one.
        b.click("#activity-form button[type=submit]").await;
        let flagged = b
            .until(
                "the empty fields to be flagged",
                "const f = [...document.querySelectorAll('#activity-form .field-error')]; return f.length >= 3 && f.map(e => e.dataset.field + '=' + e.innerText);",
                json!([]),
            )
            .await;
        assert_eq!(
            flagged,
            json!([
                "title=请填写活动名称",
                "held_on=请填写日期",
                "organizer_unit_id=请填写组织单位"
            ])
        );
        // A day after today: refused by the server, worded with the form's label.
        let tomorrow = (chrono::NaiveDate::parse_from_str(&c.today(), "%Y-%m-%d").unwrap()
            + chrono::Duration::days(1))
        .to_string();
        b.type_into("#activity-form input[name=title]", "明年的宪法日活动")
            .await;
        b.fill("#activity-form input[name=held_on]", &tomorrow)
            .await;
        let street = c
            .app
            .get("/api/v1/units?kind=street", &token)
            .await
            .expect(200);
        b.select(
            "#activity-form select[name=organizer_unit_id]",
            &street["items"][0]["id"].to_string(),
        )
        .await;
        b.click("#activity-form button[type=submit]").await;
        b.until(
            "the date to be refused",
            "const e = document.querySelector('#activity-form [data-field=held_on]'); return e && e.innerText === '日期不能晚于今天';",
            json!([]),
        )
        .await;
        let banner = b.text("#activity-form .error").await;
        assert!(banner.contains("填写有误"), "{banner}");
        assert_no_english("the banner", &banner);
        if width < 400
            && let Some(path) = screenshot_to("activity-refused-phone.png")
        {
            b.screenshot(&path).await;
        }
    }
    assert_eq!(count().await, before, "nothing stored");
}

#[tokio::test]
async fn the_annual_summary_page_shows_the_narrative() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/judicial/annual", c.origin)).await;
    let token = c.app.token("sifa", DEMO_PASSWORD).await;
    let expected = String::from_utf8(
        c.app
            .bytes(
                &format!("/api/v1/reports/annual/{}/export?format=text", c.demo.year),
                &token,
            )
            .await,
    )
    .unwrap();
    let shown = b
        .until(
            "the narrative",
            "const e = document.querySelector('#narrative'); return e && e.innerText.includes('普法宣传') && e.innerText;",
            json!([]),
        )
        .await;
    assert_eq!(shown.as_str().unwrap().trim(), expected.trim());
}

#[tokio::test]
async fn a_cadre_on_a_phone_studies_offline_and_the_session_is_stored_once() {
    let Some(c) = console().await else { return };
    let b = Browser::start(375, 812).await;
    b.sign_in(&c.origin, "gb00004", DEMO_PASSWORD).await;
    let cadre = user::Entity::find()
        .filter(user::Column::Username.eq("gb00004"))
        .one(c.app.db())
        .await
        .unwrap()
        .unwrap();
    let stored = || async {
        study_session::Entity::find()
            .filter(study_session::Column::UserId.eq(cadre.id))
            .count(c.app.db())
            .await
            .unwrap()
    };
    let before = stored().await;
    let campaign = c
        .app
        .get(
            &format!("/api/v1/campaigns/{}", c.demo.campaign_id),
            &c.app.token("gb00004", DEMO_PASSWORD).await,
        )
        .await
        .expect(200);
    b.text("#progress").await;
    if let Some(path) = screenshot_to("cadre-phone.png") {
        b.screenshot(&path).await;
    }
    b.select("#course", &campaign["courses"][0]["course_id"].to_string())
        .await;
    b.click("#start-study").await;
    let began = chrono::Utc::now();
    // Running (the timer is kept as it starts) …
    b.text("#stop-study").await;
    // … and a reload (or the phone killing the tab) keeps the running timer and its course.
    b.script("location.reload();", json!([])).await;
    b.text("#stop-study").await;
    // The course list loads after the page: the kept course is chosen once it is there.
    b.until(
        "the kept course chosen",
        "return document.querySelector('#course').value === arguments[0];",
        json!([campaign["courses"][0]["course_id"].to_string()]),
    )
    .await;
    b.offline(true).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    b.click("#stop-study").await;
    let status = b.text("#study-status").await;
    assert!(status.contains("离线"), "{status}");
    let queued = "return JSON.parse(localStorage.getItem('xuefa.unsent-sessions') || '[]').length;";
    assert_eq!(b.script(queued, json!([])).await, json!(1));
    let started = b
        .script(
            "return JSON.parse(localStorage.getItem('xuefa.unsent-sessions'))[0].started_at;",
            json!([]),
        )
        .await;
    let started: chrono::DateTime<chrono::Utc> = started.as_str().unwrap().parse().unwrap();
    assert!(
        (started - began).num_seconds().abs() <= 2,
        "the session runs from before the reload: {started} vs {began}"
    );
    assert_eq!(
        stored().await,
        before,
        "nothing reached the server while offline"
    );
    b.offline(false).await;
    b.script("window.dispatchEvent(new Event('online'));", json!([]))
        .await;
    b.until(
        "the queue to empty",
        "return JSON.parse(localStorage.getItem('xuefa.unsent-sessions') || '[]').length === 0;",
        json!([]),
    )
    .await;
    assert_eq!(stored().await, before + 1, "stored once");
    // Coming back (the page reloads and sends what is queued again): still once.
    b.goto(&format!("{}/#/me", c.origin)).await;
    b.text("#progress").await;
    b.script("window.dispatchEvent(new Event('online'));", json!([]))
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(stored().await, before + 1, "never twice");
}

/// A clock that runs with the system's, `ahead` seconds in front: a browser test moves
/// the server's time without waiting for it.
fn running_clock(app: &TestApp) -> std::sync::Arc<std::sync::atomic::AtomicI64> {
    let ahead = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let (clock, moved) = (app.state.clock.clone(), ahead.clone());
    tokio::spawn(async move {
        loop {
            let by = moved.load(std::sync::atomic::Ordering::Relaxed);
            clock.set(chrono::Utc::now() + chrono::Duration::seconds(by));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    ahead
}

/// The seconds the study page says the server has credited.
async fn credited_on_page(b: &Browser) -> i64 {
    let text = b.text("#live-credited").await;
    let mut numbers = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i64>().unwrap());
    numbers.next().unwrap() * 60 + numbers.next().unwrap()
}

#[tokio::test]
async fn a_cadre_studies_live_and_hidden_time_and_an_unanswered_check_earn_nothing() {
    if browser::available().is_none() {
        return;
    }
    let app = TestApp::with_config(Clock::pinned(chrono::Utc::now()), |c| {
        c.heartbeat_seconds = 2;
    })
    .await;
    let ahead = running_clock(&app);
    let demo = load(
        app.db(),
        &DemoOptions {
            streets: 1,
            cadres: 12,
            sessions_per_cadre: 4,
            activities: 4,
            questions_per_attempt: 10,
            ..Default::default()
        },
        app.state.clock.now(),
        app.state.config.tz,
    )
    .await
    .expect("the demo loads");
    // A presence check every minute of a live session.
    let admin = app.admin_token().await;
    app.patch(
        &format!("/api/v1/campaigns/{}", demo.campaign_id),
        &admin,
        json!({"presence_check_minutes": 1}),
    )
    .await
    .expect(200);
    let origin = crate::common::serve(&app).await;
    for (width, height) in [(1280, 900), (375, 812)] {
        let username = if width > 400 { "gb00006" } else { "gb00007" };
        let cadre = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        let token = app.token(username, DEMO_PASSWORD).await;
        let campaign = app
            .get(&format!("/api/v1/campaigns/{}", demo.campaign_id), &token)
            .await
            .expect(200);
        let live_sessions = || async {
            study_session::Entity::find()
                .filter(study_session::Column::UserId.eq(cadre.id))
                .filter(study_session::Column::Source.eq(entity::vocabulary::StudySource::Live))
                .order_by_asc(study_session::Column::StartedAt)
                .all(app.db())
                .await
                .unwrap()
        };
        let before = live_sessions().await.len();
        let b = Browser::start(width, height).await;
        b.sign_in(&origin, username, DEMO_PASSWORD).await;
        b.text("#progress").await;
        b.select("#course", &campaign["courses"][0]["course_id"].to_string())
            .await;
        // The course's article is on the page.
        let material = b.text("#material").await;
        assert!(material.contains("学习要点"), "{material}");
        b.click("#start-study").await;
        b.until(
            "credit from the server",
            "const e = document.querySelector('#live-credited'); return e && !e.innerText.startsWith('0 分 0 秒');",
            json!([]),
        )
        .await;
        // Hidden (another app in front): the page says so in each heartbeat, and nothing
        // is credited while it is.
        b.script(
            "Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'}); document.dispatchEvent(new Event('visibilitychange'));",
            json!([]),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let hidden_from = credited_on_page(&b).await;
        tokio::time::sleep(Duration::from_millis(5000)).await;
        assert_eq!(
            credited_on_page(&b).await,
            hidden_from,
            "hidden time credited"
        );
        b.script(
            "delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange'));",
            json!([]),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(5000)).await;
        let visible = credited_on_page(&b).await;
        assert!(
            visible > hidden_from,
            "visible again: {visible} after {hidden_from}"
        );
        // A minute on (the server's clock), the presence check comes; unanswered, nothing
        // is credited.
        ahead.fetch_add(61, std::sync::atomic::Ordering::Relaxed);
        let prompt = b.text("#presence-prompt").await;
        assert!(prompt.starts_with("还在学习吗？"), "{prompt}");
        if let Some(path) = screenshot_to(&format!("live-study-{width}.png")) {
            b.script(
                "document.querySelector('#study').scrollIntoView();",
                json!([]),
            )
            .await;
            b.screenshot(&path).await;
        }
        let asked = credited_on_page(&b).await;
        tokio::time::sleep(Duration::from_millis(4500)).await;
        assert_eq!(
            credited_on_page(&b).await,
            asked,
            "credited while unanswered"
        );
        let sum: u32 = prompt
            .trim_start_matches("还在学习吗？请输入 ")
            .trim_end_matches(" 的结果")
            .split(" + ")
            .map(|n| n.trim().parse::<u32>().unwrap())
            .sum();
        b.type_into("#presence-answer", &sum.to_string()).await;
        b.click("#presence-submit").await;
        b.until(
            "the check answered",
            "return !document.querySelector('#presence');",
            json!([]),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(4500)).await;
        let answered = credited_on_page(&b).await;
        assert!(
            answered > asked,
            "credited again after the answer: {answered}"
        );
        b.click("#stop-study").await;
        let status = b.text("#study-status").await;
        assert!(status.contains("本次在线学习计入"), "{status}");
        let mut stored = live_sessions().await;
        assert_eq!(stored.len(), before + 1, "one live session stored");
        let stored = stored.split_off(before);
        // What was stored is at least what the page last showed, and far less than the
        // minute and more the session spanned on the server's clock.
        assert!(
            i64::from(stored[0].seconds) >= answered && stored[0].seconds < 40,
            "{} s stored, {answered} s shown",
            stored[0].seconds
        );
        ahead.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

#[tokio::test]
async fn hr_writes_a_courses_article_and_the_cadre_reads_it() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 1000).await;
    // The district's HR: the courses serve the district's campaign (a street's HR is told
    // 超出您的管理范围).
    b.sign_in(&c.origin, "qu-hr", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/hr/courses", c.origin)).await;
    let token = c.app.token("qu-hr", DEMO_PASSWORD).await;
    let campaign = c
        .app
        .get(&format!("/api/v1/campaigns/{}", c.demo.campaign_id), &token)
        .await
        .expect(200);
    let course = campaign["courses"][1]["course_id"].as_i64().unwrap();
    b.click(&format!(
        "tr[data-course='{course}'] [data-action=material]"
    ))
    .await;
    b.fill("#material-title", "宪法第一条释义").await;
    b.fill(
        "#material-text",
        "# 第一条\n\n中华人民共和国是**工人阶级**领导的……\n\n<script>alert(1)</script>",
    )
    .await;
    b.click("#material-save").await;
    let row = b
        .until(
            "the course's material listed",
            "const e = document.querySelector(`tr[data-course='${arguments[0]}'] [data-field=material]`); return e && e.innerText.includes('宪法第一条释义') && e.innerText;",
            json!([course]),
        )
        .await;
    assert!(row.as_str().unwrap().starts_with("图文"), "{row}");
    if let Some(path) = screenshot_to("hr-courses.png") {
        b.screenshot(&path).await;
    }
    // A cadre on the campaign reads it on the study page, the script shown as text.
    let reader = Browser::start(375, 812).await;
    reader.sign_in(&c.origin, "gb00003", DEMO_PASSWORD).await;
    reader.text("#progress").await;
    reader.select("#course", &course.to_string()).await;
    let shown = reader
        .until(
            "the article",
            "const e = document.querySelector('#material'); return e && e.innerText.includes('工人阶级') && e.innerHTML;",
            json!([]),
        )
        .await;
    let shown = shown.as_str().unwrap();
    assert!(shown.contains("<strong>工人阶级</strong>"), "{shown}");
    assert!(
        !shown.contains("<script") && shown.contains("&lt;script&gt;"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_cadre_takes_the_exam_and_sees_the_score() {
    let Some(c) = console().await else { return };
    // A cadre who finished studying and has not sat the exam yet.
    let cadre = roster_cadre(
        &c,
        Condition::all()
            .add(enrollment::Column::StudyComplete.eq(true))
            .add(enrollment::Column::AttemptsUsed.eq(0)),
        "a cadre ready for the exam",
    )
    .await;
    // One who has not finished studying sees why the exam is not open to them yet.
    let behind = roster_cadre(
        &c,
        Condition::all().add(enrollment::Column::StudyComplete.eq(false)),
        "a cadre behind on study",
    )
    .await;
    let early = Browser::start(375, 812).await;
    early
        .sign_in(&c.origin, &behind.username, DEMO_PASSWORD)
        .await;
    assert_eq!(
        early.text("#start-why").await,
        "完成应学课程后才能开始考试。"
    );
    let disabled = early
        .script(
            "return document.querySelector('#start-exam').disabled;",
            json!([]),
        )
        .await;
    assert_eq!(disabled, json!(true));

    let b = Browser::start(375, 812).await;
    b.sign_in(&c.origin, &cadre.username, DEMO_PASSWORD).await;
    // The progress above the button loads first; then the button stays where it is.
    b.text("#progress").await;
    b.until(
        "开始考试 open",
        "const s = document.querySelector('#start-exam'); return s && !s.disabled;",
        json!([]),
    )
    .await;
    b.click("#start-exam").await;
    b.text(".question").await;
    // The first question answered, then the page reloaded: the attempt runs on.
    b.script(
        "document.querySelector('.question input').click();",
        json!([]),
    )
    .await;
    let cadre_token = c.app.token(&cadre.username, DEMO_PASSWORD).await;
    let progress = c
        .app
        .get(
            &format!("/api/v1/campaigns/{}/progress/me", c.demo.campaign_id),
            &cadre_token,
        )
        .await
        .expect(200);
    let attempt_id = progress["open_attempt"]["id"]
        .as_i64()
        .expect("a running attempt");
    let saved = || async {
        c.app
            .get(&format!("/api/v1/attempts/{attempt_id}"), &cadre_token)
            .await
            .expect(200)
    };
    for _ in 0..50 {
        if saved().await["questions"][0]["choices"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    b.script("location.reload();", json!([])).await;
    assert!(
        b.text("#exam-running")
            .await
            .starts_with("考试进行中，剩余")
    );
    b.click("#continue-exam").await;
    b.text(".question").await;
    let first_checked = b
        .script(
            "return document.querySelector('.question input').checked;",
            json!([]),
        )
        .await;
    assert_eq!(first_checked, json!(true), "the saved answer is there");
    // Each question says its kind, 多选 where the paper has one.
    let view = saved().await;
    let questions = view["questions"].as_array().unwrap();
    let kinds = b
        .script(
            "return [...document.querySelectorAll('.question')].map((q) => [q.dataset.kind, q.querySelector('.kind').innerText]);",
            json!([]),
        )
        .await;
    let kinds: Vec<(String, String)> = serde_json::from_value(kinds).unwrap();
    for ((kind, label), q) in kinds.iter().zip(questions) {
        assert_eq!(kind, q["kind"].as_str().unwrap());
        let expected = match kind.as_str() {
            "multiple" => "多选",
            "single" => "单选",
            _ => "判断",
        };
        assert_eq!(label, expected);
    }
    // 交卷 asks first, with the count of the unanswered; going back keeps the attempt.
    b.click("#submit-exam").await;
    let asked = b.text("#confirm-text").await;
    assert!(
        asked.starts_with(&format!("还有 {} 题未作答。", questions.len() - 1)),
        "{asked}"
    );
    if let Some(path) = screenshot_to("cadre-exam-confirm.png") {
        b.script(
            "document.querySelector('#submit-confirm').scrollIntoView();",
            json!([]),
        )
        .await;
        b.screenshot(&path).await;
    }
    b.click("#cancel-submit").await;
    assert_eq!(
        saved().await["status"],
        "open",
        "cancelling keeps the attempt open"
    );
    // Answer every question with its first option, as the cadre taps them.
    b.script(
        "document.querySelectorAll('.question').forEach(q => { const i = q.querySelector('input'); if (!i.checked) i.click(); });",
        json!([]),
    )
    .await;
    b.click("#submit-exam").await;
    assert!(b.text("#confirm-text").await.starts_with("已全部作答。"));
    b.click("#confirm-submit").await;
    let score = b.text("#score").await;
    let token = c.app.token("hr", DEMO_PASSWORD).await;
    let attempts = c
        .app
        .get(
            &format!(
                "/api/v1/campaigns/{}/attempts?user_id={}",
                c.demo.campaign_id, cadre.id
            ),
            &token,
        )
        .await
        .expect(200);
    assert_eq!(attempts["total"], 1);
    assert_eq!(
        score.parse::<f64>().unwrap(),
        attempts["items"][0]["score"].as_f64().unwrap()
    );
    let grade = b.text("#grade").await;
    let label = match attempts["items"][0]["grade"].as_str().unwrap() {
        "excellent" => "优秀",
        "good" => "良好",
        "pass" => "合格",
        _ => "不合格",
    };
    assert_eq!(grade, label);
}

#[tokio::test]
async fn the_pages_load_nothing_from_another_host_and_carry_the_policy() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    let mut seen = Vec::new();
    for page in [
        "/hr/targets",
        "/hr/roster",
        "/hr/campaign",
        "/hr/questions",
        "/judicial/activities",
        "/judicial/stats",
        "/judicial/annual",
        "/me",
        "/admin/users",
    ] {
        b.goto(&format!("{}/#{page}", c.origin)).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let urls = b
            .script(
                "return performance.getEntriesByType('resource').map(e => e.name)
                   .concat([...document.querySelectorAll('[src],[href]')].map(e => e.src || e.href));",
                json!([]),
            )
            .await;
        for url in urls.as_array().unwrap() {
            let url = url.as_str().unwrap();
            assert!(
                url.starts_with(&c.origin) || url.starts_with("blob:") || url.starts_with("data:"),
                "{page} loads {url}"
            );
            seen.push(url.to_owned());
        }
    }
    assert!(
        seen.iter()
            .any(|u| u.ends_with("/vendor/htm-preact-standalone.module.js"))
    );
    // Every file the console serves carries the policy and the other headers.
    // The page is served at `/`; everything else at its own path.
    for file in api::console::files().map(|f| if f == "index.html" { String::new() } else { f }) {
        let reply = c.app.call("GET", &format!("/{file}"), None, None).await;
        assert_eq!(reply.status, 200, "/{file}");
        assert_eq!(
            reply.headers["content-security-policy"],
            api::console::CONTENT_SECURITY_POLICY,
            "/{file}"
        );
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
        assert!(reply.headers["etag"].to_str().unwrap().starts_with('"'));
    }
}

#[tokio::test]
async fn stored_markup_is_shown_as_text_and_the_policy_blocks_inline_script() {
    let Some(c) = console().await else { return };
    let sifa = c.app.token("sifa", DEMO_PASSWORD).await;
    let hr = c.app.token("qu-hr", DEMO_PASSWORD).await;
    let img = "<img src=x onerror=\"window.__xss = 'img'\">";
    let script = "<script>window.__xss = 'script'</script>";
    let street = c
        .app
        .get("/api/v1/units?kind=street", &sifa)
        .await
        .expect(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let today = c.today();
    for title in [img, script] {
        c.app
            .post(
                "/api/v1/activities",
                &sifa,
                json!({"kind": "publicity", "title": title, "held_on": today, "organizer_unit_id": street, "audience": "public", "attendance": 1}),
            )
            .await
            .expect(201);
    }
    c.app
        .post(
            &format!("/api/v1/campaigns/{}/questions", c.demo.campaign_id),
            &hr,
            json!({"kind": "judge", "stem": img, "options": ["正确", "错误"], "answer": [0]}),
        )
        .await
        .expect(201);
    for (who, page, shown) in [
        ("sifa", "/judicial/activities", "#activities"),
        ("hr", "/hr/questions?per_page=200", "#questions"),
    ] {
        let b = Browser::start(1280, 1000).await;
        b.sign_in(&c.origin, who, DEMO_PASSWORD).await;
        b.goto(&format!("{}/#{page}", c.origin)).await;
        b.until(
            "the stored markup, as text",
            "const t = document.querySelector(arguments[0]); return t && t.innerText.includes(arguments[1]);",
            json!([shown, img]),
        )
        .await;
        assert_eq!(
            b.script(
                "return document.querySelectorAll('main img, main script').length;",
                json!([])
            )
            .await,
            json!(0),
            "{page}: markup became elements"
        );
    }
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/judicial/activities", c.origin)).await;
    b.until(
        "both titles",
        "const t = document.querySelector('#activities'); return t && t.innerText.includes(arguments[0]);",
        json!([script]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        b.script("return window.__xss === undefined;", json!([]))
            .await,
        json!(true)
    );
    // Even markup that does reach the page as an inline script does not run.
    b.script(
        "window.__violations = [];
         document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
         const s = document.createElement('script'); s.textContent = \"window.__xss = 'inline'\";
         document.body.appendChild(s);",
        json!([]),
    )
    .await;
    let violations = b
        .until(
            "a CSP violation",
            "return window.__violations.length > 0 && window.__violations;",
            json!([]),
        )
        .await;
    assert!(
        violations.to_string().contains("script-src"),
        "{violations}"
    );
    assert_eq!(
        b.script("return window.__xss === undefined;", json!([]))
            .await,
        json!(true)
    );
}

#[tokio::test]
async fn a_cadre_who_passed_sees_the_certificate_and_anyone_can_verify_it() {
    let Some(c) = console().await else { return };
    let cadre = roster_cadre(
        &c,
        Condition::all().add(enrollment::Column::BestScoreCenti.gte(9000)),
        "a cadre who passed",
    )
    .await;
    let b = Browser::start(375, 812).await;
    b.sign_in(&c.origin, &cadre.username, DEMO_PASSWORD).await;
    let code = b.text("#certificate-code").await;
    let token = c.app.token(&cadre.username, DEMO_PASSWORD).await;
    let api = c
        .app
        .get(
            &format!("/api/v1/campaigns/{}/certificate/me", c.demo.campaign_id),
            &token,
        )
        .await
        .expect(200);
    assert_eq!(code, api["code"].as_str().unwrap());
    // Someone who never signed in checks the code: the name is partly hidden.
    let public = Browser::start(375, 812).await;
    public.goto(&format!("{}/#/verify/{code}", c.origin)).await;
    let shown = public.text("#verify-result").await;
    let first = cadre.name.chars().next().unwrap();
    assert!(shown.contains(&code), "{shown}");
    assert!(shown.contains(&format!("{first}*")), "{shown}");
    assert!(!shown.contains(&cadre.name), "{shown}");
    let problems = public.accessibility_problems().await;
    assert!(problems.is_empty(), "axe-core: {problems:?}");
    if let Some(path) = screenshot_to("certificate-verify.png") {
        public.screenshot(&path).await;
    }
    public
        .goto(&format!("{}/#/verify/NOTACERTIFICATE0000", c.origin))
        .await;
    public
        .until(
            "the page to say the code is unknown",
            "const r = document.querySelector('#verify-result'); return r && r.innerText.includes('未找到');",
            json!([]),
        )
        .await;
}

#[tokio::test]
async fn a_cadre_practises_on_the_phone_and_the_wrong_answer_lands_in_the_mistake_book() {
    let Some(c) = console().await else { return };
    let cadre = roster_cadre(
        &c,
        Condition::all().add(enrollment::Column::AttemptsUsed.eq(0)),
        "an enrolled cadre",
    )
    .await;
    let b = Browser::start(375, 812).await;
    b.sign_in(&c.origin, &cadre.username, DEMO_PASSWORD).await;
    assert!(b.text("#mistakes").await.contains("暂无错题"));
    b.click("#start-practice").await;
    b.text("#practice .question").await;
    // Every demo practice question states a wrong fact: 正确 is the wrong answer.
    b.script(
        "const q = document.querySelector('#practice .question'); q.querySelector('input').click();",
        json!([]),
    )
    .await;
    b.click("#practice .question .check").await;
    let verdict = b.text("#practice .question .verdict").await;
    assert!(verdict.contains("回答错误"), "{verdict}");
    assert!(verdict.contains("错误"), "{verdict}");
    let book = b
        .until(
            "the mistake book to list it",
            "const m = document.querySelector('#mistakes li'); return m && m.innerText;",
            json!([]),
        )
        .await;
    assert!(book.as_str().unwrap().contains("练习"), "{book}");
    if let Some(path) = screenshot_to("cadre-practice.png") {
        b.script(
            "document.querySelector('#practice').scrollIntoView();",
            json!([]),
        )
        .await;
        b.screenshot(&path).await;
    }
    let token = c.app.token(&cadre.username, DEMO_PASSWORD).await;
    let api = c
        .app
        .get(
            &format!("/api/v1/campaigns/{}/mistakes/me", c.demo.campaign_id),
            &token,
        )
        .await
        .expect(200);
    assert_eq!(api["total"], 1);
    assert!(
        book.as_str()
            .unwrap()
            .contains(api["items"][0]["stem"].as_str().unwrap())
    );
}

#[tokio::test]
async fn hr_composes_a_paper_sees_the_bank_fall_short_and_an_overlap_refused() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 1400).await;
    b.sign_in(&c.origin, "qu-hr", DEMO_PASSWORD).await;
    let id = c.demo.campaign_id;
    b.goto(&format!("{}/#/hr/campaign?campaign={id}", c.origin))
        .await;
    b.until(
        "the campaign to load into the form",
        "const t = document.querySelector('#campaign-form input:not([type])'); return t && t.value.length > 0;",
        json!([]),
    )
    .await;
    // A leaders' paper of 400 single-choice questions: more than the demo bank holds.
    b.click("#add-paper").await;
    b.type_into("[data-paper='0'] [data-rule='0'] input[name=count]", "400")
        .await;
    b.click("#campaign-form button[type=submit]").await;
    let short = b.text("#paper-check tr.short").await;
    let token = c.app.token("qu-hr", DEMO_PASSWORD).await;
    let check = c
        .app
        .get(&format!("/api/v1/campaigns/{id}/papers/check"), &token)
        .await
        .expect(200);
    assert_eq!(check[0]["needed"], 400);
    assert!(
        short.contains("400") && short.contains(&check[0]["available"].to_string()),
        "{short} vs {check}"
    );
    assert!(b.text("#paper-check p.bad").await.contains("1 条规则"));
    let stored = c
        .app
        .get(&format!("/api/v1/campaigns/{id}"), &token)
        .await
        .expect(200);
    assert_eq!(
        (
            stored["papers"][0]["for"].clone(),
            stored["papers"][0]["rules"][0]["count"].clone()
        ),
        (json!("leaders"), json!(400))
    );
    if let Some(path) = screenshot_to("hr-papers.png") {
        b.script(
            "document.querySelector('#papers').scrollIntoView();",
            json!([]),
        )
        .await;
        b.screenshot(&path).await;
    }
    // A second paper also for leaders overlaps: refused, shown, and nothing changes.
    b.click("#add-paper").await;
    b.select("[data-paper='1'] select", "leaders").await;
    b.click("#campaign-form button[type=submit]").await;
    let error = b.text("[data-field=papers]").await;
    assert!(error.contains("试卷的适用对象重叠"), "{error}");
    let after = c
        .app
        .get(&format!("/api/v1/campaigns/{id}"), &token)
        .await
        .expect(200);
    assert_eq!(after["papers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_judicial_office_keeps_its_ledgers_and_sees_them_in_the_summary() {
    let Some(c) = console().await else { return };
    let token = c.app.token("sifa", DEMO_PASSWORD).await;
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
    b.goto(&format!(
        "{}/#/judicial/ledgers?kind=mediation-cases",
        c.origin
    ))
    .await;
    b.click("#new-record").await;
    let community = c
        .app
        .get("/api/v1/units?kind=community", &token)
        .await
        .expect(200)["items"][0]["id"]
        .to_string();
    b.select("#ledger-form select[name=committee_unit_id]", &community)
        .await;
    let today = c.today();
    b.fill("#ledger-form input[name=received_on]", &today).await;
    b.select("#ledger-form select[name=category]", "property")
        .await;
    b.type_into("#ledger-form input[name=amount]", "0.10").await;
    b.type_into("#ledger-form input[name=notes]", "物业费纠纷（控制台）")
        .await;
    b.click("#ledger-form button[type=submit]").await;
    b.until(
        "the new case in the list",
        "const t = document.querySelector('#ledger'); return t && t.innerText.includes('物业费纠纷（控制台）');",
        json!([]),
    )
    .await;
    // Stored to the fen, and shown as stored.
    let raw = String::from_utf8(
        c.app
            .bytes("/api/v1/mediation-cases?per_page=1", &token)
            .await,
    )
    .unwrap();
    assert!(raw.contains(r#""amount":0.10"#), "{raw}");
    let shown = b
        .text("#ledger tbody tr:first-child td[data-field=amount]")
        .await;
    assert_eq!(shown.trim(), "0.10");
    if let Some(path) = screenshot_to("judicial-ledgers.png") {
        b.screenshot(&path).await;
    }

    // An import with two bad lines shows both, and stores nothing.
    b.goto(&format!("{}/#/judicial/ledgers?kind=inspections", c.origin))
        .await;
    let total = || async {
        c.app.get("/api/v1/inspections", &token).await.expect(200)["total"]
            .as_u64()
            .unwrap()
    };
    let before = total().await;
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(
        file.path(),
        format!(
            "单位,日期,领域,检查家次,发现隐患,整改隐患\n{street},{today},安全生产,10,2,1\n{street},{today},安全生产,10,1,2\n{street},2099-01-01,城市管理,3,0,0\n",
            street = c.demo.streets[0]
        ),
    )
    .unwrap();
    b.type_into("#ledger-file", &file.path().display().to_string())
        .await;
    b.click("#ledger-import button[type=submit]").await;
    let errors = b.text(".line-errors").await;
    assert!(
        errors.contains("第 3 行") && errors.contains("整改隐患"),
        "{errors}"
    );
    assert!(
        errors.contains("第 4 行") && errors.contains("日期"),
        "{errors}"
    );
    assert_eq!(total().await, before, "nothing stored");

    // The annual page states the API's figures, beside the year before's.
    b.goto(&format!("{}/#/judicial/annual", c.origin)).await;
    let report = c
        .app
        .get(&format!("/api/v1/reports/annual/{}", c.demo.year), &token)
        .await
        .expect(200);
    let cases = b.text("#mediation-cases strong").await;
    assert_eq!(
        cases.trim().replace(',', ""),
        report["mediation"]["cases"].to_string()
    );
    let inspected = b.text("#inspections").await.replace(',', "");
    assert!(
        inspected.contains(&format!(
            "上年 {}",
            report["previous"]["inspections"]["entities_checked"]
        )),
        "{inspected}"
    );
    if let Some(path) = screenshot_to("judicial-annual.png") {
        b.script(
            "document.querySelector('#ledger-figures').scrollIntoView()",
            json!([]),
        )
        .await;
        b.screenshot(&path).await;
    }

    // On a phone the page still works: the tabs wrap and the table scrolls.
    let phone = Browser::start(375, 812).await;
    phone.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
    phone
        .goto(&format!(
            "{}/#/judicial/ledgers?kind=legal-services",
            c.origin
        ))
        .await;
    phone.text("#ledger").await;
    if let Some(path) = screenshot_to("judicial-ledgers-phone.png") {
        phone.screenshot(&path).await;
    }
}

#[tokio::test]
async fn hr_reminds_the_missing_the_cadre_reads_it_and_the_archive_shows_what_moved() {
    let Some(c) = console().await else { return };
    let id = c.demo.campaign_id;
    let hr_token = c.app.token("hr", DEMO_PASSWORD).await;
    let missing = c
        .app
        .get(
            &format!("/api/v1/campaigns/{id}/targets/missing?target=study&per_page=500"),
            &hr_token,
        )
        .await
        .expect(200);
    let total = missing["total"].as_u64().unwrap();
    assert!(total > 0, "the demo has cadres behind on study");
    let b = Browser::start(1280, 1000).await;
    // The page settles (the list loads again as the address gains ?campaign=) before the
    // click: the same enabled button for a second.
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/hr/targets?campaign={id}", c.origin))
        .await;
    b.until(
        "the missing list settled",
        "const e = document.querySelector('#send-reminders');
         if (!e || e.disabled) { window.__seen = null; return false; }
         if (window.__seen === e && Date.now() - window.__since > 1000) return true;
         if (window.__seen !== e) { window.__seen = e; window.__since = Date.now(); }
         return false;",
        json!([]),
    )
    .await;
    // 一键提醒 shows who and the text first; nothing is sent until 发送.
    b.click("#send-reminders").await;
    assert_eq!(b.text("#remind-count").await, total.to_string());
    let notices = async || notice::Entity::find().count(c.app.db()).await.unwrap();
    let before = notices().await;
    b.click("#remind-dialog .actions button.secondary").await;
    assert_eq!(notices().await, before, "cancelled: nothing sent");
    b.click("#send-reminders").await;
    b.click("#remind-send").await;
    let sent = b.text("#toast").await;
    assert!(sent.contains(&format!("已向 {total} 人发送提醒")), "{sent}");
    b.click("#send-reminders").await;
    b.type_into(
        "#remind-form textarea[name=message]",
        "请尽快完成学法任务。",
    )
    .await;
    b.click("#remind-send").await;
    b.until(
        "the second reminder skipped",
        "const e = document.querySelector('#toast'); return e && e.innerText.includes('本次跳过') && e.innerText;",
        json!([]),
    )
    .await;

    // One of them reads it on a phone.
    let username = missing["items"][0]["username"].as_str().unwrap().to_owned();
    let phone = Browser::start(375, 812).await;
    phone.sign_in(&c.origin, &username, DEMO_PASSWORD).await;
    let badge = phone.text("#unread").await;
    assert!(badge.contains("1 条未读"), "{badge}");
    if let Some(path) = screenshot_to("cadre-notices.png") {
        phone.screenshot(&path).await;
    }
    phone.click("#notices li.unread button").await;
    phone
        .until(
            "the notice read",
            "return document.querySelector('#notices') && !document.querySelector('#unread');",
            json!([]),
        )
        .await;
    let token = c.app.token(&username, DEMO_PASSWORD).await;
    assert_eq!(
        c.app.get("/api/v1/me/notices", &token).await.expect(200)["unread"],
        0
    );

    // The judicial office archives the year, a record is added, and the diff says so.
    let j = Browser::start(1280, 1000).await;
    j.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
    j.goto(&format!("{}/#/judicial/annual", c.origin)).await;
    j.until(
        "the page loaded",
        "const e = document.querySelector('#narrative'); return e && e.innerText.includes('普法宣传') && !!document.querySelector('#archive-year');",
        json!([]),
    )
    .await;
    j.click("#archive-year").await;
    j.until(
        "the archive listed",
        "return document.querySelectorAll('#archives tbody tr').length === 1;",
        json!([]),
    )
    .await;
    let sifa = c.app.token("sifa", DEMO_PASSWORD).await;
    let street = c
        .app
        .get("/api/v1/units?kind=street", &sifa)
        .await
        .expect(200)["items"][0]["id"]
        .clone();
    c.app
        .post(
            "/api/v1/petitions",
            &sifa,
            json!({"unit_id": street, "received_on": c.today(), "cases": 1, "visitors": 2}),
        )
        .await
        .expect(201);
    c.app
        .post(
            "/api/v1/activities",
            &sifa,
            json!({"kind": "publicity", "title": "宪法进社区", "held_on": c.today(), "organizer_unit_id": street, "venue": "community", "audience": "public", "attendance": 1234, "materials": 5}),
        )
        .await
        .expect(201);
    j.click("#archives tbody tr button").await;
    let diff = j.text("#archive-diff").await;
    // What moved, in words: list items by their own names, numbers with separators.
    assert!(diff.contains("信访 案件数"), "{diff}");
    assert!(diff.contains("法律六进 进社区 次数"), "{diff}");
    let labels = j
        .script(
            "return [...document.querySelectorAll('#archive-diff tbody tr')].map((r) => r.children[0].innerText);",
            json!([]),
        )
        .await;
    for label in labels.as_array().unwrap() {
        assert_no_english("a changed figure's name", label.as_str().unwrap());
    }
    if let Some(path) = screenshot_to("judicial-archive.png") {
        j.script(
            "document.querySelector('#archives').scrollIntoView()",
            json!([]),
        )
        .await;
        j.screenshot(&path).await;
    }
}

/// The demo district of three streets.
async fn district_console() -> Option<Console> {
    console_with(DemoOptions {
        cadres: 12,
        sessions_per_cadre: 4,
        activities: 6,
        questions_per_attempt: 10,
        ..Default::default()
    })
    .await
}

/// The ids a page's elements carry in `attribute`, as numbers.
async fn ids_on_page(b: &Browser, css: &str, attribute: &str) -> Vec<i64> {
    let found = b
        .script(
            "return [...document.querySelectorAll(arguments[0])].map((e) => Number(e.getAttribute(arguments[1]))).filter((n) => n > 0);",
            json!([css, attribute]),
        )
        .await;
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
async fn a_street_hr_works_within_the_street_and_the_district_sees_the_league_table() {
    let Some(c) = district_console().await else {
        return;
    };
    let id = c.demo.campaign_id;
    let token = c.app.token("hjy-hr", DEMO_PASSWORD).await;
    let units: Vec<i64> = c
        .app
        .get("/api/v1/units?per_page=500", &token)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(units.len(), 31, "the street and its 30 units");

    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "hjy-hr", DEMO_PASSWORD).await;
    assert_eq!(b.text("header .scope").await, "新区 › 胡家园街道");
    // The district's campaign, with the street's own figures.
    b.goto(&format!("{}/#/hr/targets?campaign={id}", c.origin))
        .await;
    let api = c
        .app
        .get(&format!("/api/v1/campaigns/{id}/targets"), &token)
        .await
        .expect(200);
    assert_eq!(b.text("#roster").await, api["roster"].to_string());
    // The landing page (the street's own campaign) may still be on screen for a moment:
    // wait for the district campaign's table, whose one row is the street.
    b.until(
        "the district campaign's table with the street's row",
        "const rows = [...document.querySelectorAll('#by-unit tbody tr')]; return rows.length === 1 && rows[0].getAttribute('data-unit') === arguments[0];",
        json!([units[0].to_string()]),
    )
    .await;
    let rows = ids_on_page(&b, "#by-unit tbody tr", "data-unit").await;
    assert_eq!(rows, [units[0]], "the street's own row: {rows:?}");
    // Every unit picker offers the street's units only.
    b.goto(&format!("{}/#/hr/roster?campaign={id}", c.origin))
        .await;
    b.text("h2").await;
    b.until(
        "the unit picker filled",
        "return document.querySelectorAll('#roster-unit option:not([value=\"\"])').length > 1;",
        json!([]),
    )
    .await;
    let offered = ids_on_page(
        &b,
        "select[aria-label='报名单位'] option, #roster-unit option",
        "value",
    )
    .await;
    assert!(
        !offered.is_empty() && offered.iter().all(|u| units.contains(u)),
        "{offered:?}"
    );
    // The district's settings are the district's: the form is there to read.
    b.goto(&format!("{}/#/hr/campaign?campaign={id}", c.origin))
        .await;
    b.text("#not-owned").await;
    let disabled = b
        .script(
            "return document.querySelector('#campaign-form fieldset').disabled;",
            json!([]),
        )
        .await;
    assert_eq!(disabled, json!(true));
    if let Some(path) = screenshot_to("street-hr-campaign.png") {
        b.screenshot(&path).await;
    }

    // The district's HR: the league table of the streets, sortable, with a way in.
    let d = Browser::start(1280, 1000).await;
    d.sign_in(&c.origin, "qu-hr", DEMO_PASSWORD).await;
    d.goto(&format!("{}/#/league", c.origin)).await;
    d.text("#league tbody tr").await;
    let district_token = c.app.token("qu-hr", DEMO_PASSWORD).await;
    let report = c
        .app
        .get(
            &format!("/api/v1/reports/annual/{}", c.demo.year),
            &district_token,
        )
        .await
        .expect(200);
    let streets: Vec<i64> = report["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit_id"].as_i64().unwrap())
        .collect();
    assert_eq!(streets.len(), 3, "{report}");
    assert_eq!(d.text("#league-unit").await, "新区");
    let mut shown = ids_on_page(&d, "#league tbody tr", "data-unit").await;
    shown.sort_unstable();
    assert_eq!(shown, streets, "a row per street");
    // Each street's rate is the API's; a click on 学习率 (sorted high to low at first)
    // sorts it low to high.
    d.click("#league th button[data-sort=study]").await;
    let cells = d
        .script(
            "return [...document.querySelectorAll('#league tbody tr')].map((r) => [Number(r.dataset.unit), r.querySelector('td[data-field=study]').innerText]);",
            json!([]),
        )
        .await;
    let cells: Vec<(i64, String)> = serde_json::from_value(cells).unwrap();
    let rate_of = |unit: i64| {
        let row = report["by_unit"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit_id"] == unit)
            .unwrap();
        row["campaigns"][0]["study"]["rate"].clone()
    };
    for (unit, text) in &cells {
        assert_eq!(*text, percent(&rate_of(*unit)), "street {unit}");
    }
    let order: Vec<f64> = cells
        .iter()
        .map(|(u, _)| rate_of(*u).as_f64().unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "ascending: {order:?}"
    );
    if let Some(path) = screenshot_to("district-league.png") {
        d.screenshot(&path).await;
    }
    // On a phone the table scrolls inside its box; the page itself does not.
    let phone = Browser::start(390, 800).await;
    phone.sign_in(&c.origin, "qu-hr", DEMO_PASSWORD).await;
    phone.goto(&format!("{}/#/league", c.origin)).await;
    phone.text("#league tbody tr").await;
    let overflow = phone
        .script(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            json!([]),
        )
        .await;
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the page overflows by {overflow} px"
    );
    if let Some(path) = screenshot_to("district-league-phone.png") {
        phone.screenshot(&path).await;
    }
    let street = streets[1];
    d.click(&format!("#league tr[data-unit='{street}'] td a"))
        .await;
    d.until(
        "the street's units",
        "return document.querySelector('#league-unit').innerText !== '新区';",
        json!([]),
    )
    .await;
    assert_eq!(
        ids_on_page(&d, "#league tbody tr", "data-unit").await.len(),
        30
    );
    // The district's HR narrows a street judicial office's scope to one of its units, in
    // the accounts list.
    let sifa = c
        .app
        .get("/api/v1/users?q=hjy-sifa", &district_token)
        .await
        .expect(200)["items"][0]
        .clone();
    let community = units[1]; // the street's first department
    d.goto(&format!("{}/#/admin/users", c.origin)).await;
    let select = format!(
        "#users tr[data-user='{}'] td[data-field=scope] select",
        sifa["id"]
    );
    d.text(&select).await;
    d.script(
        "const s = document.querySelector(arguments[0]); s.value = String(arguments[1]); s.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([select, community]),
    )
    .await;
    d.until(
        "the scope saved",
        "const t = document.querySelector('#toast'); return t && t.innerText.includes('管理范围');",
        json!([]),
    )
    .await;
    let changed = c
        .app
        .get(&format!("/api/v1/users/{}", sifa["id"]), &district_token)
        .await
        .expect(200);
    assert_eq!(changed["scope_unit_id"], community);
    if let Some(path) = screenshot_to("district-accounts.png") {
        d.screenshot(&path).await;
    }
}

#[tokio::test]
async fn a_session_that_ends_returns_to_sign_in_and_then_to_the_same_page() {
    let Some(c) = console().await else { return };
    let b = Browser::start(1280, 900).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    let hash = format!("#/hr/roster?campaign={}", c.demo.campaign_id);
    b.goto(&format!("{}/{hash}", c.origin)).await;
    b.text("h2").await;
    // An administrator disables the account and enables it again: its sessions end.
    let admin = c.app.admin_token().await;
    let hr = c
        .app
        .get("/api/v1/users?q=hr&per_page=50", &admin)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "hr")
        .unwrap()["id"]
        .clone();
    for active in [false, true] {
        c.app
            .patch(
                &format!("/api/v1/users/{hr}"),
                &admin,
                json!({"active": active}),
            )
            .await
            .expect(200);
    }
    // The page's next request needs a fresh token, which is refused.
    b.script(
        "const s = JSON.parse(sessionStorage.getItem('xuefa.session')); s.expires = 0; sessionStorage.setItem('xuefa.session', JSON.stringify(s)); location.reload();",
        json!([]),
    )
    .await;
    assert_eq!(b.text("#session-ended").await, "登录已过期，请重新登录。");
    let at = b.script("return location.hash;", json!([])).await;
    assert_eq!(at, json!(hash), "the address is kept");
    // Signing in again returns to the same page.
    b.type_into("input[name=username]", "hr").await;
    b.type_into("input[name=password]", DEMO_PASSWORD).await;
    b.click("#login-form button[type=submit]").await;
    b.text("header .who").await;
    b.text("h2").await;
    assert_eq!(
        b.script("return location.hash;", json!([])).await,
        json!(hash)
    );

    // 记住我 keeps the session for a new tab of the same browser; without it, a new tab
    // asks again.
    b.click("#sign-out").await;
    b.text("#login-form").await;
    b.type_into("input[name=username]", "hr").await;
    b.type_into("input[name=password]", DEMO_PASSWORD).await;
    b.click("input[name=remember]").await;
    b.click("#login-form button[type=submit]").await;
    b.text("header .who").await;
    b.script("sessionStorage.clear(); location.reload();", json!([]))
        .await;
    b.text("header .who").await;
    b.click("#sign-out").await;
    b.text("#login-form").await;
    let kept = b
        .script("return localStorage.getItem('xuefa.session');", json!([]))
        .await;
    assert_eq!(kept, Value::Null, "signing out forgets it");
}

#[tokio::test]
async fn next_years_campaign_does_not_empty_hr_s_landing_page() {
    let Some(c) = console().await else { return };
    let hr = c.app.token("qu-hr", DEMO_PASSWORD).await;
    let next = c.demo.year + 1;
    let created = c
        .app
        .post(
            "/api/v1/campaigns",
            &hr,
            json!({"year": next, "title": format!("{next}年度学法考试"), "study_starts_on": format!("{next}-01-01"), "study_ends_on": format!("{next}-12-31"), "required_minutes": 60, "exam_opens_at": format!("{next}-11-01T00:00:00+08:00"), "exam_closes_at": format!("{next}-12-01T00:00:00+08:00")}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let b = Browser::start(1280, 900).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    // The landing page opens on the campaign in progress, not the newest (empty) one.
    b.text("#roster").await;
    let shown = || async {
        b.script(
            "return document.querySelector('#campaign').value;",
            json!([]),
        )
        .await
    };
    assert_eq!(shown().await, json!(c.demo.campaign_id.to_string()));
    assert_ne!(b.text("#roster").await, "0");
    // A campaign picked in the picker is remembered for the next visit.
    b.script(
        "const s = document.querySelector('#campaign'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([created.to_string()]),
    )
    .await;
    b.until(
        "the picked campaign",
        "return location.hash.includes('campaign=' + arguments[0]);",
        json!([created.to_string()]),
    )
    .await;
    b.goto(&format!("{}/#/hr/targets", c.origin)).await;
    b.text("#roster").await;
    b.until(
        "the remembered campaign",
        "return document.querySelector('#campaign').value === arguments[0];",
        json!([created.to_string()]),
    )
    .await;
}

#[tokio::test]
async fn the_accounts_search_asks_once_typing_pauses_and_is_audited_once() {
    let Some(c) = console().await else { return };
    let admin = c.app.admin_token().await;
    let searches = || async {
        let log = c
            .app
            .get("/api/v1/audit-log?action=read_people&per_page=500", &admin)
            .await
            .expect(200);
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity"] == "users" && e["summary"].as_str().unwrap().contains("q="))
            .count()
    };
    let b = Browser::start(1280, 900).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/admin/users", c.origin)).await;
    b.text("#users tbody tr").await;
    let before = searches().await;
    // Typed as a person types: one key at a time, faster than the pause.
    b.type_into("#user-search", "gb0000").await;
    b.until(
        "the list narrowed",
        "return [...document.querySelectorAll('#users tbody tr')].every((r) => r.innerText.includes('gb0000'));",
        json!([]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(searches().await, before + 1, "one search, one audit entry");
}

#[tokio::test]
async fn hr_manages_accounts_in_dialogs_and_pages_agree_with_the_api() {
    let Some(c) = console().await else { return };
    let token = c.app.token("hr", DEMO_PASSWORD).await;
    let b = Browser::start(1280, 900).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    b.goto(&format!("{}/#/admin/users?per_page=20", c.origin))
        .await;
    // The pager says the server's total and pages; the next page is the API's next page,
    // and a reload keeps it.
    let first = c
        .app
        .get("/api/v1/users?per_page=20", &token)
        .await
        .expect(200);
    let total = first["total"].as_u64().unwrap();
    assert!(total > 20, "the demo street has more than a page: {total}");
    let pages = total.div_ceil(20);
    assert_eq!(
        b.text(".pager .total").await.replace(',', ""),
        format!("共 {total} 条")
    );
    assert_eq!(b.text(".pager .at").await, format!("第 1 / {pages} 页"));
    b.click(".pager .next").await;
    let second = c
        .app
        .get("/api/v1/users?per_page=20&page=2", &token)
        .await
        .expect(200);
    let wanted = second["items"][0]["id"].to_string();
    b.until(
        "page 2's first account",
        "const r = document.querySelector('#users tbody tr'); return location.hash.includes('page=2') && r && r.dataset.user === arguments[0];",
        json!([wanted]),
    )
    .await;
    b.script("location.reload();", json!([])).await;
    b.until(
        "page 2 after a reload",
        "const r = document.querySelector('#users tbody tr'); return r && r.dataset.user === arguments[0];",
        json!([wanted]),
    )
    .await;

    // A heading sorts on the server: twice on 用户名 is descending, as the API orders it.
    b.goto(&format!("{}/#/admin/users?per_page=20", c.origin))
        .await;
    b.text("#users tbody tr").await;
    b.click("[data-sort=username]").await;
    b.until(
        "sorted ascending",
        "return location.hash.includes('sort=username');",
        json!([]),
    )
    .await;
    b.click("[data-sort=username]").await;
    let sorted = c
        .app
        .get("/api/v1/users?per_page=20&sort=-username", &token)
        .await
        .expect(200);
    let wanted: Vec<i64> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    b.until(
        "the API's descending order",
        "return location.hash.includes('sort=-username') && JSON.stringify([...document.querySelectorAll('#users tbody tr')].map((r) => Number(r.dataset.user))) === arguments[0];",
        json!([serde_json::to_string(&wanted).unwrap()]),
    )
    .await;
    assert_eq!(
        b.script(
            "return document.querySelector('[data-sort=username]').closest('th').getAttribute('aria-sort');",
            json!([])
        )
        .await,
        json!("descending")
    );

    // 重置密码: asked first, the one-time password shown once, and it signs in.
    let cadres = c
        .app
        .get("/api/v1/users?role=cadre&per_page=50", &token)
        .await
        .expect(200);
    let cadre = cadres["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["roles"] == json!(["cadre"]))
        .unwrap();
    let (id, username) = (cadre["id"].clone(), cadre["username"].as_str().unwrap());
    b.goto(&format!("{}/#/admin/users?q={username}", c.origin))
        .await;
    b.until(
        "the search box to show the address's search",
        "return document.querySelector('#user-search').value === arguments[0];",
        json!([username]),
    )
    .await;
    b.click(&format!("tr[data-user='{id}'] [data-action=reset]"))
        .await;
    b.click("#confirm-reset-yes").await;
    let password = b.text("#one-time-password").await;
    if let Some(path) = screenshot_to("hr-reset-password.png") {
        b.screenshot(&path).await;
    }
    c.app.login(username, &password).await.expect(200);
    c.app.login(username, DEMO_PASSWORD).await.expect(401);
    b.click("#password-dialog .actions button").await;

    // 停用, asked in the page, and the list says so.
    b.click(&format!("tr[data-user='{id}'] [data-action=active]"))
        .await;
    b.click("#confirm-active-yes").await;
    b.until(
        "the account shown disabled",
        "const r = document.querySelector(`tr[data-user='${arguments[0]}'] [data-field=active]`); return r && r.innerText === '停用';",
        json!([id.to_string()]),
    )
    .await;
    assert!(b.text("#toast").await.contains("已停用"));
    let stored = c
        .app
        .get(&format!("/api/v1/users/{id}"), &token)
        .await
        .expect(200);
    assert_eq!(stored["active"], false);

    // 新建账号: an empty form says everything at once; a filled one is created.
    b.click("#new-account").await;
    b.click("#account-form button[type=submit]").await;
    let flagged = b
        .until(
            "the empty fields flagged",
            "const f = [...document.querySelectorAll('#account-form .field-error')]; return f.length >= 3 && f.map(e => e.innerText);",
            json!([]),
        )
        .await;
    assert_eq!(
        flagged,
        json!(["请填写用户名", "请填写初始密码", "请填写姓名"])
    );
    b.type_into("#account-form input[name=username]", "xinren01")
        .await;
    b.type_into("#account-form input[name=password]", "Xinren-2026")
        .await;
    b.type_into("#account-form input[name=name]", "新人").await;
    b.click("#account-form button[type=submit]").await;
    b.until(
        "the toast for the new account",
        "const t = document.querySelector('#toast'); return t && t.innerText.includes('xinren01');",
        json!([]),
    )
    .await;
    let made = c
        .app
        .get("/api/v1/users?q=xinren01", &token)
        .await
        .expect(200);
    assert_eq!(made["total"], 1);
    assert_eq!(made["items"][0]["name"], "新人");
}

#[tokio::test]
async fn the_audit_log_reads_in_chinese_filtered_by_action_and_person() {
    let Some(c) = console().await else { return };
    let admin = c.app.admin_token().await;
    let b = Browser::start(1280, 900).await;
    b.sign_in(&c.origin, "admin", "Gov-Intranet-2026").await;
    b.goto(&format!("{}/#/admin/audit", c.origin)).await;
    b.text("#audit tbody tr").await;
    b.select("#audit-action", "load").await;
    let api = c
        .app
        .get("/api/v1/audit-log?action=load", &admin)
        .await
        .expect(200);
    b.until(
        "only the demo's loading entries",
        "const rows = [...document.querySelectorAll('#audit tbody tr')]; return location.hash.includes('action=load') && rows.length === arguments[0] && rows.every((r) => r.querySelector('.action').innerText === '载入演示数据');",
        json!([api["items"].as_array().unwrap().len()]),
    )
    .await;
    assert_eq!(
        b.text(".pager .total").await.replace(',', ""),
        format!("共 {} 条", api["total"])
    );
    // The whole page in Chinese: action names and entities, no Debug text.
    b.goto(&format!("{}/#/admin/audit", c.origin)).await;
    b.text("#audit tbody tr").await;
    let table = b.text("#audit").await;
    for code in ["Some(", "None"] {
        assert!(!table.contains(code), "{code} in the log page");
    }
    let named = b
        .script(
            "return [...document.querySelectorAll('#audit tbody tr')].map((r) => [r.children[2].innerText, r.children[3].innerText.split(' #')[0]]);",
            json!([]),
        )
        .await;
    for pair in named.as_array().unwrap() {
        for cell in pair.as_array().unwrap() {
            assert_no_english("an action or entity", cell.as_str().unwrap());
        }
    }
    if let Some(path) = screenshot_to("admin-audit.png") {
        b.screenshot(&path).await;
    }
}

#[tokio::test]
async fn hr_finds_people_on_the_roster_and_exempts_several_at_once() {
    let Some(c) = console().await else { return };
    let token = c.app.token("hr", DEMO_PASSWORD).await;
    let id = c.demo.campaign_id;
    let b = Browser::start(1280, 900).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    b.goto(&format!(
        "{}/#/hr/roster?campaign={id}&per_page=20",
        c.origin
    ))
    .await;
    b.text("#roster-table tbody tr").await;
    // Every member, page by page, with the unit and 领导干部 columns; the total is the API's.
    let api = c
        .app
        .get(
            &format!("/api/v1/campaigns/{id}/enrollments?per_page=20"),
            &token,
        )
        .await
        .expect(200);
    assert_eq!(
        b.text(".pager .total").await.replace(',', ""),
        format!("共 {} 条", api["total"])
    );
    let heads = b.text("#roster-table thead").await;
    assert!(
        heads.contains("单位") && heads.contains("领导干部"),
        "{heads}"
    );
    // The unit picker is the street's tree: the street, then its units indented under it.
    let options = b
        .script(
            "return [...document.querySelectorAll('#roster-unit option')].map((o) => o.textContent);",
            json!([]),
        )
        .await;
    let options: Vec<&str> = options
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    assert_eq!(options[..2], ["全部", "新立街道"], "{options:?}");
    assert!(
        options[2..].iter().all(|o| o.starts_with("\u{3000}└ ")),
        "{options:?}"
    );
    // Search by name: the address keeps it.
    let name = api["items"][0]["name"].as_str().unwrap().to_owned();
    b.type_into("#roster-search", &name).await;
    b.until(
        "the roster narrowed to the name",
        "const rows = [...document.querySelectorAll('#roster-table tbody tr')]; return location.hash.includes('q=') && rows.length > 0 && rows.every((r) => r.innerText.includes(arguments[0]));",
        json!([name]),
    )
    .await;
    // Two people exempted in one go, with one reason asked in the page.
    b.goto(&format!(
        "{}/#/hr/roster?campaign={id}&exempt=false",
        c.origin
    ))
    .await;
    // The list loads again for the new address: wait for it, not the search's one row.
    b.until(
        "the roster without the search",
        "return !location.hash.includes('q=') && document.querySelectorAll('#roster-table tbody tr').length > 1;",
        json!([]),
    )
    .await;
    let picked = ids_on_page(&b, "#roster-table tbody tr", "data-user").await;
    let (first, second) = (picked[0], picked[1]);
    b.click(&format!(
        "#roster-table tr[data-user='{first}'] input[type=checkbox]"
    ))
    .await;
    b.click(&format!(
        "#roster-table tr[data-user='{second}'] input[type=checkbox]"
    ))
    .await;
    b.click("#batch-exempt").await;
    if let Some(path) = screenshot_to("hr-roster.png") {
        b.screenshot(&path).await;
    }
    b.click("#exempt-form button[type=submit]").await;
    assert_eq!(
        b.text("#exempt-form .field-error").await,
        "请填写免考原因",
        "no reason, no exemption"
    );
    b.type_into("#exempt-form input[name=exempt_reason]", "援派")
        .await;
    b.click("#exempt-form button[type=submit]").await;
    b.until(
        "the toast",
        "const t = document.querySelector('#toast'); return t && t.innerText.includes('2 人');",
        json!([]),
    )
    .await;
    for user in [first, second] {
        let entry = c
            .app
            .get(
                &format!("/api/v1/campaigns/{id}/enrollments?exempt=true&per_page=500"),
                &token,
            )
            .await
            .expect(200);
        let found = entry["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["user_id"] == user)
            .cloned()
            .unwrap_or_else(|| panic!("{user} not exempt"));
        assert_eq!(found["exempt_reason"], "援派");
    }
    // 移出: asked first; someone who has started is refused in Chinese, anyone else goes.
    let third = picked[2];
    b.click(&format!(
        "#roster-table tr[data-user='{third}'] [data-action=unenroll]"
    ))
    .await;
    b.click("#confirm-unenroll-yes").await;
    let roster = |exempt: &str| format!("/api/v1/campaigns/{id}/enrollments?per_page=500{exempt}");
    let said = b
        .until(
            "the outcome of 移出",
            "const said = [...document.querySelectorAll('.error, #toast')].map((e) => e.innerText).find((t) => t.includes('移出')); return said || false;",
            json!([]),
        )
        .await;
    let said = said.as_str().unwrap();
    let still = c.app.get(&roster(""), &token).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["user_id"] == third);
    if still {
        assert!(said.contains("不能移出名单"), "{said}");
        assert_no_english("the refusal", said);
    } else {
        assert!(said.contains("已将 1 人移出名单"), "{said}");
    }
}

#[tokio::test]
async fn hr_searches_the_question_bank_and_edits_and_deletes_in_place() {
    let Some(c) = console().await else { return };
    // The demo campaign is the district's: its bank is the district HR's to change.
    let token = c.app.token("qu-hr", DEMO_PASSWORD).await;
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "qu-hr", DEMO_PASSWORD).await;
    let id = c.demo.campaign_id;
    b.goto(&format!("{}/#/hr/questions?campaign={id}", c.origin))
        .await;
    b.text("#questions tbody tr").await;
    // A word of one stem finds it, as the API's own search does.
    let bank = c
        .app
        .get(
            &format!("/api/v1/campaigns/{id}/questions?per_page=500"),
            &token,
        )
        .await
        .expect(200);
    let stem = bank["items"][0]["stem"].as_str().unwrap().to_owned();
    let word: String = stem.chars().take(6).collect();
    let found = c
        .app
        .get(
            &format!(
                "/api/v1/campaigns/{id}/questions?q={}",
                word.bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect::<String>()
            ),
            &token,
        )
        .await
        .expect(200);
    assert!(found["total"].as_u64().unwrap() >= 1);
    b.type_into("#question-search", &word).await;
    b.until(
        "the bank narrowed to the search",
        "return location.hash.includes('q=') && document.querySelectorAll('#questions tbody tr').length === arguments[0];",
        json!([found["items"].as_array().unwrap().len()]),
    )
    .await;
    // 修改 in a dialog beside the list.
    let qid = found["items"][0]["id"].clone();
    b.click(&format!(
        "#questions tr[data-question='{qid}'] [data-action=edit]"
    ))
    .await;
    b.fill("#edit-question input[name=law_ref]", "《宪法》第三十三条")
        .await;
    b.click("#edit-question button[type=submit]").await;
    b.until(
        "the toast",
        "const t = document.querySelector('#toast'); return t && t.innerText.includes('已保存');",
        json!([]),
    )
    .await;
    let stored = c
        .app
        .get(
            &format!("/api/v1/campaigns/{id}/questions?per_page=500"),
            &token,
        )
        .await
        .expect(200);
    // A question exams already drew is kept for them and changed as a new version.
    let changed = stored["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["law_ref"] == "《宪法》第三十三条" && q["stem"] == found["items"][0]["stem"])
        .expect("the changed question in the bank");
    let qid = changed["id"].clone();
    b.text(&format!("#questions tr[data-question='{qid}']"))
        .await;
    // 删除, asked first.
    b.click(&format!(
        "#questions tr[data-question='{qid}'] [data-action=delete]"
    ))
    .await;
    b.click("#confirm-delete-yes").await;
    b.until(
        "the question gone from the list",
        "return !document.querySelector(`#questions tr[data-question='${arguments[0]}']`);",
        json!([qid.to_string()]),
    )
    .await;
    let after = c
        .app
        .get(
            &format!("/api/v1/campaigns/{id}/questions?per_page=500"),
            &token,
        )
        .await
        .expect(200);
    assert_eq!(after["total"], stored["total"].as_u64().unwrap() - 1);
    assert!(b.text("#csv-guide summary").await.contains("CSV"));
    if let Some(path) = screenshot_to("hr-questions.png") {
        b.script(
            "document.querySelector('#questions').scrollIntoView();",
            json!([]),
        )
        .await;
        b.screenshot(&path).await;
    }
    // A street's HR reads the district's bank but is not offered changes it may not make.
    let street = Browser::start(1280, 900).await;
    street.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    street
        .goto(&format!("{}/#/hr/questions?campaign={id}", c.origin))
        .await;
    street.text("#not-owned").await;
    street.text("#questions tbody tr").await;
    let offered = street
        .script(
            "return document.querySelectorAll('#questions [data-action], #question-form').length;",
            json!([]),
        )
        .await;
    assert_eq!(offered, json!(0));
}

/// Elements reaching past the right edge of the window, outside a scrolling box (a table
/// that scrolls inside its card is fine; one that widens the page is not).
const OVERFLOW: &str = "const w = window.innerWidth + 1;
    const out = [...document.querySelectorAll('main *')].filter((e) => {
      if (e.closest('.scroll')) return false;
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.right > w;
    }).map((e) => e.tagName + '.' + e.className);
    return { page: document.documentElement.scrollWidth <= w, out };";

#[tokio::test]
async fn nothing_is_wider_than_a_phone_and_wide_tables_scroll_in_their_card() {
    let Some(c) = console().await else { return };
    let phone = Browser::start(375, 812).await;
    phone.sign_in(&c.origin, "gb00002", DEMO_PASSWORD).await;
    phone
        .until(
            "the cadre's page",
            "const m = document.querySelector('main'); return m && m.innerText.includes('学习');",
            json!([]),
        )
        .await;
    let cadre = phone.script(OVERFLOW, json!([])).await;
    assert_eq!(cadre, json!({"page": true, "out": []}), "the cadre's page");
    let hr = Browser::start(375, 812).await;
    hr.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    for (page, table) in [
        ("/hr/roster", "#roster-table"),
        ("/admin/users", "#users"),
        ("/hr/questions", "#questions"),
        ("/hr/targets", "#by-unit"),
    ] {
        hr.goto(&format!("{}/#{page}", c.origin)).await;
        hr.text(&format!("{table} tbody tr")).await;
        let wide = hr
            .script(
                "const t = document.querySelector(arguments[0]); return { page: document.documentElement.scrollWidth <= window.innerWidth + 1, scrolls: !!t.closest('.scroll') || t.getBoundingClientRect().right <= window.innerWidth + 1 };",
                json!([table]),
            )
            .await;
        assert_eq!(wide, json!({"page": true, "scrolls": true}), "{page}");
    }
}

#[tokio::test]
async fn hr_reads_and_downloads_the_exam_records_as_filtered() {
    let Some(c) = console().await else { return };
    let token = c.app.token("hr", DEMO_PASSWORD).await;
    let id = c.demo.campaign_id;
    let b = Browser::start(1280, 900).await;
    b.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    b.goto(&format!(
        "{}/#/hr/attempts?campaign={id}&passed=true",
        c.origin
    ))
    .await;
    let api = c
        .app
        .get(
            &format!("/api/v1/campaigns/{id}/attempts?passed=true"),
            &token,
        )
        .await
        .expect(200);
    assert!(
        api["total"].as_u64().unwrap() > 0,
        "the demo street has passed attempts"
    );
    b.until(
        "the passed attempts",
        "const rows = document.querySelectorAll('#attempts tbody tr'); return rows.length === arguments[0] && [...rows].every((r) => r.innerText.includes('合格'));",
        json!([api["items"].as_array().unwrap().len()]),
    )
    .await;
    assert_eq!(
        b.text(".pager .total").await.replace(',', ""),
        format!("共 {} 条", api["total"])
    );
    let admin = c.app.admin_token().await;
    let log = async || {
        c.app
            .get("/api/v1/audit-log?action=export&entity=attempts", &admin)
            .await
            .expect(200)
    };
    let exports = async || log().await["total"].as_u64().unwrap();
    let before = exports().await;
    b.click("#attempts-xlsx").await;
    for _ in 0..50 {
        if exports().await > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(exports().await, before + 1, "the export of what is shown");
    let entry = log().await["items"][0]["summary"].clone();
    assert!(entry.as_str().unwrap().contains("passed=true"), "{entry}");
}

#[tokio::test]
async fn a_task_and_a_law_report_recorded_in_the_console_move_the_annual_page() {
    let Some(c) = console().await else { return };
    let year = c.demo.year;
    let sifa = c.app.token("sifa", DEMO_PASSWORD).await;
    let annual = || async {
        c.app
            .get(&format!("/api/v1/reports/annual/{year}"), &sifa)
            .await
            .expect(200)
    };
    let before = annual().await;
    assert!(
        before["tasks"]["total"].as_u64().unwrap() > 0
            && before["previous"]["law_reports"]["reported"]
                .as_u64()
                .unwrap()
                > 0,
        "the demo keeps a year of each and the year before: {}",
        before["previous"]
    );

    // The judicial office adds an overdue task to the 任务分解表 and a 自查 note on it.
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, "sifa", DEMO_PASSWORD).await;
    b.goto(&format!(
        "{}/#/judicial/ledgers?kind=law-tasks&year={year}",
        c.origin
    ))
    .await;
    b.click("#new-record").await;
    b.type_into("#ledger-form input[name=title]", "法治督察整改（控制台）")
        .await;
    let street = c
        .app
        .get("/api/v1/units?kind=street", &sifa)
        .await
        .expect(200)["items"][0]["id"]
        .to_string();
    b.select("#ledger-form select[name=unit_id]", &street).await;
    b.fill("#ledger-form input[name=due_on]", &format!("{year}-01-31"))
        .await;
    b.select("#ledger-form select[name=status]", "in_progress")
        .await;
    b.click("#ledger-form button[type=submit]").await;
    let row = b
        .until(
            "the new task, marked overdue in words",
            "const r = [...document.querySelectorAll('#ledger tbody tr')].find((r) => r.innerText.includes('法治督察整改（控制台）'));
             return r && r.classList.contains('overdue') && r.innerText;",
            json!([]),
        )
        .await;
    assert!(row.as_str().unwrap().contains("逾期"), "{row}");
    b.script(
        "[...document.querySelectorAll('#ledger tbody tr')].find((r) => r.innerText.includes('法治督察整改（控制台）')).querySelector('.row-actions button').click()",
        json!([]),
    )
    .await;
    b.type_into("#note-form input[name=text]", "已约谈责任单位，限期整改")
        .await;
    b.click("#note-form button[type=submit]").await;
    b.until(
        "the note listed",
        "const n = document.querySelector('#task-notes ol'); return n && n.innerText.includes('已约谈责任单位');",
        json!([]),
    )
    .await;
    if let Some(path) = screenshot_to("judicial-law-tasks.png") {
        b.screenshot(&path).await;
    }

    // HR records a missing leader's 述法 from the list of those still missing.
    let hr = Browser::start(1280, 1000).await;
    hr.sign_in(&c.origin, "hr", DEMO_PASSWORD).await;
    hr.goto(&format!(
        "{}/#/judicial/ledgers?kind=law-reports&year={year}",
        c.origin
    ))
    .await;
    let heading = hr.text("#missing-leaders h3").await;
    let missing = before["law_reports"]["missing"].as_u64().unwrap();
    assert!(heading.contains(&format!("（{missing} 名）")), "{heading}");
    hr.click("#missing-leaders button").await;
    hr.select("#ledger-form select[name=form]", "on_site").await;
    hr.fill("#ledger-form input[name=held_on]", &c.today())
        .await;
    hr.click("#ledger-form button[type=submit]").await;
    hr.until(
        "one leader fewer missing",
        "const h = document.querySelector('#missing-leaders h3'); return h && h.innerText.includes(arguments[0]);",
        json!([format!("（{} 名）", missing - 1)]),
    )
    .await;

    // The annual page states the new figures.
    let after = annual().await;
    assert_eq!(
        after["tasks"]["total"],
        before["tasks"]["total"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after["tasks"]["overdue"],
        before["tasks"]["overdue"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after["law_reports"]["reported"],
        before["law_reports"]["reported"].as_u64().unwrap() + 1
    );
    b.goto(&format!("{}/#/judicial/annual", c.origin)).await;
    let tasks = b.text("#law-tasks").await;
    assert!(
        tasks.contains(&after["tasks"]["total"].to_string())
            && tasks.contains(&format!("逾期 {} 项", after["tasks"]["overdue"])),
        "{tasks}"
    );
    let reports = b.text("#law-reports strong").await;
    assert_eq!(reports.trim(), after["law_reports"]["reported"].to_string());
    b.until(
        "the narrative's paragraph on the tasks and 述法",
        "const n = document.querySelector('#narrative'); return n && n.innerText.includes('法治建设组织领导方面');",
        json!([]),
    )
    .await;
    if let Some(path) = screenshot_to("judicial-annual-law.png") {
        b.script(
            "document.querySelector('#law-figures').scrollIntoView()",
            json!([]),
        )
        .await;
        b.screenshot(&path).await;
    }
}

/// Every page of the console as those who use it, at desktop width and at a phone's:
/// axe-core finds no serious or critical problem (WCAG 2.1 A and AA).
#[tokio::test]
async fn every_page_passes_axe_core_with_no_serious_or_critical_finding() {
    let Some(c) = console().await else { return };
    let mut found = Vec::new();
    let cadre = roster_cadre(&c, Condition::all(), "a cadre on the roster").await;
    for (width, height) in [(1280, 1000), (375, 812)] {
        let b = Browser::start(width, height).await;
        b.goto(&c.origin).await;
        b.text("#login-form").await;
        for p in b.accessibility_problems().await {
            found.push(format!("{width}px sign-in: {p}"));
        }
        for (user, password, pages) in [
            (
                "admin",
                "Gov-Intranet-2026",
                &[
                    "/hr/targets",
                    "/hr/roster",
                    "/hr/campaign",
                    "/hr/courses",
                    "/hr/questions",
                    "/hr/attempts",
                    "/judicial/activities",
                    "/judicial/ledgers",
                    "/judicial/ledgers?kind=law-tasks",
                    "/judicial/ledgers?kind=law-reports",
                    "/judicial/stats",
                    "/judicial/annual",
                    "/league",
                    "/admin/users",
                    "/admin/audit",
                    "/admin/deliveries",
                    "/account",
                ][..],
            ),
            (
                cadre.username.as_str(),
                DEMO_PASSWORD,
                &["/me", "/account"][..],
            ),
        ] {
            b.sign_in(&c.origin, user, password).await;
            for page in pages {
                b.goto(&format!("{}/#{page}", c.origin)).await;
                // The page has loaded its data when nothing says 加载中 any more.
                b.until(
                    "the page loaded",
                    "return document.querySelector('main') && !document.querySelector('.loading') && document.querySelector('main').innerText.length > 20;",
                    json!([]),
                )
                .await;
                for p in b.accessibility_problems().await {
                    found.push(format!("{width}px {user} {page}: {p}"));
                }
            }
            b.click("#sign-out").await;
            b.text("#login-form").await;
        }
    }
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

/// The exam by keyboard alone: told the focus rule and the extra time first, the answer
/// sheet (答题卡) jumps to a question, a flag is set and shown, leaving the page is
/// counted, every control shows where the focus is, and the exam passes axe-core — also
/// in large type at 200 % zoom on a phone (a 188-pixel-wide page), without scrolling
/// sideways.
#[tokio::test]
async fn a_cadre_sits_the_exam_by_keyboard_in_large_type() {
    let Some(c) = console().await else { return };
    let cadre = roster_cadre(
        &c,
        Condition::all()
            .add(enrollment::Column::StudyComplete.eq(true))
            .add(enrollment::Column::AttemptsUsed.eq(0)),
        "a cadre ready for the exam",
    )
    .await;
    let hr = c.app.token("hr", DEMO_PASSWORD).await;
    c.app
        .patch(
            &format!(
                "/api/v1/campaigns/{}/enrollments/{}",
                c.demo.campaign_id, cadre.id
            ),
            &hr,
            json!({"extra_minutes": 20}),
        )
        .await
        .expect(200);
    let b = Browser::start(1280, 1000).await;
    b.sign_in(&c.origin, &cadre.username, DEMO_PASSWORD).await;
    assert_eq!(b.text("#extra-time").await, "您的考试时间延长 20 分钟。");
    assert!(
        b.text("#focus-rule")
            .await
            .contains("离开考试页面超过 3 次将自动交卷")
    );
    b.until(
        "开始考试 open",
        "const s = document.querySelector('#start-exam'); return s && !s.disabled;",
        json!([]),
    )
    .await;
    // Large type, by keyboard, remembered.
    b.tab_to("#large-text").await;
    b.press("\u{E007}").await;
    b.until(
        "large type",
        "return document.documentElement.classList.contains('large-text');",
        json!([]),
    )
    .await;
    b.tab_to("#start-exam").await;
    let outline = b
        .script(
            "return getComputedStyle(document.activeElement).outlineStyle;",
            json!([]),
        )
        .await;
    assert_ne!(outline, json!("none"), "the focus is visible");
    b.press("\u{E007}").await;
    b.text("#answer-sheet").await;
    // The answer sheet's third item takes the focus to the third question; Space answers.
    b.tab_to("#answer-sheet button:nth-of-type(3)").await;
    b.press("\u{E007}").await;
    let on_third = b
        .script(
            "return document.activeElement.closest('.question') === document.querySelectorAll('.question')[2];",
            json!([]),
        )
        .await;
    assert_eq!(on_third, json!(true), "the sheet jumps to the question");
    b.press(" ").await;
    // Its flag button, reached by Tab, marks it.
    b.tab_to(".question:nth-of-type(3) .flag").await;
    b.press(" ").await;
    let item = b
        .until(
            "the third item answered and flagged",
            "const i = document.querySelectorAll('#answer-sheet button')[2]; return i.classList.contains('answered') && i.classList.contains('flagged') && i.getAttribute('aria-label');",
            json!([]),
        )
        .await;
    assert_eq!(item, json!("第 3 题，已答，已标记"));
    // Leaving the page is counted and shown (counted from what the page showed before: on
    // a busy machine the headless window itself may have lost the focus once already).
    let shown = "const f = document.querySelector('#focus-count'); \
                 const m = f && f.innerText.match(/已离开考试页面 (\\d+) 次/); \
                 return m ? Number(m[1]) : 0;";
    let before = b.script(shown, json!([])).await.as_u64().unwrap();
    b.script("window.dispatchEvent(new Event('blur'));", json!([]))
        .await;
    b.until(
        "the loss counted",
        &format!("return (() => {{ {shown} }})() > arguments[0];"),
        json!([before]),
    )
    .await;
    let polite = b
        .script(
            "const a = document.querySelector('#time-announcement'); return [a.getAttribute('aria-live'), a.innerText];",
            json!([]),
        )
        .await;
    assert_eq!(polite, json!(["polite", ""]), "not announced every second");
    let problems = b.accessibility_problems().await;
    assert!(problems.is_empty(), "{problems:?}");

    // 200 % zoom on a phone: the same attempt, in large type, fits the width.
    let phone = Browser::start(188, 812).await;
    phone
        .sign_in(&c.origin, &cadre.username, DEMO_PASSWORD)
        .await;
    phone
        .script(
            "localStorage.setItem('xuefa.large-text', '1'); location.reload();",
            json!([]),
        )
        .await;
    phone.click("#continue-exam").await;
    phone.text("#answer-sheet").await;
    let fits = phone
        .script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            json!([]),
        )
        .await;
    let wide = phone
        .script(
            "return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map((e) => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right) + ' in ' + e.parentElement.tagName + '.' + e.parentElement.className + ' ' + e.innerText.slice(0, 20));",
            json!([]),
        )
        .await;
    assert!(
        fits[0].as_i64() <= fits[1].as_i64(),
        "no sideways scrolling: {fits}; too wide: {wide}"
    );
    let problems = phone.accessibility_problems().await;
    assert!(problems.is_empty(), "{problems:?}");
    if let Some(path) = screenshot_to("exam-large-phone.png") {
        phone.screenshot(&path).await;
    }

    // Submitted by keyboard: 交卷, then 确定交卷.
    b.tab_to("#submit-exam").await;
    b.press("\u{E007}").await;
    b.tab_to("#confirm-submit").await;
    b.press("\u{E007}").await;
    b.text("#exam-result").await;
    if let Some(path) = screenshot_to("exam-keyboard.png") {
        b.screenshot(&path).await;
    }
}
