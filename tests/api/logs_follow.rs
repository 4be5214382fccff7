//! Following container logs live (real-behaviour.md §7): new lines as the
//! virtual clock moves, the end of a stream when its pod goes away or the
//! server stops, and many followers coming and going.

use reqwest::Method;

use crate::helpers::*;
use crate::logs_helpers::*;

const DEV: &str = "projectKey=simple-demo&envName=dev";

/// The demo's pods start one second after the seed's frozen clock; one
/// minute on, each container has written 60 lines.
async fn demo_a_minute_later() -> TestApp {
    let app = TestApp::spawn().await;
    app.advance_clock(60);
    app
}

#[tokio::test]
async fn following_sends_the_lines_of_the_time_that_passes() {
    // Arrange
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    let last = stream.events(1).await;

    // Act
    app.advance_clock(3);
    let next = stream.events(3).await;

    // Assert: 22:14:20 was the last; 21, 22 and 23 follow.
    assert!(last[0].starts_with("2023-11-14T22:14:20"), "{}", last[0]);
    let seconds: Vec<&str> = next.iter().map(|e| &e[17..19]).collect();
    assert_eq!(seconds, ["21", "22", "23"]);
}

#[tokio::test]
async fn with_a_running_clock_lines_come_in_real_time_at_the_log_rate() {
    let app = TestApp::spawn().await;
    app.store.with(|w| w.set_log_rate(50.0));
    app.advance_clock(2);
    app.store.with(|w| w.clock.set_frozen(false));
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;

    let events = stream.events(11).await;

    assert_eq!(events.len(), 11);
}

#[tokio::test]
async fn written_lines_join_the_generated_ones_in_time_order() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    stream.events(1).await;

    app.write_log_ok(&pod, "service1", DEV, &["written at :20"]).await;
    app.advance_clock(1);
    app.write_log_ok(&pod, "service1", DEV, &["written at :21"]).await;
    let events = stream.events(3).await;

    assert_eq!(events[0], "written at :20");
    assert!(events[1].starts_with("2023-11-14T22:14:21"), "{}", events[1]);
    assert_eq!(events[2], "written at :21");
}

#[tokio::test]
async fn the_stream_ends_when_sharing_restarts_the_pod() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    stream.events(1).await;

    let response =
        app.request(Method::POST, "/openapi/environments/dev/share/enable?projectKey=simple-demo").send().await;
    assert_success(response.expect("sent")).await;

    stream.expect_end().await;
}

#[tokio::test]
async fn the_stream_ends_when_the_environment_is_deleted() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    stream.events(1).await;

    assert_success(app.delete_env("simple-demo", "dev", "true").await).await;

    stream.expect_end().await;
}

#[tokio::test]
async fn a_deletion_that_settles_later_ends_the_stream_when_the_clock_gets_there() {
    let app = TestApp::spawn_with(Options { settle_ms: 5_000, ..Options::default() }).await;
    app.advance_clock(60);
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    stream.events(1).await;
    assert_success(app.delete_env("simple-demo", "dev", "true").await).await;

    app.advance_clock(5);

    // The pod went with the jump: the stream ends without its lines.
    stream.expect_end().await;
}

#[tokio::test]
async fn the_stream_of_a_restarted_statefulset_pod_ends_though_its_name_returns() {
    let app = demo_a_minute_later().await;
    let query = "projectKey=microservice-demo&envName=dev&tails=1";
    let mut stream = app.follow_log("redis-0", "redis", query).await;
    stream.events(1).await;

    let path = "/openapi/environments/dev/share/enable?projectKey=microservice-demo";
    assert_success(app.request(Method::POST, path).send().await.expect("sent")).await;

    stream.expect_end().await;
    assert!(app.pods("microservice-demo", "dev").contains(&"redis-0".to_string()));
}

#[tokio::test]
async fn server_shutdown_ends_every_open_stream() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    stream.events(1).await;

    drop(app);

    stream.expect_end().await;
}

