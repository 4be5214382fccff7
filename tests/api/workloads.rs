//! Scale, restart and image updates (real-behaviour.md §2.13–2.15, §6),
//! read back through the service detail, the environment detail and events.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const NOW: i64 = 1_700_000_000;

fn scale_body(project: &str, env: &str, workload: &str, kind: &str, replicas: i64) -> Value {
    json!({"project_key": project, "env_key": env, "workload_name": workload, "workload_type": kind, "target_replicas": replicas})
}

fn image_body(env: &str, service: &str, workload: &str, container: &str, image: &str) -> Value {
    json!({"product_name": "simple-demo", "env_name": env, "service_name": service, "name": workload,
           "container_name": container, "image": image})
}

fn current_replica_set(detail: &Value) -> String {
    let hash = detail["scales"][0]["pods"][0]["labels"]["pod-template-hash"].as_str().unwrap_or_default();
    format!("{}-{hash}", detail["scales"][0]["name"].as_str().unwrap_or_default())
}

// Scale (§2.13)

#[tokio::test]
async fn scaling_up_shows_the_pods_at_once_with_a_scaling_event() {
    // Arrange: the doc's example, backend of microservice-demo/dev to 3.
    let app = TestApp::spawn().await;

    // Act
    assert_success(app.scale(&scale_body("microservice-demo", "dev", "backend", "Deployment", 3)).await).await;

    // Assert
    let detail = app.service_detail("microservice-demo", "dev", "backend").await;
    assert_eq!(detail["scales"][0]["replicas"], 3);
    assert_eq!(detail["scales"][0]["pods"].as_array().map(Vec::len), Some(3));
    let rs = current_replica_set(&detail);
    let events = app.event_lines("microservice-demo", "dev", "backend", "Deployment").await;
    assert_eq!(events.last().unwrap(), &format!("ScalingReplicaSet: Scaled up replica set {rs} to 3 (1)"));
}

#[tokio::test]
async fn scaling_to_zero_leaves_no_pods_and_the_service_unstart() {
    let app = TestApp::spawn().await;

    assert_success(app.scale(&scale_body("simple-demo", "dev", "service1", "Deployment", 0)).await).await;

    let detail = app.service_detail("simple-demo", "dev", "service1").await;
    assert_eq!(detail["scales"][0]["pods"], json!([]));
    let env = app.env_detail("simple-demo", "dev").await;
    assert_eq!(env["services"][0]["status"], "unstart");
    // The env record is untouched (§2.13).
    assert_eq!((env["status"].as_str(), env["update_time"].as_i64()), (Some("success"), Some(NOW)));
}

#[tokio::test]
async fn scaling_down_stops_the_newest_pods() {
    let app = TestApp::spawn().await;
    assert_success(app.scale(&scale_body("simple-demo", "dev", "service1", "Deployment", 2)).await).await;
    let two = app.pod_names("simple-demo", "dev", "service1", "service1").await;

    assert_success(app.scale(&scale_body("simple-demo", "dev", "service1", "Deployment", 1)).await).await;

    assert_eq!(app.pod_names("simple-demo", "dev", "service1", "service1").await, [two[0].clone()]);
    let events = app.event_lines("simple-demo", "dev", &two[1], "Pod").await;
    assert_eq!(events.last().unwrap(), "Killing: Stopping container service1 (1)");
}

#[tokio::test]
async fn scaling_a_statefulset_adds_the_next_ordinal() {
    let app = TestApp::spawn().await;

    assert_success(app.scale(&scale_body("microservice-demo", "dev", "redis", "StatefulSet", 2)).await).await;

    assert_eq!(app.pod_names("microservice-demo", "dev", "redis", "redis").await, ["redis-0", "redis-1"]);
    let events = app.event_lines("microservice-demo", "dev", "redis", "StatefulSet").await;
    assert_eq!(events.last().unwrap(), "SuccessfulCreate: create Pod redis-1 in StatefulSet redis successful (1)");
}

#[tokio::test]
async fn scaling_an_unknown_workload_or_past_int32_succeeds_and_changes_nothing() {
    let app = TestApp::spawn().await;

    let unknown = app.scale(&scale_body("simple-demo", "dev", "ghost", "Deployment", 2)).await;
    let wrong_kind = app.scale(&scale_body("simple-demo", "dev", "service1", "StatefulSet", 2)).await;
    let huge = app.scale(&scale_body("simple-demo", "dev", "service1", "Deployment", 1 << 40)).await;

    // Vendor quirk: `Scale` logs the failed patch and returns nil (env/service/service.go:72-90).
    for response in [unknown, wrong_kind, huge] {
        assert_success(response).await;
    }
    assert_eq!(app.service_detail("simple-demo", "dev", "service1").await["scales"][0]["replicas"], 1);
}

