//! Adding, removing and updating services in environments
//! (real-behaviour.md §2.7–2.9, §6).

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::services_helpers::*;

const NOW: i64 = 1_700_000_000;

fn settling(ms: i64) -> Options {
    Options { settle_ms: ms, ..Options::default() }
}

// Adding services (§2.7)

#[tokio::test]
async fn adding_a_service_deploys_it_in_project_order_and_the_env_updates_then_settles() {
    // Arrange: staging runs frontend, backend and redis.
    let app = TestApp::spawn_with(settling(5_000)).await;
    app.advance_clock(60);

    // Act
    let body = json!({"env_key": "staging", "service_list": [{"service_name": "worker"}]});
    assert_success(app.add_services("microservice-demo", &body).await).await;

    // Assert: `updating` at once, `success` and a new update_time after --settle.
    let detail = app.env_detail("microservice-demo", "staging").await;
    assert_eq!(detail["status"], "updating");
    assert_eq!(detail["update_time"], NOW);
    assert_eq!(app.env_services("microservice-demo", "staging").await, ["frontend", "backend", "redis", "worker"]);
    app.advance_clock(5);
    let detail = app.env_detail("microservice-demo", "staging").await;
    assert_eq!(detail["status"], "success");
    assert_eq!(detail["update_time"], NOW + 65);
}

#[tokio::test]
async fn services_using_a_global_variable_are_related_to_it_as_a_sorted_set() {
    // Arrange
    let app = TestApp::spawn().await;
    assert_success(app.create_env("simple-demo", &bare_env_body("qa")).await).await;

    // Act
    let body = json!({"env_key": "qa", "service_list": [
        {"service_name": "service2", "variable_kvs": [{"key": "cpuLimit", "use_global_variable": true}]},
        {"service_name": "service1", "variable_kvs": [{"key": "cpuLimit", "use_global_variable": true}]}
    ]});
    assert_success(app.add_services("simple-demo", &body).await).await;

    // Assert: `sets.NewString(...).List()` order (common/types/service_variable.go:566-570).
    let detail = app.env_detail("simple-demo", "qa").await;
    assert_eq!(global(&detail, "cpuLimit")["related_services"], json!(["service1", "service2"]));
    assert_eq!(app.env_services("simple-demo", "qa").await, ["service1", "service2"]);
}

#[tokio::test]
async fn asking_for_a_global_the_env_lacks_silently_stops_asking() {
    // Arrange: qa has only cpuLimit.
    let app = TestApp::spawn().await;
    assert_success(app.create_env("simple-demo", &bare_env_body("qa")).await).await;

    // Act
    let body = json!({"env_key": "qa", "service_list": [
        {"service_name": "service1", "variable_kvs": [{"key": "port", "value": "1", "use_global_variable": true}]}
    ]});
    let response = app.add_services("simple-demo", &body).await;

    // Assert: `setGlobalVariableToServiceVariable` turns the flag off (env/service/openapi.go:284-285).
    assert_success(response).await;
    let detail = app.env_detail("simple-demo", "qa").await;
    assert_eq!(global(&detail, "cpuLimit")["related_services"], json!([]));
}

#[tokio::test]
async fn adding_a_service_the_env_already_runs_is_a_plain_500() {
    let app = TestApp::spawn().await;

    let body = json!({"env_key": "dev", "service_list": [{"service_name": "service2"}]});
    let response = app.add_services("simple-demo", &body).await;

    assert_internal_error(
        response,
        "service service2 already exist in env, cannot repeatedly add the same service to the environment",
    )
    .await;
}

#[tokio::test]
async fn adding_to_a_missing_env_is_a_404_request_not_found() {
    let app = TestApp::spawn().await;

    let body = json!({"env_key": "nope", "service_list": []});
    let response = app.add_services("simple-demo", &body).await;

    // `e.ErrNotFound.AddDesc(err.Error())` (env/service/openapi.go:221).
    assert_zadig_error(response, 404, 404, "Request Not Found", "mongo: no documents in result").await;
}

