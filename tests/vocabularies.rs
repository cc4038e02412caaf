//! The console's words come from one place: `GET /api/v1/vocabularies` names every value
//! of every vocabulary the spec lists, in the spec's order.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::TestApp;

/// Enums of the spec that are not words a person reads: file formats, and where a mistake
/// was made (the console shows the practice set or the attempt, not the word).
const NOT_VOCABULARIES: &[&str] = &["SummaryFormat", "TableFormat", "MistakeSource"];

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[tokio::test]
async fn every_vocabulary_of_the_spec_has_its_chinese_names_without_sign_in() {
    let app = TestApp::new().await;
    let words = app
        .call("GET", "/api/v1/vocabularies", None, None)
        .await
        .expect(200);
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let mut checked = 0;
    for (schema, body) in spec["components"]["schemas"].as_object().unwrap() {
        let Some(values) = body["enum"].as_array() else {
            continue;
        };
        if NOT_VOCABULARIES.contains(&schema.as_str()) {
            continue;
        }
        let field = snake_case(schema);
        let terms = words[&field]
            .as_array()
            .unwrap_or_else(|| panic!("no vocabulary `{field}` for the spec's {schema}"));
        let keys: Vec<&Value> = terms.iter().map(|t| &t["key"]).collect();
        assert_eq!(keys, values.iter().collect::<Vec<_>>(), "{field}");
        for t in terms {
            let name = t["name"].as_str().unwrap();
            assert!(
                !name.is_empty() && !name.is_ascii(),
                "{field}.{}: {name:?}",
                t["key"]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 39, "vocabularies checked against the spec");
    assert_eq!(words["venue"][0]["name"], "机关");
    assert_eq!(words["role"][1]["name"], "组织人事");
    let missing: Vec<&Value> = words["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["key"])
        .collect();
    let targets: Vec<&Value> = words["target"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["key"])
        .collect();
    assert_eq!(missing, targets, "a missing list for each target");
    assert_eq!(words["missing"][0]["name"], "未参与");
}

/// Every property a request body can hold, at any depth, and every query parameter.
fn request_fields(spec: &Value) -> BTreeSet<String> {
    fn walk(
        schema: &Value,
        schemas: &Value,
        seen: &mut BTreeSet<String>,
        out: &mut BTreeSet<String>,
    ) {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap().to_owned();
            if seen.insert(name.clone()) {
                walk(&schemas[&name], schemas, seen, out);
            }
            return;
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            out.insert(name.clone());
            walk(property, schemas, seen, out);
        }
        walk_all(
            schema["items"].as_object().map(|_| &schema["items"]),
            schemas,
            seen,
            out,
        );
        for key in ["allOf", "anyOf", "oneOf"] {
            for branch in schema[key].as_array().into_iter().flatten() {
                walk(branch, schemas, seen, out);
            }
        }
    }
    fn walk_all(
        schema: Option<&Value>,
        schemas: &Value,
        seen: &mut BTreeSet<String>,
        out: &mut BTreeSet<String>,
    ) {
        if let Some(schema) = schema {
            walk(schema, schemas, seen, out);
        }
    }
    let schemas = &spec["components"]["schemas"];
    let mut out = BTreeSet::new();
    for operations in spec["paths"].as_object().unwrap().values() {
        for operation in operations.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "query" {
                    out.insert(parameter["name"].as_str().unwrap().to_owned());
                }
            }
            for content in operation["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                walk(
                    &content.1["schema"],
                    schemas,
                    &mut BTreeSet::new(),
                    &mut out,
                );
            }
        }
    }
    out
}

