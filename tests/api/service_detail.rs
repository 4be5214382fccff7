//! Service detail (real-behaviour.md §2.16): the nested shapes of
//! `pkg/shared/kube/resource/*.go`, the lookups and their quirks.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::services_helpers::assert_key_order;

#[tokio::test]
async fn the_demo_service1_detail_has_the_docs_shape_in_go_field_order() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let text = app.get_service("simple-demo", "dev", "service1").await.text().await.unwrap();

    // Assert: OpenAPIGetServiceResponse, resource.Workload/Pod/Container/Service.
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_key_order(
        &text,
        &["service_name", "scales", "name", "type", "images", "name", "image", "image_name", "pods"],
    );
    assert_key_order(
        &text,
        &[
            "pods",
            "kind",
            "name",
            "status",
            "age",
            "createtime",
            "ip",
            "labels",
            "containers",
            "name",
            "image",
            "restart_count",
            "status",
            "ready",
            "ports",
            "containerPort",
            "protocol",
            "message",
            "reason",
            "started_at",
            "node_name",
            "host_ip",
            "enable_debug_container",
            "pod_ready",
            "containers_ready",
            "containers_message",
            "replicas",
            "zadigx_release_type",
            "zadigx_release_tag",
            "ingress",
            "service_endpoints",
            "name",
            "age",
            "labels",
            "endpoints",
            "service_name",
            "service_port",
            "node_port",
            "cron_jobs",
            "namespace",
            "env_name",
            "product_name",
            "group_name",
        ],
    );
    let scale = &body["scales"][0];
    assert_eq!(scale["type"], "Deployment");
    assert_eq!(scale["replicas"], 1);
    let image = "koderover.tencentcloudcr.com/test/service1:20231214162411";
    assert_eq!(scale["images"], json!([{"name": "service1", "image": image, "image_name": "service1"}]));
    let pod = &scale["pods"][0];
    assert_eq!(
        (pod["kind"].as_str(), pod["status"].as_str(), pod["age"].as_str()),
        (Some("ReplicaSet"), Some("Running"), Some("0s"))
    );
    assert_eq!(pod["createtime"], 1_700_000_000);
    let hash = pod["labels"]["pod-template-hash"].as_str().unwrap();
    assert!(pod["name"].as_str().unwrap().starts_with(&format!("service1-{hash}-")));
    let labels: Vec<&String> = pod["labels"].as_object().unwrap().keys().collect();
    assert_eq!(
        labels,
        ["app.kubernetes.io/instance", "app.kubernetes.io/name", "pod-template-hash", "s-product", "s-service"]
    );
    assert_eq!(pod["node_name"], pod["host_ip"]);
    let container = &pod["containers"][0];
    assert_eq!(
        container,
        &json!({"name": "service1", "image": image, "restart_count": 0, "status": "running", "ready": true,
                "ports": [{"containerPort": 20211, "protocol": "TCP"}], "message": "", "reason": "", "started_at": 1_700_000_001})
    );
    assert_eq!(body["service_endpoints"][0]["endpoints"][0]["service_port"], 20211);
    assert_eq!(
        (body["namespace"].as_str(), body["product_name"].as_str()),
        (Some("simple-demo-env-dev"), Some("simple-demo"))
    );
}

#[tokio::test]
async fn a_service_the_env_lacks_is_a_200_with_empty_lists() {
    let app = TestApp::spawn().await;

    let body = app.service_detail("simple-demo", "dev", "ghost").await;

    // Vendor quirk: env/service/service.go:202-212.
    assert_eq!(
        body,
        json!({"service_name": "ghost", "scales": [], "ingress": [], "service_endpoints": [], "cron_jobs": [],
               "namespace": "simple-demo-env-dev", "env_name": "dev", "product_name": "simple-demo", "group_name": ""})
    );
}

#[tokio::test]
async fn a_missing_env_or_the_wrong_side_of_the_production_line_is_6083() {
    let app = TestApp::spawn().await;

    let missing = app.get_service("simple-demo", "nope", "service1").await;
    let production_via_test = app.get_service("simple-demo", "prod", "service1").await;
    let test_via_production = app.get_production_service("simple-demo", "dev", "service1").await;

    for response in [missing, production_via_test, test_via_production] {
        assert_zadig_error(response, 400, 6083, "获取服务失败", "mongo: no documents in result").await;
    }
}

