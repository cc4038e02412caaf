//! A course's material: an article (Markdown, shown as HTML without any raw HTML of its
//! own), an uploaded PDF or video, or an intranet link. Files are kept in the database,
//! 1 MiB a row (`material_chunks`), so they are in every backup, every instance serves
//! them, a range request reads only the rows it needs, and an upload writes each row in a
//! short transaction of its own: a slow upload never holds the write lock. The course
//! switches to a new file in one transaction at the end; until then the old one is served.

use chrono::{DateTime, Utc};
use entity::{campaign_course, course, enrollment, material_chunk, vocabulary::MaterialKind};
use futures::{Stream, StreamExt};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{audit, courses, write};
use crate::{
    auth::Actor,
    error::{AppError, AppResult, Code, FieldError},
    policy::{self, Action, Scope},
};

/// Bytes a chunk row holds.
pub const CHUNK: usize = 1 << 20;
/// The longest article (characters of Markdown).
pub const MAX_ARTICLE_CHARS: usize = 200_000;

/// Material written as text: an article or a link.
#[derive(Debug, Clone)]
pub enum Written {
    Article { title: String, text: String },
    Link { title: String, url: String },
}

/// What a file is, read from its first bytes (whatever media type it was sent with): a
/// PDF, or an MP4, WebM or Ogg video, with the media type it is served as.
pub fn sniff(head: &[u8]) -> Option<(MaterialKind, &'static str)> {
    if head.starts_with(b"%PDF-") {
        Some((MaterialKind::Pdf, "application/pdf"))
    } else if head.get(4..8) == Some(b"ftyp") {
        Some((MaterialKind::Video, "video/mp4"))
    } else if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some((MaterialKind::Video, "video/webm"))
    } else if head.starts_with(b"OggS") {
        Some((MaterialKind::Video, "video/ogg"))
    } else {
        None
    }
}

fn not_a_course_file() -> AppError {
    AppError::UnsupportedMediaType(
        "a course file is a PDF or a video (MP4, WebM or Ogg); this is neither".into(),
    )
}

fn check_title(errors: &mut Vec<FieldError>, title: &str) -> String {
    courses::check_text(errors, "material.title", title, true, 200)
}

/// Sets (or with `None` removes) a course's written material; an uploaded file it had is
/// deleted. Admin and HR, within their scope as for the course's other changes; audited.
pub async fn set_written(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    course_id: i64,
    material: Option<Written>,
    now: DateTime<Utc>,
) -> AppResult<course::Model> {
    let mut errors = Vec::new();
    let (kind, title, text, url) = match &material {
        None => (None, None, None, None),
        Some(Written::Article { title, text }) => {
            let title = check_title(&mut errors, title);
            if text.trim().is_empty() {
                errors.push(FieldError::required("material.text"));
            } else if text.chars().count() > MAX_ARTICLE_CHARS {
                errors.push(FieldError::too_long("material.text", MAX_ARTICLE_CHARS));
            }
            let text = Some(text.trim().to_owned());
            (Some(MaterialKind::Article), Some(title), text, None)
        }
        Some(Written::Link { title, url }) => {
            let title = check_title(&mut errors, title);
            let url = url.trim();
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || url.len() > 2000
                || url.chars().any(char::is_whitespace)
            {
                errors.push(
                    FieldError::new(
                        "material.url",
                        Code::BadFormat,
                        "must be an http:// or https:// address",
                    )
                    .with(|p| p.expected = Some(crate::error::Format::Url)),
                );
            }
            (
                Some(MaterialKind::Link),
                Some(title),
                None,
                Some(url.to_owned()),
            )
        }
    };
    if !errors.is_empty() {
        return Err(AppError::invalid_many(errors));
    }
    let detail = match kind {
        Some(k) => format!(
            "material: {} {}",
            k.chinese(),
            title.clone().unwrap_or_default()
        ),
        None => "material removed".to_owned(),
    };
    let fields = Fields {
        kind,
        title,
        text,
        url,
        file: None,
    };
    write(db, async |db| {
        courses::check_users_in_scope(db, scope, course_id).await?;
        replace(db, actor, course_id, fields, detail, now).await
    })
    .await
}