/// A field error reaches a person in Chinese: every field a request can name has a
/// label, every code a template whose placeholders the console fills, every 409 code a
/// sentence, and what the parameters name (records, formats) has a name too.
#[tokio::test]
async fn every_field_error_the_server_can_give_has_a_chinese_wording() {
    let app = TestApp::new().await;
    let words = app
        .call("GET", "/api/v1/vocabularies", None, None)
        .await
        .expect(200);
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let labels: BTreeSet<&str> = words["field"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    let fields = request_fields(&spec);
    assert!(fields.len() > 100, "{} fields found", fields.len());
    let unlabelled: Vec<&String> = fields
        .iter()
        .filter(|f| !labels.contains(f.as_str()))
        .collect();
    assert!(
        unlabelled.is_empty(),
        "fields without a Chinese label: {unlabelled:?}"
    );
    // The names the server gives that are not request fields: the body, an import's
    // file and columns, a path parameter, an item of a batch.
    for extra in ["body", "file", "unit", "path", "item", "question"] {
        assert!(labels.contains(extra), "{extra}");
    }
    let placeholders = [
        "label", "field", "min", "max", "values", "what", "expected", "kind", "from", "to",
    ];
    let codes = words["field_error_code"].as_array().unwrap();
    assert_eq!(codes.len(), domain::error::Code::ALL.len());
    for term in codes {
        let template = term["name"].as_str().unwrap();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').expect("a closed placeholder") + start;
            let name = &rest[start + 1..end];
            assert!(placeholders.contains(&name), "{}: {{{name}}}", term["key"]);
            rest = &rest[end + 1..];
        }
        let bare: String = template
            .split(['{', '}'])
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect();
        assert!(
            !bare.chars().any(|c| c.is_ascii_alphabetic()),
            "{}: English in {template:?}",
            term["key"]
        );
    }
    for (vocabulary, all) in [
        ("conflict", domain::error::Clash::ALL.len()),
        ("field_error_thing", domain::error::Thing::ALL.len()),
        ("field_error_format", domain::error::Format::ALL.len()),
    ] {
        assert_eq!(
            words[vocabulary].as_array().unwrap().len(),
            all,
            "{vocabulary}"
        );
    }
}

/// Bad requests answer with codes the vocabulary words, for fields it labels.
#[tokio::test]
async fn refusals_carry_codes_and_parameters_the_console_can_word() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let words = app
        .call("GET", "/api/v1/vocabularies", None, None)
        .await
        .expect(200);
    let known = |vocabulary: &str, key: &Value| {
        words[vocabulary]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| &t["key"] == key)
    };
    let campaign = serde_json::json!({
        "year": 1999, "title": "", "study_starts_on": "2026-03-01", "study_ends_on": "2026-02-01",
        "required_minutes": 0, "exam_opens_at": "2026-06-01T00:00:00+08:00",
        "exam_closes_at": "2026-05-01T00:00:00+08:00", "duration_minutes": 60,
        "question_count": 10, "pass_score": 60, "good_score": 50, "excellent_score": 90,
        "max_attempts": 1, "courses": [{"course_id": 999, "compulsory": true}]
    });
    let reply = app.post("/api/v1/campaigns", &admin, campaign).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let errors = reply.body["errors"].as_array().unwrap();
    let by_field = |field: &str| {
        errors
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
    };
    assert_eq!(by_field("year")["code"], "out_of_range");
    assert_eq!(
        by_field("year")["params"],
        serde_json::json!({"min": 2000, "max": 2100})
    );
    assert_eq!(by_field("title")["code"], "required");
    assert_eq!(by_field("study_ends_on")["code"], "before_field");
    assert_eq!(
        by_field("study_ends_on")["params"]["field"],
        "study_starts_on"
    );
    assert_eq!(by_field("good_score")["code"], "less_than_field");
    assert!(errors.len() >= 5, "all at once: {errors:?}");
    for e in errors {
        assert!(known("field_error_code", &e["code"]), "{e}");
        let field = e["field"].as_str().unwrap();
        let last = field.rsplit('.').next().unwrap().split('[').next().unwrap();
        assert!(known("field", &Value::from(last)), "{e}");
        assert!(
            e["message"].as_str().unwrap().is_ascii(),
            "English message kept: {e}"
        );
    }
}
