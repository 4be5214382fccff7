//! POST `/openapi/environments[/production]/{env}/envcfgs` (§2.12,
//! `OpenAPICreateCommonEnvCfg` → `CreateCommonEnvCfg`).

use reqwest::Method;
use serde_json::json;

use super::helpers::*;
use crate::helpers::*;

const UPDATE_RESOURCE: &str = "更新对象资源失败";

#[tokio::test]
async fn creating_the_docs_configmap_succeeds_and_keeps_the_yaml_byte_for_byte() {
    // Arrange
    let app = TestApp::spawn().await;
    let body = cfg_body("game-demo", "ConfigMap", DOC_CONFIGMAP);

    // Act
    let response = app.create_envcfg("microservice-demo", "dev", &body).await;

    // Assert: the doc's example body, the `{"message":"success"}` reply.
    assert_success(response).await;
    assert_eq!(app.envcfg_yaml("microservice-demo", "dev", "game-demo", "ConfigMap").await, DOC_CONFIGMAP);
}

#[tokio::test]
async fn every_kind_can_be_created_and_is_then_listed() {
    let app = TestApp::spawn().await;
    let cases = [
        ("ConfigMap", configmap("settings")),
        ("Secret", secret("api-token", "czNjcjN0")),
        ("Ingress", ingress("web", "web.example.com")),
        ("PVC", pvc("uploads", "5Gi")),
    ];

    for (cfg_type, yaml) in cases {
        let name = yaml.lines().find_map(|l| l.strip_prefix("  name: ")).unwrap().to_string();
        assert_success(app.create_envcfg("simple-demo", "dev", &cfg_body(&name, cfg_type, &yaml)).await).await;

        assert!(app.envcfg_names("simple-demo", "dev", cfg_type).await.contains(&name), "{cfg_type} {name}");
    }
}

#[tokio::test]
async fn the_object_name_comes_from_the_yaml_and_the_body_name_is_ignored() {
    // Evidence: `CreateCommonEnvCfg` names the object `cm.Name` (common_env_cfg.go:294).
    let app = TestApp::spawn().await;

    let response =
        app.create_envcfg("simple-demo", "dev", &cfg_body("other-name", "ConfigMap", &configmap("real"))).await;

    assert_success(response).await;
    let names = app.envcfg_names("simple-demo", "dev", "ConfigMap").await;
    assert!(names.contains(&"real".to_string()) && !names.contains(&"other-name".to_string()), "{names:?}");
}

#[tokio::test]
async fn creating_an_existing_configmap_fails_with_kubernetes_already_exists() {
    // Evidence: ConfigMaps are created with `CreateConfigMap` (common_env_cfg.go:290-293).
    let app = TestApp::spawn().await;

    let response =
        app.create_envcfg("simple-demo", "dev", &cfg_body("game-demo", "ConfigMap", &configmap("game-demo"))).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "configmaps \"game-demo\" already exists").await;
}

#[tokio::test]
async fn creating_an_existing_pvc_fails_with_kubernetes_already_exists() {
    let app = TestApp::spawn().await;

    let response =
        app.create_envcfg("microservice-demo", "dev", &cfg_body("x", "PVC", &pvc("redis-data", "1Gi"))).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "persistentvolumeclaims \"redis-data\" already exists")
        .await;
}

#[tokio::test]
async fn creating_an_existing_secret_or_ingress_replaces_it() {
    // Evidence: `UpdateOrCreateSecret` / `UpdateOrCreateUnstructured` (common_env_cfg.go:308, 327).
    let app = TestApp::spawn().await;
    let new_secret = secret("demo-credentials", "bmV3");
    let new_ingress = ingress("frontend", "shop.example.org");

    let secret_reply = app.create_envcfg("simple-demo", "dev", &cfg_body("x", "Secret", &new_secret)).await;
    let ingress_reply = app.create_envcfg("microservice-demo", "dev", &cfg_body("x", "Ingress", &new_ingress)).await;

    assert_success(secret_reply).await;
    assert_success(ingress_reply).await;
    assert_eq!(app.envcfg_yaml("simple-demo", "dev", "demo-credentials", "Secret").await, new_secret);
    let detail = json(app.get_envcfg("microservice-demo", "dev", "frontend", "Ingress").await, 200).await;
    assert_eq!(detail["ingress_detail"]["host_info"], "shop.example.org");
    assert_eq!(app.envcfg_names("simple-demo", "dev", "Secret").await, ["demo-credentials"]);
}