/// Every material column of a course, as one value.
struct Fields {
    kind: Option<MaterialKind>,
    title: Option<String>,
    text: Option<String>,
    url: Option<String>,
    file: Option<StoredFile>,
}

/// An uploaded file as its chunk rows hold it.
struct StoredFile {
    id: String,
    content_type: &'static str,
    size: u64,
    sha256: String,
}

/// Puts `fields` on the course (inside the caller's transaction), deletes the chunk rows of
/// the file it had, and audits it as `course {title} {detail}`.
async fn replace(
    db: &impl ConnectionTrait,
    actor: &Actor,
    course_id: i64,
    fields: Fields,
    detail: String,
    now: DateTime<Utc>,
) -> AppResult<course::Model> {
    let current = courses::get(db, course_id).await?;
    let mut active: course::ActiveModel = current.clone().into();
    active.material_kind = Set(fields.kind);
    active.material_title = Set(fields.title);
    active.material_text = Set(fields.text);
    active.material_url = Set(fields.url);
    let file = fields.file;
    active.material_file_id = Set(file.as_ref().map(|f| f.id.clone()));
    active.material_content_type = Set(file.as_ref().map(|f| f.content_type.to_owned()));
    active.material_size = Set(file.as_ref().map(|f| f.size as i64));
    active.material_sha256 = Set(file.map(|f| f.sha256));
    active.material_updated_at = Set(Some(now));
    active.updated_at = Set(now);
    let model = active.update(db).await?;
    if let Some(old) = &current.material_file_id {
        delete_chunks(db, old).await?;
    }
    audit::record(
        db,
        Some(actor),
        now,
        audit::AuditAction::Update,
        "course",
        Some(course_id.to_string()),
        format!("course {} {detail}", model.title),
    )
    .await?;
    Ok(model)
}

async fn delete_chunks(db: &impl ConnectionTrait, file_id: &str) -> AppResult<()> {
    material_chunk::Entity::delete_many()
        .filter(material_chunk::Column::FileId.eq(file_id))
        .exec(db)
        .await?;
    Ok(())
}

/// An uploaded file's description.
pub struct Upload<'a> {
    pub course_id: i64,
    pub title: &'a str,
    /// The most bytes taken (`XUEFA_MAX_MATERIAL_BYTES`).
    pub max_bytes: u64,
}

/// Stores an uploaded PDF or video as the course's material (admin and HR, in scope,
/// audited); what it is is read from its first bytes. Anything else is 415, an empty file
/// 422, one past the limit 413; in each case the course keeps what it had and nothing of
/// the upload stays.
pub async fn upload<S, E>(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    upload: Upload<'_>,
    body: S,
    now: DateTime<Utc>,
) -> AppResult<course::Model>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut errors = Vec::new();
    let title = check_title(&mut errors, upload.title);
    if !errors.is_empty() {
        return Err(AppError::invalid_many(errors));
    }
    // The course and the caller's right to change it, before any byte is stored.
    courses::get(db, upload.course_id).await?;
    courses::check_users_in_scope(db, scope, upload.course_id).await?;
    let file_id = Uuid::new_v4().to_string();
    let stored = store_chunks(db, &file_id, body, upload.max_bytes).await;
    let (size, sha256, (kind, content_type)) = match stored {
        Ok(done) => done,
        Err(e) => {
            // Best effort: what was stored of it goes (a crash here leaves rows no
            // course names; nothing prunes them yet).
            let _ = write(db, async |db| delete_chunks(db, &file_id).await).await;
            return Err(e);
        }
    };
    let detail = format!(
        "material: {} {title} ({size} bytes, sha256 {sha256})",
        kind.chinese()
    );
    let fields = Fields {
        kind: Some(kind),
        title: Some(title),
        text: None,
        url: None,
        file: Some(StoredFile {
            id: file_id,
            content_type,
            size,
            sha256,
        }),
    };
    write(db, async |db| {
        replace(db, actor, upload.course_id, fields, detail, now).await
    })
    .await
}

