//! `env_configs` of POST /openapi/environments (§2.3 step 4): a dry run of
//! every configuration first, through the unstructured client
//! (`initEnvConfigSetAction`, environment_creator.go:306-427).

use serde_json::{Value, json};

use super::helpers::*;
use crate::helpers::*;

fn env_with_configs(env: &str, configs: Value) -> Value {
    let mut body = new_env_body(env);
    body["env_configs"] = configs;
    body
}

/// The 500 Zadig answers a failed dry run with: the dry run's own
/// multierror format inside `ErrCreateEnv`, inside `CreateYamlProduct`'s multierror.
fn dry_run_failure(env: &str, inner: &str) -> String {
    format!("1 error occurred:\n\t* 创建环境失败: 创建环境配置 {env} 失败:{inner}\n\n")
}

#[tokio::test]
async fn configurations_given_at_creation_are_installed_with_their_kind_read_from_the_yaml() {
    // Arrange: a `common_env_cfg_type` that says otherwise is not read.
    let app = TestApp::spawn().await;
    let configs = json!([
        {"common_env_cfg_type": "Secret", "yaml_data": configmap("settings")},
        {"yaml_data": pvc("data", "2Gi")}
    ]);

    // Act
    let response = app.create_env("simple-demo", &env_with_configs("dev7", configs)).await;

    // Assert
    assert_success(response).await;
    assert_eq!(app.envcfg_names("simple-demo", "dev7", "ConfigMap").await, ["kube-root-ca.crt", "settings"]);
    assert_eq!(app.envcfg_names("simple-demo", "dev7", "PVC").await, ["data"]);
    assert_eq!(app.envcfg_yaml("simple-demo", "dev7", "settings", "ConfigMap").await, configmap("settings"));
}

#[tokio::test]
async fn an_unsupported_kind_fails_the_creation_with_the_object_printed_by_go() {
    let app = TestApp::spawn().await;
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

    let response = app.create_env("simple-demo", &env_with_configs("dev7", json!([{"yaml_data": deployment}]))).await;

    let inner = "Failed to initEnvConfigSet Deployment, manifest is\n&{map[apiVersion:apps/v1 kind:Deployment metadata:map[name:web]]}\n, error: kind not support";
    assert_internal_error(response, &dry_run_failure("dev7", inner)).await;
    assert_internal_error(app.get_env("simple-demo", "dev7").await, "mongo: no documents in result").await;
}

#[tokio::test]
async fn several_failures_are_listed_one_per_line() {
    // Evidence: the dry run's `ErrorFormat` (environment_creator.go:344-356).
    let app = TestApp::spawn().await;
    let configs = json!([
        {"yaml_data": "kind: ConfigMap\nmetadata:\n  name: a\n"},
        {"yaml_data": "a: [1"},
        {"yaml_data": configmap("fine")}
    ]);

    let response = app.create_env("simple-demo", &env_with_configs("dev7", configs)).await;

    let inner = "\n* no matches for kind \"ConfigMap\" in version \"\"\n* object is not an Unstructured";
    assert_internal_error(response, &dry_run_failure("dev7", inner)).await;
}

#[tokio::test]
async fn kube_apiserver_decodes_and_validates_each_configuration() {
    let app = TestApp::spawn().await;
    let typed = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lives\ndata:\n  count: 3\n";
    let unnamed = "apiVersion: v1\nkind: Secret\nmetadata: {}\n";

    let bad_value = app.create_env("simple-demo", &env_with_configs("dev7", json!([{"yaml_data": typed}]))).await;
    let no_name = app.create_env("simple-demo", &env_with_configs("dev7", json!([{"yaml_data": unnamed}]))).await;
    let bad_name =
        app.create_env("simple-demo", &env_with_configs("dev7", json!([{"yaml_data": configmap("A")}]))).await;

    let decode = "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string";
    assert_internal_error(bad_value, &dry_run_failure("dev7", decode)).await;
    assert_internal_error(no_name, &dry_run_failure("dev7", "resource name may not be empty")).await;
    let body = json(bad_name, 500).await;
    assert!(body["description"].as_str().unwrap().contains("ConfigMap \"A\" is invalid: metadata.name"), "{body}");
}

#[tokio::test]
async fn a_repeated_name_is_patched_by_the_later_configuration() {
    let app = TestApp::spawn().await;
    let later = configmap("settings").replace("fast", "slow");
    let configs = json!([{"yaml_data": configmap("settings")}, {"yaml_data": later}]);

    assert_success(app.create_env("simple-demo", &env_with_configs("dev7", configs)).await).await;

    assert_eq!(app.envcfg_yaml("simple-demo", "dev7", "settings", "ConfigMap").await, later);
}

#[tokio::test]
async fn a_production_environment_ignores_env_configs() {
    // Evidence: `OpenAPICreateProductionEnv` passes `EnvConfigs: nil` (openapi.go:929).
    let app = TestApp::spawn().await;
    let mut body = env_with_configs("prod7", json!([{"yaml_data": "not: [valid"}]));
    body["namespace"] = json!("simple-demo-env-prod7");

    let response = app.create_production_env("simple-demo", &body).await;

    assert_success(response).await;
    let names = json(app.list_production_envcfgs("simple-demo", "prod7", "ConfigMap").await, 200).await;
    assert_eq!(names.as_array().map(Vec::len), Some(1));
}
