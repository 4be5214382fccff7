//! Global variables of environments (real-behaviour.md §2.10–2.11, §6).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::services_helpers::*;

const NOW: i64 = 1_700_000_000;

fn settling(ms: i64) -> Options {
    Options { settle_ms: ms, ..Options::default() }
}

/// `ErrUpdateEnv` (6076), sent as HTTP 400.
async fn assert_6076(response: reqwest::Response, description: &str) {
    assert_zadig_error(response, 400, 6076, "更新环境失败", description).await;
}

// Reading (§2.10)

#[tokio::test]
async fn the_stored_global_variables_come_back_in_go_field_order() {
    let app = TestApp::spawn().await;

    let text = app.get_variables("simple-demo", "dev").await.text().await.unwrap();

    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body,
        json!([{"key": "cpuLimit", "value": "1000m", "type": "string", "options": [], "desc": "CPU 资源限制", "related_services": ["service1"]}])
    );
    assert_key_order(&text, &["key", "value", "type", "options", "desc", "related_services"]);
}

#[tokio::test]
async fn the_demo_production_env_carries_cpu_limit_like_the_docs_example() {
    let app = TestApp::spawn().await;

    let body = json(app.get_production_variables("simple-demo", "prod").await, 200).await;

    assert_eq!(
        body,
        json!([{"key": "cpuLimit", "value": "1000m", "type": "string", "options": [], "desc": "CPU 资源限制", "related_services": ["service1"]}])
    );
}

#[tokio::test]
async fn reading_a_missing_env_or_across_the_production_line_is_6078() {
    let app = TestApp::spawn().await;

    let missing = app.get_variables("simple-demo", "nope").await;
    let production_via_test = app.get_variables("simple-demo", "prod").await;

    let description = |env: &str| format!("failed to find env from db, project:simple-demo env:{env}");
    assert_zadig_error(missing, 400, 6078, "获取环境失败", &description("nope")).await;
    assert_zadig_error(production_via_test, 400, 6078, "获取环境失败", &description("prod")).await;
}

#[tokio::test]
async fn reading_without_a_project_key_is_a_400() {
    let app = TestApp::spawn().await;

    let response = app.get("/openapi/environments/dev/variable").await;

    assert_zadig_error(response, 400, 400, "Bad Request", "projectKey can't be empty").await;
}

// Replacing (§2.11)

#[tokio::test]
async fn a_changed_value_stores_the_request_verbatim_and_redeploys_the_related_service() {
    // Arrange
    let app = TestApp::spawn_with(settling(3_000)).await;
    let service1_pods = app.pod_names("simple-demo", "dev", "service1", "service1").await;
    let service2_pods = app.pod_names("simple-demo", "dev", "service2", "service2").await;
    app.advance_clock(10);

    // Act: the doc's example body, `{key, value}` only.
    let body = json!({"global_variables": [{"key": "cpuLimit", "value": "2000m"}]});
    assert_success(app.put_variables("simple-demo", "dev", &body).await).await;

    // Assert: vendor quirk, `product.GlobalVariables = args` (env/service/environment.go:3320).
    let stored = json(app.get_variables("simple-demo", "dev").await, 200).await;
    assert_eq!(
        stored,
        json!([{"key": "cpuLimit", "value": "2000m", "type": "", "options": [], "desc": "", "related_services": []}])
    );
    assert_eq!(app.env_detail("simple-demo", "dev").await["status"], "updating");
    assert_ne!(app.pod_names("simple-demo", "dev", "service1", "service1").await, service1_pods);
    assert_eq!(app.pod_names("simple-demo", "dev", "service2", "service2").await, service2_pods);
    app.advance_clock(3);
    let detail = app.env_detail("simple-demo", "dev").await;
    assert_eq!((detail["status"].as_str(), detail["update_time"].as_i64()), (Some("success"), Some(NOW + 13)));
}

