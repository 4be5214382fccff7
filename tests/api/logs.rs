//! Container logs over SSE (real-behaviour.md §7) and the control API that
//! writes into them.

use reqwest::Method;
use serde_json::json;

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
async fn written_lines_are_framed_byte_for_byte_as_gin_sse_frames_them() {
    // Arrange: no generated lines, so the log is exactly what we write.
    let app = TestApp::spawn().await;
    app.store.with(|w| w.set_log_rate(0.0));
    let pod = app.pod_of("simple-demo", "dev", "service1");
    app.write_log_ok(&pod, "service1", DEV, &["first line", "  padded\t", "", "a\rb", "x\ny"]).await;

    // Act
    let mut stream = app.follow_log(&pod, "service1", DEV).await;

    // Assert: log/service/sse.go trims, splits at \r; sse-encoder.go escapes.
    let expected = [
        "event:message\ndata:first line\n\n",
        "event:message\ndata:padded\n\n",
        "event:message\ndata:\n\n",
        "event:message\ndata:a\\r\n\n",
        "event:message\ndata:b\ndata:\\r\n\n",
        "event:message\ndata:x\n\n",
        "event:message\ndata:y\n\n",
    ]
    .concat();
    assert_eq!(stream.raw(expected.len()).await, expected);
}

#[tokio::test]
async fn a_stream_carries_the_sse_headers_of_gin_contrib_sse() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");

    let response = app.container_log(&pod, "service1", DEV).await;

    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(header("content-type").as_deref(), Some("text/event-stream"));
    assert_eq!(header("cache-control").as_deref(), Some("no-cache"));
}

#[tokio::test]
async fn by_default_the_stream_starts_with_the_last_ten_lines() {
    // Arrange
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");

    // Act: the 61st line comes from a write, so everything before it is the tail.
    let mut stream = app.follow_log(&pod, "service1", DEV).await;
    app.write_log_ok(&pod, "service1", DEV, &["marker"]).await;
    let events = stream.events(11).await;

    // Assert: lines 51..60, one a second, on the virtual clock.
    assert_eq!(events[10], "marker");
    let seconds: Vec<&str> = events[..10].iter().map(|e| &e[17..19]).collect();
    assert_eq!(seconds, ["11", "12", "13", "14", "15", "16", "17", "18", "19", "20"]);
    for line in &events[..10] {
        assert!(line.starts_with("2023-11-14T22:14:"), "{line}");
        let level = line.split(' ').nth(1).unwrap();
        assert!(["INFO", "DEBUG", "WARN", "ERROR"].contains(&level), "{line}");
    }
}

#[tokio::test]
async fn generated_lines_are_the_same_on_every_run() {
    let (a, b) = (demo_a_minute_later().await, demo_a_minute_later().await);
    let pod = a.pod_of("simple-demo", "dev", "service1");
    assert_eq!(pod, b.pod_of("simple-demo", "dev", "service1"));

    let first = a.follow_log(&pod, "service1", &format!("{DEV}&tails=20")).await.events(20).await;
    let second = b.follow_log(&pod, "service1", &format!("{DEV}&tails=20")).await.events(20).await;

    assert_eq!(first, second);
}

#[tokio::test]
async fn tails_chooses_how_many_lines_come_first_and_an_invalid_value_means_ten() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    // (tails, lines before the marker): `tailLines` is only set when > 0,
    // so 0 and negative values read the whole log (containerlog/log.go:63-72).
    // `+` in a query is a space, and " 2" is no integer; `%2B2` is "+2".
    // `None` is the whole log: 60 lines and the markers of earlier cases.
    let cases = [
        ("3", Some(3)),
        ("abc", Some(10)),
        ("", Some(10)),
        ("%2B2", Some(2)),
        ("+2", Some(10)),
        ("0", None),
        ("-5", None),
        ("1000", None),
    ];

    for (done, (tails, wanted)) in cases.into_iter().enumerate() {
        let expected = wanted.unwrap_or(60 + done);
        let mut stream = app.follow_log(&pod, "service1", &format!("{DEV}&tails={tails}")).await;
        app.write_log_ok(&pod, "service1", DEV, &[&format!("marker[{tails}]")]).await;
        let events = stream.events(expected + 1).await;
        assert_eq!(events[expected], format!("marker[{tails}]"), "tails={tails:?}");
        drop(stream);
    }
}

