//! DELETE `…/{env}/envcfg/{name}?type=`, test and production (§2.12,
//! `OpenAPIDeleteCommonEnvCfg`, `OpenAPIDeleteProductionEnvCommonEnvCfg`).

use super::helpers::*;
use crate::helpers::*;

#[tokio::test]
async fn deleting_answers_message_success_not_the_docs_200_and_the_object_is_gone() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let response = app.delete_envcfg("simple-demo", "dev", "demo-credentials", "Secret").await;

    // Assert: the handler sets no `Resp`, so the middleware's success body (§5).
    assert_success(response).await;
    assert!(app.envcfg_names("simple-demo", "dev", "Secret").await.is_empty());
}

#[tokio::test]
async fn every_kind_can_be_deleted() {
    let app = TestApp::spawn().await;

    let cases = [
        ("simple-demo", "game-demo", "ConfigMap"),
        ("microservice-demo", "frontend", "Ingress"),
        ("microservice-demo", "redis-data", "PVC"),
    ];

    for (project, name, cfg_type) in cases {
        assert_success(app.delete_envcfg(project, "dev", name, cfg_type).await).await;
        assert!(!app.envcfg_names(project, "dev", cfg_type).await.contains(&name.to_string()), "{name}");
    }
}

#[tokio::test]
async fn deleting_a_missing_object_is_6096_with_kubernetes_not_found() {
    let app = TestApp::spawn().await;

    let response = app.delete_envcfg("simple-demo", "dev", "nope", "ConfigMap").await;
    let wrong_kind = app.delete_envcfg("simple-demo", "dev", "game-demo", "PVC").await;

    assert_zadig_error(response, 400, 6096, "删除对象资源失败", "configmaps \"nope\" not found").await;
    let description = "persistentvolumeclaims \"game-demo\" not found";
    assert_zadig_error(wrong_kind, 400, 6096, "删除对象资源失败", description).await;
}

#[tokio::test]
async fn the_project_key_and_type_are_required_with_400s() {
    // Evidence: openapi.go:630-643.
    let app = TestApp::spawn().await;

    let no_project = app.delete_envcfg("", "dev", "game-demo", "ConfigMap").await;
    let no_type = app.delete_envcfg("simple-demo", "dev", "game-demo", "").await;

    assert_zadig_error(no_project, 400, 400, "Bad Request", "projectKey can't be empty").await;
    assert_zadig_error(no_type, 400, 400, "Bad Request", "type is empty").await;
}

#[tokio::test]
async fn an_unknown_type_is_not_support_delete_after_the_environment_checks() {
    // Evidence: `DeleteCommonEnvCfg`'s default case (common_env_cfg.go:116-117).
    let app = TestApp::spawn().await;

    let response = app.delete_envcfg("simple-demo", "dev", "game-demo", "Deployment").await;
    let missing_env = app.delete_envcfg("simple-demo", "nowhere", "game-demo", "Deployment").await;

    assert_zadig_error(response, 400, 6096, "删除对象资源失败", "Deployment is not support delete").await;
    let description = "failed to find product simple-demo: mongo: no documents in result";
    assert_zadig_error(missing_env, 400, 6077, "删除环境失败", description).await;
}

#[tokio::test]
async fn each_route_refuses_environments_on_the_other_side_of_the_production_line() {
    // Evidence: openapi.go:767-770 and 780-783 (the env lookup has no production filter).
    let app = TestApp::spawn().await;

    let test_route = app.delete_envcfg("simple-demo", "prod", "kube-root-ca.crt", "ConfigMap").await;
    let production_route = app.delete_production_envcfg("simple-demo", "dev", "game-demo", "ConfigMap").await;

    let production = "environment prod is production environment, cannot delete it";
    assert_zadig_error(test_route, 400, 6077, "删除环境失败", production).await;
    let not_production = "environment dev is not production environment, cannot delete it";
    assert_zadig_error(production_route, 400, 6077, "删除环境失败", not_production).await;
}

#[tokio::test]
async fn deleting_the_root_ca_configmap_succeeds_and_the_cluster_publishes_it_again() {
    let app = TestApp::spawn().await;

    let response = app.delete_production_envcfg("simple-demo", "prod", "kube-root-ca.crt", "ConfigMap").await;

    assert_success(response).await;
    let body = json(app.list_production_envcfgs("simple-demo", "prod", "ConfigMap").await, 200).await;
    assert_eq!(body[0]["name"], "kube-root-ca.crt");
}

#[tokio::test]
async fn a_deleted_configmap_can_be_created_again() {
    let app = TestApp::spawn().await;
    assert_success(app.delete_envcfg("simple-demo", "dev", "game-demo", "ConfigMap").await).await;

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("game-demo", "ConfigMap", DOC_CONFIGMAP)).await;

    assert_success(response).await;
    assert_eq!(app.envcfg_yaml("simple-demo", "dev", "game-demo", "ConfigMap").await, DOC_CONFIGMAP);
}