#[tokio::test]
async fn the_same_values_change_nothing_at_all() {
    let app = TestApp::spawn().await;
    app.advance_clock(10);

    // Same key → value, other attributes dropped: `yamlutil.Equal` says equal.
    let body = json!({"global_variables": [{"key": "cpuLimit", "value": "1000m"}]});
    assert_success(app.put_variables("simple-demo", "dev", &body).await).await;

    let stored = json(app.get_variables("simple-demo", "dev").await, 200).await;
    assert_eq!(stored[0]["desc"], "CPU 资源限制");
    assert_eq!(stored[0]["related_services"], json!(["service1"]));
    assert_eq!(app.env_detail("simple-demo", "dev").await["update_time"], NOW);
}

#[tokio::test]
async fn a_change_no_service_uses_moves_neither_status_nor_update_time() {
    let app = TestApp::spawn_with(settling(3_000)).await;
    app.advance_clock(10);

    let body = json!({"global_variables": [{"key": "featureFlags", "value": "true", "type": "bool"}]});
    assert_success(app.put_variables("microservice-demo", "staging", &body).await).await;

    // Only `global_variables` is `$set` (common/repository/mongodb/product.go:569-579).
    let detail = app.env_detail("microservice-demo", "staging").await;
    assert_eq!((detail["status"].as_str(), detail["update_time"].as_i64()), (Some("success"), Some(NOW)));
    assert_eq!(global(&detail, "featureFlags")["value"], "true");
}

#[tokio::test]
async fn adding_a_key_the_project_does_not_define_is_refused() {
    let app = TestApp::spawn().await;

    let body = json!({"global_variables": [{"key": "cpuLimit", "value": "1000m"}, {"key": "nope", "value": "1"}]});
    let response = app.put_variables("simple-demo", "dev", &body).await;

    // A plain error through AddErr: no "更新环境失败: " in the description (environment.go:3306).
    assert_6076(response, "added global variable nope is not in project's global variable list").await;
}

#[tokio::test]
async fn dropping_a_key_a_service_uses_is_refused() {
    let app = TestApp::spawn().await;

    let response = app.put_variables("simple-demo", "dev", &json!({"global_variables": []})).await;

    assert_6076(response, "global variable cpuLimit is used by service [service1], can't delete it").await;
}

#[tokio::test]
async fn dropping_an_unused_key_deletes_it() {
    let app = TestApp::spawn().await;
    assert_success(app.create_env("simple-demo", &bare_env_body("qa")).await).await;

    assert_success(app.put_variables("simple-demo", "qa", &json!({"global_variables": []})).await).await;

    assert_eq!(json(app.get_variables("simple-demo", "qa").await, 200).await, json!([]));
}

#[tokio::test]
async fn a_new_key_that_claims_related_services_is_refused() {
    let app = TestApp::spawn().await;

    let body = json!({"global_variables": [{"key": "featureFlags", "value": "true", "related_services": ["backend"]}]});
    let response = app.put_variables("microservice-demo", "staging", &body).await;

    assert_6076(response, "UNEXPECT ERROR: global variable featureFlags is new, but RelatedServices is not empty")
        .await;
}

#[tokio::test]
async fn an_enum_value_outside_its_options_is_refused() {
    let app = TestApp::spawn().await;

    let body = json!({"global_variables": [{"key": "logLevel", "value": "loud", "type": "enum", "options": ["debug", "info"]}]});
    let response = app.put_variables("microservice-demo", "dev", &body).await;

    assert_6076(
        response,
        "failed to convert args' global variables to yaml, err: invaild value for enum, key: logLevel, value: loud, options: [debug info]",
    )
    .await;
}

