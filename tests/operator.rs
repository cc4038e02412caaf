//! What the operator does to a running installation (docs/OPERATIONS.md): rotating the
//! token key, checking the installation with `xuefa doctor`.

use std::process::Command;

use chrono::Utc;
use domain::auth::{JwtKeys, Role};

use crate::{
    common::TestApp,
    crash::{Server, free_port, login, start_with},
};

const OLD_KEY: &str = "the-key-before-the-rotation-0123456789";
const NEW_KEY: &str = "the-key-after-the-rotation-9876543210";

async fn sign_in(server: &Server) -> String {
    login(
        &reqwest::Client::new(),
        &server.base,
        "admin",
        "Gov-Intranet-2026",
    )
    .await
}

async fn me(server: &Server, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn stop(mut server: Server) {
    server.child.kill().ok();
    server.child.wait().ok();
}

/// A key changed with the old one kept as `XUEFA_JWT_PREVIOUS_SECRET`: a token signed
/// before the change still works (until it expires), new tokens are signed with the new
/// key, and a token signed with neither is refused; once the old key is dropped, so are
/// its tokens.
#[tokio::test]
async fn a_token_signed_with_the_previous_key_works_after_a_rotation() {
    let app = TestApp::new().await;
    let url = app.database_url();
    let before = start_with(&url, free_port(), &[("XUEFA_JWT_SECRET", OLD_KEY)]).await;
    let old_token = sign_in(&before).await;
    assert_eq!(me(&before, &old_token).await, 200);
    stop(before);

    let rotated = [
        ("XUEFA_JWT_SECRET", NEW_KEY),
        ("XUEFA_JWT_PREVIOUS_SECRET", OLD_KEY),
    ];
    let during = start_with(&url, free_port(), &rotated).await;
    assert_eq!(
        me(&during, &old_token).await,
        200,
        "the previous key's token"
    );
    let new_token = sign_in(&during).await;
    assert_eq!(me(&during, &new_token).await, 200);
    let admin_id = app.make_user("someone", &[Role::Cadre], None).await;
    let forged = JwtKeys::new(b"a-third-key-nobody-configured-000000")
        .issue(admin_id, "someone", vec![Role::Admin], (Utc::now(), None))
        .unwrap();
    assert_eq!(me(&during, &forged).await, 401, "a key that is neither");
    stop(during);

    let after = start_with(&url, free_port(), &[("XUEFA_JWT_SECRET", NEW_KEY)]).await;
    assert_eq!(me(&after, &new_token).await, 200);
    assert_eq!(me(&after, &old_token).await, 401, "the old key is gone");
    stop(after);
}

const GOOD_KEY: &str = "kq3R8vZp2LwX9mNc4TfYb7HsJ1uDg6Ae5QoPiVrE";

/// `xuefa doctor` with only these variables: its exit code and its lines.
async fn doctor(env: &[(&str, &str)]) -> (i32, Vec<String>) {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_xuefa"))
            .arg("doctor")
            .env_clear()
            .envs(env)
            .output()
            .expect("xuefa doctor runs")
    })
    .await
    .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

/// A webhook on loopback that answers every request with 200, or never answers.
fn webhook(answers: bool) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut socket in listener.incoming().flatten() {
            if answers {
                // The request's head, then the answer.
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                socket.write_all(reply).ok();
            } else {
                held.push(socket);
            }
        }
    });
    url
}

fn line<'a>(lines: &'a [String], start: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in {lines:#?}"))
}

/// A healthy installation: every line OK, exit 0.
#[tokio::test]
async fn doctor_finds_a_healthy_installation_healthy() {
    let app = TestApp::new().await;
    let url = app.database_url();
    let hook = webhook(true);
    let (code, lines) = doctor(&[
        ("DATABASE_URL", &url),
        ("XUEFA_JWT_SECRET", GOOD_KEY),
        ("XUEFA_NOTIFY_WEBHOOK", &hook),
        ("XUEFA_NOTIFY_SECRET", GOOD_KEY),
    ])
    .await;
    assert_eq!(code, 0, "{lines:#?}");
    let (summary, checks) = lines.split_last().unwrap();
    assert!(summary.starts_with("0 failed, 0 warnings"), "{lines:#?}");
    assert!(checks.iter().all(|l| l.starts_with("OK ")), "{lines:#?}");
    for topic in [
        "configuration",
        "token key",
        "等保 switches",
        "database",
        "migrations",
        "clock",
        "webhook",
    ] {
        line(&lines, &format!("OK   {topic}: "));
    }
    assert!(line(&lines, "OK   migrations:").contains("applied"));
    if url.starts_with("sqlite:") {
        assert!(line(&lines, "OK   disk:").contains("free in"));
    }
}

/// Each thing that must stop an installation is a FAIL in plain words and exit 1; what
/// is only unwise is a WARN and exit 0.
#[tokio::test]
async fn doctor_fails_on_a_database_down_a_short_key_and_a_silent_webhook() {
    let app = TestApp::new().await;
    let url = app.database_url();

    let nowhere = format!("postgres://postgres:pw@127.0.0.1:{}/xuefa", free_port());
    let (code, lines) = doctor(&[("DATABASE_URL", &nowhere), ("XUEFA_JWT_SECRET", GOOD_KEY)]).await;
    assert_eq!(code, 1, "{lines:#?}");
    let down = line(&lines, "FAIL database: ");
    assert!(down.contains("cannot reach"), "{down}");
    assert!(
        !down.contains(":pw@"),
        "the password is not printed: {down}"
    );

    let (code, lines) = doctor(&[("DATABASE_URL", &url), ("XUEFA_JWT_SECRET", "0123456789")]).await;
    assert_eq!(code, 1, "{lines:#?}");
    assert_eq!(
        line(&lines, "FAIL configuration: "),
        "FAIL configuration: XUEFA_JWT_SECRET: must be at least 32 characters"
    );
    line(&lines, "OK   database: ");

    let silent = webhook(false);
    let (code, lines) = doctor(&[
        ("DATABASE_URL", &url),
        ("XUEFA_JWT_SECRET", GOOD_KEY),
        ("XUEFA_NOTIFY_WEBHOOK", &silent),
        ("XUEFA_NOTIFY_SECRET", GOOD_KEY),
        ("XUEFA_NOTIFY_TIMEOUT_SECS", "1"),
    ])
    .await;
    assert_eq!(code, 1, "{lines:#?}");
    assert!(line(&lines, "FAIL webhook: ").contains("did not answer"));

    // Unwise but working: the 等保 switches off, no key of one's own, an empty database.
    let empty = tempfile::tempdir().unwrap();
    let empty_url = format!(
        "sqlite://{}?mode=rwc",
        empty.path().join("new.db").display()
    );
    std::fs::File::create(empty.path().join("new.db")).unwrap();
    let (code, lines) = doctor(&[
        ("DATABASE_URL", &empty_url),
        ("XUEFA_FORCE_PASSWORD_CHANGE", "0"),
        ("XUEFA_2FA_REQUIRED_FOR", "none"),
    ])
    .await;
    assert_eq!(code, 0, "{lines:#?}");
    assert!(
        line(&lines, "WARN 等保 switches: ")
            .contains("XUEFA_FORCE_PASSWORD_CHANGE=0, XUEFA_2FA_REQUIRED_FOR=none")
    );
    line(&lines, "WARN token key: XUEFA_JWT_SECRET is not set");
    line(&lines, "WARN migrations: the database is empty");
}