#[tokio::test]
async fn adding_to_a_production_env_through_the_test_route_is_a_plain_500() {
    let app = TestApp::spawn().await;

    let body = json!({"env_key": "prod", "service_list": []});
    let response = app.add_services("simple-demo", &body).await;

    assert_internal_error(
        response,
        "environment prod is invalid, the env production field is: true, but the request env production field is: false",
    )
    .await;
}

#[tokio::test]
async fn adding_a_service_the_project_lacks_is_6092_with_a_double_prefix() {
    let app = TestApp::spawn().await;
    assert_success(app.create_env("simple-demo", &bare_env_body("qa")).await).await;

    let body = json!({"env_key": "qa", "service_list": [{"service_name": "ghost"}]});
    let response = app.add_services("simple-demo", &body).await;

    // ErrUpdateService.AddErr(ErrUpdateEnv.AddDesc(..)) (env/service/openapi.go:241-243, :320).
    assert_zadig_error(response, 400, 6092, "更新服务失败", "更新环境失败: service ghost not found from db").await;
}

#[tokio::test]
async fn adding_a_bool_variable_with_a_non_bool_value_is_a_500_multierror() {
    let app = TestApp::spawn().await;
    let mut env = new_env_body("qa");
    env["namespace"] = json!("microservice-demo-env-qa");
    assert_success(app.create_env("microservice-demo", &env).await).await;

    let body = json!({"env_key": "qa", "service_list": [
        {"service_name": "backend", "variable_kvs": [{"key": "featureFlags", "value": "yes"}]}
    ]});
    let response = app.add_services("microservice-demo", &body).await;

    assert_internal_error(
        response,
        "1 error occurred:\n\t* 更新环境失败: failed to merge render and service template variable kv, err: failed to convert render variable kv to yaml, err: invaild value for boolean, key: featureFlags, value: yes\n\n",
    )
    .await;
}

#[tokio::test]
async fn adding_while_the_env_is_updating_is_refused_in_a_multierror() {
    let app = TestApp::spawn_with(settling(5_000)).await;
    let first = json!({"env_key": "staging", "service_list": [{"service_name": "worker"}]});
    assert_success(app.add_services("microservice-demo", &first).await).await;

    let second = json!({"env_key": "staging", "service_list": [{"service_name": "nightly-report"}]});
    let response = app.add_services("microservice-demo", &second).await;

    assert_internal_error(response, "1 error occurred:\n\t* 更新环境失败: 环境正处于不能更新的状态\n\n").await;
    assert!(!app.env_services("microservice-demo", "staging").await.contains(&"nightly-report".to_string()));
}

#[tokio::test]
async fn a_malformed_add_body_is_a_bare_400_from_bind_json() {
    let app = TestApp::spawn().await;

    for body in ["", "{", "[]", r#"{"env_key": 5}"#] {
        let response =
            app.send_raw(Method::POST, "/openapi/environments/service/yaml?projectKey=simple-demo", body).await;

        assert_eq!(response.status(), 400, "body {body:?}");
        assert_eq!(response.text().await.unwrap(), "", "body {body:?}");
    }
}

#[tokio::test]
async fn the_test_add_route_checks_project_key_before_the_body_and_production_after() {
    let app = TestApp::spawn().await;

    let test = app.send_json(Method::POST, "/openapi/environments/service/yaml", &json!({})).await;
    let production = app.send_json(Method::POST, "/openapi/environments/production/service/yaml", &json!({})).await;

    assert_zadig_error(test, 400, 400, "Bad Request", "projectKey cannot be empty").await;
    assert_internal_error(production, "env_key is required").await;
}

#[tokio::test]
async fn every_listed_service_needs_a_name() {
    let app = TestApp::spawn().await;

    let body = json!({"env_key": "dev", "service_list": [{"service_name": ""}]});
    let response = app.add_services("simple-demo", &body).await;

    assert_internal_error(response, "service_name is required for all services").await;
}

