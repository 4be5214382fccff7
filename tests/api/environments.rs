//! The environment lifecycle (real-behaviour.md §2.1–2.6, §6).

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn listing_test_environments_returns_env_key_not_the_docs_env_name() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let body = json(app.list_envs("simple-demo").await, 200).await;

    // Assert: §2.1 `OpenAPIListEnvBrief`, keys in Go declaration order, no `envName` for test envs.
    let expected = json!([{
        "env_key": "dev",
        "cluster_id": "0123456789abcdef12345678",
        "namespace": "simple-demo-env-dev",
        "production": false,
        "registry_id": "630c7ad700430c131062e245",
        "status": "success",
        "update_by": "admin",
        "update_time": 1_700_000_000
    }]);
    assert_eq!(body, expected);
}

#[tokio::test]
async fn listing_production_environments_carries_the_alias_as_envname() {
    let app = TestApp::spawn().await;

    let body = json(app.list_production_envs("simple-demo").await, 200).await;

    assert_eq!(body[0]["envName"], "prod");
    assert_eq!(body[0]["env_key"], "prod");
    assert_eq!(body[0]["production"], true);
    assert_eq!(body.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn listing_without_project_key_is_a_400_saying_projectkey_is_empty() {
    let app = TestApp::spawn().await;

    let response = app.get("/openapi/environments").await;

    assert_zadig_error(response, 400, 400, "Bad Request", "projectKey is empty").await;
}

#[tokio::test]
async fn listing_an_unknown_project_is_an_empty_array() {
    let app = TestApp::spawn().await;

    let body = json(app.list_envs("no-such-project").await, 200).await;

    assert_eq!(body, json!([]));
}

#[tokio::test]
async fn environment_detail_has_the_documented_shape() {
    let app = TestApp::spawn().await;

    let body = json(app.get_env("simple-demo", "dev").await, 200).await;

    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "cluster_id",
            "env_key",
            "global_variables",
            "namespace",
            "project_key",
            "registry_id",
            "services",
            "status",
            "update_by",
            "update_time"
        ]
    );
    assert_eq!(body["project_key"], "simple-demo");
    assert_eq!(
        body["global_variables"],
        json!([{"key": "cpuLimit", "value": "1000m", "type": "string", "options": [], "desc": "CPU 资源限制", "related_services": ["service1"]}])
    );
    let service1 = &body["services"][0];
    assert_eq!(service1["service_name"], "service1");
    assert_eq!(service1["status"], "running");
    assert_eq!(service1["type"], "k8s");
    assert_eq!(
        service1["containers"],
        json!([{"name": "service1", "type": "", "image": "koderover.tencentcloudcr.com/test/service1:20231214162411", "image_name": "service1"}])
    );
    assert_eq!(body["services"][1]["service_name"], "service2");
}

#[tokio::test]
async fn environment_detail_shows_the_templates_variables_not_the_rendered_ones() {
    // Quirk §2.2: `service.VariableKVs = servDetail.ServiceVariableKVs`.
    // In the demo, dev's service1 takes cpuLimit from the global (1000m);
    // its template says 500m, and detail shows the template.
    let app = TestApp::spawn().await;

    let body = json(app.get_env("simple-demo", "dev").await, 200).await;

    let kvs = &body["services"][0]["variable_kvs"];
    assert_eq!(
        kvs[0],
        json!({"key": "cpuLimit", "value": "500m", "type": "string", "options": [], "desc": "CPU 资源限制"})
    );
    assert!(kvs[0].get("use_global_variable").is_none());
}

