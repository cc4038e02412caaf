//! The API's operations and the OpenAPI spec generated from them (served at
//! `/openapi.json`, committed in `openapi/openapi.json`). What the serving modules read
//! of the spec lives in the leaf module [`crate::contract`], so that they need not
//! depend on the routes that depend on them.

use poem_openapi::{LicenseObject, OpenApi, OpenApiService, ServerObject};
use serde_json::{Value, json};

use crate::routes;

/// Every operation of the API.
pub fn api() -> impl OpenApi {
    (
        routes::health::HealthApi,
        routes::auth::AuthApi,
        routes::units::UnitsApi,
        routes::users::UsersApi,
        (routes::courses::CoursesApi, routes::material::MaterialApi),
        routes::campaigns::CampaignsApi,
        (routes::study::StudyApi, routes::live::LiveApi),
        (
            routes::exam::ExamApi,
            routes::exam_fairness::ExamFairnessApi,
        ),
        routes::practice::PracticeApi,
        routes::targets::TargetsApi,
        routes::activities::ActivitiesApi,
        // A tuple holds at most 16 APIs; the ledgers go in one of their own.
        (
            routes::ledgers::MediationCasesApi,
            routes::ledgers::LegalServicesApi,
            routes::ledgers::ScreeningsApi,
            routes::ledgers::PetitionsApi,
            routes::ledgers::InspectionsApi,
            routes::notices::NoticesApi,
            routes::archives::ArchivesApi,
        ),
        (
            routes::audit::AuditApi,
            routes::vocabularies::VocabulariesApi,
        ),
        (
            routes::ledgers::law::LawTasksApi,
            routes::ledgers::law::DecisionReviewsApi,
            routes::ledgers::law::LegalAdvisersApi,
            routes::ledgers::law::LawReportsApi,
            routes::ledgers::law::PufaDutiesApi,
            routes::ledgers::law::LawRecordsApi,
        ),
    )
}

/// The OpenAPI service: the spec is generated from these types.
pub fn api_service() -> OpenApiService<impl OpenApi, ()> {
    OpenApiService::new(api(), "xuefa", env!("CARGO_PKG_VERSION"))
        .description(
            "学法: a government office's annual law-study programme (study, exam, the four \
             100% targets) and its law-publicity records. Errors are \
             `application/problem+json`.",
        )
        // Relative: the spec is served by the server it describes.
        .server(ServerObject::new("/").description("this server"))
        .license(
            LicenseObject::new(env!("CARGO_PKG_LICENSE")).url("https://spdx.org/licenses/MIT.html"),
        )
}

/// The spec as pretty JSON, as served at `/openapi.json` and committed in
/// `openapi/openapi.json`.
pub fn spec_json() -> String {
    SPEC.clone()
}

static SPEC: std::sync::LazyLock<String> = std::sync::LazyLock::new(build_spec);

/// Hands the spec to the modules that read it while serving ([`crate::contract`]).
pub fn install() {
    crate::contract::install(&SPEC);
}

fn build_spec() -> String {
    let spec = api_service().spec();
    let mut value: serde_json::Value = serde_json::from_str(&spec).expect("the spec is JSON");
    mark_optional_fields_nullable(&mut value);
    use_standard_formats(&mut value);
    declare_public_operations(&mut value);
    keep_statuses_each_operation_returns(&mut value);
    let mut out = serde_json::to_string_pretty(&value).expect("JSON serialises");
    out.push('\n');
    out
}

/// Writes references and optional fields the way client generators and linters read
/// OpenAPI 3.0:
/// - poem-openapi documents a referenced field as `allOf: [$ref, {description}]`, which
///   generators cannot take for an enum; it becomes `{$ref, description}`.
/// - An optional field is sent (and accepted) as `null`, so it is `nullable`, always next
///   to a `type`; an optional reference is `anyOf: [$ref, {type, nullable, enum: [null]}]`.
fn mark_optional_fields_nullable(spec: &mut Value) {
    let patch_bodies = patch_bodies(spec);
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let enums: std::collections::HashMap<String, Value> = schemas
        .iter()
        .filter(|(_, s)| s.get("enum").is_some())
        .map(|(name, s)| (format!("#/components/schemas/{name}"), s.clone()))
        .collect();
    let enums_ref = &enums;
    for (schema_name, schema) in schemas.iter_mut() {
        // In a PATCH body an absent field keeps its value and only a `Clearable` field
        // (already marked nullable) may be `null`; any other `null` is refused.
        let only_clearable = patch_bodies.contains(schema_name);
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (name, prop) in props.iter_mut() {
            collapse_documented_ref(prop, enums_ref);
            let clearable = prop.get("nullable") == Some(&Value::Bool(true));
            if !required.contains(name) && (!only_clearable || clearable) {
                make_nullable(prop, &enums);
            }
        }
    }
}

/// The schemas that PATCH operations take as their JSON body.
fn patch_bodies(spec: &Value) -> Vec<String> {
    spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(|ops| ops.pointer("/patch/requestBody/content")?.as_object())
        .flat_map(|content| content.iter())
        .filter(|(media_type, _)| media_type.starts_with("application/json"))
        .filter_map(|(_, media)| media.pointer("/schema/$ref")?.as_str())
        .filter_map(|r| r.rsplit('/').next().map(str::to_owned))
        .collect()
}