#[tokio::test]
async fn production_services_are_added_through_the_production_route() {
    let app = TestApp::spawn().await;
    let body = json!({"env_key": "prod-2", "cluster_id": "0123456789abcdef12345678",
        "namespace": "simple-demo-env-prod-2", "registry_id": "630c7ad700430c131062e245"});
    assert_success(app.create_production_env("simple-demo", &body).await).await;

    let add = json!({"env_key": "prod-2", "service_list": [{"service_name": "service2"}]});
    assert_success(app.add_production_services("simple-demo", &add).await).await;

    assert_eq!(app.env_services("simple-demo", "prod-2").await, ["service2"]);
}

// Removing services (§2.8)

#[tokio::test]
async fn removing_a_service_drops_it_unrelates_it_and_moves_update_time() {
    // Arrange: dev's service1 uses the global cpuLimit.
    let app = TestApp::spawn().await;
    app.advance_clock(30);

    // Act
    let body = json!({"env_key": "dev", "service_names": ["service1"]});
    assert_success(app.delete_services("simple-demo", &body).await).await;

    // Assert: no status change; update_time moved synchronously.
    let detail = app.env_detail("simple-demo", "dev").await;
    assert_eq!(app.env_services("simple-demo", "dev").await, ["service2"]);
    assert_eq!(global(&detail, "cpuLimit")["related_services"], json!([]));
    assert_eq!(detail["status"], "success");
    assert_eq!(detail["update_time"], NOW + 30);
}

#[tokio::test]
async fn removing_names_the_env_lacks_succeeds_and_still_moves_update_time() {
    let app = TestApp::spawn().await;
    app.advance_clock(30);

    let body = json!({"env_key": "dev", "service_names": ["ghost"]});
    let response = app.delete_services("simple-demo", &body).await;

    // Vendor quirk: UpdateAllServices always `$set`s update_time (env/service/environment.go:2390).
    assert_success(response).await;
    assert_eq!(app.env_services("simple-demo", "dev").await, ["service1", "service2"]);
    assert_eq!(app.env_detail("simple-demo", "dev").await["update_time"], NOW + 30);
}

#[tokio::test]
async fn removing_from_a_missing_test_env_fails_in_the_sub_env_check() {
    let app = TestApp::spawn().await;

    let body = json!({"env_key": "nope", "service_names": ["service1"]});
    let response = app.delete_services("simple-demo", &body).await;

    // `CheckServicesDeployedInSubEnvs` (env/service/share_env.go:670-677).
    assert_internal_error(response, "failed to query env nope of product simple-demo: mongo: no documents in result")
        .await;
}

#[tokio::test]
async fn removing_from_a_production_env_through_the_test_route_is_a_plain_500() {
    let app = TestApp::spawn().await;

    let body = json!({"env_key": "prod", "service_names": ["service1"]});
    let response = app.delete_services("simple-demo", &body).await;

    // The sub-env check finds it (no production filter), `DeleteProductServices` does not.
    assert_internal_error(
        response,
        "failed to find product, productName: simple-demo, envName: prod, production: false, error: mongo: no documents in result",
    )
    .await;
}

#[tokio::test]
async fn removing_production_services_works_and_a_missing_env_is_a_plain_500() {
    let app = TestApp::spawn().await;

    let ok =
        app.delete_production_services("simple-demo", &json!({"env_key": "prod", "service_names": ["service2"]})).await;
    let missing = app.delete_production_services("simple-demo", &json!({"env_key": "nope", "service_names": []})).await;

    assert_success(ok).await;
    assert_eq!(app.env_services("simple-demo", "prod").await, ["service1"]);
    assert_internal_error(
        missing,
        "failed to find product, productName: simple-demo, envName: nope, production: true, error: mongo: no documents in result",
    )
    .await;
}