#[tokio::test]
async fn production_detail_carries_the_alias_as_env_name() {
    let app = TestApp::spawn().await;

    let body = json(app.get_production_env("simple-demo", "prod").await, 200).await;

    assert_eq!(body["env_name"], "prod");
    assert_eq!(body["namespace"], "simple-demo-env-prod");
    assert_eq!(body["services"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn detail_of_a_missing_environment_is_mongos_500() {
    let app = TestApp::spawn().await;

    assert_internal_error(app.get_env("simple-demo", "nope").await, "mongo: no documents in result").await;
}

#[tokio::test]
async fn detail_does_not_cross_the_production_line() {
    let app = TestApp::spawn().await;

    assert_internal_error(app.get_env("simple-demo", "prod").await, "mongo: no documents in result").await;
    assert_internal_error(app.get_production_env("simple-demo", "dev").await, "mongo: no documents in result").await;
}

#[tokio::test]
async fn detail_without_project_key_uses_the_generic_helpers_wording() {
    let app = TestApp::spawn().await;

    let response = app.get("/openapi/environments/dev").await;

    assert_zadig_error(response, 400, 400, "Bad Request", "projectKey can't be empty").await;
}

#[tokio::test]
async fn get_on_the_scale_path_is_the_detail_of_an_environment_named_scale() {
    // gin resolves GET /scale through `GET /:name` (only POST /scale exists).
    let app = TestApp::spawn().await;

    let response = app.get("/openapi/environments/scale?projectKey=simple-demo").await;

    assert_internal_error(response, "mongo: no documents in result").await;
}

#[tokio::test]
async fn creating_an_environment_makes_it_listable_with_its_services() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("dev7");
    body["services"] = json!([{"service_name": "service2", "type": "k8s", "containers": [
        {"name": "myapp-1", "image": "koderover.tencentcloudcr.com/test/myapp-1:v2", "image_name": "myapp-1"}
    ]}]);

    assert_success(app.create_env("simple-demo", &body).await).await;

    let list = json(app.list_envs("simple-demo").await, 200).await;
    assert_eq!(list[1]["env_key"], "dev7");
    let detail = json(app.get_env("simple-demo", "dev7").await, 200).await;
    assert_eq!(detail["status"], "success");
    assert_eq!(detail["services"][0]["containers"][0]["image"], "koderover.tencentcloudcr.com/test/myapp-1:v2");
    assert_eq!(detail["services"][0]["status"], "running");
}

#[tokio::test]
async fn the_query_project_key_overrides_the_bodys() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("qa");
    body["project_key"] = json!("microservice-demo");

    assert_success(app.create_env("simple-demo", &body).await).await;

    assert_eq!(json(app.get_env("simple-demo", "qa").await, 200).await["project_key"], "simple-demo");
}

#[tokio::test]
async fn the_creator_named_in_the_jwt_becomes_update_by() {
    let app = TestApp::spawn().await;
    // payload {"name":"alice"}
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiYWxpY2UifQ.c2ln";

    let response = app
        .client
        .post(format!("{}/openapi/environments?projectKey=simple-demo", app.address))
        .header("Authorization", format!("Bearer {token}"))
        .json(&new_env_body("alice-env"))
        .send()
        .await
        .unwrap();
    assert_success(response).await;

    assert_eq!(json(app.get_env("simple-demo", "alice-env").await, 200).await["update_by"], "alice");
}

#[tokio::test]
async fn each_missing_required_field_is_a_plain_500_in_validation_order() {
    let app = TestApp::spawn().await;
    let cases = [
        ("env_key", "env key is required"),
        ("cluster_id", "cluster_id is required"),
        ("namespace", "namespace is required"),
        ("registry_id", "registry_id is required"),
    ];
    for (field, message) in cases {
        let mut body = new_env_body("x");
        body.as_object_mut().unwrap().remove(field);
        assert_internal_error(app.create_env("simple-demo", &body).await, message).await;
    }
    let response = app.send_json(Method::POST, "/openapi/environments", &new_env_body("x")).await;
    assert_internal_error(response, "project key is required").await;
}

#[tokio::test]
async fn malformed_create_bodies_get_gos_json_errors_as_500() {
    let app = TestApp::spawn().await;
    let path = "/openapi/environments?projectKey=simple-demo";

    assert_internal_error(app.send_raw(Method::POST, path, "").await, "unexpected end of JSON input").await;
    assert_internal_error(
        app.send_raw(Method::POST, path, "{\"env_key\": x}").await,
        "invalid character 'x' looking for beginning of value",
    )
    .await;
    assert_internal_error(
        app.send_raw(Method::POST, path, "[1]").await,
        "json: cannot unmarshal array into Go value of type service.OpenAPICreateEnvArgs",
    )
    .await;
}

#[tokio::test]
async fn creating_in_an_unknown_project_is_6074() {
    let app = TestApp::spawn().await;

    let response = app.create_env("ghost", &new_env_body("x")).await;

    assert_zadig_error(response, 400, 6074, "创建环境失败", "mongo: no documents in result").await;
}

#[tokio::test]
async fn creating_with_an_unknown_service_is_6074_naming_it() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["services"] = json!([{"service_name": "nope"}]);

    let response = app.create_env("simple-demo", &body).await;

    let description = "failed to find service from db, serviceName:nope, projectName:simple-demo error: mongo: no documents in result";
    assert_zadig_error(response, 400, 6074, "创建环境失败", description).await;
}

