//! `GET/POST /_mock/clock`: the virtual clock behind every time shown and
//! every `--settle` transition; and the settler that applies transitions
//! with nobody asking.

use std::time::Duration;

use serde_json::json;

use super::helpers::control_error;
use crate::helpers::*;

#[tokio::test]
async fn the_clock_shows_the_virtual_time() {
    let app = TestApp::spawn().await;

    let clock = app.clock().await;

    assert_eq!(clock, json!({"now": 1_700_000_000, "now_ms": 1_700_000_000_000i64, "frozen": true}));
}

#[tokio::test]
async fn advancing_the_clock_completes_a_settle_transition_at_once() {
    // Arrange
    let app = TestApp::spawn_with(Options { settle_ms: 600_000, ..Default::default() }).await;
    assert_success(app.delete_env("simple-demo", "dev", "true").await).await;
    assert_eq!(json(app.list_envs("simple-demo").await, 200).await[0]["status"], "deleting");

    // Act
    let clock = json(app.set_clock(&json!({"advance": "10m"})).await, 200).await;

    // Assert
    assert_eq!(clock["now"], 1_700_000_600);
    assert_eq!(json(app.list_envs("simple-demo").await, 200).await, json!([]));
}

#[tokio::test]
async fn setting_the_clock_moves_the_times_the_api_shows() {
    // Arrange
    let app = TestApp::spawn_with(Options { settle_ms: 5_000, ..Default::default() }).await;
    app.set_clock(&json!({"now": 1_800_000_000})).await;

    // Act
    assert_success(app.create_env("simple-demo", &new_env_body("dev9")).await).await;
    let creating = json(app.get_env("simple-demo", "dev9").await, 200).await;
    app.set_clock(&json!({"advance": 5})).await;
    let created = json(app.get_env("simple-demo", "dev9").await, 200).await;

    // Assert
    assert_eq!(creating["update_time"], 1_800_000_000);
    assert_eq!(creating["status"], "creating");
    assert_eq!(created["status"], "success");
}

#[tokio::test]
async fn a_resumed_clock_runs_on_from_where_it_stood() {
    let app = TestApp::spawn().await;

    let resumed = json(app.set_clock(&json!({"frozen": false, "now": 1_900_000_000})).await, 200).await;
    let frozen_again = json(app.set_clock(&json!({"frozen": true})).await, 200).await;

    assert_eq!(resumed["frozen"], false);
    assert!((resumed["now"].as_i64().unwrap() - 1_900_000_000).abs() <= 1);
    assert_eq!(frozen_again["frozen"], true);
    assert!(frozen_again["now"].as_i64().unwrap() >= 1_900_000_000);
}

#[tokio::test]
async fn bad_clock_requests_are_refused_and_leave_the_clock_alone() {
    let app = TestApp::spawn().await;

    let backwards = app.set_clock(&json!({"advance": -300})).await;
    let nonsense = app.set_clock(&json!({"advance": "later"})).await;
    let empty = app.set_clock(&json!({})).await;
    let typo = app.set_clock(&json!({"frozn": true})).await;

    assert_eq!(control_error(backwards, 400).await, "advance only moves forward; set now to go back");
    assert!(control_error(nonsense, 400).await.contains("is not a duration"));
    assert_eq!(control_error(empty, 400).await, "give now, advance or frozen");
    assert!(control_error(typo, 400).await.contains("unknown field `frozn`"));
    assert_eq!(app.clock().await["now"], 1_700_000_000);
}

#[tokio::test]
async fn the_settler_applies_a_due_transition_with_no_request() {
    // Arrange: a running clock and a short settle time.
    let app = TestApp::spawn_with(Options { settle_ms: 200, ..Default::default() }).await;
    app.set_clock(&json!({"frozen": false})).await;
    assert_success(app.delete_env("simple-demo", "dev", "true").await).await;
    let mut changes = app.store.changes();
    changes.borrow_and_update();

    // Act: nobody asks; the settler removes the environment and wakes streams.
    let woken = tokio::time::timeout(Duration::from_secs(5), changes.changed()).await;

    // Assert: read without settling, so only the settler can have done it.
    assert!(matches!(woken, Ok(Ok(()))), "no change within 5s");
    assert!(app.store.peek(|w| w.env("simple-demo", "dev").is_none()));
}

#[tokio::test]
async fn moving_the_clock_wakes_streams() {
    let app = TestApp::spawn().await;
    let mut changes = app.store.changes();
    changes.borrow_and_update();

    app.set_clock(&json!({"advance": 1})).await;

    assert!(changes.has_changed().unwrap());
}
