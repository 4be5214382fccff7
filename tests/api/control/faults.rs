//! `POST/GET/DELETE /_mock/faults`: slow, failing and dropped requests.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use super::helpers::control_error;
use crate::helpers::*;

#[tokio::test]
async fn a_fault_with_times_1_hits_exactly_once() {
    // Arrange
    let app = TestApp::spawn().await;
    let fault =
        json(app.add_fault(&json!({"path": "/openapi/environments", "status": 503, "times": 1})).await, 200).await;

    // Act
    let first = app.list_envs("simple-demo").await;
    let second = app.list_envs("simple-demo").await;
    let third = app.list_envs("simple-demo").await;

    // Assert
    assert_eq!(fault["id"], 1);
    assert_eq!(fault["hits"], 0);
    assert_eq!(first.status().as_u16(), 503);
    assert_eq!(second.status().as_u16(), 200);
    assert_eq!(third.status().as_u16(), 200);
    let listed = json(app.list_faults().await, 200).await;
    assert_eq!(listed[0]["hits"], 1);
}

#[tokio::test]
async fn a_status_fault_answers_with_a_zadig_error_by_default() {
    // Arrange
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"method": "GET", "path": "/openapi/environments", "status": 403})).await;
    app.add_fault(&json!({"method": "POST", "path": "/openapi/environments", "status": 500})).await;

    // Act
    let forbidden = app.list_envs("simple-demo").await;
    let internal = app.create_env("simple-demo", &new_env_body("dev9")).await;

    // Assert: the HTTPError and plain-error envelopes of `pkg/tool/errors/errors.go`.
    assert_zadig_error(forbidden, 403, 403, "Forbidden", "fault 1 injected by zadig-mock").await;
    assert_internal_error(internal, "fault 2 injected by zadig-mock").await;
    let envs = json(app.list_envs("simple-demo").await, 403).await;
    assert_eq!(envs["code"], 403, "the fault keeps acting without times");
}

#[tokio::test]
async fn a_status_fault_can_carry_its_own_body() {
    // Arrange
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"path": "/openapi/environments", "status": 502, "body": {"oops": true}, "times": 1})).await;
    app.add_fault(&json!({"path": "/openapi/environments", "status": 504, "body": "upstream timeout", "times": 1}))
        .await;

    // Act
    let as_json = app.list_envs("simple-demo").await;
    let as_text = app.list_envs("simple-demo").await;

    // Assert
    assert_eq!(json(as_json, 502).await, json!({"oops": true}));
    assert_eq!(as_text.status().as_u16(), 504);
    assert_eq!(as_text.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(as_text.text().await.unwrap(), "upstream timeout");
}

#[tokio::test]
async fn a_fault_on_a_route_template_matches_every_path_of_that_route() {
    // Arrange
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"path": "/openapi/environments/{env}", "method": "GET", "status": 500})).await;

    // Act
    let dev = app.get_env("simple-demo", "dev").await;
    let other = app.get_env("simple-demo", "anything").await;
    let list = app.list_envs("simple-demo").await;

    // Assert
    assert_internal_error(dev, "fault 1 injected by zadig-mock").await;
    assert_internal_error(other, "fault 1 injected by zadig-mock").await;
    assert_eq!(list.status().as_u16(), 200);
}

#[tokio::test]
async fn a_fault_with_a_project_matches_projectkey_or_the_body_project_key() {
    // Arrange
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"project": "microservice-demo", "status": 409})).await;

    // Act
    let other_project = app.list_envs("simple-demo").await;
    let by_query = app.list_envs("microservice-demo").await;
    let scale =
        json!({"project_key": "microservice-demo", "env_key": "dev", "workload_name": "x", "type": "Deployment"});
    let by_body = app.send_json(Method::POST, "/openapi/environments/scale", &scale).await;

    // Assert
    assert_eq!(other_project.status().as_u16(), 200);
    assert_eq!(by_query.status().as_u16(), 409);
    assert_eq!(by_body.status().as_u16(), 409);
}

#[tokio::test]
async fn latency_delays_the_answer_and_then_lets_it_through() {
    // Arrange
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"path": "/openapi/environments", "latency_ms": 300})).await;
    let started = Instant::now();

    // Act
    let response = app.list_envs("simple-demo").await;

    // Assert
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status().as_u16(), 200);
    let journal = app.journal("").await;
    assert!(journal[0]["duration_ms"].as_u64().unwrap() >= 300, "{journal}");
    assert_eq!(journal[0]["fault"], 1);
}