#[tokio::test]
async fn scaling_a_production_or_missing_env_is_6081() {
    let app = TestApp::spawn().await;

    let production = app.scale(&scale_body("simple-demo", "prod", "service1", "Deployment", 2)).await;
    let missing = app.scale(&scale_body("simple-demo", "nope", "service1", "Deployment", 2)).await;

    // `OpenAPIScale` hard-codes `Production: false` (env/service/service.go:93-101).
    for response in [production, missing] {
        assert_zadig_error(response, 400, 6081, "伸缩服务失败", "mongo: no documents in result").await;
    }
}

#[tokio::test]
async fn the_scale_body_is_validated_field_by_field_as_plain_errors() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({}), "project_key is required"),
        (json!({"project_key": "p"}), "env_key is required"),
        (json!({"project_key": "p", "env_key": "e"}), "workload_name is required"),
        (json!({"project_key": "p", "env_key": "e", "workload_name": "w"}), "workload_type is required"),
        (scale_body("p", "e", "w", "CronJob", 1), "unsupported workload type: CronJob"),
        (scale_body("p", "e", "w", "Deployment", -1), "target_replicas must be greater than or equal to 0"),
    ];

    for (body, description) in cases {
        assert_internal_error(app.scale(&body).await, description).await;
    }
}

#[tokio::test]
async fn a_malformed_scale_body_is_a_bare_400() {
    let app = TestApp::spawn().await;

    for body in ["", "{", r#"{"target_replicas": 1.5}"#] {
        let response = app.send_raw(Method::POST, "/openapi/environments/scale", body).await;

        assert_eq!(response.status(), 400, "body {body:?}");
        assert_eq!(response.text().await.unwrap(), "");
    }
}

// Restart (§2.14)

#[tokio::test]
async fn restarting_rolls_the_deployment_to_new_pods_like_the_docs_events() {
    // Arrange
    let app = TestApp::spawn().await;
    let before = app.service_detail("simple-demo", "dev", "service1").await;
    let old_rs = current_replica_set(&before);

    // Act
    assert_success(app.restart("simple-demo", "dev", "service1").await).await;

    // Assert: a new pod-template-hash, new pod names, the env record untouched.
    let after = app.service_detail("simple-demo", "dev", "service1").await;
    let new_rs = current_replica_set(&after);
    assert_ne!(new_rs, old_rs);
    assert_eq!(after["scales"][0]["pods"].as_array().map(Vec::len), Some(1));
    let events = app.event_lines("simple-demo", "dev", "service1", "Deployment").await;
    assert_eq!(
        events[1..],
        [
            format!("ScalingReplicaSet: Scaled up replica set {new_rs} to 1 (1)"),
            format!("ScalingReplicaSet: Scaled down replica set {old_rs} to 0 (1)"),
        ]
    );
    assert_eq!(app.env_detail("simple-demo", "dev").await["update_time"], NOW);
}

#[tokio::test]
async fn restarting_a_statefulset_keeps_the_names_and_folds_its_events() {
    let app = TestApp::spawn().await;
    let before = app.service_detail("microservice-demo", "dev", "redis").await;

    assert_success(app.restart("microservice-demo", "dev", "redis").await).await;
    assert_success(app.restart("microservice-demo", "dev", "redis").await).await;

    let after = app.service_detail("microservice-demo", "dev", "redis").await;
    assert_eq!(after["scales"][0]["pods"][0]["name"], "redis-0");
    assert_ne!(after["scales"][0]["pods"][0]["ip"], before["scales"][0]["pods"][0]["ip"]);
    let events = app.event_lines("microservice-demo", "dev", "redis", "StatefulSet").await;
    assert!(
        events.contains(&"SuccessfulDelete: delete Pod redis-0 in StatefulSet redis successful (2)".to_string()),
        "{events:?}"
    );
}

#[tokio::test]
async fn restarting_a_service_the_env_lacks_succeeds() {
    let app = TestApp::spawn().await;

    let response = app.restart("simple-demo", "dev", "ghost").await;

    // Vendor quirk: `RestartService` returns nil (env/service/service.go:482-486).
    assert_success(response).await;
}

#[tokio::test]
async fn restarting_in_a_missing_env_or_across_the_production_line_is_a_plain_500() {
    let app = TestApp::spawn().await;

    let missing = app.restart("simple-demo", "nope", "service1").await;
    let production_via_test = app.restart("simple-demo", "prod", "service1").await;

    assert_internal_error(missing, "mongo: no documents in result").await;
    assert_internal_error(production_via_test, "mongo: no documents in result").await;
}

