//! GET `…/{env}/envcfgs?type=` and `…/{env}/envcfg/{name}?type=`, test and
//! production (§2.12, `OpenAPIListCommonEnvCfg`, `OpenAPIGetCommonEnvCfg`).

use serde_json::json;

use super::helpers::*;
use crate::helpers::*;

#[tokio::test]
async fn the_demo_world_shows_every_kind_out_of_the_box() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let config_maps = app.envcfg_names("simple-demo", "dev", "ConfigMap").await;
    let secrets = app.envcfg_names("simple-demo", "dev", "Secret").await;
    let ingresses = app.envcfg_names("microservice-demo", "dev", "Ingress").await;
    let claims = app.envcfg_names("microservice-demo", "dev", "PVC").await;

    // Assert
    assert_eq!(config_maps, ["game-demo", "kube-root-ca.crt"]);
    assert_eq!(secrets, ["demo-credentials"]);
    assert_eq!(ingresses, ["frontend"]);
    assert_eq!(claims, ["redis-data"]);
}

#[tokio::test]
async fn a_list_item_has_the_brief_shape_and_the_creation_time_as_update_time() {
    // Evidence: `OpenAPIEnvCfgBrief` (types.go:315-322); `UpdateTime` is the
    // object's `CreateTime` (openapi.go:482-489). The root CA ConfigMap has no
    // Zadig record, so no `update_by` (§2.12: lists hold Kubernetes' defaults).
    let app = TestApp::spawn().await;

    let body = json(app.list_envcfgs("simple-demo", "dev", "ConfigMap").await, 200).await;

    let expected = json!([
        {"name": "game-demo", "env_name": "dev", "project_name": "simple-demo",
         "common_env_cfg_type": "ConfigMap", "update_by": "admin", "update_time": 1_700_000_000},
        {"name": "kube-root-ca.crt", "env_name": "dev", "project_name": "simple-demo",
         "common_env_cfg_type": "ConfigMap", "update_time": 1_700_000_000}
    ]);
    assert_eq!(body, expected);
}

#[tokio::test]
async fn lists_are_sorted_by_name() {
    let app = TestApp::spawn().await;
    for name in ["zeta", "alpha", "mid"] {
        assert_success(app.create_envcfg("simple-demo", "dev", &cfg_body(name, "Secret", &secret(name, "YQ=="))).await)
            .await;
    }

    let names = app.envcfg_names("simple-demo", "dev", "Secret").await;

    assert_eq!(names, ["alpha", "demo-credentials", "mid", "zeta"]);
}

#[tokio::test]
async fn zadigs_configmap_backups_are_left_out_of_lists() {
    // Evidence: `ListConfigMaps` skips the `config-backup: "true"` label (configmap.go:114-119).
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old-copy\n  labels:\n    config-backup: \"true\"\n";
    assert_success(app.create_envcfg("simple-demo", "dev", &cfg_body("old-copy", "ConfigMap", yaml)).await).await;

    let names = app.envcfg_names("simple-demo", "dev", "ConfigMap").await;
    let detail = app.get_envcfg("simple-demo", "dev", "old-copy", "ConfigMap").await;

    assert_eq!(names, ["game-demo", "kube-root-ca.crt"]);
    assert_internal_error(detail, "not found").await;
}

#[tokio::test]
async fn a_missing_or_misspelled_type_is_a_plain_500() {
    // Evidence: `default: return nil, fmt.Errorf("invalid common env cfg type: %s", cfgType)` (openapi.go:574-576).
    let app = TestApp::spawn().await;

    let missing = app.get("/openapi/environments/dev/envcfgs?projectKey=simple-demo").await;
    let lower = app.list_envcfgs("simple-demo", "dev", "configmap").await;
    let detail = app.get_envcfg("simple-demo", "dev", "game-demo", "Pvc").await;

    assert_internal_error(missing, "invalid common env cfg type: ").await;
    assert_internal_error(lower, "invalid common env cfg type: configmap").await;
    assert_internal_error(detail, "invalid common env cfg type: Pvc").await;
}

#[tokio::test]
async fn a_missing_environment_is_6088_for_configmaps_and_6094_for_the_rest() {
    // Evidence: `ListConfigMaps` → ErrListConfigMaps; `ListSecrets`/`ListIngresses`/`ListPvcs` → ErrListResources.
    let app = TestApp::spawn().await;

    let config_maps = app.list_envcfgs("simple-demo", "nowhere", "ConfigMap").await;
    let secrets = app.list_envcfgs("simple-demo", "nowhere", "Secret").await;
    let ingress = app.get_envcfg("simple-demo", "nowhere", "x", "Ingress").await;

    assert_zadig_error(config_maps, 400, 6088, "列出服务配置失败", "mongo: no documents in result").await;
    assert_zadig_error(secrets, 400, 6094, "列出对象资源失败", "mongo: no documents in result").await;
    assert_zadig_error(ingress, 400, 6094, "列出对象资源失败", "mongo: no documents in result").await;
}

#[tokio::test]
async fn each_route_sees_only_its_side_of_the_production_line() {
    let app = TestApp::spawn().await;

    let test_route = app.list_envcfgs("simple-demo", "prod", "ConfigMap").await;
    let production_route = app.list_production_envcfgs("simple-demo", "dev", "PVC").await;

    assert_zadig_error(test_route, 400, 6088, "列出服务配置失败", "mongo: no documents in result").await;
    assert_zadig_error(production_route, 400, 6094, "列出对象资源失败", "mongo: no documents in result").await;
}