#[tokio::test]
async fn a_duplicate_name_is_refused_across_test_and_production_with_the_doubled_prefix() {
    // §2.3: preCreateProduct's HTTPError is re-wrapped, then put in a multierror.
    let app = TestApp::spawn().await;
    let expected = "1 error occurred:\n\t* 创建环境失败: 创建环境失败: 环境已存在\n\n";

    assert_internal_error(app.create_env("simple-demo", &new_env_body("dev")).await, expected).await;
    assert_internal_error(app.create_env("simple-demo", &new_env_body("prod")).await, expected).await;
    assert_internal_error(app.create_production_env("simple-demo", &new_env_body("dev")).await, expected).await;
}

#[tokio::test]
async fn a_global_variable_outside_the_projects_definitions_is_refused() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["global_variables"] = json!([{"key": "undefined", "value": "1"}]);

    let response = app.create_env("simple-demo", &body).await;

    assert_internal_error(response, "1 error occurred:\n\t* global variables not match the definition\n\n").await;
}

#[tokio::test]
async fn services_using_a_global_variable_take_its_value_and_become_related() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["global_variables"] = json!([{"key": "cpuLimit", "value": "15m"}]);
    body["services"] = json!([
        {"service_name": "service2", "variable_kvs": [{"key": "cpuLimit", "use_global_variable": true}]},
        {"service_name": "service1", "variable_kvs": [{"key": "cpuLimit", "use_global_variable": true}]}
    ]);

    assert_success(app.create_env("simple-demo", &body).await).await;

    let detail = json(app.get_env("simple-demo", "x").await, 200).await;
    let global = &detail["global_variables"][0];
    assert_eq!(global["related_services"], json!(["service2", "service1"]));
    assert_eq!(global["type"], "string", "type comes from the project definition");
    assert_eq!(global["desc"], "CPU 资源限制");
    // Services are deployed in the project's service order.
    assert_eq!(detail["services"][0]["service_name"], "service1");
}

#[tokio::test]
async fn a_service_variable_that_cannot_render_is_6074() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["services"] =
        json!([{"service_name": "backend", "variable_kvs": [{"key": "featureFlags", "value": "maybe"}]}]);

    let response = app.create_env("microservice-demo", &body).await;

    let description = "failed to render variable: invaild value for boolean, key: featureFlags, value: maybe";
    assert_zadig_error(response, 400, 6074, "创建环境失败", description).await;
}

#[tokio::test]
async fn an_invalid_namespace_fails_inside_the_multierror() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["namespace"] = json!("Not_Valid");

    let body = json(app.create_env("simple-demo", &body).await, 500).await;

    let description = body["description"].as_str().unwrap();
    assert!(
        description.starts_with("1 error occurred:\n\t* 创建环境失败: Namespace \"Not_Valid\" is invalid"),
        "{description}"
    );
}

