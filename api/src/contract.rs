//! The spec as the serving modules read it: the parsed document (request validation), the
//! route table (the `Allow` header of a 405) and the path templates (metrics by route).
//! A leaf: `spec` builds the document from the routes and installs it here when the app
//! is made ([`crate::app`]); the middleware, the validator and the observer read it here,
//! so none of them depends on the routes that depend on them.

use std::{
    collections::HashMap,
    sync::{LazyLock, OnceLock},
};

use serde_json::Value;

static TEXT: OnceLock<&'static str> = OnceLock::new();

/// Installs the spec (once; later calls keep the first, which is the same text).
pub fn install(spec: &'static str) {
    let _ = TEXT.set(spec);
}

fn text() -> &'static str {
    TEXT.get()
        .expect("the spec is installed by app() before anything is served")
}

/// The spec, parsed.
pub static PARSED: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(text()).expect("the spec is JSON"));

/// Path segments of the spec (`None` for a parameter) and the methods served there.
type RouteTable = Vec<(Vec<Option<String>>, Vec<String>)>;

static ROUTES: LazyLock<RouteTable> = LazyLock::new(|| {
    let spec = &*PARSED;
    let mut routes = Vec::new();
    for (path, ops) in spec["paths"].as_object().into_iter().flatten() {
        let segments = path
            .trim_matches('/')
            .split('/')
            .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
            .collect();
        let methods = ops
            .as_object()
            .into_iter()
            .flatten()
            .map(|(m, _)| m.to_uppercase())
            .collect();
        routes.push((segments, methods));
    }
    routes
});

/// The methods the API serves on `path` (for the `Allow` header of a 405).
pub fn allowed_methods(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut methods: Vec<String> = ROUTES
        .iter()
        .filter(|(segments, _)| {
            segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
        })
        .flat_map(|(_, m)| m.iter().cloned())
        .collect();
    if methods.is_empty() {
        return None;
    }
    methods.sort();
    methods.dedup();
    Some(methods.join(", "))
}

/// The spec's path templates by the router's name for them: poem-openapi registers
/// `/api/v1/campaigns/{id}` as `/api/v1/campaigns/:param0`.
static TEMPLATES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let spec = &*PARSED;
    spec["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(path, _)| (as_routed(path), path.clone()))
        .collect()
});

/// `/a/{x}/b/{y}` → `/a/:param0/b/:param1`.
fn as_routed(path: &str) -> String {
    let mut n = 0;
    path.split('/')
        .map(|s| {
            if s.starts_with('{') {
                n += 1;
                format!(":param{}", n - 1)
            } else {
                s.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The spec's path template (`/api/v1/campaigns/{id}`) of a route as the router names it;
/// other routes as they are.
pub fn route_template(pattern: &str) -> &str {
    TEMPLATES.get(pattern).map_or(pattern, String::as_str)
}