#[tokio::test]
async fn a_type_that_does_not_match_the_yaml_kind_is_refused_with_a_trailing_space() {
    // Evidence: "param commonEnvCfgType:%s not match yaml kind %s " (common_env_cfg.go:262, 265).
    let app = TestApp::spawn().await;

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("x", "ConfigMap", &secret("s", "YQ=="))).await;

    let description = "param commonEnvCfgType:ConfigMap not match yaml kind Secret ";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn pvc_names_the_persistentvolumeclaim_kind_and_the_long_name_is_not_a_type() {
    // Evidence: only "PVC" maps to `PersistentVolumeClaim`; the switch has no
    // case for the kind's own name (common_env_cfg.go:260-266, 354-356).
    let app = TestApp::spawn().await;
    let yaml = pvc("cache", "1Gi");

    let long_name = app.create_envcfg("simple-demo", "dev", &cfg_body("x", "PersistentVolumeClaim", &yaml)).await;
    let lower_case = app.create_envcfg("simple-demo", "dev", &cfg_body("x", "configmap", &configmap("c"))).await;

    assert_zadig_error(long_name, 400, 6095, UPDATE_RESOURCE, "PersistentVolumeClaim is not support create").await;
    let description = "param commonEnvCfgType:configmap not match yaml kind ConfigMap ";
    assert_zadig_error(lower_case, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn a_missing_name_type_or_yaml_is_a_plain_500_even_though_the_name_is_unused() {
    // Evidence: `args.Validate()` is returned raw (openapi.go:501-504; types.go:429-446).
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"common_env_cfg_type": "ConfigMap", "yaml_data": configmap("a")}), "name is required"),
        (json!({"name": "a", "yaml_data": configmap("a")}), "common_env_cfg_type is required"),
        (json!({"name": "a", "common_env_cfg_type": "ConfigMap"}), "yaml_data is required"),
    ];

    for (body, description) in cases {
        assert_internal_error(app.create_envcfg("simple-demo", "dev", &body).await, description).await;
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_plain_500_and_checked_before_the_project_key() {
    let app = TestApp::spawn().await;

    let response = app.send_raw(Method::POST, "/openapi/environments/dev/envcfgs", "{").await;

    assert_internal_error(response, "unexpected end of JSON input").await;
}

#[tokio::test]
async fn a_missing_project_key_is_a_400() {
    let app = TestApp::spawn().await;

    let response = app.create_envcfg("", "dev", &cfg_body("a", "ConfigMap", &configmap("a"))).await;

    assert_zadig_error(response, 400, 400, "Bad Request", "projectKey can't be empty").await;
}

#[tokio::test]
async fn an_unknown_environment_is_mongos_no_documents() {
    let app = TestApp::spawn().await;

    let response = app.create_envcfg("simple-demo", "nowhere", &cfg_body("a", "ConfigMap", &configmap("a"))).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "mongo: no documents in result").await;
}

#[tokio::test]
async fn the_production_route_cannot_create_in_a_production_environment() {
    // Evidence: the same handler; `CreateCommonEnvCfg` finds the env with
    // `Production:false` (openapi.go:415-425, common_env_cfg.go:237-244).
    let app = TestApp::spawn().await;

    let response =
        app.create_production_envcfg("simple-demo", "prod", &cfg_body("a", "ConfigMap", &configmap("a"))).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "mongo: no documents in result").await;
}

#[tokio::test]
async fn the_production_route_creates_in_a_test_environment_of_that_name() {
    let app = TestApp::spawn().await;

    let response =
        app.create_production_envcfg("simple-demo", "dev", &cfg_body("a", "ConfigMap", &configmap("a"))).await;

    assert_success(response).await;
    assert!(app.envcfg_names("simple-demo", "dev", "ConfigMap").await.contains(&"a".to_string()));
}

#[tokio::test]
async fn yaml_without_a_kind_is_not_an_unstructured() {
    // Evidence: `YamlToUnstructured` reports every failure so (serializer/decoder.go:55-64).
    let app = TestApp::spawn().await;

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("a", "ConfigMap", "metadata:\n  name: a\n")).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "object is not an Unstructured").await;
}

#[tokio::test]
async fn configmap_values_that_are_not_strings_fail_as_gos_decoder_says() {
    // Evidence: `yaml.Unmarshal` into `corev1.ConfigMap` (common_env_cfg.go:280-284).
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lives\ndata:\n  player_initial_lives: 3\n";

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("lives", "ConfigMap", yaml)).await;

    let description = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field ConfigMap.data of type string";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn secret_data_that_is_not_base64_fails_with_gos_offset() {
    let app = TestApp::spawn().await;

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("s", "Secret", &secret("s", "s3cr3t!"))).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "illegal base64 data at input byte 6").await;
}

