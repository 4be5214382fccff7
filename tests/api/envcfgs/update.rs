//! PUT `/openapi/environments/envcfgs` and the code-only
//! `/openapi/environments/production/envcfgs` (§2.12,
//! `OpenAPIUpdateCommonEnvCfg` → `UpdateCommonEnvCfg`).

use reqwest::Method;
use serde_json::json;

use super::helpers::*;
use crate::helpers::*;

const UPDATE_RESOURCE: &str = "更新对象资源失败";
const UPDATE_CONFIG_MAP: &str = "更新服务配置失败";
const UPDATE_ENV_CFG: &str = "更新环境资源配置失败";

#[tokio::test]
async fn updating_a_configmap_replaces_its_yaml_and_keeps_its_creation_time() {
    // Arrange
    let app = TestApp::spawn().await;
    app.advance_clock(60);
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: game-demo\ndata:\n  player_initial_lives: \"25\"\n";

    // Act
    let path = "/openapi/environments/envcfgs?projectKey=simple-demo";
    let body = update_body("dev", "game-demo", "ConfigMap", yaml);
    let response =
        app.client.put(format!("{}{path}", app.address)).bearer_auth(ALICE).json(&body).send().await.unwrap();

    // Assert
    assert_success(response).await;
    let detail = json(app.get_envcfg("simple-demo", "dev", "game-demo", "ConfigMap").await, 200).await;
    assert_eq!(detail["configMap_detail"]["yaml_data"], yaml);
    assert_eq!(detail["configMap_detail"]["created_time"], 1_700_000_000);
    assert_eq!(detail["configMap_detail"]["update_by"], "alice");
}

#[tokio::test]
async fn placeholders_in_configmap_values_are_stored_as_sent() {
    // Zadig substitutes $Namespace$, $EnvName$, … before applying (configmap.go:208-215);
    // the YAML here is kept byte for byte (README, Quirks).
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: game-demo\ndata:\n  ns: $Namespace$\n";

    assert_success(app.update_envcfg("simple-demo", &update_body("dev", "game-demo", "ConfigMap", yaml)).await).await;

    assert_eq!(app.envcfg_yaml("simple-demo", "dev", "game-demo", "ConfigMap").await, yaml);
}

#[tokio::test]
async fn the_body_name_must_match_the_yaml_name_with_each_kinds_message() {
    // Evidence: configmap.go:194-196 (6089), secret.go:138-140, ingress.go:209-211, pvc.go:171-173 (6095).
    let app = TestApp::spawn().await;
    let cases = [
        ("ConfigMap", configmap("game-demo"), 6089, UPDATE_CONFIG_MAP, "configMap Yaml Name is incorrect"),
        ("Secret", secret("demo-credentials", "YQ=="), 6095, UPDATE_RESOURCE, "secret Yaml Name is incorrect"),
        ("Ingress", ingress("frontend", "a.example.com"), 6095, UPDATE_RESOURCE, "ingress Yaml Name is incorrect"),
        ("PVC", pvc("redis-data", "1Gi"), 6095, UPDATE_RESOURCE, "pvc Yaml Name is incorrect"),
    ];

    for (cfg_type, yaml, code, message, description) in cases {
        let response = app.update_envcfg("simple-demo", &update_body("dev", "another", cfg_type, &yaml)).await;
        assert_zadig_error(response, 400, code, message, description).await;
    }
}