#[tokio::test]
async fn without_a_project_key_the_project_lookup_of_an_empty_name_fails() {
    let app = TestApp::spawn().await;

    let found = app.get("/openapi/environments/dev/services/service1").await;
    let missing = app.get("/openapi/environments/nope/services/service1").await;

    // GetService: env found by name alone, then `failed to find project %s` with "" (env/service/service.go:179-182).
    assert_zadig_error(found, 400, 6083, "获取服务失败", "failed to find project : mongo: no documents in result")
        .await;
    assert_zadig_error(missing, 400, 6083, "获取服务失败", "mongo: no documents in result").await;
}

#[tokio::test]
async fn work_load_type_is_ignored_for_k8s_yaml_projects() {
    let app = TestApp::spawn().await;

    let plain = app.service_detail("simple-demo", "dev", "service1").await;
    let typed = json(
        app.get("/openapi/environments/dev/services/service1?projectKey=simple-demo&workLoadType=CronJob").await,
        200,
    )
    .await;

    assert_eq!(plain, typed);
}

#[tokio::test]
async fn statefulset_pods_are_numbered_and_owned_by_the_statefulset() {
    let app = TestApp::spawn().await;

    let body = app.service_detail("microservice-demo", "dev", "redis").await;

    let pod = &body["scales"][0]["pods"][0];
    assert_eq!(body["scales"][0]["type"], "StatefulSet");
    assert_eq!((pod["kind"].as_str(), pod["name"].as_str()), (Some("StatefulSet"), Some("redis-0")));
    assert_eq!(pod["labels"]["statefulset.kubernetes.io/pod-name"], "redis-0");
    assert!(pod["labels"]["controller-revision-hash"].as_str().unwrap().starts_with("redis-"));
}

#[tokio::test]
async fn a_cronjob_service_shows_under_cron_jobs_with_its_schedule() {
    let app = TestApp::spawn().await;

    let text = app.get_service("microservice-demo", "dev", "nightly-report").await.text().await.unwrap();

    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["scales"], json!([]));
    let cron = &body["cron_jobs"][0];
    assert_key_order(
        &text,
        &["cron_jobs", "name", "labels", "images", "pods", "create_time", "suspend", "schedule", "last_schedule"],
    );
    assert_eq!((cron["schedule"].as_str(), cron["last_schedule"].as_str()), (Some("0 3 * * *"), Some("N/A")));
}

#[tokio::test]
async fn a_workload_without_a_kubernetes_service_has_no_endpoints() {
    let app = TestApp::spawn().await;

    let body = app.service_detail("microservice-demo", "dev", "worker").await;

    assert_eq!(body["service_endpoints"], json!([]));
    assert_eq!(body["scales"][0]["pods"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn ages_follow_the_virtual_clock() {
    let app = TestApp::spawn().await;
    app.advance_clock(2 * 86_400 + 5);

    let body = app.service_detail("simple-demo", "dev", "service1").await;

    assert_eq!(body["scales"][0]["pods"][0]["age"], "2d");
    assert_eq!(body["service_endpoints"][0]["age"], "2d");
}

#[tokio::test]
async fn production_services_are_read_through_the_production_route() {
    let app = TestApp::spawn().await;

    let body = json(app.get_production_service("simple-demo", "prod", "service1").await, 200).await;

    assert_eq!(body["namespace"], "simple-demo-env-prod");
    assert_eq!(body["scales"][0]["pods"][0]["containers"][0]["name"], "service1");
}

#[tokio::test]
async fn an_added_service_shows_its_pods_and_a_removed_one_shows_nothing() {
    let app = TestApp::spawn().await;
    let add = json!({"env_key": "staging", "service_list": [{"service_name": "worker"}]});
    assert_success(app.add_services("microservice-demo", &add).await).await;
    let remove = json!({"env_key": "staging", "service_names": ["redis"]});
    assert_success(app.delete_services("microservice-demo", &remove).await).await;

    let worker = app.service_detail("microservice-demo", "staging", "worker").await;
    let redis = app.service_detail("microservice-demo", "staging", "redis").await;

    assert_eq!(worker["scales"][0]["pods"].as_array().map(Vec::len), Some(1));
    assert_eq!(redis["scales"], json!([]));
}