#[tokio::test]
async fn production_services_restart_through_the_production_route() {
    let app = TestApp::spawn().await;
    let before = json(app.get_production_service("simple-demo", "prod", "service1").await, 200).await;

    assert_success(app.restart_production("simple-demo", "prod", "service1").await).await;

    let after = json(app.get_production_service("simple-demo", "prod", "service1").await, 200).await;
    assert_ne!(after["scales"][0]["pods"][0]["name"], before["scales"][0]["pods"][0]["name"]);
}

#[tokio::test]
async fn restarting_without_a_project_key_is_a_400() {
    let app = TestApp::spawn().await;

    let response =
        app.request(Method::POST, "/openapi/environments/dev/service/service1/restart").send().await.unwrap();

    assert_zadig_error(response, 400, 400, "Bad Request", "projectKey can't be empty").await;
}

// Image updates (§2.15)

#[tokio::test]
async fn a_new_deployment_image_shows_in_every_view_and_moves_update_time() {
    // Arrange
    let app = TestApp::spawn().await;
    let old_pods = app.pod_names("simple-demo", "dev", "service1", "service1").await;
    app.advance_clock(30);
    let image = "koderover.tencentcloudcr.com/test/service1:20231116105254-6-main";

    // Act
    let body = image_body("dev", "service1", "service1", "service1", image);
    assert_success(app.update_image("deployment", "dev", &body).await).await;

    // Assert
    let env = app.env_detail("simple-demo", "dev").await;
    assert_eq!(env["services"][0]["containers"][0]["image"], image);
    assert_eq!(env["update_time"], NOW + 30);
    let detail = app.service_detail("simple-demo", "dev", "service1").await;
    assert_eq!(detail["scales"][0]["images"][0]["image"], image);
    let pod = &detail["scales"][0]["pods"][0];
    assert_eq!(pod["containers"][0]["image"], image);
    assert!(!old_pods.contains(&pod["name"].as_str().unwrap().to_string()));
}

#[tokio::test]
async fn the_env_record_keeps_its_old_image_name() {
    let app = TestApp::spawn().await;

    let body = image_body("dev", "service1", "service1", "service1", "registry.example.com/demo/renamed:v2");
    assert_success(app.update_image("deployment", "dev", &body).await).await;

    // Vendor quirk: only `container.Image` is set (env/service/image.go:163-167).
    let env = app.env_detail("simple-demo", "dev").await;
    assert_eq!(env["services"][0]["containers"][0]["image_name"], "service1");
    let detail = app.service_detail("simple-demo", "dev", "service1").await;
    assert_eq!(detail["scales"][0]["images"][0]["image_name"], "renamed");
}

#[tokio::test]
async fn the_path_env_is_ignored_and_the_body_env_name_is_used() {
    let app = TestApp::spawn().await;

    let body = image_body("dev", "service2", "service2", "myapp-1", "koderover.tencentcloudcr.com/test/myapp-1:v9");
    assert_success(app.update_image("deployment", "no-such-env", &body).await).await;

    let detail = app.service_detail("simple-demo", "dev", "service2").await;
    assert_eq!(detail["scales"][0]["images"][0]["image"], "koderover.tencentcloudcr.com/test/myapp-1:v9");
}

#[tokio::test]
async fn invalid_json_is_a_success_for_statefulsets_and_a_bare_400_otherwise() {
    let app = TestApp::spawn().await;

    let statefulset = app.send_raw(Method::POST, "/openapi/environments/image/statefulset/dev", "{").await;
    let deployment = app.send_raw(Method::POST, "/openapi/environments/image/deployment/dev", "{").await;
    let cronjob = app.send_raw(Method::POST, "/openapi/environments/image/cronjob/dev", "").await;

    // Vendor quirk: a bare `return` after json.Unmarshal fails (env/handler/image.go:382-385).
    assert_success(statefulset).await;
    for response in [deployment, cronjob] {
        assert_eq!(response.status(), 400);
        assert_eq!(response.text().await.unwrap(), "");
    }
}

#[tokio::test]
async fn a_missing_workload_fails_the_patch_with_6082() {
    let app = TestApp::spawn().await;

    let body = image_body("dev", "service1", "ghost", "service1", "r/x:1");
    let response = app.update_image("deployment", "dev", &body).await;

    assert_zadig_error(response, 400, 6082, "更新服务镜像失败", "更新 Deployment 容器镜像失败").await;
}