/// Writes the body as chunk rows, each in a short transaction; returns its length, SHA-256
/// and what it is (read from its first bytes before any row is written).
async fn store_chunks<S, E>(
    db: &DatabaseConnection,
    file_id: &str,
    mut body: S,
    max_bytes: u64,
) -> AppResult<(u64, String, (MaterialKind, &'static str))>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut hasher = Sha256::new();
    let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK);
    let mut size: u64 = 0;
    let mut seq = 0;
    let mut what = None;
    let too_large = || AppError::TooLarge(format!("a course file is at most {max_bytes} bytes"));
    loop {
        let piece = body.next().await;
        let last = piece.is_none();
        if let Some(piece) = piece {
            let piece =
                piece.map_err(|e| AppError::BadRequest(format!("the upload broke off: {e}")))?;
            size += piece.len() as u64;
            if size > max_bytes {
                return Err(too_large());
            }
            hasher.update(&piece);
            buffer.extend_from_slice(&piece);
        }
        while buffer.len() >= CHUNK || (last && !buffer.is_empty()) {
            if what.is_none() {
                what = Some(sniff(&buffer).ok_or_else(not_a_course_file)?);
            }
            let take = buffer.len().min(CHUNK);
            let data: Vec<u8> = buffer.drain(..take).collect();
            let row = material_chunk::ActiveModel {
                file_id: Set(file_id.to_owned()),
                seq: Set(seq),
                data: Set(data),
            };
            write(db, async |db| {
                material_chunk::Entity::insert(row)
                    .exec_without_returning(db)
                    .await?;
                Ok(())
            })
            .await?;
            seq += 1;
        }
        if last {
            break;
        }
    }
    match what {
        None => Err(AppError::invalid(FieldError::required("body"))),
        Some(what) => Ok((size, hex::encode(hasher.finalize()), what)),
    }
}

/// Whether `actor` may read a course's material: those who keep courses or campaigns,
/// and cadres on the roster of a campaign that lists the course.
pub async fn may_read(db: &impl ConnectionTrait, actor: &Actor, course_id: i64) -> AppResult<bool> {
    if policy::authorize(actor, Action::ManageCourses).is_ok()
        || policy::authorize(actor, Action::ManageCampaigns).is_ok()
    {
        return Ok(true);
    }
    let campaigns: Vec<i64> = campaign_course::Entity::find()
        .select_only()
        .column(campaign_course::Column::CampaignId)
        .filter(campaign_course::Column::CourseId.eq(course_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(actor.id))
        .filter(enrollment::Column::CampaignId.is_in(campaigns))
        .count(db)
        .await?
        > 0)
}

/// What `GET /courses/{id}/material` serves.
pub enum Served {
    /// An article's Markdown.
    Text { text: String, etag: String },
    /// A stored file, read by [`read_range`].
    File {
        file_id: String,
        size: u64,
        content_type: String,
        etag: String,
    },
}

/// A course's material as a file to serve to `actor`: 404 when the course is not theirs
/// to study or keep ([`may_read`]), or has nothing to serve (no material, or a link).
pub async fn served(db: &impl ConnectionTrait, actor: &Actor, course_id: i64) -> AppResult<Served> {
    let course = courses::get(db, course_id).await?;
    if !may_read(db, actor, course_id).await? {
        return Err(AppError::not_found("course"));
    }
    if let Some(text) = course.material_text {
        let etag = format!("\"{}\"", crate::auth::sha256_hex(&text));
        return Ok(Served::Text { text, etag });
    }
    match (
        course.material_file_id,
        course.material_size,
        course.material_content_type,
        course.material_sha256,
    ) {
        (Some(file_id), Some(size), Some(content_type), Some(sha)) => Ok(Served::File {
            file_id,
            size: size as u64,
            content_type,
            etag: format!("\"{sha}\""),
        }),
        _ => Err(AppError::not_found("material")),
    }
}