#[tokio::test]
async fn a_change_that_must_redeploy_while_the_env_updates_is_refused_with_the_prefixed_text() {
    let app = TestApp::spawn_with(settling(3_000)).await;
    let update = json!({"service_list": [{"service_name": "service2"}]});
    assert_success(app.update_services("simple-demo", "dev", &update).await).await;

    let body = json!({"global_variables": [{"key": "cpuLimit", "value": "2000m"}]});
    let response = app.put_variables("simple-demo", "dev", &body).await;

    // updateK8sProduct's HTTPError, wrapped again by AddErr (environment_update.go:423-426).
    assert_6076(response, "更新环境失败: 环境正处于不能更新的状态").await;
}

#[tokio::test]
async fn replacing_on_a_missing_env_or_across_the_production_line_is_a_plain_500() {
    let app = TestApp::spawn().await;

    let body = json!({"global_variables": []});
    let missing = app.put_variables("simple-demo", "nope", &body).await;
    let production_via_test = app.put_variables("simple-demo", "prod", &body).await;

    let text = |env: &str| {
        format!("GetProductEnv envName:{env} productName: simple-demo error, error msg:mongo: no documents in result")
    };
    assert_internal_error(missing, &text("nope")).await;
    assert_internal_error(production_via_test, &text("prod")).await;
}

#[tokio::test]
async fn the_body_is_parsed_before_the_project_key() {
    let app = TestApp::spawn().await;

    let malformed = app.send_raw(Method::PUT, "/openapi/environments/dev/variable", "{").await;
    let no_key = app.send_json(Method::PUT, "/openapi/environments/dev/variable", &json!({})).await;

    assert_internal_error(malformed, "unexpected end of JSON input").await;
    assert_zadig_error(no_key, 400, 400, "Bad Request", "projectKey can't be empty").await;
}

#[tokio::test]
async fn a_wrong_type_inside_a_variable_names_the_variable_field_as_go_does() {
    let app = TestApp::spawn().await;
    let path = "/openapi/environments/dev/variable?projectKey=simple-demo";

    let key = app.send_json(Method::PUT, path, &json!({"global_variables": [{"key": 1}]})).await;
    let option =
        app.send_json(Method::PUT, path, &json!({"global_variables": [{"key": "a", "options": [true]}]})).await;

    // Go names the innermost struct (`GlobalVariableKV`); the field path and
    // the JSON kind are Go's (`json.UnmarshalTypeError`).
    let field = |name: &str, kind: &str| {
        format!(
            "json: cannot unmarshal {kind} into Go struct field OpenAPIEnvGlobalVariables.global_variables.{name} of type string"
        )
    };
    assert_internal_error(key, &field("key", "number")).await;
    assert_internal_error(option, &field("options", "bool")).await;
}

#[tokio::test]
async fn a_null_body_is_an_empty_list_for_test_envs_and_a_bare_500_for_production() {
    let app = TestApp::spawn().await;

    let test = app.send_raw(Method::PUT, "/openapi/environments/dev/variable?projectKey=simple-demo", "null").await;
    let production = app
        .send_raw(Method::PUT, "/openapi/environments/production/prod/variable?projectKey=simple-demo", "null")
        .await;

    assert_6076(test, "global variable cpuLimit is used by service [service1], can't delete it").await;
    // Vendor quirk: `json.Unmarshal(data, &args)` nils `args`; the later
    // `args.GlobalVariables` panics and gin's Recovery answers a bare 500
    // (env/handler/openapi.go:1137, :1178).
    assert_eq!(production.status(), 500);
    assert_eq!(production.text().await.unwrap(), "");
}

#[tokio::test]
async fn production_variables_are_replaced_through_the_production_route() {
    let app = TestApp::spawn().await;

    let body = json!({"global_variables": [{"key": "cpuLimit", "value": "1500m", "type": "string", "options": [],
        "desc": "CPU 资源限制", "related_services": ["service1"]}]});
    assert_success(app.put_production_variables("simple-demo", "prod", &body).await).await;

    let stored = json(app.get_production_variables("simple-demo", "prod").await, 200).await;
    assert_eq!(stored[0]["value"], "1500m");
    assert_eq!(stored[0]["related_services"], json!(["service1"]));
}
