//! deploy/nginx.conf with a real nginx (Debian's package), started on loopback with a
//! self-signed certificate in front of the app: the console and the API through it over
//! TLS and HTTP/2, the login throttle keyed by the client's own address (which nginx
//! passes in `X-Forwarded-For` and the app believes from nginx alone), a large import
//! through it and one too large refused in the app's error shape, `/metrics` not there
//! from outside. Without nginx the test says what to install and stops, unless
//! `XUEFA_REQUIRE_NGINX=1` (set by `.ci/run`).

use std::{
    net::IpAddr,
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use domain::{auth::Role, clock::Clock};
use serde_json::{Value, json};

use crate::{
    common::{PASSWORD, TestApp, serve, test_now},
    crash::free_port,
};

const NGINX: &str = "/usr/sbin/nginx";

fn available() -> bool {
    if Path::new(NGINX).exists() {
        return true;
    }
    let help = "the proxy test needs Debian's nginx: apt-get install -y nginx";
    if std::env::var("XUEFA_REQUIRE_NGINX").is_ok_and(|v| v == "1") {
        panic!("{help}");
    }
    eprintln!("skipping: {help}");
    false
}

/// nginx in the foreground, killed when dropped.
struct Nginx {
    child: Child,
    origin: String,
    /// The test authority that signed nginx's certificate.
    cert: reqwest::Certificate,
    cert_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// deploy/nginx.conf as shipped, with only its addresses, ports and certificate paths
/// moved into a temporary directory, in front of the app at `upstream`.
fn start_nginx(upstream: &str) -> Nginx {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A test authority and the server's certificate it signs (for 127.0.0.1).
    let (key, crt, ca) = (d.join("xuefa.key"), d.join("xuefa.crt"), d.join("ca.crt"));
    std::fs::write(
        d.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let done = Command::new("openssl")
            .args(args)
            .current_dir(d)
            .stderr(Stdio::null())
            .status()
            .expect("openssl runs");
        assert!(done.success(), "openssl {args:?}");
    };
    openssl(
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ]
        .into_iter()
        .chain([
            "-subj",
            "/CN=xuefa test authority",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ])
        .collect::<Vec<_>>(),
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
        ]
        .into_iter()
        .chain(["-keyout", "xuefa.key", "-out", "xuefa.csr"])
        .collect::<Vec<_>>(),
    );
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "xuefa.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
        ]
        .into_iter()
        .chain([
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "server.ext",
            "-out",
            "xuefa.crt",
        ])
        .collect::<Vec<_>>(),
    );
    let (https, http) = (free_port(), free_port());
    let shipped = std::fs::read_to_string("deploy/nginx.conf").unwrap();
    let moved = [
        ("    listen [::]:80;\n", String::new()),
        ("    listen [::]:443 ssl http2;\n", String::new()),
        ("listen 80;", format!("listen 127.0.0.1:{http};")),
        (
            "listen 443 ssl http2;",
            format!("listen 127.0.0.1:{https} ssl http2;"),
        ),
        ("/etc/nginx/tls/xuefa.crt", crt.display().to_string()),
        ("/etc/nginx/tls/xuefa.key", key.display().to_string()),
        ("server 127.0.0.1:8080;", format!("server {upstream};")),
    ];
    let mut site = shipped;
    for (from, to) in moved {
        assert!(site.contains(from), "deploy/nginx.conf has {from:?}");
        site = site.replace(from, &to);
    }
    std::fs::write(d.join("xuefa.conf"), site).unwrap();
    let temp = |name: &str| d.join(name).display().to_string();
    let main = format!(
        "daemon off;\nmaster_process off;\npid {pid};\nerror_log {err} warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n include /etc/nginx/mime.types;\n access_log off;\n\
         client_body_temp_path {body};\n proxy_temp_path {proxy};\n\
         fastcgi_temp_path {fcgi};\n uwsgi_temp_path {uwsgi};\n scgi_temp_path {scgi};\n\
         include {site};\n}}\n",
        pid = temp("nginx.pid"),
        err = temp("error.log"),
        body = temp("body"),
        proxy = temp("proxy"),
        fcgi = temp("fastcgi"),
        uwsgi = temp("uwsgi"),
        scgi = temp("scgi"),
        site = temp("xuefa.conf"),
    );
    std::fs::write(d.join("nginx.conf"), main).unwrap();
    let conf = d.join("nginx.conf");
    let checked = Command::new(NGINX)
        .arg("-t")
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let child = Command::new(NGINX)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", https)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let cert = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    Nginx {
        child,
        origin: format!("https://127.0.0.1:{https}"),
        cert,
        cert_file: ca,
        _dir: dir,
    }
}

