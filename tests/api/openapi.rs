//! The OpenAPI document (`openapi/zadig-mock.yaml`): served without a token,
//! and in step with the route table, both ways.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::contract::{METHODS, document, resolve};
use crate::helpers::TestApp;

/// Every `METHOD /path` the route tables in `src/` register, read from
/// their `.route("/path", get(…).post(…))` calls.
fn routes_in_source() -> BTreeSet<String> {
    let mut routes = BTreeSet::new();
    for file in source_files(&format!("{}/src", env!("CARGO_MANIFEST_DIR"))) {
        let text = std::fs::read_to_string(&file).expect("source file reads");
        for call in text.split(".route(").skip(1) {
            let call = &call[..closing_paren(call)];
            let path = call.split('"').nth(1).unwrap_or_else(|| panic!("{file}: a .route( without a path: {call}"));
            let methods = method_calls(call);
            assert!(!methods.is_empty(), "{file}: no method router in .route({call})");
            routes.extend(methods.into_iter().map(|m| format!("{} {path}", m.to_uppercase())));
        }
    }
    routes
}

fn source_files(dir: &str) -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src reads") {
        let path = entry.expect("entry").path();
        let name = path.to_string_lossy().into_owned();
        if path.is_dir() {
            files.extend(source_files(&name));
        } else if name.ends_with(".rs") {
            files.push(name);
        }
    }
    files
}

