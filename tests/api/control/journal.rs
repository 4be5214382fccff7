//! `GET/DELETE /_mock/requests`: the request journal.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_journal_records_each_openapi_request_with_its_route_body_status_and_time() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    app.get_env("simple-demo", "dev").await;
    app.create_env("simple-demo", &new_env_body("dev9")).await;
    let journal = app.journal("").await;

    // Assert
    assert_eq!(journal.as_array().map(Vec::len), Some(2));
    let expected_first = json!({
        "id": 1,
        "time": 1_700_000_000,
        "method": "GET",
        "path": "/openapi/environments/dev",
        "query": {"projectKey": "simple-demo"},
        "route": "/openapi/environments/{env}",
        "body": null,
        "body_truncated": false,
        "status": 200,
        "duration_ms": journal[0]["duration_ms"],
        "fault": null
    });
    assert_eq!(journal[0], expected_first);
    assert_eq!(journal[1]["method"], "POST");
    assert_eq!(journal[1]["route"], "/openapi/environments");
    assert_eq!(journal[1]["body"], new_env_body("dev9"));
    assert_eq!(journal[1]["status"], 200);
}

#[tokio::test]
async fn the_journal_records_failures_and_unmatched_paths_too() {
    let app = TestApp::spawn().await;

    app.send_raw(Method::POST, "/openapi/environments?projectKey=simple-demo", "not json").await;
    app.get("/openapi/nowhere").await;
    let journal = app.journal("").await;

    assert_eq!(journal[0]["body"], "not json");
    assert_eq!(journal[0]["status"], 500);
    assert_eq!(journal[1]["route"], serde_json::Value::Null);
    assert_eq!(journal[1]["status"], 404);
}

#[tokio::test]
async fn the_journal_records_each_query_parameter_once_with_its_first_value() {
    let app = TestApp::spawn().await;

    app.get("/openapi/environments/dev?projectKey=simple-demo&b=%E7%8E%AF+1&projectKey=other").await;
    let text = app.get("/_mock/requests").await.text().await.expect("the journal's text");

    // In the order sent, which a parsed `Value` would not show.
    assert!(text.contains(r#""query":{"projectKey":"simple-demo","b":"环 1"}"#), "{text}");
}

#[tokio::test]
async fn the_journal_filters_by_method_path_and_route() {
    // Arrange
    let app = TestApp::spawn().await;
    app.get_env("simple-demo", "dev").await;
    app.get_env("simple-demo", "prod").await;
    app.list_envs("simple-demo").await;
    app.delete_env("simple-demo", "dev", "true").await;

    // Act
    let by_route = app.journal("?route=/openapi/environments/{env}").await;
    let by_method = app.journal("?method=delete").await;
    let by_path = app.journal("?path=/openapi/environments/prod").await;
    let combined = app.journal("?method=GET&route=/openapi/environments/{env}&path=/openapi/environments/dev").await;

    // Assert
    assert_eq!(by_route.as_array().map(Vec::len), Some(3));
    assert_eq!(by_method.as_array().map(Vec::len), Some(1));
    assert_eq!(by_path[0]["id"], 2);
    assert_eq!(combined.as_array().map(Vec::len), Some(1));
    assert_eq!(combined[0]["id"], 1);
}

#[tokio::test]
async fn deleting_the_journal_empties_it_and_ids_keep_counting() {
    let app = TestApp::spawn().await;
    app.list_envs("simple-demo").await;

    let cleared = json(app.clear_journal().await, 200).await;
    app.list_envs("simple-demo").await;
    let journal = app.journal("").await;

    assert_eq!(cleared, json!({"message": "cleared 1 request"}));
    assert_eq!(journal.as_array().map(Vec::len), Some(1));
    assert_eq!(journal[0]["id"], 2);
}

#[tokio::test]
async fn the_journal_keeps_only_the_newest_entries_beyond_its_limit() {
    let app = TestApp::spawn_with(Options { journal_limit: 3, ..Default::default() }).await;

    for _ in 0..5 {
        app.list_envs("simple-demo").await;
    }
    let journal = app.journal("").await;

    let ids: Vec<u64> = journal.as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, vec![3, 4, 5]);
}

#[tokio::test]
async fn control_requests_healthz_and_refused_requests_are_not_journaled() {
    let app = TestApp::spawn().await;

    app.get("/_mock/clock").await;
    app.journal("").await;
    app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    app.client.get(format!("{}/openapi/environments?projectKey=simple-demo", app.address)).send().await.unwrap();
    let journal = app.journal("").await;

    assert_eq!(journal, json!([]));
}

#[tokio::test]
async fn long_bodies_are_recorded_cut_short() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(70 * 1024);

    app.request(Method::POST, "/openapi/environments?projectKey=simple-demo").body(long).send().await.unwrap();
    let journal = app.journal("").await;

    assert_eq!(journal[0]["body_truncated"], true);
    assert_eq!(journal[0]["body"].as_str().map(str::len), Some(64 * 1024));
}

#[tokio::test]
async fn a_head_request_is_journaled_under_its_own_method() {
    let app = TestApp::spawn().await;

    app.request(Method::HEAD, "/openapi/environments?projectKey=simple-demo").send().await.unwrap();
    let journal = app.journal("?method=HEAD").await;

    assert_eq!(journal[0]["method"], "HEAD");
    assert_eq!(journal[0]["status"], 405);
}