/// A client at the loopback address `from` (127.0.0.x: another machine, as nginx sees
/// it) that trusts the test's certificate.
fn client_at(nginx: &Nginx, from: &str) -> reqwest::Client {
    domain::services::outbox::install_tls_provider();
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .tls_certs_only([nginx.cert.clone()])
        .build()
        .unwrap()
}

async fn login(client: &reqwest::Client, origin: &str, forged: Option<&str>, pw: &str) -> u16 {
    let mut request = client
        .post(format!("{origin}/api/v1/auth/login"))
        .json(&json!({"username": "li", "password": pw}));
    if let Some(chain) = forged {
        request = request.header("X-Forwarded-For", chain);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn the_shipped_nginx_config_serves_the_console_and_the_api_over_tls() {
    if !available() {
        return;
    }
    let app = TestApp::with_http_config(Clock::pinned(test_now()), |http| {
        http.trusted_proxies = api::net::parse_trusted("127.0.0.1").unwrap();
        http.max_body_bytes = 16 * 1024 * 1024;
    })
    .await;
    app.make_user("li", &[Role::Cadre], None).await;
    let direct = serve(&app).await;
    let nginx = start_nginx(direct.trim_start_matches("http://"));
    let origin = nginx.origin.clone();
    let there = client_at(&nginx, "127.0.0.4");

    // The console, as the app serves it: nginx keeps nothing longer than the app says.
    let page = there.get(format!("{origin}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(page.headers().get("expires").is_none());
    assert!(page.headers()["strict-transport-security"].to_str().is_ok());
    assert!(page.text().await.unwrap().contains("<html"));
    // HTTP/2 (curl, which speaks it; the test's client speaks HTTP/1.1).
    // (curl runs on a thread of its own: the app answers on this test's thread.)
    let ca = nginx.cert_file.clone();
    let url = format!("{origin}/healthz");
    let version = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_version} %{http_code}",
                "--http2",
            ])
            .arg("--cacert")
            .arg(ca)
            .arg(url)
            .output()
            .expect("curl runs")
    })
    .await
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout), "2 200");

    // Five wrong passwords from one machine throttle that machine, whatever
    // X-Forwarded-For it sends; the person signs in from their own.
    let colleague = client_at(&nginx, "127.0.0.2");
    for _ in 0..5 {
        assert_eq!(
            login(&colleague, &origin, None, "wrong-password").await,
            401
        );
    }
    assert_eq!(login(&colleague, &origin, None, PASSWORD).await, 429);
    let forged = Some("198.51.100.7");
    assert_eq!(login(&colleague, &origin, forged, PASSWORD).await, 429);
    let own = client_at(&nginx, "127.0.0.3");
    assert_eq!(login(&own, &origin, None, PASSWORD).await, 200);
    // The audit log names the machine nginx saw.
    let admin = app.admin_token().await;
    let audit = app
        .get("/api/v1/audit-log?action=login_failed&per_page=10", &admin)
        .await
        .expect(200);
    let reasons: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["summary"].as_str())
        .collect();
    assert!(
        reasons.iter().any(|r| r.ends_with("from 127.0.0.2")),
        "{audit}"
    );

    import_through(&app, &there, &origin).await;

    // Metrics: on the server itself, not through the proxy.
    let metrics = there.get(format!("{origin}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 404);
    let local = reqwest::get(format!("{direct}/metrics")).await.unwrap();
    assert_eq!(local.status(), 200);
}

/// A 2.9 MB import (above nginx's default limit of 1 MB) through the proxy, and a body
/// above XUEFA_MAX_BODY_BYTES refused by nginx in the app's error shape.
async fn import_through(app: &TestApp, client: &reqwest::Client, origin: &str) {
    let admin = app.admin_token().await;
    app.make_street(&admin).await;
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    let mut csv = String::from("年度,任务,类别,责任单位,完成时限,进度\n");
    let long_name = "落实行政规范性文件合法性审核机制".repeat(11);
    let lines = 5_000;
    for i in 0..lines {
        csv.push_str(&format!(
            "2026,{long_name}第{i}项,依法决策,新立街道,2026-12-31,推进中\n"
        ));
    }
    assert!(csv.len() > 2_500_000, "{} bytes", csv.len());
    let reply = client
        .post(format!("{origin}/api/v1/law-tasks/import"))
        .bearer_auth(&judicial)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv)
        .timeout(Duration::from_secs(300))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["created"], lines);
    let listed = app
        .get("/api/v1/law-tasks?year=2026&per_page=1", &judicial)
        .await
        .expect(200);
    assert_eq!(listed["total"], lines);

    let huge = vec![b'x'; 17 * 1024 * 1024];
    let refused = client
        .post(format!("{origin}/api/v1/law-tasks/import"))
        .bearer_auth(&judicial)
        .header("content-type", "text/csv")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 413);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "too_large");
    assert_eq!(problem["status"], 413);
}