#[tokio::test]
async fn updating_a_missing_configmap_or_pvc_fails_but_a_secret_or_ingress_is_created() {
    let app = TestApp::spawn().await;

    let config_map =
        app.update_envcfg("simple-demo", &update_body("dev", "nope", "ConfigMap", &configmap("nope"))).await;
    let claim = app.update_envcfg("simple-demo", &update_body("dev", "nope", "PVC", &pvc("nope", "1Gi"))).await;
    let new_secret =
        app.update_envcfg("simple-demo", &update_body("dev", "fresh", "Secret", &secret("fresh", "YQ=="))).await;
    let web = ingress("web", "web.example.com");
    let new_ingress = app.update_envcfg("simple-demo", &update_body("dev", "web", "Ingress", &web)).await;

    assert_zadig_error(config_map, 400, 6089, UPDATE_CONFIG_MAP, "configmaps \"nope\" not found").await;
    assert_zadig_error(claim, 400, 6095, UPDATE_RESOURCE, "persistentvolumeclaims \"nope\" not found").await;
    assert_success(new_secret).await;
    assert_success(new_ingress).await;
    assert_eq!(app.envcfg_names("simple-demo", "dev", "Ingress").await, ["web"]);
}

#[tokio::test]
async fn a_missing_environment_is_6089_for_configmaps_and_6095_for_the_rest() {
    let app = TestApp::spawn().await;

    let config_map = app.update_envcfg("simple-demo", &update_body("nowhere", "a", "ConfigMap", &configmap("a"))).await;
    let secret = app.update_envcfg("simple-demo", &update_body("nowhere", "a", "Secret", &secret("a", "YQ=="))).await;

    assert_zadig_error(config_map, 400, 6089, UPDATE_CONFIG_MAP, "mongo: no documents in result").await;
    assert_zadig_error(secret, 400, 6095, UPDATE_RESOURCE, "mongo: no documents in result").await;
}

#[tokio::test]
async fn parse_and_validation_failures_are_6076_with_prefixed_descriptions() {
    // Evidence: openapi.go:388-401.
    let app = TestApp::spawn().await;
    let full = update_body("dev", "game-demo", "ConfigMap", &configmap("game-demo"));
    let mut without_env = full.clone();
    without_env["env_key"] = json!("");

    let not_json = app.send_raw(Method::PUT, "/openapi/environments/envcfgs?projectKey=simple-demo", "x").await;
    let wrong_type = app.update_envcfg("simple-demo", &json!({"name": 7})).await;
    let no_env = app.update_envcfg("simple-demo", &without_env).await;
    let no_project = app.update_envcfg("", &full).await;
    let no_yaml = app.update_envcfg("simple-demo", &update_body("dev", "game-demo", "ConfigMap", "")).await;

    let invalid = "failed to unmarshal request data err : invalid character 'x' looking for beginning of value";
    assert_zadig_error(not_json, 400, 6076, UPDATE_ENV_CFG, invalid).await;
    let typed = "failed to unmarshal request data err : json: cannot unmarshal number into Go struct field OpenAPIEnvCfgArgs.name of type string";
    assert_zadig_error(wrong_type, 400, 6076, UPDATE_ENV_CFG, typed).await;
    let env_required = "failed to validate request data err : env_key is required";
    assert_zadig_error(no_env, 400, 6076, UPDATE_ENV_CFG, env_required).await;
    let project_required = "failed to validate request data err : projectKey is required";
    assert_zadig_error(no_project, 400, 6076, UPDATE_ENV_CFG, project_required).await;
    let yaml_required = "failed to validate request data err : yaml_data is required";
    assert_zadig_error(no_yaml, 400, 6076, UPDATE_ENV_CFG, yaml_required).await;
}

#[tokio::test]
async fn invalid_yaml_on_update_is_only_not_an_unstructured() {
    // Evidence: `UpdateCommonEnvCfg` starts with `YamlToUnstructured`, whose
    // every failure reads so (common_env_cfg.go:378-381, serializer/decoder.go:55-64).
    let app = TestApp::spawn().await;

    let response =
        app.update_envcfg("simple-demo", &update_body("dev", "game-demo", "ConfigMap", "a: [1, 2\nb: }")).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "object is not an Unstructured").await;
}

