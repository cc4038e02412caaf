//! The API's operations and the OpenAPI spec generated from them (served at
//! `/openapi.json`, committed in `openapi/openapi.json`), and the route table the 405
//! handler reads its `Allow` header from.

use poem_openapi::{OpenApi, OpenApiService};

use crate::routes;

/// Every operation of the API.
pub fn api() -> impl OpenApi {
    (
        routes::health::HealthApi,
        routes::auth::AuthApi,
        routes::units::UnitsApi,
        routes::users::UsersApi,
        routes::courses::CoursesApi,
        routes::campaigns::CampaignsApi,
        routes::study::StudyApi,
        routes::exam::ExamApi,
        routes::targets::TargetsApi,
        routes::activities::ActivitiesApi,
        routes::audit::AuditApi,
    )
}

/// The OpenAPI service: the spec is generated from these types.
pub fn api_service() -> OpenApiService<impl OpenApi, ()> {
    OpenApiService::new(api(), "xuefa", env!("CARGO_PKG_VERSION")).description(
        "学法: a government office's annual law-study programme (study, exam, the four 100% \
         targets) and its law-publicity records. Errors are `application/problem+json`.",
    )
}

/// The spec as pretty JSON, as served at `/openapi.json` and committed in
/// `openapi/openapi.json`.
pub fn spec_json() -> String {
    SPEC.clone()
}

static SPEC: std::sync::LazyLock<String> = std::sync::LazyLock::new(build_spec);

/// Path templates of the spec (segments, `None` for a parameter) and their methods.
/// Path segments (`None` for a parameter) and the methods served there.
type RouteTable = Vec<(Vec<Option<String>>, Vec<String>)>;

static ROUTES: std::sync::LazyLock<RouteTable> = std::sync::LazyLock::new(|| {
    let spec: serde_json::Value = serde_json::from_str(&SPEC).expect("the spec is JSON");
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

fn build_spec() -> String {
    let spec = api_service().spec();
    let mut value: serde_json::Value = serde_json::from_str(&spec).expect("the spec is JSON");
    mark_optional_fields_nullable(&mut value);
    let mut out = serde_json::to_string_pretty(&value).expect("JSON serialises");
    out.push('\n');
    out
}

/// poem-openapi writes `Option<T>` fields as optional but not nullable, while the server
/// sends (and accepts) `null` for them. OpenAPI 3.0 needs `nullable: true` to say so; a
/// `$ref` takes no siblings, so it is wrapped in `allOf`.
fn mark_optional_fields_nullable(spec: &mut serde_json::Value) {
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    else {
        return;
    };
    // Enums are inlined with `null` among their values (3.0's reading of nullable enums).
    let enums: std::collections::HashMap<String, serde_json::Value> = schemas
        .iter()
        .filter(|(_, s)| s.get("enum").is_some())
        .map(|(name, s)| (format!("#/components/schemas/{name}"), s.clone()))
        .collect();
    for schema in schemas.values_mut() {
        let required: Vec<String> = schema
            .get("required")
            .and_then(|r| r.as_array())
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) else {
            continue;
        };
        for (name, prop) in props.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let description = prop.get("description").cloned();
            if let Some(reference) = prop.get("$ref").and_then(|r| r.as_str()).map(str::to_owned) {
                let mut replaced = match enums.get(&reference) {
                    Some(en) => {
                        let mut inline = en.clone();
                        if let Some(values) = inline.get_mut("enum").and_then(|v| v.as_array_mut())
                        {
                            values.push(serde_json::Value::Null);
                        }
                        inline["nullable"] = serde_json::Value::Bool(true);
                        inline.as_object_mut().map(|o| o.remove("title"));
                        inline
                    }
                    None => serde_json::json!({"allOf": [{"$ref": reference}], "nullable": true}),
                };
                if let Some(desc) = description {
                    replaced["description"] = desc;
                }
                *prop = replaced;
            } else if let Some(obj) = prop.as_object_mut() {
                obj.insert("nullable".into(), serde_json::Value::Bool(true));
            }
        }
    }
}
