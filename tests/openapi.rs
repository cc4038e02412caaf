//! The committed spec is what the code generates.

#[test]
fn committed_spec_is_current() {
    let generated = api::spec_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date; regenerate it with:\n\n    cargo run -- openapi > openapi/openapi.json\n"
    );
}

#[test]
fn spec_documents_errors_and_security() {
    let spec: serde_json::Value = serde_json::from_str(&api::spec_json()).unwrap();
    let login = &spec["paths"]["/api/v1/auth/login"]["post"];
    for status in ["200", "400", "401", "422", "429"] {
        assert!(
            login["responses"][status].is_object(),
            "login does not document {status}"
        );
    }
    assert!(login["responses"]["401"]["content"]["application/problem+json"].is_object());
    let users = &spec["paths"]["/api/v1/users"]["get"];
    assert!(users["security"].is_array(), "users needs a bearer token");
    assert!(
        spec["paths"]["/api/v1/users/import"]["post"]["requestBody"]["content"]["text/csv"]
            .is_object()
    );
}