#[tokio::test]
async fn production_creation_refuses_kube_system_namespaces() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["namespace"] = json!("kube-system");

    let response = app.create_production_env("simple-demo", &body).await;

    let description = "namespace kube-system is invalid, production environment namespace cannot be set to these three namespaces: kube-node-lease, kube-public, kube-system";
    assert_zadig_error(response, 400, 400, "Bad Request", description).await;
}

#[tokio::test]
async fn production_creation_keeps_the_alias_and_ignores_services() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("live");
    body["env_name"] = json!("Live");
    body["services"] = json!([{"service_name": "service1"}]);
    body["global_variables"] = json!([{"key": "cpuLimit", "value": "1"}]);

    assert_success(app.create_production_env("simple-demo", &body).await).await;

    let detail = json(app.get_production_env("simple-demo", "live").await, 200).await;
    assert_eq!(detail["env_name"], "Live");
    assert_eq!(detail["services"], json!([]));
    assert_eq!(detail["global_variables"], json!([]));
}

#[tokio::test]
async fn a_test_create_ignores_the_alias_and_the_production_flag() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["env_name"] = json!("Alias");
    body["production"] = json!(true);

    assert_success(app.create_env("simple-demo", &body).await).await;

    let detail = json(app.get_env("simple-demo", "x").await, 200).await;
    assert!(detail.get("env_name").is_none());
}

#[tokio::test]
async fn under_settle_a_new_environment_is_creating_until_the_time_has_passed() {
    let app = TestApp::spawn_with(Options { settle_ms: 30_000, ..Default::default() }).await;

    assert_success(app.create_env("simple-demo", &new_env_body("slow")).await).await;
    assert_eq!(json(app.get_env("simple-demo", "slow").await, 200).await["status"], "creating");

    app.advance_clock(29);
    assert_eq!(json(app.get_env("simple-demo", "slow").await, 200).await["status"], "creating");
    app.advance_clock(1);
    assert_eq!(json(app.get_env("simple-demo", "slow").await, 200).await["status"], "success");
}

#[tokio::test]
async fn under_settle_a_deleted_test_environment_is_listed_as_deleting_then_gone() {
    let app = TestApp::spawn_with(Options { settle_ms: 10_000, ..Default::default() }).await;

    assert_success(app.delete_env("simple-demo", "dev", "true").await).await;
    let list = json(app.list_envs("simple-demo").await, 200).await;
    assert_eq!(list[0]["status"], "deleting");

    app.advance_clock(10);
    assert_eq!(json(app.list_envs("simple-demo").await, 200).await, json!([]));
}

#[tokio::test]
async fn updating_the_registry_of_a_test_environment_keeps_update_time() {
    let app = TestApp::spawn().await;
    app.advance_clock(60);

    let body = json!({"registry_id": "6350be2b4503905e98b4b771", "env_name": "ignored"});
    assert_success(app.update_env("simple-demo", "dev", &body).await).await;

    let detail = json(app.get_env("simple-demo", "dev").await, 200).await;
    assert_eq!(detail["registry_id"], "6350be2b4503905e98b4b771");
    assert_eq!(detail["update_time"], 1_700_000_000);
    assert!(detail.get("env_name").is_none());
}

#[tokio::test]
async fn a_test_update_without_registry_succeeds_even_for_a_missing_environment() {
    let app = TestApp::spawn().await;

    assert_success(app.update_env("simple-demo", "ghost", &json!({})).await).await;
    let response = app.update_env("simple-demo", "ghost", &json!({"registry_id": "r"})).await;
    assert_zadig_error(response, 400, 6076, "更新环境失败", "环境不存在").await;
}

#[tokio::test]
async fn a_production_update_always_overwrites_the_alias() {
    let app = TestApp::spawn().await;

    assert_success(app.update_production_env("simple-demo", "prod", &json!({"env_name": "Prod 2"})).await).await;
    assert_eq!(json(app.get_production_env("simple-demo", "prod").await, 200).await["env_name"], "Prod 2");

    assert_success(app.update_production_env("simple-demo", "prod", &json!({})).await).await;
    let detail = json(app.get_production_env("simple-demo", "prod").await, 200).await;
    assert!(detail.get("env_name").is_none(), "omitting env_name clears the alias");
}