#[tokio::test]
async fn a_secret_without_a_name_is_refused_by_the_rest_client() {
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {}\nstringData:\n  a: b\n";

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("s", "Secret", yaml)).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "resource name may not be empty").await;
}

#[tokio::test]
async fn names_must_be_dns_subdomains_as_kube_apiserver_validates_them() {
    let app = TestApp::spawn().await;

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("x", "ConfigMap", &configmap("Game_Demo"))).await;

    let description = "ConfigMap \"Game_Demo\" is invalid: metadata.name: Invalid value: \"Game_Demo\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn a_pvc_needs_access_modes_and_a_storage_request() {
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec: {}\n";

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("data", "PVC", yaml)).await;

    let description = "PersistentVolumeClaim \"data\" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn an_ingress_of_a_retired_api_version_fails_with_the_object_printed_by_go() {
    // Evidence: `UpdateOrCreateIngress`'s wrapping (common_env_cfg.go:327-331); the
    // simulated cluster serves Ingress as networking.k8s.io/v1 only.
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec:\n  rules: []\n";

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("old", "Ingress", yaml)).await;

    let description = "Failed to UpdateOrCreateIngress Ingress, manifest is\n&{map[apiVersion:extensions/v1beta1 kind:Ingress metadata:map[labels:map[s-product:simple-demo] name:old namespace:simple-demo-env-dev] spec:map[rules:[]]]}\n, error: no matches for kind \"Ingress\" in version \"extensions/v1beta1\"";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn the_creator_is_recorded_as_update_by() {
    let app = TestApp::spawn().await;
    let body = cfg_body("a", "ConfigMap", &configmap("by-alice"));
    let path = "/openapi/environments/dev/envcfgs?projectKey=simple-demo";

    let response =
        app.client.post(format!("{}{path}", app.address)).bearer_auth(ALICE).json(&body).send().await.unwrap();

    assert_success(response).await;
    let detail = json(app.get_envcfg("simple-demo", "dev", "by-alice", "ConfigMap").await, 200).await;
    assert_eq!(detail["configMap_detail"]["update_by"], "alice");
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_a_plain_500_with_gos_decoder_text() {
    let app = TestApp::spawn().await;

    let response = app.create_envcfg("simple-demo", "dev", &json!({"name": "a", "auto_sync": "yes"})).await;

    let description = "json: cannot unmarshal string into Go struct field OpenAPIEnvCfgArgs.auto_sync of type bool";
    assert_internal_error(response, description).await;
}

#[tokio::test]
async fn the_namespaces_root_ca_configmap_already_exists() {
    let app = TestApp::spawn().await;

    let response =
        app.create_envcfg("simple-demo", "dev", &cfg_body("x", "ConfigMap", &configmap("kube-root-ca.crt"))).await;

    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, "configmaps \"kube-root-ca.crt\" already exists").await;
}

#[tokio::test]
async fn a_configmap_with_only_a_generate_name_gets_a_generated_name() {
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: run-\ndata:\n  a: b\n";

    assert_success(app.create_envcfg("simple-demo", "dev", &cfg_body("x", "ConfigMap", yaml)).await).await;

    let names = app.envcfg_names("simple-demo", "dev", "ConfigMap").await;
    let generated: Vec<&String> = names.iter().filter(|n| n.starts_with("run-")).collect();
    assert_eq!(generated.len(), 1, "{names:?}");
    assert_eq!(generated[0].len(), "run-".len() + 5);
}

#[tokio::test]
async fn well_known_secret_types_need_their_keys_and_ingresses_need_rules() {
    let app = TestApp::spawn().await;
    let tls =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cert\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: x\n";
    let empty = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec: {}\n";

    let secret_reply = app.create_envcfg("simple-demo", "dev", &cfg_body("cert", "Secret", tls)).await;
    let ingress_reply = app.create_envcfg("simple-demo", "dev", &cfg_body("web", "Ingress", empty)).await;

    assert_zadig_error(
        secret_reply,
        400,
        6095,
        UPDATE_RESOURCE,
        "Secret \"cert\" is invalid: data[tls.key]: Required value",
    )
    .await;
    let body = json(ingress_reply, 400).await;
    let description = body["description"].as_str().unwrap();
    assert!(
        description.ends_with("error: Ingress.networking.k8s.io \"web\" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"),
        "{description}"
    );
}
