//! A small W3C WebDriver client for the console tests: Debian's `chromium` driven by its
//! `chromedriver`, headless, on this machine only. Without them the tests say what to
//! install and stop — unless `XUEFA_REQUIRE_BROWSER=1` (set by `.ci/run`), which makes a
//! missing browser a failure.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

/// The key under which WebDriver returns an element's id (W3C WebDriver, "web element
/// identifier").
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// `None` (with a message) when the browser is not installed and not required.
pub fn available() -> Option<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Some(());
    }
    let help = "the console's browser tests need Debian's chromium, chromium-driver and \
                fonts-noto-cjk: apt-get install -y chromium chromium-driver fonts-noto-cjk";
    if std::env::var("XUEFA_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("{help}");
    }
    eprintln!("skipping: {help}");
    None
}

/// One headless Chromium session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    pub downloads: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        // Best effort: the driver is killed right after.
        let _ = blocking_delete(&url);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A DELETE without an async runtime (for `Drop`): ends the WebDriver session.
fn blocking_delete(url: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut sink = Vec::new();
    let _ = stream.read_to_end(&mut sink);
    Ok(())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium `width` pixels wide.
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        // reqwest has no TLS provider of its own in this build: the process installs one.
        domain::services::outbox::install_tls_provider();
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let downloads = tempfile::tempdir().unwrap();
        let profile = tempfile::tempdir().unwrap().keep();
        // A window narrower than 500 px is a phone: Chrome's device emulation gives the
        // page exactly that viewport (a headless window cannot be narrower than 500).
        let mobile = (width < 500).then(|| {
            json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true}})
        });
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                ],
                "prefs": {
                    "download.default_directory": downloads.path().display().to_string(),
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let mut caps = caps;
        if let Some(mobile) = mobile {
            caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] = mobile;
        }
        let reply: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("a WebDriver session")
            .json()
            .await
            .unwrap();
        let session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        Browser {
            driver,
            base,
            session,
            http,
            downloads,
        }
    }

    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        reply["value"].clone()
    }

    /// A command that must succeed: a WebDriver error (a click intercepted, an element gone
    /// stale or not interactable) fails the test at once, naming it, instead of leaving a
    /// later wait to time out.
    async fn act(&self, method: &str, path: &str, body: Value) -> Value {
        let value = self.command(method, path, body).await;
        if let Some(error) = value.get("error") {
            panic!(
                "WebDriver {method} {path}: {error}: {}",
                value["message"].as_str().unwrap_or_default()
            );
        }
        value
    }

    pub async fn goto(&self, url: &str) {
        self.act("POST", "/url", json!({ "url": url })).await;
    }

    /// Presses keys as a keyboard does, into whatever has the focus (`\u{E004}` Tab,
    /// `\u{E007}` Enter, `" "` Space).
    pub async fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.act(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
    }

    /// Presses Tab until the focus is on the first element matching `css` (80 presses at
    /// most: fails if the keyboard cannot reach it).
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..80 {
            let here = self
                .script(
                    "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
                    json!([css]),
                )
                .await;
            if here == json!(true) {
                return;
            }
            self.press("\u{E004}").await;
        }
        panic!("Tab never reached {css}");
    }

    /// axe-core's serious and critical findings (WCAG 2.1 A and AA rules) on the page as it
    /// is now, each as `rule: the elements` (vendored and pinned: `vendor/README.md`).
    pub async fn accessibility_problems(&self) -> Vec<String> {
        const AXE: &str = include_str!("vendor/axe.min.js");
        self.script(
            &format!("{AXE}\n;window.axe = axe; return true;"),
            json!([]),
        )
        .await;
        let found = self
            .command(
                "POST",
                "/execute/async",
                json!({"script": "const done = arguments[arguments.length - 1];
                    window.axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
                      .then((r) => done(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
                        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`)),
                            (e) => done([`axe failed: ${e}`]));", "args": []}),
            )
            .await;
        serde_json::from_value(found.clone()).unwrap_or_else(|_| vec![format!("axe: {found}")])
    }

    /// Runs `script` in the page (its `arguments` are `args`) and returns its value.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
        .await
    }

    /// Waits (30 s at most: CI runs every test at once on two cores) until `script` returns something truthy, and returns it.
    pub async fn until(&self, what: &str, script: &str, args: Value) -> Value {
        let limit = Duration::from_secs(30);
        let deadline = Instant::now() + limit;
        loop {
            let value = self.script(script, args.clone()).await;
            let truthy = !matches!(value, Value::Null | Value::Bool(false))
                && value != json!("")
                && value.get("error").is_none();
            if truthy {
                return value;
            }
            if Instant::now() >= deadline {
                let page = self
                    .script(
                        "return document.body.innerText + '\\n[inputs: ' + [...document.querySelectorAll('input')].map((i) => `${i.name}=${i.type === 'password' ? '*'.repeat(i.value.length) : i.value}`).join(', ') + ']';",
                        json!([]),
                    )
                    .await;
                panic!(
                    "waited {} s for {what}; last {value}; the page says: {page}",
                    limit.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the first element matching `css`, once there.
    pub async fn text(&self, css: &str) -> String {
        self.until(
            css,
            "const e = document.querySelector(arguments[0]); return e && e.innerText;",
            json!([css]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The id of the first element matching `css`, waiting up to 10 s for it to appear.
    async fn element(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self
                .command(
                    "POST",
                    "/element",
                    json!({"using": "css selector", "value": css}),
                )
                .await;
            // A found element is `{ELEMENT_KEY: id}`; "no such element" is an error object
            // (`{error, message, stacktrace}`), whose first value must not pass for an id.
            if let Some(id) = found.get(ELEMENT_KEY).and_then(Value::as_str) {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the first element matching `css` once it has stopped moving: a page still
    /// loading its parts (notices above, the exam's state) shifts what is below, and a
    /// click at where a button was lands on something else without an error.
    ///
    /// A part of the page that renders again when its data arrives may replace the element
    /// between finding and clicking it ("stale element reference"): it is found again and
    /// clicked, up to three times. Any other WebDriver error fails the test, as `act` does.
    pub async fn click(&self, css: &str) {
        for _ in 0..3 {
            let id = self.element(css).await;
            self.settle(&id).await;
            let path = format!("/element/{id}/click");
            let value = self.command("POST", &path, json!({})).await;
            match value.get("error").and_then(Value::as_str) {
                None => return,
                Some("stale element reference") => continue,
                Some(error) => panic!(
                    "WebDriver POST {path}: {error}: {}",
                    value["message"].as_str().unwrap_or_default()
                ),
            }
        }
        panic!("{css} went stale three times in a row");
    }

    /// Waits (5 s at most) until the element's place on the page is the same 200 ms apart.
    async fn settle(&self, id: &str) {
        let place = || async {
            self.script(
                "const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height];",
                json!([{ ELEMENT_KEY: id }]),
            )
            .await
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last = place().await;
        while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = place().await;
            if now == last {
                return;
            }
            last = now;
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.act("POST", &format!("/element/{id}/clear"), json!({}))
            .await;
        self.act(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Sets an input's value as a date picker does (one `input` event), where typing
    /// would depend on the browser's locale.
    pub async fn fill(&self, css: &str, value: &str) {
        self.element(css).await;
        self.script(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('input', {bubbles: true}));",
            json!([css, value]),
        )
        .await;
    }

    /// Chooses the `<option>` of a `<select>` whose value is `value`.
    pub async fn select(&self, css: &str, value: &str) {
        self.element(css).await;
        self.script(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1];
             s.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        )
        .await;
    }

    pub async fn sign_in(&self, origin: &str, username: &str, password: &str) {
        self.goto(origin).await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", password).await;
        self.click("#login-form button[type=submit]").await;
        self.until(
            "signed in",
            "return document.querySelector('header .who');",
            json!([]),
        )
        .await;
    }

    /// Cuts or restores the network as DevTools' offline emulation does.
    pub async fn offline(&self, offline: bool) {
        self.command(
            "POST",
            "/chromium/network_conditions",
            json!({"network_conditions": {
                "offline": offline, "latency": 0,
                "download_throughput": 1_000_000, "upload_throughput": 1_000_000,
            }}),
        )
        .await;
    }

    pub async fn screenshot(&self, to: &Path) {
        let png = self.command("GET", "/screenshot", json!({})).await;
        let bytes = base64_decode(png.as_str().expect("a screenshot"));
        std::fs::write(to, bytes).expect("the screenshot is written");
    }

    /// Waits for a download named `name` and returns its bytes.
    pub async fn downloaded(&self, name: &str) -> Vec<u8> {
        let path: PathBuf = self.downloads.path().join(name);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !path.exists() {
            let seen: Vec<_> = std::fs::read_dir(self.downloads.path())
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect();
            assert!(
                Instant::now() < deadline,
                "no download {name}; have {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::fs::read(path).unwrap()
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The console renders after its vocabularies load, so a form can appear after the page
/// has loaded: typing waits for its field rather than typing into nothing (a WebDriver
/// "no such element" once passed for an element id here).
#[tokio::test]
async fn typing_waits_for_a_field_that_appears_after_the_page_has_loaded() {
    if available().is_none() {
        return;
    }
    let b = Browser::start(800, 600).await;
    b.goto(
        "data:text/html,<body><script>setTimeout(() => \
         { document.body.innerHTML = '<input name=late>'; }, 1500)</script></body>",
    )
    .await;
    b.type_into("input[name=late]", "waited").await;
    let typed = b
        .script(
            "return document.querySelector('input[name=late]').value;",
            json!([]),
        )
        .await;
    assert_eq!(typed, "waited");
}
