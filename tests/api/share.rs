//! Sub-environment sharing (real-behaviour.md §2.18): the workload check,
//! enabling and disabling a base environment, the readiness check a client
//! polls, and portal services.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::share_helpers::*;

/// A base environment `dev` with two sub-environments, and `other`.
const SUB_ENV_SEED: &str = r#"
clusters: [{id: c1, nodes: [10.0.0.1]}]
registries: [{id: r1, address: reg.example.com, namespace: demo, default: true}]
projects:
  - key: shop
    services:
      - name: web
        containers: [{name: web, image: reg.example.com/demo/web:1, ports: [80]}]
    environments:
      - {env_key: dev, cluster_id: c1, namespace: shop-dev, registry_id: r1, share_env: true, services: [{service_name: web}]}
      - {env_key: dev-alice, cluster_id: c1, namespace: shop-alice, registry_id: r1, sub_env: {base_env: dev}, services: [{service_name: web}]}
      - {env_key: dev-bob, cluster_id: c1, namespace: shop-bob, registry_id: r1, sub_env: {base_env: dev}}
      - {env_key: other, cluster_id: c1, namespace: shop-other, registry_id: r1}
"#;

fn env_keys(list: &Value) -> Vec<(String, String)> {
    let items = list.as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|e| (e["env_key"].as_str().unwrap().to_string(), e["status"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn workloads_without_a_kubernetes_service_are_listed_as_name_dot_kind() {
    let app = TestApp::spawn().await;

    let micro = json(app.check_k8s_services("microservice-demo", "dev").await, 200).await;
    let simple = json(app.check_k8s_services("simple-demo", "dev").await, 200).await;

    // `worker` has no port, hence no Service; the CronJob is not a candidate.
    assert_eq!(micro, json!(["worker.Deployment"]));
    assert_eq!(simple, json!([]));
}

#[tokio::test]
async fn the_workload_check_is_for_test_environments_only() {
    let app = TestApp::spawn().await;

    let response = app.check_k8s_services("simple-demo", "prod").await;

    // `Production: &false` in the lookup (share_env.go:58-66).
    let text = "failed to query env `prod` in project `simple-demo`: mongo: no documents in result";
    assert_internal_error(response, text).await;
}

#[tokio::test]
async fn the_docs_k8sservices_spelling_is_not_a_route() {
    let app = TestApp::spawn().await;

    let response = app.get("/openapi/environments/dev/check/workloads/k8sservices?projectKey=simple-demo").await;

    // The router registers `k8services` (env/handler/router.go at v3.4.0).
    assert_eq!(response.status().as_u16(), 404);
    let body = response.text().await.expect("body");
    assert_eq!(body, "Invalid path: /openapi/environments/dev/check/workloads/k8sservices");
}

#[tokio::test]
async fn every_share_endpoint_wants_a_project_key() {
    let app = TestApp::spawn().await;
    let paths = [
        (Method::GET, "/openapi/environments/dev/check/workloads/k8services"),
        (Method::POST, "/openapi/environments/dev/share/enable"),
        (Method::DELETE, "/openapi/environments/dev/share/enable"),
        (Method::GET, "/openapi/environments/dev/check/sharenv/enable/ready"),
        (Method::GET, "/openapi/environments/dev/share/portal/service1"),
        (Method::POST, "/openapi/environments/dev/share/portal/service1"),
    ];

    for (method, path) in paths {
        let response = app.request(method, path).send().await.expect("sent");
        assert_zadig_error(response, 400, 400, "Bad Request", "projectKey can't be empty").await;
    }
}

#[tokio::test]
async fn an_unknown_environment_is_a_plain_500_for_enable_disable_and_readiness() {
    let app = TestApp::spawn().await;
    let text = "failed to query env `nope` in project `simple-demo`: mongo: no documents in result";

    assert_internal_error(app.enable_share("simple-demo", "nope").await, text).await;
    assert_internal_error(app.disable_share("simple-demo", "nope").await, text).await;
    assert_internal_error(app.share_ready("simple-demo", "nope", "enable").await, text).await;
}

#[tokio::test]
async fn an_environment_that_never_shared_is_ready_by_the_disable_rule_only() {
    let app = TestApp::spawn().await;

    let enable = app.readiness("simple-demo", "dev", "enable").await;
    let disable = app.readiness("simple-demo", "dev", "disable").await;

    assert_eq!(enable, json!({"is_ready": false, "checks": checks(false, false, false, true, true)}));
    assert_eq!(disable, json!({"is_ready": true, "checks": checks(false, false, false, true, true)}));
}

#[tokio::test]
async fn without_settle_time_enabling_is_ready_at_once() {
    let app = TestApp::spawn().await;

    assert_success(app.enable_share("microservice-demo", "dev").await).await;
    let ready = app.readiness("microservice-demo", "dev", "enable").await;

    // `worker` has no Service: informational, it does not block readiness.
    assert_eq!(ready, json!({"is_ready": true, "checks": checks(true, true, true, true, false)}));
}

#[tokio::test]
async fn enabling_restarts_the_pods_and_they_gain_an_istio_proxy() {
    let app = TestApp::spawn().await;
    let before = app.pods("simple-demo", "dev");

    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let after = app.pods("simple-demo", "dev");

    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|pod| !before.contains(pod)), "{before:?} → {after:?}");
    let containers: Vec<Vec<String>> = app.store.with(|w| {
        let env = w.env("simple-demo", "dev").expect("dev");
        env.pods().map(|(_, _, p)| p.containers.iter().map(|c| c.name.to_string()).collect()).collect()
    });
    assert_eq!(containers, [["service1", "istio-proxy"], ["myapp-1", "istio-proxy"]]);
}

#[tokio::test]
async fn under_settle_the_readiness_checks_turn_true_one_after_another() {
    // Arrange: three seconds of settle time, a frozen clock.
    let app = TestApp::spawn_with(Options { settle_ms: 3_000, ..Options::default() }).await;

    // Act: enable, then look at each third of the settle time.
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let mut seen = vec![app.readiness("simple-demo", "dev", "enable").await];
    for _ in 0..3 {
        app.advance_clock(1);
        seen.push(app.readiness("simple-demo", "dev", "enable").await);
    }

    // Assert: the label at once; new pods with the sidecar, starting; the
    // pods running; the VirtualServices.
    let expected = [
        json!({"is_ready": false, "checks": checks(true, false, false, true, true)}),
        json!({"is_ready": false, "checks": checks(true, false, true, false, true)}),
        json!({"is_ready": false, "checks": checks(true, false, true, true, true)}),
        json!({"is_ready": true, "checks": checks(true, true, true, true, true)}),
    ];
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_polling_client_sees_readiness_as_the_clock_runs() {
    // Arrange: a running clock and a short settle time.
    let app = TestApp::spawn_with(Options { settle_ms: 300, ..Options::default() }).await;
    app.store.with(|w| w.clock.set_frozen(false));
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let first = app.readiness("simple-demo", "dev", "enable").await;

    // Act: poll as a client would (back to back: each round trip paces it),
    // within a deadline.
    let poll = async {
        let mut polls = 1;
        while app.readiness("simple-demo", "dev", "enable").await["is_ready"] != json!(true) {
            polls += 1;
        }
        polls
    };
    let polls = tokio::time::timeout(std::time::Duration::from_secs(5), poll).await.expect("ready in time");

    // Assert
    assert_eq!(first["is_ready"], false);
    assert!(polls > 1);
}

#[tokio::test]
async fn disabling_under_settle_is_ready_by_the_disable_rule_once_the_pods_ran_again() {
    let app = TestApp::spawn_with(Options { settle_ms: 3_000, ..Options::default() }).await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    app.advance_clock(3);

    assert_success(app.disable_share("simple-demo", "dev").await).await;
    let mut seen = vec![app.readiness("simple-demo", "dev", "disable").await];
    for _ in 0..2 {
        app.advance_clock(1);
        seen.push(app.readiness("simple-demo", "dev", "disable").await);
    }

    // Label and VirtualServices go at once; then pods without the sidecar
    // start (the check gives up at the first pod neither ready nor
    // injected); then they run.
    let expected = [
        json!({"is_ready": false, "checks": checks(false, false, true, true, true)}),
        json!({"is_ready": false, "checks": checks(false, false, false, false, true)}),
        json!({"is_ready": true, "checks": checks(false, false, false, true, true)}),
    ];
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn any_op_but_enable_is_judged_by_the_disable_rule() {
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;

    let whatever = app.readiness("simple-demo", "dev", "whatever").await;

    // `ShareEnvOp(op)` is not validated (`CheckAndSetReady`'s default branch).
    assert_eq!(whatever["is_ready"], false);
    assert_eq!(whatever["checks"], checks(true, true, true, true, true));
}

#[tokio::test]
async fn enabling_bumps_update_time_only_when_the_environment_was_not_a_base() {
    let app = TestApp::spawn().await;
    app.advance_clock(100);
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    app.advance_clock(100);

    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let env = json(app.list_envs("simple-demo").await, 200).await;

    assert_eq!(env[0]["update_time"], 1_700_000_100);
}

#[tokio::test]
async fn disabling_deletes_the_sub_environments() {
    // Arrange
    let app = TestApp::spawn_with(Options { seed: Some(SUB_ENV_SEED.into()), ..Options::default() }).await;

    // Act
    assert_success(app.disable_share("shop", "dev").await).await;
    let envs = json(app.list_envs("shop").await, 200).await;

    // Assert
    let expected = [("dev".to_string(), "success".to_string()), ("other".to_string(), "success".to_string())];
    assert_eq!(env_keys(&envs), expected);
}

#[tokio::test]
async fn under_settle_the_sub_environments_are_deleting_first() {
    let options = Options { seed: Some(SUB_ENV_SEED.into()), settle_ms: 2_000, ..Options::default() };
    let app = TestApp::spawn_with(options).await;

    assert_success(app.disable_share("shop", "dev").await).await;
    let during = env_keys(&json(app.list_envs("shop").await, 200).await);
    app.advance_clock(2);
    let after = env_keys(&json(app.list_envs("shop").await, 200).await);

    let status: Vec<&str> = during.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(status, ["success", "deleting", "deleting", "success"]);
    assert_eq!(after.len(), 2);
}

#[tokio::test]
async fn a_sub_environment_runs_in_the_mesh() {
    let app = TestApp::spawn_with(Options { seed: Some(SUB_ENV_SEED.into()), ..Options::default() }).await;

    let ready = app.readiness("shop", "dev-alice", "enable").await;

    assert_eq!(ready, json!({"is_ready": true, "checks": checks(true, true, true, true, true)}));
}

#[tokio::test]
async fn a_client_can_share_poll_set_a_portal_and_tail_a_log_against_the_demo_world() {
    let app = TestApp::spawn_with(Options { settle_ms: 900, ..Options::default() }).await;

    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let mut polls = 1;
    while app.readiness("simple-demo", "dev", "enable").await["is_ready"] != json!(true) {
        assert!(polls < 5, "ready within the settle time");
        app.advance_clock(1);
        polls += 1;
    }
    let servers = json!([{"host": "shop.example.com", "port_number": 80, "port_protocol": "HTTP"}]);
    assert_success(app.set_portal("simple-demo", "dev", "service1", &servers).await).await;
    app.advance_clock(30);
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let query = "projectKey=simple-demo&envName=dev&tails=3";
    let proxy = app.follow_log(&pod, "istio-proxy", query).await.events(3).await;

    assert!(proxy.iter().all(|line| line.starts_with("[2023-11-14T22:13:")), "{proxy:?}");
}

#[tokio::test]
async fn pods_created_after_enabling_keep_the_sidecar() {
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("microservice-demo", "dev").await).await;

    assert_success(app.restart("microservice-demo", "dev", "frontend").await).await;
    let scale = json!({
        "project_key": "microservice-demo", "env_key": "dev", "workload_name": "backend",
        "workload_type": "Deployment", "target_replicas": 3
    });
    assert_success(app.scale(&scale).await).await;
    let ready = app.readiness("microservice-demo", "dev", "enable").await;

    // Istio injects into every pod created while the label is on.
    assert_eq!(ready, json!({"is_ready": true, "checks": checks(true, true, true, true, false)}));
}