#[tokio::test]
async fn a_thousand_followers_share_one_producer_and_leave_without_a_trace() {
    // Arrange: many followers of one container.
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut streams = Vec::new();
    for _ in 0..1000 {
        streams.push(app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await);
    }

    // Act: a line reaches all of them, and the API stays quick meanwhile.
    app.write_log_ok(&pod, "service1", DEV, &["to everyone"]).await;
    let started = std::time::Instant::now();
    let listed = json(app.list_envs("simple-demo").await, 200).await;
    let api_time = started.elapsed();
    for stream in &mut streams {
        assert_eq!(stream.events(2).await[1], "to everyone");
    }
    let open = *app.store.logs().followers().borrow();
    drop(streams);

    // Assert
    assert_eq!(open, 1000);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert!(api_time < std::time::Duration::from_secs(2), "the API took {api_time:?}");
    app.wait_for_no_followers().await;
}

#[tokio::test]
async fn many_abrupt_disconnects_leave_a_healthy_server() {
    // Arrange: streams opened on raw sockets and dropped mid-stream.
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let address = app.address.trim_start_matches("http://").to_string();
    let request = format!(
        "GET /openapi/logs/sse/pods/{pod}/containers/service1?{DEV}&tails=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );

    // Act
    for round in 0..300 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut socket = tokio::net::TcpStream::connect(&address).await.expect("connect");
        socket.write_all(request.as_bytes()).await.expect("request written");
        if round % 2 == 0 {
            let mut head = [0u8; 64];
            let read = tokio::time::timeout(READ_DEADLINE, socket.read(&mut head)).await.expect("head in time");
            assert!(read.expect("read") > 0);
        }
        drop(socket);
    }

    // Assert: everything was freed, and the server serves as before.
    app.wait_for_no_followers().await;
    assert_eq!(json(app.list_envs("simple-demo").await, 200).await.as_array().map(Vec::len), Some(1));
    let events = app.follow_log(&pod, "service1", &format!("{DEV}&tails=2")).await.events(2).await;
    assert_eq!(events.len(), 2);
}

#[tokio::test]
async fn the_stream_ends_when_a_scale_down_or_a_restart_removes_the_pod() {
    // Arrange: one stream per frontend pod.
    let app = demo_a_minute_later().await;
    let query = "projectKey=microservice-demo&envName=dev&tails=1";
    let frontends: Vec<String> =
        app.pods("microservice-demo", "dev").into_iter().filter(|p| p.starts_with("frontend-")).collect();
    let mut first = app.follow_log(&frontends[0], "frontend", query).await;
    let mut second = app.follow_log(&frontends[1], "frontend", query).await;
    first.events(1).await;
    second.events(1).await;

    // Act + Assert: scaling to one removes the second pod, a restart the first.
    let scale = serde_json::json!({
        "project_key": "microservice-demo", "env_key": "dev", "workload_name": "frontend",
        "workload_type": "Deployment", "target_replicas": 1
    });
    assert_success(app.scale(&scale).await).await;
    second.expect_end().await;
    assert_success(app.restart("microservice-demo", "dev", "frontend").await).await;
    first.expect_end().await;
}

#[tokio::test]
async fn moving_the_clock_through_the_control_api_wakes_followers() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    stream.events(1).await;

    let moved = app.send_json(Method::POST, "/_mock/clock", &serde_json::json!({"advance": "2s"})).await;
    assert_eq!(moved.status().as_u16(), 200);
    let events = stream.events(2).await;

    let seconds: Vec<&str> = events.iter().map(|e| &e[17..19]).collect();
    assert_eq!(seconds, ["21", "22"]);
}

#[tokio::test]
async fn a_stream_survives_a_reset_that_keeps_its_pod_and_follows_the_new_log() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    app.write_log_ok(&pod, "service1", DEV, &["before the reset"]).await;
    let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails=1")).await;
    assert_eq!(stream.events(1).await, ["before the reset"]);

    let reset = app.request(Method::POST, "/_mock/reset").send().await.expect("sent");
    assert_eq!(reset.status().as_u16(), 200);
    app.write_log_ok(&pod, "service1", DEV, &["after the reset"]).await;

    assert_eq!(stream.events(1).await, ["after the reset"]);
}
