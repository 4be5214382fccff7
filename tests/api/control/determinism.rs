//! `--random-seed` and `--clock`: the same requests give the same bytes.

use reqwest::Method;
use serde_json::{Value, json};

use super::binary::Server;

/// Every response of a run: status, content type and body bytes.
type Transcript = Vec<(String, u16, String, Vec<u8>)>;

/// A fixed sequence of requests touching generated names, times,
/// transitions, faults drawn at random, the clock and the journal.
async fn run(args: &[&str]) -> Transcript {
    let server = Server::start(args);
    let create = json!({
        "env_key": "dev9", "cluster_id": "0123456789abcdef12345678", "namespace": "simple-demo-env-dev9",
        "registry_id": "630c7ad700430c131062e245", "services": [{"service_name": "service1"}, {"service_name": "service2"}]
    });
    let mut steps: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/openapi/environments?projectKey=simple-demo", None),
        (Method::POST, "/openapi/environments?projectKey=simple-demo", Some(create)),
        (Method::GET, "/openapi/environments/dev9?projectKey=simple-demo", None),
        (Method::POST, "/_mock/clock", Some(json!({"advance": "5s"}))),
        (Method::GET, "/openapi/environments/dev9?projectKey=simple-demo", None),
        (Method::GET, "/openapi/environments/dev9/services/service1?projectKey=simple-demo", None),
        (
            Method::POST,
            "/_mock/faults",
            Some(json!({"path": "/openapi/environments", "status": 500, "probability": 0.5})),
        ),
    ];
    steps.extend((0..8).map(|_| (Method::GET, "/openapi/environments?projectKey=simple-demo", None)));
    steps.extend([
        (Method::DELETE, "/_mock/faults", None),
        (Method::DELETE, "/openapi/environments/dev9?projectKey=simple-demo&isDelete=true", None),
        (Method::GET, "/openapi/environments?projectKey=simple-demo", None),
        (Method::POST, "/_mock/clock", Some(json!({"advance": "1m"}))),
        (Method::GET, "/_mock/clock", None),
        (Method::GET, "/_mock/state", None),
    ]);
    let mut transcript = Transcript::new();
    for (method, path, body) in steps {
        let mut request = server.request(method.clone(), path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_string());
        let bytes = response.bytes().await.expect("body read").to_vec();
        transcript.push((format!("{method} {path}"), status, content_type.unwrap_or_default(), bytes));
    }
    transcript.push(("journal without durations".into(), 200, String::new(), journal_without_durations(&server).await));
    transcript
}

/// The journal with its one wall-clock measurement taken out.
async fn journal_without_durations(server: &Server) -> Vec<u8> {
    let response = server.request(Method::GET, "/_mock/requests").send().await.expect("request sent");
    let mut journal: Value = response.json().await.expect("journal JSON");
    for entry in journal.as_array_mut().into_iter().flatten() {
        entry["duration_ms"] = json!(0);
    }
    serde_json::to_vec(&journal).expect("JSON")
}

#[tokio::test]
async fn two_runs_with_the_same_seed_and_clock_answer_byte_for_byte_alike() {
    // Arrange
    let flags = ["--clock", "1700000000", "--random-seed", "42", "--settle", "5s"];

    // Act
    let first = run(&flags).await;
    let second = run(&flags).await;
    let other_seed = run(&["--clock", "1700000000", "--random-seed", "43", "--settle", "5s"]).await;

    // Assert
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a, b, "{} differs between runs", a.0);
    }
    assert_eq!(first.len(), second.len());
    let statuses: Vec<u16> = first.iter().map(|step| step.1).collect();
    assert!(statuses.contains(&500) && statuses.iter().filter(|s| **s == 200).count() > 10, "{statuses:?}");
    let step = |t: &Transcript, name: &str| t.iter().find(|step| step.0 == name).map(|step| step.3.clone());
    let service = "GET /openapi/environments/dev9/services/service1?projectKey=simple-demo";
    assert_eq!(first.iter().find(|s| s.0 == service).map(|s| s.1), Some(200));
    assert_ne!(step(&first, service), step(&other_seed, service), "the seed decides generated pod names");
    assert_ne!(step(&first, "GET /_mock/state"), step(&other_seed, "GET /_mock/state"));
}