#[tokio::test]
async fn removal_validates_the_body_before_the_project_key() {
    let app = TestApp::spawn().await;

    let no_env = app.send_json(Method::DELETE, "/openapi/environments/service/yaml", &json!({})).await;
    let no_key = app.send_json(Method::DELETE, "/openapi/environments/service/yaml", &json!({"env_key": "dev"})).await;
    let malformed =
        app.send_raw(Method::DELETE, "/openapi/environments/service/yaml?projectKey=simple-demo", "{").await;

    assert_internal_error(no_env, "env_key is required").await;
    assert_zadig_error(no_key, 400, 400, "Bad Request", "projectKey cannot be empty").await;
    assert_eq!(malformed.status(), 400);
    assert_eq!(malformed.text().await.unwrap(), "");
}

// Updating services (§2.9)

#[tokio::test]
async fn updating_a_service_puts_the_env_through_updating_and_moves_update_time_at_settle() {
    let app = TestApp::spawn_with(settling(2_000)).await;

    let body =
        json!({"service_list": [{"service_name": "service2", "variable_kvs": [{"key": "env1", "value": "prod"}]}]});
    assert_success(app.update_services("simple-demo", "dev", &body).await).await;

    assert_eq!(app.env_detail("simple-demo", "dev").await["status"], "updating");
    app.advance_clock(2);
    let detail = app.env_detail("simple-demo", "dev").await;
    assert_eq!(detail["status"], "success");
    assert_eq!(detail["update_time"], NOW + 2);
}

#[tokio::test]
async fn a_changed_value_rolls_the_services_pods_and_an_unchanged_one_does_not() {
    // Arrange
    let app = TestApp::spawn().await;
    let before = app.pod_names("simple-demo", "dev", "service2", "service2").await;

    // Act: first the same value, then a new one.
    let same =
        json!({"service_list": [{"service_name": "service2", "variable_kvs": [{"key": "env1", "value": "demo"}]}]});
    assert_success(app.update_services("simple-demo", "dev", &same).await).await;
    let unchanged = app.pod_names("simple-demo", "dev", "service2", "service2").await;
    let changed =
        json!({"service_list": [{"service_name": "service2", "variable_kvs": [{"key": "env1", "value": "prod"}]}]});
    assert_success(app.update_services("simple-demo", "dev", &changed).await).await;

    // Assert
    assert_eq!(unchanged, before);
    let after = app.pod_names("simple-demo", "dev", "service2", "service2").await;
    assert_eq!(after.len(), 1);
    assert_ne!(after, before);
}

#[tokio::test]
async fn updating_a_project_service_the_env_lacks_adds_it() {
    let app = TestApp::spawn().await;

    let body = json!({"service_list": [{"service_name": "worker"}]});
    assert_success(app.update_services("microservice-demo", "staging", &body).await).await;

    assert_eq!(app.env_services("microservice-demo", "staging").await, ["frontend", "backend", "redis", "worker"]);
}

#[tokio::test]
async fn updating_a_service_the_project_lacks_is_a_500_multierror() {
    let app = TestApp::spawn().await;

    let body = json!({"service_list": [{"service_name": "ghost"}]});
    let response = app.update_services("simple-demo", "dev", &body).await;

    assert_internal_error(
        response,
        "1 error occurred:\n\t* 更新环境失败: failed to get latest service template ghost, err: mongo: no documents in result\n\n",
    )
    .await;
}

#[tokio::test]
async fn leaving_out_a_global_linked_variable_unlinks_it() {
    // Arrange: dev's service1 takes cpuLimit from the global.
    let app = TestApp::spawn().await;

    // Act: the update names only `port`.
    let body =
        json!({"service_list": [{"service_name": "service1", "variable_kvs": [{"key": "port", "value": "8080"}]}]});
    assert_success(app.update_services("simple-demo", "dev", &body).await).await;

    // Assert: vendor quirk, the omitted variable comes back without its flag
    // (env/service/openapi.go:354-366) and UpdateGlobalVariableKVs unrelates it.
    let detail = app.env_detail("simple-demo", "dev").await;
    assert_eq!(global(&detail, "cpuLimit")["related_services"], json!([]));
}