#[tokio::test]
async fn an_unknown_service_is_6082_after_the_workload_was_patched() {
    let app = TestApp::spawn().await;

    let body = image_body("dev", "ghost", "service1", "service1", "r/service1:2");
    let response = app.update_image("deployment", "dev", &body).await;

    assert_zadig_error(response, 400, 6082, "更新服务镜像失败", "服务 ghost 不存在").await;
    let detail = app.service_detail("simple-demo", "dev", "service1").await;
    assert_eq!(detail["scales"][0]["images"][0]["image"], "r/service1:2");
    assert_eq!(app.env_detail("simple-demo", "dev").await["update_time"], NOW);
}

#[tokio::test]
async fn production_environments_cannot_have_images_updated() {
    let app = TestApp::spawn().await;

    let response =
        app.update_image("deployment", "prod", &image_body("prod", "service1", "service1", "service1", "r/x:1")).await;

    assert_zadig_error(response, 400, 6082, "更新服务镜像失败", "mongo: no documents in result").await;
}

#[tokio::test]
async fn a_type_in_the_body_overrides_the_route_and_unknown_types_are_refused() {
    let app = TestApp::spawn().await;
    let mut body = json!({"product_name": "microservice-demo", "env_name": "dev", "service_name": "redis",
        "name": "redis", "container_name": "redis", "image": "registry.example.com/demo/redis:7.4", "type": "StatefulSet"});

    let overridden = app.update_image("deployment", "dev", &body).await;
    body["type"] = json!("Job");
    let unknown = app.update_image("deployment", "dev", &body).await;

    assert_success(overridden).await;
    let redis = app.service_detail("microservice-demo", "dev", "redis").await;
    assert_eq!(redis["scales"][0]["pods"][0]["containers"][0]["image"], "registry.example.com/demo/redis:7.4");
    assert_eq!(redis["scales"][0]["pods"][0]["name"], "redis-0");
    assert_zadig_error(unknown, 400, 6082, "更新服务镜像失败", "不支持的资源类型: Job").await;
}

#[tokio::test]
async fn a_cronjob_image_changes_its_template_only() {
    let app = TestApp::spawn().await;

    let body = json!({"product_name": "microservice-demo", "env_name": "dev", "service_name": "nightly-report",
        "name": "nightly-report", "container_name": "report", "image": "koderover.tencentcloudcr.com/koderover-demo/report:v1.1.0"});
    assert_success(app.update_image("cronjob", "dev", &body).await).await;

    let detail = app.service_detail("microservice-demo", "dev", "nightly-report").await;
    assert_eq!(
        detail["cron_jobs"][0]["images"][0]["image"],
        "koderover.tencentcloudcr.com/koderover-demo/report:v1.1.0"
    );
    assert_eq!(detail["cron_jobs"][0]["pods"], json!([]));
}

#[tokio::test]
async fn the_same_image_again_rolls_nothing_but_still_moves_update_time() {
    let app = TestApp::spawn().await;
    let pods = app.pod_names("simple-demo", "dev", "service1", "service1").await;
    app.advance_clock(5);

    let image = "koderover.tencentcloudcr.com/test/service1:20231214162411";
    assert_success(
        app.update_image("deployment", "dev", &image_body("dev", "service1", "service1", "service1", image)).await,
    )
    .await;

    assert_eq!(app.pod_names("simple-demo", "dev", "service1", "service1").await, pods);
    assert_eq!(app.env_detail("simple-demo", "dev").await["update_time"], NOW + 5);
}

#[tokio::test]
async fn a_sleeping_env_refuses_scale_and_restart_with_6081() {
    // Arrange: put simple-demo/dev to sleep through the control API's state.
    let app = TestApp::spawn().await;
    let mut state = json(app.request(Method::GET, "/_mock/state").send().await.unwrap(), 200).await;
    state["projects"]["simple-demo"]["envs"]["dev"]["status"] = json!("sleeping");
    let imported = app.request(Method::PUT, "/_mock/state").json(&state).send().await.unwrap();
    assert_eq!(imported.status(), 200);

    // Act
    let scale = app.scale(&scale_body("simple-demo", "dev", "service1", "Deployment", 2)).await;
    let restart = app.restart("simple-demo", "dev", "service1").await;

    // Assert: ErrScaleService for both (env/service/service.go:61-63, :439-441).
    assert_zadig_error(scale, 400, 6081, "伸缩服务失败", "environment is sleeping").await;
    assert_zadig_error(restart, 400, 6081, "伸缩服务失败", "environment is sleeping").await;
}
