//! The console's words come from one place: `GET /api/v1/vocabularies` names every value
//! of every vocabulary the spec lists, in the spec's order.

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
    assert_eq!(checked, 22, "vocabularies checked against the spec");
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
