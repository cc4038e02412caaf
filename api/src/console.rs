//! The web console (`api/console/`), embedded in the binary and served at `/`: the page
//! at `/`, its scripts and styles under `/assets/` and `/vendor/`. Every response carries
//! a strict Content-Security-Policy (only this origin; no inline script or style, no
//! `eval`) and an ETag, so a browser revalidates cheaply instead of downloading again.

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{StatusCode, header},
};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "console/"]
struct Files;

/// What every console page and asset carries.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    media-src 'self' blob:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The type of a file the console serves; `None` for the tooling kept beside it
/// (`vendor/fetch.sh`, `vendor/README.md`), which is not served.
fn content_type(path: &str) -> Option<&'static str> {
    match path.rsplit('.').next() {
        Some("html") => Some("text/html; charset=utf-8"),
        Some("js") => Some("text/javascript; charset=utf-8"),
        Some("css") => Some("text/css; charset=utf-8"),
        Some("svg") => Some("image/svg+xml"),
        Some("png") => Some("image/png"),
        Some("txt") => Some("text/plain; charset=utf-8"),
        _ => None,
    }
}

/// Adds the console's security headers to a response.
pub fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ] {
        headers.insert(name, header::HeaderValue::from_static(value));
    }
    response
}

/// Serves one embedded file (`/` is `index.html`).
pub struct Console;

impl Endpoint for Console {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let path = req.uri().path().trim_start_matches('/');
        let path = if path.is_empty() { "index.html" } else { path };
        let (Some(file), Some(content_type)) = (Files::get(path), content_type(path)) else {
            return Err(poem::Error::from_status(StatusCode::NOT_FOUND));
        };
        let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == etag);
        let builder = Response::builder()
            .header(header::ETAG, etag.as_str())
            // Revalidate every time: the ETag makes that a 304 without a body.
            .header(header::CACHE_CONTROL, "no-cache");
        let response = if fresh {
            builder.status(StatusCode::NOT_MODIFIED).finish()
        } else {
            builder
                .content_type(content_type)
                .body(file.data.into_owned())
        };
        Ok(secure(response.into_response()))
    }
}

/// Every file the console serves (the asset test walks them).
pub fn files() -> impl Iterator<Item = String> {
    Files::iter()
        .map(|p| p.into_owned())
        .filter(|p| content_type(p).is_some())
}

/// The API at its own paths and the console's page at the bare `/` (one route tree cannot
/// hold both an exact `/` and the API's nest at `/`).
pub struct PageAtRoot<E>(pub E);

impl<E: Endpoint> Endpoint for PageAtRoot<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if req.uri().path() == "/" {
            return Console.call(req).await;
        }
        self.0.call(req).await.map(IntoResponse::into_response)
    }
}