/// `{allOf: [{$ref}, {description}], description}` → `{$ref}` for an enum,
/// `{allOf: [{$ref}], description}` for an object.
fn collapse_documented_ref(prop: &mut Value, enums: &std::collections::HashMap<String, Value>) {
    let reference = match prop
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([first, rest @ ..])
            if first.get("$ref").is_some()
                && rest.iter().all(|r| {
                    r.as_object()
                        .is_some_and(|o| o.keys().all(|k| k == "description"))
                }) =>
        {
            first["$ref"].clone()
        }
        _ => return,
    };
    // An enum stays a bare reference (its own schema carries the description); an object
    // keeps the field's description beside a one-item `allOf`.
    let is_enum = reference.as_str().is_some_and(|r| enums.contains_key(r));
    let mut collapsed = if is_enum {
        json!({"$ref": reference})
    } else {
        json!({"allOf": [{"$ref": reference}]})
    };
    if let (false, Some(description)) = (is_enum, prop.get("description")) {
        collapsed["description"] = description.clone();
    }
    if let Some(nullable) = prop.get("nullable") {
        collapsed["nullable"] = nullable.clone();
    }
    *prop = collapsed;
}

fn make_nullable(prop: &mut Value, enums: &std::collections::HashMap<String, Value>) {
    let description = prop.get("description").cloned();
    let reference = prop
        .get("$ref")
        .or_else(|| prop.pointer("/allOf/0/$ref"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let Some(reference) = reference else {
        if let Some(obj) = prop.as_object_mut() {
            obj.insert("nullable".into(), Value::Bool(true));
        }
        return;
    };
    // `anyOf: [$ref, null]`, the null written as 3.0 can say it beside a type: generators
    // read it as `Venue | None` (Python) and `Venue | null` (TypeScript).
    let null_type = if enums.contains_key(&reference) {
        "string"
    } else {
        "object"
    };
    let mut replaced = json!({"anyOf": [
        {"$ref": reference},
        {"type": null_type, "nullable": true, "enum": [null]},
    ]});
    if let Some(desc) = description {
        replaced["description"] = desc;
    }
    *prop = replaced;
}

/// Formats every generator knows: `date` (poem-openapi says `naive-date`), and signed
/// `int32`/`int64` with `minimum: 0` instead of `uint16/32/64`.
fn use_standard_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let replacement = match map.get("format").and_then(Value::as_str) {
                Some("naive-date") => Some(("date", false)),
                Some("uint64" | "uint32") => Some(("int64", true)),
                Some("uint16" | "uint8") => Some(("int32", true)),
                _ => None,
            };
            if let Some((format, unsigned)) = replacement {
                map.insert("format".into(), json!(format));
                if unsigned && !map.contains_key("minimum") {
                    map.insert("minimum".into(), json!(0));
                }
            }
            map.values_mut().for_each(use_standard_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(use_standard_formats),
        _ => {}
    }
}

/// Operations that need no token say so (`security: []`), so that generated clients send
/// none and linters see every operation's security.
fn declare_public_operations(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|ops| ops.values_mut())
        .filter_map(Value::as_object_mut)
    {
        operation.entry("security").or_insert_with(|| json!([]));
    }
}

/// Operations every signed-in account may call whatever its roles, even with a token
/// limited to a password change or a second factor's enrolment: they never answer 403.
/// (Every other operation can: an auditor reads no catalogue, and a limited token reaches
/// nothing else.)
const NEVER_FORBIDDEN: &[&str] = &["getMe", "changeMyPassword"];

/// Every operation's responses share one error enum; each operation keeps only the
/// statuses it can answer with, read from its shape:
/// - 201 only on a POST that creates (`create…`, the study upload, a live session's start
///   and end, starting an attempt),
///   and 200 not on a POST that only creates;
/// - 400, 413 and 415 only with a request body; 422 with a body or parameters;
/// - 401 where a token is needed, and on login, refresh and the provider code's exchange;
/// - 403 where a role or ownership is checked; 404 with a path parameter;
/// - 409 on writes (but login, refresh, logout and a password change); 429 on login;
/// - 500 everywhere.
fn keep_statuses_each_operation_returns(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, ops) in paths.iter_mut() {
        let has_path_param = path.contains('{');
        for (method, op) in ops.as_object_mut().into_iter().flatten() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            let has_body = op.get("requestBody").is_some();
            let has_params = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            // Bad credentials, an idle session, a second factor asked for, a spent code.
            let is_auth = matches!(id.as_str(), "login" | "refreshTokens" | "exchangeSsoCode");
            let creates = method == "post"
                && (id.starts_with("create")
                    || id == "logStudySession"
                    || id == "startLiveSession"
                    || id == "endLiveSession"
                    || id == "startAttempt"
                    || id == "startPractice");
            let only_creates = id.starts_with("create");
            let writes = method != "get"
                && !matches!(
                    id.as_str(),
                    "login" | "refreshTokens" | "logout" | "changeMyPassword" | "exchangeSsoCode"
                );
            let keep = |status: &str| match status {
                "200" => !only_creates,
                "201" => creates,
                "400" | "413" | "415" => has_body,
                "401" => secured || is_auth,
                "403" => secured && !NEVER_FORBIDDEN.contains(&id.as_str()),
                // Even a year in the path can 404: the summary of a unit outside scope.
                "404" => has_path_param,
                "409" => writes,
                "422" => has_body || has_params || has_path_param,
                "429" => id == "login",
                _ => true,
            };
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                // An operation with a single success status keeps it.
                let successes = responses.keys().filter(|s| s.starts_with('2')).count();
                responses.retain(|status, _| {
                    (successes == 1 && status.starts_with('2')) || keep(status)
                });
            }
        }
    }
}