#[tokio::test]
async fn latency_holds_no_lock_so_other_requests_go_on() {
    // Arrange
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"path": "/openapi/environments/{env}", "latency_ms": 2000})).await;

    // Act: while one request waits, another is answered at once.
    let slow = app.get_env("simple-demo", "dev");
    let quick = async {
        let started = Instant::now();
        let response = app.list_envs("simple-demo").await;
        (started.elapsed(), response.status().as_u16())
    };
    let (slow, (quick_took, quick_status)) = tokio::join!(slow, quick);

    // Assert
    assert_eq!(quick_status, 200);
    assert!(quick_took < Duration::from_millis(1500), "{quick_took:?}");
    assert_eq!(slow.status().as_u16(), 200);
}

#[tokio::test]
async fn abort_drops_the_connection_without_an_answer() {
    // Arrange
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"path": "/openapi/environments", "abort": true, "times": 1})).await;

    // Act
    let dropped = match app.request(Method::GET, "/openapi/environments?projectKey=simple-demo").send().await {
        Ok(response) => response.bytes().await.err(),
        Err(err) => Some(err),
    };
    let after = app.list_envs("simple-demo").await;

    // Assert
    assert!(dropped.is_some(), "the request got a complete answer");
    assert_eq!(after.status().as_u16(), 200);
    let journal = app.journal("").await;
    assert_eq!(journal[0]["status"], serde_json::Value::Null);
    assert_eq!(journal[0]["fault"], 1);
}

#[tokio::test]
async fn faults_are_listed_and_removed_by_id_or_all_at_once() {
    // Arrange
    let app = TestApp::spawn().await;
    for status in [500, 502, 503] {
        app.add_fault(&json!({"status": status})).await;
    }

    // Act
    let removed = json(app.delete_fault("2").await, 200).await;
    let listed = json(app.list_faults().await, 200).await;
    let missing = app.delete_fault("2").await;
    let cleared = json(app.clear_faults().await, 200).await;

    // Assert
    assert_eq!(removed["status"], 502);
    assert_eq!(listed.as_array().unwrap().iter().map(|f| f["id"].as_u64().unwrap()).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(control_error(missing, 404).await, "no fault with id \"2\"");
    assert_eq!(cleared["message"], "removed 2 faults");
    assert_eq!(json(app.list_faults().await, 200).await, json!([]));
    assert_eq!(app.list_envs("simple-demo").await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_fault_is_listed_with_every_field() {
    let app = TestApp::spawn().await;

    let fault = json(app.add_fault(&json!({"method": "get", "latency_ms": 10, "probability": 0.25})).await, 200).await;

    let expected = json!({
        "id": 1, "method": "GET", "path": null, "project": null, "latency_ms": 10, "status": null,
        "body": null, "abort": false, "times": null, "probability": 0.25, "hits": 0
    });
    assert_eq!(fault, expected);
}

#[tokio::test]
async fn an_invalid_fault_is_refused_with_a_reason() {
    let app = TestApp::spawn().await;

    let nothing = app.add_fault(&json!({"path": "/openapi/environments"})).await;
    let typo = app.add_fault(&json!({"stauts": 500})).await;
    let not_json = app.send_raw(Method::POST, "/_mock/faults", "{").await;

    assert_eq!(control_error(nothing, 400).await, "a fault needs latency_ms, status or abort: true");
    assert!(control_error(typo, 400).await.contains("unknown field `stauts`"));
    assert!(control_error(not_json, 400).await.starts_with("invalid body"));
    assert_eq!(json(app.list_faults().await, 200).await, json!([]));
}

#[tokio::test]
async fn faults_never_act_on_the_control_api_itself() {
    let app = TestApp::spawn().await;
    app.add_fault(&json!({"abort": true})).await;

    let listed = app.list_faults().await;

    assert_eq!(listed.status().as_u16(), 200);
}

#[tokio::test]
async fn probability_draws_repeat_from_run_to_run() {
    // Arrange: two servers with the same seed.
    let (one, two) = (TestApp::spawn().await, TestApp::spawn().await);
    let fault = json!({"path": "/openapi/environments", "status": 500, "probability": 0.5});
    one.add_fault(&fault).await;
    two.add_fault(&fault).await;

    // Act
    let mut runs = Vec::new();
    for app in [&one, &two] {
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(app.list_envs("simple-demo").await.status().as_u16());
        }
        runs.push(statuses);
    }

    // Assert
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&200) && runs[0].contains(&500), "{:?}", runs[0]);
}
