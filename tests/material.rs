//! A course's material: an article shown as safe HTML, a PDF or video stored in chunks
//! and served whole or by range to those who study it, a link; the bad uploads refused
//! with nothing left behind.

use domain::{auth::Role, clock::Clock};
use poem::http::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::{Campaign, TestApp, test_now};

/// HR's campaign with an enrolled cadre; returns (campaign, hr token, cadre token).
async fn setup(app: &TestApp) -> (Campaign, String, String) {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let (cadre, token) = app.login_as("cadre", &[Role::Cadre]).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    (campaign, hr, token)
}

fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// `len` bytes that begin as a file of the kind `magic` says does.
fn starting(magic: &[u8], len: usize) -> Vec<u8> {
    let mut bytes = file(len);
    bytes[..magic.len()].copy_from_slice(magic);
    bytes
}

const PDF: &[u8] = b"%PDF-1.7";
const MP4: &[u8] = b"\0\0\0\x18ftypmp42";

async fn chunk_rows(app: &TestApp) -> usize {
    use sea_orm::EntityTrait;
    entity::material_chunk::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_article_is_shown_as_safe_html_to_those_who_study_it() {
    let app = TestApp::new().await;
    let (c, hr, cadre) = setup(&app).await;
    let path = format!("/api/v1/courses/{}/material", c.law_course);
    let markdown =
        "# 宪法\n\n第一条 **中华人民共和国**是工人阶级领导的……\n\n<script>alert(1)</script>";
    let set = app
        .call(
            "PUT",
            &path,
            Some(&hr),
            Some(json!({"kind": "article", "title": "宪法全文", "text": markdown})),
        )
        .await
        .expect(200);
    assert_eq!(set["kind"], "article");
    let html = set["html"].as_str().unwrap();
    assert!(html.contains("<h1>宪法</h1>") && html.contains("<strong>中华人民共和国</strong>"));
    assert!(
        !html.contains("<script") && html.contains("&lt;script&gt;"),
        "{html}"
    );
    // The course shows it to the cadre studying it; the Markdown is served as a file too.
    let course = app
        .get(&format!("/api/v1/courses/{}", c.law_course), &cadre)
        .await
        .expect(200);
    assert_eq!(course["material"]["title"], "宪法全文");
    let (status, headers, body) = app.get_raw(&path, &cadre, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    assert_eq!(body, markdown.as_bytes());
    // Someone on no campaign that lists it does not see it.
    let (_, stranger) = app.login_as("stranger", &[Role::Cadre]).await;
    app.get(&path, &stranger).await.expect(404);
    // A link must be http(s); the title is required.
    for (body, field) in [
        (
            json!({"kind": "link", "title": "视频", "url": "javascript:alert(1)"}),
            "material.url",
        ),
        (
            json!({"kind": "article", "title": " ", "text": "x"}),
            "material.title",
        ),
        (json!({"kind": "article", "title": "空"}), "material.text"),
    ] {
        let refused = app.call("PUT", &path, Some(&hr), Some(body.clone())).await;
        assert_eq!(refused.status, 422, "{body}");
        assert_eq!(refused.body["errors"][0]["field"], field, "{body}");
    }
    let link = app
        .call(
            "PUT",
            &path,
            Some(&hr),
            Some(json!({"kind": "link", "title": "宪法宣传片", "url": "http://video.intranet.gov.cn/xf/12"})),
        )
        .await
        .expect(200);
    assert_eq!(link["url"], "http://video.intranet.gov.cn/xf/12");
    // A link has no file here.
    app.get(&path, &cadre).await.expect(404);
    // A cadre may not set material.
    let refused = app
        .call(
            "PUT",
            &path,
            Some(&cadre),
            Some(json!({"kind": "article", "title": "t", "text": "x"})),
        )
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_pdf_is_stored_in_chunks_and_served_whole_or_by_range() {
    let app = TestApp::new().await;
    let (c, hr, cadre) = setup(&app).await;
    let path = format!("/api/v1/courses/{}/material", c.law_course);
    // Two and a half mebibytes: three chunk rows. Sent as bytes of no particular type (as
    // a generated client does): what it is comes from its first bytes.
    let pdf = starting(PDF, 5 << 19);
    let set = app
        .call_raw(
            "PUT",
            &format!("{path}?title=民法典释义"),
            Some(&hr),
            "application/octet-stream",
            pdf.clone(),
        )
        .await
        .expect(200);
    assert_eq!(set["kind"], "pdf");
    assert_eq!(set["content_type"], "application/pdf");
    assert_eq!(set["size"], pdf.len());
    let digest: String = Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(set["sha256"], digest);
    assert_eq!(set["file_path"], path.as_str());
    assert_eq!(chunk_rows(&app).await, 3);

    let (status, headers, body) = app.get_raw(&path, &cadre, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(body == pdf, "the whole file comes back");
    // A range across the first chunk boundary, and the last ten bytes.
    let (status, headers, body) = app
        .get_raw(&path, &cadre, &[("Range", "bytes=1048570-1048585")])
        .await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        headers["content-range"],
        format!("bytes 1048570-1048585/{}", pdf.len())
    );
    assert_eq!(body, &pdf[1048570..=1048585]);
    let (status, _, body) = app.get_raw(&path, &cadre, &[("Range", "bytes=-10")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, &pdf[pdf.len() - 10..]);
    let (status, headers, _) = app
        .get_raw(&path, &cadre, &[("Range", "bytes=99999999-")])
        .await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(headers["content-range"], format!("bytes */{}", pdf.len()));
    // The judicial office neither keeps courses nor studies this one.
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    app.get(&path, &judicial).await.expect(404);

    // A video replaces it; the PDF's rows go.
    let video = starting(MP4, 1000);
    app.call_raw(
        "PUT",
        &format!("{path}?title=宪法宣传片"),
        Some(&hr),
        "video/mp4",
        video.clone(),
    )
    .await
    .expect(200);
    assert_eq!(chunk_rows(&app).await, 1);
    let (_, headers, body) = app.get_raw(&path, &cadre, &[]).await;
    assert_eq!(
        (headers["content-type"].to_str().unwrap(), body),
        ("video/mp4", video)
    );
    // The change is in the audit log, with the file's SHA-256.
    let audit = app
        .get("/api/v1/audit-log?entity=course", &app.admin_token().await)
        .await
        .expect(200);
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["summary"].as_str().unwrap().contains("宪法宣传片")),
        "{audit}"
    );
    // Removed: nothing to serve, nothing stored.
    app.call("DELETE", &path, Some(&hr), None).await.expect(204);
    assert_eq!(chunk_rows(&app).await, 0);
    app.get(&path, &cadre).await.expect(404);
}

#[tokio::test]
async fn bad_files_are_refused_and_leave_nothing_behind() {
    let app = TestApp::with_http_config(Clock::pinned(test_now()), |http| {
        http.max_material_bytes = 3 << 20;
    })
    .await;
    let (c, hr, _) = setup(&app).await;
    let path = format!("/api/v1/courses/{}/material?title=文件", c.law_course);
    let before = app.fingerprint().await;
    for (content_type, body, status) in [
        ("text/plain", b"hello".to_vec(), 415),
        ("application/pdf", Vec::new(), 422),
        ("application/pdf", file((3 << 20) + 1), 413),
        // Called a PDF, but it is not one (nor a video).
        ("application/pdf", file(100), 415),
    ] {
        let refused = app
            .call_raw("PUT", &path, Some(&hr), content_type, body)
            .await;
        assert_eq!(refused.status, status, "{content_type}");
    }
    // No title for a file: 422.
    let untitled = format!("/api/v1/courses/{}/material", c.law_course);
    let refused = app
        .call_raw(
            "PUT",
            &untitled,
            Some(&hr),
            "application/pdf",
            starting(PDF, 10),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(chunk_rows(&app).await, 0);
    // No such course: 404.
    app.call_raw(
        "PUT",
        "/api/v1/courses/9999/material?title=x",
        Some(&hr),
        "application/pdf",
        starting(PDF, 10),
    )
    .await
    .expect(404);
}