/// What to answer a `Range` header with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No range, one that does not parse (ignored, as RFC 9110 says), or several.
    Whole,
    /// One range, `[start, end]` inclusive.
    Part(u64, u64),
    /// A range outside the file (416).
    NotSatisfiable,
}

/// Reads a `Range` header against a file of `size` bytes (at least one).
pub fn byte_range(header: Option<&str>, size: u64) -> ByteRange {
    let Some(Ok(parsed)) = header.map(http_range_header::parse_range_header) else {
        return ByteRange::Whole;
    };
    match parsed.validate(size) {
        Err(_) => ByteRange::NotSatisfiable,
        Ok(ranges) if ranges.len() == 1 => ByteRange::Part(*ranges[0].start(), *ranges[0].end()),
        Ok(_) => ByteRange::Whole,
    }
}

/// The bytes `[start, end]` (inclusive) of a stored file, a chunk row at a time.
pub fn read_range(
    db: DatabaseConnection,
    file_id: String,
    start: u64,
    end: u64,
) -> impl Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static {
    let first = (start / CHUNK as u64) as i32;
    let last = (end / CHUNK as u64) as i32;
    futures::stream::iter(first..=last).then(move |seq| {
        let (db, file_id) = (db.clone(), file_id.clone());
        async move {
            let row = material_chunk::Entity::find()
                .filter(material_chunk::Column::FileId.eq(&file_id))
                .filter(material_chunk::Column::Seq.eq(seq))
                .order_by_asc(material_chunk::Column::Seq)
                .one(&db)
                .await
                .map_err(std::io::Error::other)?
                .ok_or_else(|| std::io::Error::other("a chunk of the file is missing"))?;
            let base = seq as u64 * CHUNK as u64;
            let from = start.saturating_sub(base) as usize;
            let to = ((end - base) as usize + 1).min(row.data.len());
            Ok(bytes::Bytes::from(row.data).slice(from.min(to)..to))
        }
    })
}

/// An article's Markdown as HTML: headings, lists, emphasis, tables, links; any raw HTML
/// is shown as text, and a link or image that is not http(s), mailto or relative loses
/// its address.
pub fn article_html(markdown: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};
    let safe = |url: CowStr<'_>| -> CowStr<'static> {
        let u = url.trim().to_ascii_lowercase();
        let allowed = u.starts_with("http://")
            || u.starts_with("https://")
            || u.starts_with("mailto:")
            || u.starts_with('/')
            || u.starts_with('#')
            || !u.contains(':');
        if allowed {
            CowStr::from(url.into_string())
        } else {
            CowStr::from("")
        }
    };
    let events = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_what_its_first_bytes_say() {
        assert_eq!(sniff(b"%PDF-1.7\n").map(|w| w.1), Some("application/pdf"));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42").map(|w| w.1), Some("video/mp4"));
        assert_eq!(
            sniff(&[0x1A, 0x45, 0xDF, 0xA3, 1]).map(|w| w.1),
            Some("video/webm")
        );
        assert_eq!(sniff(b"OggS\0").map(|w| w.1), Some("video/ogg"));
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn an_article_keeps_its_markdown_and_loses_raw_html_and_script_links() {
        let html = article_html(
            "# 宪法\n\n- 第一条 **社会主义**\n\n<script>alert(1)</script>\n\n\
             [站内](/assets/x) [外](https://npc.gov.cn) [坏](javascript:alert(1)) \
             <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>宪法</h1>"), "{html}");
        assert!(html.contains("<strong>社会主义</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(r#"<a href="/assets/x">"#), "{html}");
        assert!(html.contains(r#"<a href="https://npc.gov.cn">"#), "{html}");
        assert!(!html.contains("javascript"), "{html}");
    }
}