#[tokio::test]
async fn a_kind_mismatch_on_update_is_6095_with_a_trailing_space() {
    let app = TestApp::spawn().await;

    let response =
        app.update_envcfg("simple-demo", &update_body("dev", "game-demo", "Secret", &configmap("game-demo"))).await;

    let description = "param commonEnvCfgType:Secret not match yaml kind ConfigMap ";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn the_production_route_updates_test_environments_and_refuses_production_ones() {
    // Evidence: both handlers call `UpdateCommonEnvCfg` with `Production:false` (openapi.go:941-952).
    let app = TestApp::spawn().await;
    let yaml = configmap("game-demo");

    let test_env =
        app.update_production_envcfg("simple-demo", &update_body("dev", "game-demo", "ConfigMap", &yaml)).await;
    let prod_env = app
        .update_production_envcfg(
            "simple-demo",
            &update_body("prod", "kube-root-ca.crt", "ConfigMap", &configmap("kube-root-ca.crt")),
        )
        .await;

    assert_success(test_env).await;
    assert_eq!(app.envcfg_yaml("simple-demo", "dev", "game-demo", "ConfigMap").await, yaml);
    assert_zadig_error(prod_env, 400, 6089, UPDATE_CONFIG_MAP, "mongo: no documents in result").await;
}

#[tokio::test]
async fn a_bound_claim_may_grow_but_not_change_its_access_modes() {
    let app = TestApp::spawn().await;
    let grown = pvc("redis-data", "5Gi");
    let shared = grown.replace("ReadWriteOnce", "ReadWriteMany");

    let grow = app.update_envcfg("microservice-demo", &update_body("dev", "redis-data", "PVC", &grown)).await;
    let change = app.update_envcfg("microservice-demo", &update_body("dev", "redis-data", "PVC", &shared)).await;

    assert_success(grow).await;
    let description = "PersistentVolumeClaim \"redis-data\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";
    assert_zadig_error(change, 400, 6095, UPDATE_RESOURCE, description).await;
    let detail = json(app.get_envcfg("microservice-demo", "dev", "redis-data", "PVC").await, 200).await;
    assert_eq!(detail["pvc_detail"]["capacity"], "5Gi");
}

#[tokio::test]
async fn a_configmap_value_of_the_wrong_type_is_6089_on_update() {
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: game-demo\ndata:\n  enabled: yes\n";

    let response = app.update_envcfg("simple-demo", &update_body("dev", "game-demo", "ConfigMap", yaml)).await;

    // `yes` is a boolean to go-yaml v2, which sigs.k8s.io/yaml uses.
    let description = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal bool into Go struct field ConfigMap.data of type string";
    assert_zadig_error(response, 400, 6089, UPDATE_CONFIG_MAP, description).await;
}

#[tokio::test]
async fn an_immutable_configmap_refuses_new_data() {
    // kube-apiserver's `ValidateConfigMapUpdate`: nothing changes once `immutable` is set.
    let app = TestApp::spawn().await;
    let sealed = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\nimmutable: true\ndata:\n  a: \"1\"\n";
    assert_success(app.create_envcfg("simple-demo", "dev", &cfg_body("frozen", "ConfigMap", sealed)).await).await;

    let changed = sealed.replace("\"1\"", "\"2\"");
    let response = app.update_envcfg("simple-demo", &update_body("dev", "frozen", "ConfigMap", &changed)).await;

    let description = "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set";
    assert_zadig_error(response, 400, 6089, UPDATE_CONFIG_MAP, description).await;
    assert_eq!(app.envcfg_yaml("simple-demo", "dev", "frozen", "ConfigMap").await, sealed);
}

#[tokio::test]
async fn a_secrets_type_cannot_change() {
    let app = TestApp::spawn().await;
    let tls = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo-credentials\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: \"cert\"\n  tls.key: \"key\"\n";

    let response = app.update_envcfg("simple-demo", &update_body("dev", "demo-credentials", "Secret", tls)).await;

    let description =
        "Secret \"demo-credentials\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}
