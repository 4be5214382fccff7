//! Kubernetes events (real-behaviour.md §2.17): raised by every cluster
//! change, folded, filtered by the field selector, on the virtual clock.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::services_helpers::assert_key_order;

fn scale_body(replicas: i64) -> Value {
    json!({"project_key": "simple-demo", "env_key": "dev", "workload_name": "service1",
           "workload_type": "Deployment", "target_replicas": replicas})
}

#[tokio::test]
async fn a_rollout_lists_like_the_docs_example_as_a_plain_array() {
    // Arrange
    let app = TestApp::spawn().await;
    app.advance_clock(7);
    assert_success(app.restart("simple-demo", "dev", "service1").await).await;

    // Act
    let text = app.list_events("simple-demo", "dev", "service1", "Deployment").await.text().await.unwrap();

    // Assert: OpenAPIListKubeEventResponse, a bare array (the doc's `{ [...] }` is not JSON).
    let events: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(events.as_array().map(Vec::len), Some(3));
    assert_eq!(events[2]["reason"], "ScalingReplicaSet");
    assert!(events[2]["message"].as_str().unwrap().ends_with(" to 0"));
    assert_eq!(
        (events[2]["first_seen"].as_i64(), events[2]["last_seen"].as_i64(), events[2]["count"].as_i64()),
        (Some(1_700_000_007), Some(1_700_000_007), Some(1))
    );
    assert_eq!(events[2]["type"], "Normal");
    assert_key_order(&text, &["reason", "message", "first_seen", "last_seen", "count", "type"]);
}

#[tokio::test]
async fn a_repeated_event_folds_into_one_with_a_count_and_a_later_last_seen() {
    let app = TestApp::spawn().await;
    for (seconds, replicas) in [(10, 2), (10, 1), (10, 2)] {
        app.advance_clock(seconds);
        assert_success(app.scale(&scale_body(replicas)).await).await;
    }

    let events = json(app.list_events("simple-demo", "dev", "service1", "Deployment").await, 200).await;

    let up = events.as_array().unwrap().iter().find(|e| e["message"].as_str().unwrap().ends_with("to 2")).unwrap();
    assert_eq!(
        (up["count"].as_i64(), up["first_seen"].as_i64(), up["last_seen"].as_i64()),
        (Some(2), Some(1_700_000_010), Some(1_700_000_030))
    );
    assert_eq!(events.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn empty_name_or_type_match_nothing() {
    let app = TestApp::spawn().await;

    for (name, kind) in [("", "Deployment"), ("service1", ""), ("", "")] {
        let events = json(app.list_events("simple-demo", "dev", name, kind).await, 200).await;

        // `involvedObject.name=` selects objects named "" (kube.go field selector).
        assert_eq!(events, json!([]), "name {name:?} type {kind:?}");
    }
}

#[tokio::test]
async fn pods_and_replica_sets_have_their_own_events() {
    let app = TestApp::spawn().await;
    let detail = app.service_detail("simple-demo", "dev", "service1").await;
    let pod = detail["scales"][0]["pods"][0]["name"].as_str().unwrap().to_string();
    let hash = detail["scales"][0]["pods"][0]["labels"]["pod-template-hash"].as_str().unwrap().to_string();

    let pod_events = app.event_lines("simple-demo", "dev", &pod, "Pod").await;
    let rs_events = app.event_lines("simple-demo", "dev", &format!("service1-{hash}"), "ReplicaSet").await;

    assert_eq!(
        pod_events,
        [
            format!("Scheduled: Successfully assigned simple-demo-env-dev/{pod} to {} (null)", detail["scales"][0]["pods"][0]["node_name"].as_str().unwrap()),
            "Pulled: Container image \"koderover.tencentcloudcr.com/test/service1:20231214162411\" already present on machine (1)".to_string(),
            "Created: Created container service1 (1)".to_string(),
            "Started: Started container service1 (1)".to_string(),
        ]
    );
    assert_eq!(rs_events, [format!("SuccessfulCreate: Created pod: {pod} (1)")]);
}

#[tokio::test]
async fn scheduler_events_carry_an_event_time_and_no_count() {
    let app = TestApp::spawn().await;
    let pod = app.pod_names("simple-demo", "dev", "service1", "service1").await.remove(0);

    let text = app.list_events("simple-demo", "dev", &pod, "Pod").await.text().await.unwrap();

    let events: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(events[0]["reason"], "Scheduled");
    assert_eq!(events[0]["first_seen"], 1_700_000_000);
    // `count` is `omitempty` and the events.k8s.io event has none.
    assert!(events[0].get("count").is_none(), "{text}");
}

#[tokio::test]
async fn the_environment_is_found_without_a_production_filter() {
    let app = TestApp::spawn().await;

    let events = json(app.list_events("simple-demo", "prod", "service1", "Deployment").await, 200).await;

    assert_eq!(events[0]["reason"], "ScalingReplicaSet");
}

#[tokio::test]
async fn empty_project_or_env_are_dropped_from_the_lookup() {
    let app = TestApp::spawn().await;

    // No envName: the project's first environment (dev) answers.
    let events = json(app.list_events("simple-demo", "", "service1", "Deployment").await, 200).await;

    assert_eq!(events.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_missing_environment_is_a_plain_500() {
    let app = TestApp::spawn().await;

    let response = app.list_events("simple-demo", "nope", "service1", "Deployment").await;

    assert_internal_error(response, "mongo: no documents in result").await;
}

#[tokio::test]
async fn events_expire_an_hour_after_they_were_last_seen() {
    let app = TestApp::spawn().await;
    app.advance_clock(3_599);
    assert_eq!(app.event_lines("simple-demo", "dev", "service1", "Deployment").await.len(), 1);

    app.advance_clock(1);

    assert_eq!(app.event_lines("simple-demo", "dev", "service1", "Deployment").await.len(), 0);
}