#[tokio::test]
async fn the_whole_log_starts_with_the_container_starting() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");

    let events = app.follow_log(&pod, "service1", &format!("{DEV}&tails=0")).await.events(3).await;

    assert_eq!(events[0], "2023-11-14T22:13:21.000Z INFO starting service1 20231214162411");
    assert!(events[1].ends_with("INFO configuration loaded from /etc/service1/config.yaml"), "{}", events[1]);
    assert!(events[2].ends_with("INFO listening on 0.0.0.0:20211"), "{}", events[2]);
}

#[tokio::test]
async fn an_unknown_environment_pod_or_container_is_an_empty_200() {
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");
    let cases = [
        (pod.clone(), "service1", "projectKey=simple-demo&envName=nope"),
        (pod.clone(), "service1", "projectKey=nope&envName=dev"),
        ("no-such-pod".to_string(), "service1", DEV),
        (pod.clone(), "no-such-container", DEV),
    ];

    for (pod, container, query) in cases {
        let response = app.container_log(&pod, container, query).await;
        // Vendor quirk: no event was written, so neither SSE header was set.
        assert_eq!(response.status().as_u16(), 200, "{pod}/{container}?{query}");
        assert_eq!(response.headers().get("content-type"), None);
        assert_eq!(response.headers().get("cache-control"), None);
        let mut stream = EventStream::new(response);
        stream.expect_end().await;
    }
}

#[tokio::test]
async fn without_project_and_environment_the_first_environment_is_searched() {
    // `ProductFindOptions{Name:"", EnvName:""}` matches any environment.
    let app = demo_a_minute_later().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");

    let events = app.follow_log(&pod, "service1", "tails=2").await.events(2).await;

    assert_eq!(events.len(), 2);
}

#[tokio::test]
async fn writing_to_a_log_answers_how_many_lines_were_written() {
    let app = TestApp::spawn().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");

    let response = app.write_log(&pod, "service1", "", &["one", "two\nthree"]).await;

    assert_eq!(json(response, 200).await, json!({"appended": 3}));
}

#[tokio::test]
async fn writing_to_a_log_explains_what_is_wrong() {
    let app = TestApp::spawn().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");

    let bad_body = app.send_raw(Method::POST, &format!("/_mock/logs/{pod}/service1"), "{\"lines\":[]}").await;
    let no_pod = app.write_log("nope-123", "service1", "", &["x"]).await;
    let no_container = app.write_log(&pod, "nginx", "", &["x"]).await;
    let ambiguous = app.write_log("redis-0", "redis", "", &["x"]).await;
    let narrowed = app.write_log("redis-0", "redis", "projectKey=microservice-demo&envName=staging", &["x"]).await;

    let error = |body: serde_json::Value| body["error"].as_str().unwrap_or_default().to_string();
    assert!(error(json(bad_body, 400).await).starts_with("the body must be a JSON list of strings"));
    assert_eq!(error(json(no_pod, 404).await), "no pod named \"nope-123\"");
    assert_eq!(
        error(json(no_container, 404).await),
        format!("pod \"{pod}\" has no container \"nginx\" (it has service1)")
    );
    assert!(error(json(ambiguous, 409).await).contains("say which with projectKey and envName"));
    assert_eq!(json(narrowed, 200).await, json!({"appended": 1}));
}

#[tokio::test]
async fn writing_to_a_log_needs_a_token_like_the_api() {
    let app = TestApp::spawn().await;
    let pod = app.pod_of("simple-demo", "dev", "service1");

    let response =
        app.client.post(format!("{}/_mock/logs/{pod}/service1", app.address)).json(&json!(["x"])).send().await;

    let response = response.expect("sent");
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.text().await.expect("body"), "");
}