#[tokio::test]
async fn a_production_update_of_a_missing_environment_is_6076() {
    let app = TestApp::spawn().await;

    let response = app.update_production_env("simple-demo", "ghost", &json!({"env_name": "x"})).await;

    assert_zadig_error(response, 400, 6076, "更新环境失败", "failed to query product info, name ghost").await;
}

#[tokio::test]
async fn deleting_a_test_environment_requires_is_delete() {
    let app = TestApp::spawn().await;

    let response =
        app.request(Method::DELETE, "/openapi/environments/dev?projectKey=simple-demo").send().await.unwrap();
    assert_zadig_error(response, 400, 6096, "删除对象资源失败", "strconv.ParseBool: parsing \"\": invalid syntax")
        .await;

    let response = app.delete_env("simple-demo", "dev", "yes").await;
    assert_zadig_error(response, 400, 6096, "删除对象资源失败", "strconv.ParseBool: parsing \"yes\": invalid syntax")
        .await;

    let response = app.request(Method::DELETE, "/openapi/environments/dev?isDelete=true").send().await.unwrap();
    assert_zadig_error(response, 400, 6096, "删除对象资源失败", "projectKey can't be empty").await;
}

#[tokio::test]
async fn deleting_a_test_environment_removes_it() {
    let app = TestApp::spawn().await;

    assert_success(app.delete_env("simple-demo", "dev", "false").await).await;

    assert_eq!(json(app.list_envs("simple-demo").await, 200).await, json!([]));
    assert_internal_error(app.get_env("simple-demo", "dev").await, "mongo: no documents in result").await;
}

#[tokio::test]
async fn deleting_a_missing_or_production_environment_on_the_test_route_is_a_500() {
    let app = TestApp::spawn().await;
    let expected = "find product error: mongo: no documents in result";

    assert_internal_error(app.delete_env("simple-demo", "ghost", "true").await, expected).await;
    assert_internal_error(app.delete_env("simple-demo", "prod", "true").await, expected).await;
}

#[tokio::test]
async fn deleting_a_production_environment_is_immediate() {
    let app = TestApp::spawn_with(Options { settle_ms: 60_000, ..Default::default() }).await;

    assert_success(app.delete_production_env("simple-demo", "prod").await).await;

    assert_eq!(json(app.list_production_envs("simple-demo").await, 200).await, json!([]));
}

#[tokio::test]
async fn deleting_a_missing_production_environment_is_6077() {
    let app = TestApp::spawn().await;

    let response = app.delete_production_env("simple-demo", "dev").await;

    let description = "failed to find product from db, project:simple-demo envName:dev error:mongo: no documents in result: mongo: no documents in result";
    assert_zadig_error(response, 400, 6077, "删除环境失败", description).await;
}

#[tokio::test]
async fn thirty_two_parallel_creates_of_one_environment_succeed_exactly_once() {
    let app = std::sync::Arc::new(TestApp::spawn().await);

    let attempts = (0..32).map(|_| {
        let app = app.clone();
        tokio::spawn(async move { app.create_env("simple-demo", &new_env_body("race")).await.status().as_u16() })
    });
    let statuses: Vec<u16> = futures_util::future::join_all(attempts).await.into_iter().map(|r| r.unwrap()).collect();

    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 500).count(), 31, "{statuses:?}");
    let list = json(app.list_envs("simple-demo").await, 200).await;
    assert_eq!(list.as_array().unwrap().iter().filter(|e| e["env_key"] == "race").count(), 1);
}

#[tokio::test]
async fn a_wrongly_typed_field_is_gos_unmarshal_type_error_as_500() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("x");
    body["cluster_id"] = json!(42);

    let response = app.create_env("simple-demo", &body).await;

    assert_internal_error(
        response,
        "json: cannot unmarshal number into Go struct field OpenAPICreateEnvArgs.cluster_id of type string",
    )
    .await;
}