#[tokio::test]
async fn a_production_environment_lists_its_namespaces_root_ca_configmap() {
    let app = TestApp::spawn().await;

    let body = json(app.list_production_envcfgs("simple-demo", "prod", "ConfigMap").await, 200).await;
    let secrets = json(app.list_production_envcfgs("simple-demo", "prod", "Secret").await, 200).await;

    assert_eq!(body[0]["name"], "kube-root-ca.crt");
    assert_eq!(body.as_array().map(Vec::len), Some(1));
    assert_eq!(secrets, json!([]));
}

#[tokio::test]
async fn a_missing_project_key_is_a_400_on_lists_and_details() {
    let app = TestApp::spawn().await;

    let list = app.list_envcfgs("", "dev", "ConfigMap").await;
    let detail = app.get_production_envcfg("", "prod", "x", "ConfigMap").await;

    assert_zadig_error(list, 400, 400, "Bad Request", "projectKey can't be empty").await;
    assert_zadig_error(detail, 400, 400, "Bad Request", "projectKey can't be empty").await;
}

#[tokio::test]
async fn a_configmap_detail_has_the_real_servers_shape() {
    // Evidence: `OpenAPIEnvCfgConfigMapDetail` (types.go:413-427): `project_key`, not the
    // doc's `product_key`; `source_detail` without omitempty; the key `configMap_detail`.
    let app = TestApp::spawn().await;

    let body = json(app.get_envcfg("simple-demo", "dev", "game-demo", "ConfigMap").await, 200).await;

    let detail = &body["configMap_detail"];
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["configMap_detail"]);
    assert_eq!(detail["name"], "game-demo");
    assert_eq!(detail["project_key"], "simple-demo");
    assert_eq!(detail["env_key"], "dev");
    assert_eq!(detail["common_env_cfg_type"], "ConfigMap");
    assert_eq!(detail["created_time"], 1_700_000_000);
    assert_eq!(detail["update_by"], "admin");
    assert_eq!(detail["source_detail"], serde_json::Value::Null);
    assert!(detail["yaml_data"].as_str().unwrap().contains("name: game-demo"));
    assert!(detail.get("product_key").is_none() && detail.get("update_time").is_none());
}

#[tokio::test]
async fn detail_fields_come_in_go_declaration_order() {
    let app = TestApp::spawn().await;

    let response = app.get_envcfg("simple-demo", "dev", "demo-credentials", "Secret").await;

    let text = response.text().await.unwrap();
    let order = [
        "\"name\"",
        "\"project_key\"",
        "\"env_key\"",
        "\"common_env_cfg_type\"",
        "\"created_time\"",
        "\"update_by\"",
        "\"yaml_data\"",
        "\"source_detail\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.starts_with("{\"secret_detail\":{"), "{text}");
}

#[tokio::test]
async fn an_ingress_detail_shows_its_hosts() {
    let app = TestApp::spawn().await;

    let body = json(app.get_envcfg("microservice-demo", "dev", "frontend", "Ingress").await, 200).await;

    let detail = &body["ingress_detail"];
    assert_eq!(detail["host_info"], "shop.dev.example.com");
    assert!(detail.get("address").is_none() && detail.get("ports").is_none(), "no ingress controller: {detail}");
}

#[tokio::test]
async fn a_pvc_detail_shows_the_claim_bound_by_the_default_storage_class() {
    let app = TestApp::spawn().await;

    let body = json(app.get_envcfg("microservice-demo", "dev", "redis-data", "PVC").await, 200).await;

    let detail = &body["pvc_detail"];
    assert_eq!(detail["status"], "Bound");
    assert!(detail["volume"].as_str().unwrap().starts_with("pvc-"), "{detail}");
    assert_eq!(detail["access_modes"], "ReadWriteOnce");
    assert_eq!(detail["storage_class"], "standard");
    assert_eq!(detail["capacity"], "1Gi");
}

#[tokio::test]
async fn a_claim_of_no_storage_class_stays_pending_with_zero_capacity() {
    // Evidence: capacity is `Quantity.String()` of the (empty) status, "0" (pvc.go:111-115).
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: manual\nspec:\n  storageClassName: \"\"\n  accessModes: [ReadWriteMany]\n  resources:\n    requests:\n      storage: 10Gi\n";
    assert_success(app.create_envcfg("simple-demo", "dev", &cfg_body("manual", "PVC", yaml)).await).await;

    let body = json(app.get_envcfg("simple-demo", "dev", "manual", "PVC").await, 200).await;

    let detail = &body["pvc_detail"];
    assert_eq!(detail["status"], "Pending");
    assert_eq!(detail["capacity"], "0");
    assert!(detail.get("volume").is_none() && detail.get("storage_class").is_none(), "{detail}");
}

#[tokio::test]
async fn the_root_ca_configmap_has_a_detail() {
    let app = TestApp::spawn().await;

    let body = json(app.get_production_envcfg("simple-demo", "prod", "kube-root-ca.crt", "ConfigMap").await, 200).await;

    let detail = &body["configMap_detail"];
    assert_eq!(detail["created_time"], 1_700_000_000);
    assert!(detail.get("update_by").is_none());
    let yaml = detail["yaml_data"].as_str().unwrap();
    assert!(yaml.contains("ca.crt: |") && yaml.contains("namespace: simple-demo-env-prod"), "{yaml}");
}

#[tokio::test]
async fn an_unknown_name_is_a_plain_500_not_found() {
    // Evidence: `return nil, fmt.Errorf("not found")` (openapi.go:758).
    let app = TestApp::spawn().await;

    let response = app.get_envcfg("simple-demo", "dev", "nope", "ConfigMap").await;
    let wrong_kind = app.get_envcfg("simple-demo", "dev", "game-demo", "Secret").await;

    assert_internal_error(response, "not found").await;
    assert_internal_error(wrong_kind, "not found").await;
}