/// The length of a call's arguments: up to its unbalanced `)`.
fn closing_paren(text: &str) -> usize {
    let mut depth = 0;
    let mut in_string = false;
    for (i, ch) in text.char_indices() {
        match ch {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string && depth == 0 => return i,
            ')' if !in_string => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// The method routers of a `.route(…)` call: `get(`, `.post(`, … but not
/// a handler such as `services::get_service` or `env::delete_environment`.
fn method_calls(call: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for method in METHODS {
        let needle = format!("{method}(");
        for (i, _) in call.match_indices(&needle) {
            let before = call[..i].chars().next_back();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                found.push(method);
            }
        }
    }
    found
}

fn operations_in_document() -> BTreeSet<String> {
    let paths = document()["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter(|m| item.get(**m).is_some()).map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect()
}

#[test]
fn every_route_has_an_operation_in_the_document_and_every_operation_a_route() {
    // Arrange
    let routes = routes_in_source();
    let operations = operations_in_document();

    // Act
    let undocumented: Vec<&String> = routes.difference(&operations).collect();
    let unrouted: Vec<&String> = operations.difference(&routes).collect();

    // Assert
    assert!(routes.len() > 50, "the route table was read: {routes:?}");
    assert!(undocumented.is_empty(), "routes without an operation in openapi/zadig-mock.yaml: {undocumented:?}");
    assert!(unrouted.is_empty(), "operations in openapi/zadig-mock.yaml without a route: {unrouted:?}");
}

#[test]
fn every_operation_has_a_unique_id_a_tag_and_the_gateways_401() {
    let mut ids = BTreeSet::new();
    for operation in operations_in_document() {
        let (method, path) = operation.split_once(' ').expect("METHOD path");
        let op = &document()["paths"][path][method.to_lowercase()];
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{operation}: no operationId"));
        assert!(ids.insert(id.to_string()), "{operation}: operationId {id} is used twice");
        assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{operation}: no tag");
        let public = op.get("security").is_some_and(|s| s.as_array().is_some_and(Vec::is_empty));
        assert_eq!(op["responses"].get("401").is_none(), public, "{operation}: 401 documented iff guarded");
    }
}

#[test]
fn every_referenced_component_exists() {
    fn walk(value: &'static Value) {
        match value {
            Value::Object(map) => {
                if map.contains_key("$ref") {
                    resolve(value);
                }
                map.values().for_each(walk);
            }
            Value::Array(items) => items.iter().for_each(walk),
            _ => {}
        }
    }
    walk(document());
}

/// A concrete URL for a documented path: every parameter filled in with a
/// name no world holds, so that probes change nothing.
fn probe_url(path: &str) -> String {
    let filled: Vec<String> = path
        .split('/')
        .map(|segment| match segment.starts_with('{') {
            true => "openapi-probe".to_string(),
            false => segment.to_string(),
        })
        .collect();
    format!("{}?projectKey=openapi-probe", filled.join("/"))
}

#[tokio::test]
async fn every_documented_operation_reaches_a_handler_not_a_routing_error() {
    // Arrange
    let app = TestApp::spawn().await;

    for operation in operations_in_document() {
        let (method, path) = operation.split_once(' ').expect("METHOD path");
        if path.starts_with("/openapi/logs/sse/") {
            // An endless stream; its routing is covered by its own tests.
            continue;
        }

        // Act
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let response = app.request(method, &probe_url(path)).send().await.expect("request sent");
        let status = response.status().as_u16();
        let body = response.text().await.expect("body");

        // Assert
        let routing_error = body.starts_with("Invalid path: ") || body.starts_with("Method not allowed: ");
        assert!(!routing_error, "{operation} is documented but not routed: {status} {body}");
    }
}

#[tokio::test]
async fn the_document_is_served_without_a_token_as_json_and_as_its_yaml_source() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let as_json = app.client.get(format!("{}/_mock/openapi.json", app.address)).send().await.expect("sent");
    let as_yaml = app.client.get(format!("{}/_mock/openapi.yaml", app.address)).send().await.expect("sent");

    // Assert
    assert_eq!(as_json.status().as_u16(), 200);
    assert_eq!(as_json.headers()["content-type"], "application/json; charset=utf-8");
    let served: Value = as_json.json().await.expect("JSON");
    assert_eq!(&served, document());
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(as_yaml.status().as_u16(), 200);
    assert_eq!(as_yaml.headers()["content-type"], "application/yaml; charset=utf-8");
    assert_eq!(as_yaml.text().await.expect("text"), zadig_mock::api::openapi::DOCUMENT_YAML);
}

#[test]
fn a_reply_that_does_not_match_its_schema_is_reported_as_drift() {
    // Arrange
    let wrong = serde_json::json!([{"env_name": "dev"}]);

    // Act
    let outcome = std::panic::catch_unwind(|| {
        crate::contract::check_reply(&["get".to_string()], "/openapi/environments", 200, &wrong)
    });

    // Assert
    let message = *outcome.expect_err("a list entry without env_key is drift").downcast::<String>().expect("text");
    assert!(message.contains("OpenAPI drift"), "{message}");
    assert!(message.contains("env_key"), "{message}");
}

#[test]
fn static_paths_beat_parameters_when_a_reply_is_matched_to_its_operation() {
    assert_eq!(crate::contract::documented_path("/openapi/environments/scale"), Some("/openapi/environments/scale"));
    assert_eq!(crate::contract::documented_path("/openapi/environments/dev"), Some("/openapi/environments/{env}"));
    assert_eq!(
        crate::contract::documented_path("/openapi/environments/production/dev/services"),
        Some("/openapi/environments/production/{env}/services")
    );
}

#[tokio::test]
async fn an_injected_fault_is_marked_so_that_its_answer_is_not_held_to_the_document() {
    // Arrange
    let app = TestApp::spawn().await;
    let fault = serde_json::json!({"path": "/openapi/environments", "status": 502, "body": {"oops": true}});
    crate::helpers::json(app.send_json(Method::POST, "/_mock/faults", &fault).await, 200).await;

    // Act
    let response = app.list_envs("simple-demo").await;

    // Assert
    assert_eq!(response.headers()["x-zadig-mock-fault"], "1");
    assert_eq!(crate::helpers::json(response, 502).await, serde_json::json!({"oops": true}));
}

#[tokio::test]
async fn a_reply_is_matched_to_the_method_of_its_request() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let response = app.get("/_mock/reset").await;

    // Assert
    assert_eq!(crate::contract::methods_of(response.url()), vec!["get".to_string()]);
}
