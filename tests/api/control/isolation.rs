//! `--isolate`: a world per token.

use reqwest::Method;
use serde_json::json;

use super::binary::Server;
use super::helpers::env_keys;
use crate::helpers::*;

async fn envs_of(app: &TestApp, token: &str) -> Vec<String> {
    let response = app.request_as(token, Method::GET, "/openapi/environments?projectKey=simple-demo").send().await;
    env_keys(&json(response.expect("request sent"), 200).await)
}

async fn control_as(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let response = app.request_as(token, method, path).json(&body).send().await.expect("request sent");
    json(response, 200).await
}

#[tokio::test]
async fn two_isolated_tokens_never_see_each_others_changes() {
    // Arrange
    let app = TestApp::spawn_with(Options { isolate: true, ..Default::default() }).await;
    let create = app.request_as("alice", Method::POST, "/openapi/environments?projectKey=simple-demo");

    // Act: alice changes her world, her clock and her faults.
    create.json(&new_env_body("dev9")).send().await.expect("request sent");
    control_as(&app, "alice", Method::POST, "/_mock/clock", json!({"advance": "1h"})).await;
    let fault = json!({"path": "/openapi/environments", "status": 500});
    control_as(&app, "alice", Method::POST, "/_mock/faults", fault).await;

    // Assert: bob sees the seed world, the seed clock, no faults and none of alice's requests.
    assert_eq!(envs_of(&app, "bob").await, vec!["dev"]);
    assert_eq!(control_as(&app, "bob", Method::GET, "/_mock/clock", json!(null)).await["now"], 1_700_000_000);
    assert_eq!(control_as(&app, "bob", Method::GET, "/_mock/faults", json!(null)).await, json!([]));
    let bobs_journal = control_as(&app, "bob", Method::GET, "/_mock/requests", json!(null)).await;
    assert_eq!(bobs_journal.as_array().map(Vec::len), Some(1), "only bob's own list: {bobs_journal}");
    let alices_journal = control_as(&app, "alice", Method::GET, "/_mock/requests", json!(null)).await;
    assert_eq!(alices_journal[0]["method"], "POST");
    assert_eq!(control_as(&app, "alice", Method::GET, "/_mock/clock", json!(null)).await["now"], 1_700_003_600);
}

#[tokio::test]
async fn a_reset_or_restore_by_one_token_leaves_the_others_alone() {
    // Arrange
    let app = TestApp::spawn_with(Options { isolate: true, ..Default::default() }).await;
    for token in ["alice", "bob"] {
        let create = app.request_as(token, Method::POST, "/openapi/environments?projectKey=simple-demo");
        create.json(&new_env_body(&format!("{token}-env"))).send().await.expect("request sent");
    }
    control_as(&app, "bob", Method::POST, "/_mock/snapshots/mine", json!(null)).await;

    // Act
    control_as(&app, "alice", Method::POST, "/_mock/reset", json!(null)).await;
    let alices_snapshots = control_as(&app, "alice", Method::GET, "/_mock/snapshots", json!(null)).await;

    // Assert
    assert_eq!(envs_of(&app, "alice").await, vec!["dev"]);
    assert_eq!(envs_of(&app, "bob").await, vec!["dev", "bob-env"]);
    assert_eq!(alices_snapshots, json!([]));
}

#[tokio::test]
async fn without_isolate_every_token_shares_one_world() {
    let app = TestApp::spawn().await;
    let create = app.request_as("alice", Method::POST, "/openapi/environments?projectKey=simple-demo");

    create.json(&new_env_body("dev9")).send().await.expect("request sent");

    assert_eq!(envs_of(&app, "bob").await, vec!["dev", "dev9"]);
}

#[tokio::test]
async fn isolate_and_the_journal_limit_can_be_set_from_the_environment() {
    // Arrange
    let vars = [("ZADIG_MOCK_ISOLATE", "true"), ("ZADIG_MOCK_JOURNAL_LIMIT", "2")];
    let server = Server::start_with_env(&[], &vars);
    let create = server.request_as("alice", Method::POST, "/openapi/environments?projectKey=simple-demo");
    create.json(&new_env_body("dev9")).send().await.expect("request sent");

    // Act
    for _ in 0..3 {
        server.request_as("alice", Method::GET, "/openapi/environments?projectKey=simple-demo").send().await.unwrap();
    }
    let bob = server.request_as("bob", Method::GET, "/openapi/environments?projectKey=simple-demo").send().await;
    let journal = server.request_as("alice", Method::GET, "/_mock/requests").send().await;

    // Assert
    assert_eq!(env_keys(&json(bob.unwrap(), 200).await), vec!["dev"]);
    let journal = json(journal.unwrap(), 200).await;
    let ids: Vec<u64> = journal.as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, vec![3, 4]);
}