#[tokio::test]
async fn switching_a_variable_to_its_global_relates_the_service() {
    let app = TestApp::spawn().await;

    let body = json!({"service_list": [{"service_name": "service2", "variable_kvs": [{"key": "cpuLimit", "use_global_variable": true}]}]});
    assert_success(app.update_services("simple-demo", "dev", &body).await).await;

    let detail = app.env_detail("simple-demo", "dev").await;
    assert_eq!(global(&detail, "cpuLimit")["related_services"], json!(["service1", "service2"]));
}

#[tokio::test]
async fn an_empty_update_still_puts_the_env_through_an_update() {
    let app = TestApp::spawn_with(settling(1_000)).await;
    app.advance_clock(10);

    assert_success(app.update_services("simple-demo", "dev", &json!({"service_list": []})).await).await;

    assert_eq!(app.env_detail("simple-demo", "dev").await["status"], "updating");
    app.advance_clock(1);
    assert_eq!(app.env_detail("simple-demo", "dev").await["update_time"], NOW + 11);
}

#[tokio::test]
async fn updating_a_missing_env_is_a_404_and_a_production_one_via_test_a_500() {
    let app = TestApp::spawn().await;

    let missing = app.update_services("simple-demo", "nope", &json!({})).await;
    let production = app.update_services("simple-demo", "prod", &json!({})).await;

    assert_zadig_error(missing, 404, 404, "Request Not Found", "mongo: no documents in result").await;
    assert_internal_error(
        production,
        "env:prod is invalid, the env production field is: true, but the request env production field is: false",
    )
    .await;
}

#[tokio::test]
async fn the_update_route_parses_json_before_the_project_key() {
    let app = TestApp::spawn().await;

    let malformed = app.send_raw(Method::PUT, "/openapi/environments/dev/services", "{").await;
    let no_key = app.send_json(Method::PUT, "/openapi/environments/dev/services", &json!({})).await;

    // json.Unmarshal → 500; then generalOpenAPIRequestValidate → 400.
    assert_internal_error(malformed, "unexpected end of JSON input").await;
    assert_zadig_error(no_key, 400, 400, "Bad Request", "projectKey can't be empty").await;
}

#[tokio::test]
async fn production_services_are_updated_through_the_production_route() {
    let app = TestApp::spawn_with(settling(1_000)).await;

    let body = json!({"service_list": [{"service_name": "service2"}]});
    assert_success(app.update_production_services("simple-demo", "prod", &body).await).await;

    assert_eq!(app.env_detail("simple-demo", "prod").await["status"], "updating");
}

#[tokio::test]
async fn updating_with_a_global_the_env_lacks_turns_the_flag_off_instead_of_failing() {
    let app = TestApp::spawn().await;

    let body = json!({"service_list": [{"service_name": "service2",
        "variable_kvs": [{"key": "ghost", "value": "1", "use_global_variable": true}]}]});
    let response = app.update_services("simple-demo", "dev", &body).await;

    // `setGlobalVariableToServiceVariable` runs before `UpdateGlobalVariableKVs`
    // (env/service/openapi.go:190), so its "global variable not exist" error
    // cannot be reached from the OpenAPI.
    assert_success(response).await;
    assert_eq!(app.env_detail("simple-demo", "dev").await["global_variables"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn updating_while_the_env_updates_is_refused_in_a_multierror() {
    let app = TestApp::spawn_with(settling(5_000)).await;
    let body = json!({"service_list": [{"service_name": "service2"}]});
    assert_success(app.update_services("simple-demo", "dev", &body).await).await;

    let response = app.update_services("simple-demo", "dev", &body).await;

    assert_internal_error(response, "1 error occurred:\n\t* 更新环境失败: 环境正处于不能更新的状态\n\n").await;
}
