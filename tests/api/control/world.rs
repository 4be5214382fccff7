//! Reset, state export and import, and named snapshots; the control API's
//! token rule and errors.

use reqwest::Method;
use serde_json::json;

use super::helpers::{control_error, env_keys};
use crate::helpers::*;

#[tokio::test]
async fn reset_brings_back_the_seed_world_with_an_empty_journal_no_faults_and_the_seed_clock() {
    // Arrange
    let app = TestApp::spawn().await;
    app.create_env("simple-demo", &new_env_body("dev9")).await;
    app.add_fault(&json!({"path": "/openapi/nowhere", "status": 500})).await;
    app.set_clock(&json!({"advance": "1h"})).await;

    // Act
    let reply = json(app.reset().await, 200).await;

    // Assert
    assert_eq!(reply, json!({"message": "reset to the seed world"}));
    assert_eq!(env_keys(&json(app.list_envs("simple-demo").await, 200).await), vec!["dev"]);
    assert_eq!(json(app.list_faults().await, 200).await, json!([]));
    assert_eq!(app.clock().await["now"], 1_700_000_000);
    let journal = app.journal("").await;
    assert_eq!(journal.as_array().map(Vec::len), Some(1), "only the list after the reset: {journal}");
    assert_eq!(journal[0]["id"], 1);
}

#[tokio::test]
async fn an_exported_state_imports_back_exactly() {
    // Arrange
    let app = TestApp::spawn().await;
    app.create_env("simple-demo", &new_env_body("dev9")).await;
    let exported = app.export_state().await.text().await.unwrap();
    app.reset().await;

    // Act
    let reply = json(app.import_state(exported.clone()).await, 200).await;

    // Assert
    assert_eq!(reply, json!({"message": "state imported"}));
    assert_eq!(env_keys(&json(app.list_envs("simple-demo").await, 200).await), vec!["dev", "dev9"]);
    assert_eq!(app.export_state().await.text().await.unwrap(), exported);
}

#[tokio::test]
async fn the_export_holds_the_clock_generator_and_projects() {
    let app = TestApp::spawn().await;

    let state = json(app.export_state().await, 200).await;

    assert_eq!(state["clock"]["frozen_at_ms"], 1_700_000_000_000i64);
    assert!(state["rng"]["state"].is_u64());
    assert!(state["projects"]["simple-demo"]["envs"]["dev"].is_object());
}

#[tokio::test]
async fn a_bad_state_document_is_refused_and_changes_nothing() {
    // Arrange
    let app = TestApp::spawn().await;
    let mut misfiled = json(app.export_state().await, 200).await;
    let envs = misfiled["projects"]["simple-demo"]["envs"].as_object_mut().unwrap();
    let dev = envs.remove("dev").unwrap();
    envs.insert("elsewhere".into(), dev);
    let before = app.export_state().await.text().await.unwrap();

    // Act
    let garbage = app.import_state("{\"projects\": 3").await;
    let wrong_shape = app.import_state("{\"projects\": {}}").await;
    let inconsistent = app.import_state(misfiled.to_string()).await;

    // Assert
    assert!(control_error(garbage, 400).await.starts_with("not a zadig-mock world"));
    assert!(control_error(wrong_shape, 400).await.contains("missing field"));
    assert!(control_error(inconsistent, 400).await.contains("filed under another name"));
    assert_eq!(app.export_state().await.text().await.unwrap(), before);
}

#[tokio::test]
async fn a_snapshot_restores_the_world_as_it_was_saved() {
    // Arrange
    let app = TestApp::spawn().await;
    let saved = json(app.save_snapshot("base").await, 200).await;
    app.create_env("simple-demo", &new_env_body("dev9")).await;
    app.set_clock(&json!({"advance": 60})).await;

    // Act
    let restored = json(app.restore_snapshot("base").await, 200).await;

    // Assert
    assert_eq!(saved, json!({"name": "base", "saved_at": 1_700_000_000}));
    assert_eq!(restored, json!({"message": "restored snapshot \"base\""}));
    assert_eq!(env_keys(&json(app.list_envs("simple-demo").await, 200).await), vec!["dev"]);
    assert_eq!(app.clock().await["now"], 1_700_000_000, "the clock is part of the world");
}

#[tokio::test]
async fn snapshots_are_listed_by_name_survive_a_reset_and_can_be_deleted() {
    // Arrange
    let app = TestApp::spawn().await;
    app.save_snapshot("second").await;
    app.set_clock(&json!({"advance": "10s"})).await;
    app.save_snapshot("first").await;

    // Act
    app.reset().await;
    let listed = json(app.list_snapshots().await, 200).await;
    let deleted = app.control(Method::DELETE, "/_mock/snapshots/first").await;
    let after = json(app.list_snapshots().await, 200).await;

    // Assert
    let expected = json!([
        {"name": "first", "saved_at": 1_700_000_010},
        {"name": "second", "saved_at": 1_700_000_000}
    ]);
    assert_eq!(listed, expected);
    assert_eq!(deleted.status().as_u16(), 200);
    assert_eq!(after, json!([{"name": "second", "saved_at": 1_700_000_000}]));
}

#[tokio::test]
async fn restoring_an_unknown_snapshot_is_a_404() {
    let app = TestApp::spawn().await;

    let response = app.restore_snapshot("nope").await;

    assert_eq!(control_error(response, 404).await, "no snapshot named \"nope\"");
}

#[tokio::test]
async fn the_control_api_follows_the_token_rule_of_the_openapi() {
    // Arrange
    let app = TestApp::spawn_with(Options { tokens: vec!["good".into()], ..Default::default() }).await;

    // Act
    let anonymous = app.client.post(format!("{}/_mock/reset", app.address)).send().await.unwrap();
    let stranger = app.request_as("bad", Method::POST, "/_mock/reset").send().await.unwrap();
    let owner = app.request_as("good", Method::POST, "/_mock/reset").send().await.unwrap();

    // Assert
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(stranger.status().as_u16(), 401);
    assert_eq!(owner.status().as_u16(), 200);
}

#[tokio::test]
async fn unknown_control_paths_and_methods_are_json_errors() {
    let app = TestApp::spawn().await;

    let unknown = app.get("/_mock/nothing-here").await;
    let wrong_method = app.get("/_mock/reset").await;

    assert_eq!(control_error(unknown, 404).await, "no control endpoint /_mock/nothing-here");
    assert_eq!(control_error(wrong_method, 405).await, "Method not allowed: GET /_mock/reset");
}
