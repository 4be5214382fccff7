//! Hostile YAML over HTTP: the parse budget answers in milliseconds with a
//! clear error, and the server goes on serving.

use std::time::{Duration, Instant};

use serde_json::json;

use super::helpers::*;
use crate::helpers::*;

const UPDATE_RESOURCE: &str = "更新对象资源失败";

/// Ten levels of nine aliases each: 9^10 "lol"s if expanded.
fn billion_laughs() -> String {
    let mut doc = String::from(
        "kind: ConfigMap\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for name in 'b'..='j' {
        let refs = vec![format!("*{prev}"); 9].join(",");
        doc.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    doc
}

/// Asserts the reply came within a second and that the server still serves.
async fn assert_fast_and_healthy(app: &TestApp, started: Instant) {
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    let health = app.client.get(format!("{}/healthz", app.address)).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(app.envcfg_names("simple-demo", "dev", "Secret").await, ["demo-credentials"]);
}

#[tokio::test]
async fn an_alias_bomb_is_refused_as_excessive_aliasing() {
    // Arrange
    let app = TestApp::spawn().await;
    let body = cfg_body("bomb", "ConfigMap", &billion_laughs());

    // Act
    let started = Instant::now();
    let response = app.create_envcfg("simple-demo", "dev", &body).await;

    // Assert: go-yaml's own words for it.
    let description = "error converting YAML to JSON: yaml: document contains excessive aliasing";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
    assert_fast_and_healthy(&app, started).await;
}

#[tokio::test]
async fn an_alias_bomb_on_update_and_at_environment_creation_is_refused_too() {
    let app = TestApp::spawn().await;
    let mut env = new_env_body("dev7");
    env["env_configs"] = json!([{"yaml_data": billion_laughs()}]);

    let started = Instant::now();
    let update =
        app.update_envcfg("simple-demo", &update_body("dev", "game-demo", "ConfigMap", &billion_laughs())).await;
    let creation = app.create_env("simple-demo", &env).await;

    let text = "yaml: document contains excessive aliasing";
    assert_zadig_error(update, 400, 6095, UPDATE_RESOURCE, text).await;
    let multi = format!("1 error occurred:\n\t* 创建环境失败: 创建环境配置 dev7 失败:{text}\n\n");
    assert_internal_error(creation, &multi).await;
    assert_fast_and_healthy(&app, started).await;
}

#[tokio::test]
async fn deep_nesting_is_refused_at_the_depth_limit() {
    let app = TestApp::spawn().await;
    let flow = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
    let block: String = (0..500).map(|i| format!("{}k:\n", " ".repeat(i))).collect();

    let started = Instant::now();
    let flow_reply = app.create_envcfg("simple-demo", "dev", &cfg_body("deep", "ConfigMap", &flow)).await;
    let block_reply = app.create_envcfg("simple-demo", "dev", &cfg_body("deep", "ConfigMap", &block)).await;

    let description = "error converting YAML to JSON: yaml: exceeded max depth of 64";
    assert_zadig_error(flow_reply, 400, 6095, UPDATE_RESOURCE, description).await;
    assert_zadig_error(block_reply, 400, 6095, UPDATE_RESOURCE, description).await;
    assert_fast_and_healthy(&app, started).await;
}

#[tokio::test]
async fn a_document_over_kube_apiservers_request_limit_is_refused_before_parsing() {
    let app = TestApp::spawn().await;
    let yaml = format!("kind: ConfigMap\ndata:\n  blob: {}\n", "x".repeat(3 * 1024 * 1024));

    let started = Instant::now();
    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("big", "ConfigMap", &yaml)).await;

    let description = format!(
        "error converting YAML to JSON: yaml: document is {} bytes, more than the limit of 3145728",
        yaml.len()
    );
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, &description).await;
    assert_fast_and_healthy(&app, started).await;
}

#[tokio::test]
async fn a_document_of_too_many_nodes_is_refused_quickly() {
    let app = TestApp::spawn().await;
    let yaml: String = (0..20_000).map(|i| format!("k{i}: v\n")).collect();

    let started = Instant::now();
    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("wide", "ConfigMap", &yaml)).await;

    let description = "error converting YAML to JSON: yaml: document has more than 10000 nodes";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
    assert_fast_and_healthy(&app, started).await;
}

#[tokio::test]
async fn a_configmap_over_one_mebibyte_is_refused_by_kubernetes_validation() {
    let app = TestApp::spawn().await;
    let yaml = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: {}\n",
        "x".repeat(1024 * 1024 + 1)
    );

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("big", "ConfigMap", &yaml)).await;

    let description = "ConfigMap \"big\" is invalid: []: Too long: must have at most 1048576 bytes";
    assert_zadig_error(response, 400, 6095, UPDATE_RESOURCE, description).await;
}

#[tokio::test]
async fn invalid_yaml_names_its_line_and_the_server_goes_on() {
    let app = TestApp::spawn().await;
    let yaml = "apiVersion: v1\nkind: ConfigMap\n  metadata: x\n";

    let started = Instant::now();
    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("bad", "ConfigMap", yaml)).await;

    let body = json(response, 400).await;
    let description = body["description"].as_str().unwrap();
    assert!(description.starts_with("error converting YAML to JSON: yaml: line 3: "), "{description}");
    assert_eq!(body["code"], 6095);
    assert_fast_and_healthy(&app, started).await;
}

#[tokio::test]
async fn only_the_first_document_is_read_and_the_whole_text_is_kept() {
    // go-yaml's `Unmarshal` reads the first document of a stream only.
    let app = TestApp::spawn().await;
    let yaml = format!("{}---\nkind: Secret\nnot: [valid\n", configmap("first"));

    let response = app.create_envcfg("simple-demo", "dev", &cfg_body("first", "ConfigMap", &yaml)).await;

    assert_success(response).await;
    assert_eq!(app.envcfg_yaml("simple-demo", "dev", "first", "ConfigMap").await, yaml);
}

#[tokio::test]
async fn yaml_is_returned_exactly_as_sent_comments_quotes_and_all() {
    let app = TestApp::spawn().await;
    let yaml = "# kept\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'odd-style',   labels: {a: \"b\"}}\ndata:\n  k: >\n    folded\n    text\n  u: \"ünïcødé <&>\"\n";

    assert_success(app.create_envcfg("simple-demo", "dev", &cfg_body("x", "ConfigMap", yaml)).await).await;

    assert_eq!(app.envcfg_yaml("simple-demo", "dev", "odd-style", "ConfigMap").await, yaml);
}

#[tokio::test]
async fn hostile_requests_in_parallel_leave_other_requests_answered() {
    let app = TestApp::spawn().await;
    let body = cfg_body("bomb", "ConfigMap", &billion_laughs());

    let started = Instant::now();
    let bombs = (0..8).map(|_| app.create_envcfg("simple-demo", "dev", &body));
    let (replies, list) =
        tokio::join!(futures_util::future::join_all(bombs), app.list_envcfgs("simple-demo", "dev", "ConfigMap"));

    assert_eq!(list.status(), 200);
    assert!(replies.iter().all(|r| r.status() == 400));
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}
