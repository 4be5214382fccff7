//! The binary's run contract: the `listening on` line, `/healthz`, clean
//! exit on SIGTERM, and clear failures for bad flags and seeds.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_zadig-mock");

/// Reads the child's first stdout line on a thread, with a deadline.
fn first_line(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("the server printed its listening line in time")
}

/// Starts the binary on a free loopback port, its stdout piped for the
/// `listening on` line.
fn start_on_a_free_port() -> Child {
    Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts")
}

fn wait_with_deadline(child: &mut Child, deadline: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < deadline {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test]
async fn the_binary_announces_its_real_address_and_stops_cleanly_on_sigterm() {
    // Arrange
    let mut child = start_on_a_free_port();

    // Act
    let line = first_line(&mut child);
    let address = line.trim().rsplit("listening on ").next().unwrap().to_string();
    let health = reqwest::get(format!("{address}/healthz")).await.expect("healthz answers");
    let healthcheck = Command::new(BIN)
        .args(["--healthcheck", "--listen", address.trim_start_matches("http://")])
        .status()
        .expect("healthcheck runs");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");

    // Assert
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    assert_eq!(health.status().as_u16(), 200);
    assert!(healthcheck.success());
    assert!(killed.success());
    let status = wait_with_deadline(&mut child, Duration::from_secs(5));
    if status.is_none() {
        let _ = child.kill();
    }
    assert_eq!(status.and_then(|s| s.code()), Some(0));
}

#[test]
fn a_sigterm_as_soon_as_the_listening_line_is_read_is_a_clean_stop() {
    // Several starts: the signal races the server's first steps after the line.
    for _ in 0..10 {
        let mut child = start_on_a_free_port();
        first_line(&mut child);
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
        let status = wait_with_deadline(&mut child, Duration::from_secs(5));
        if status.is_none() {
            let _ = child.kill();
        }
        assert_eq!(status.and_then(|s| s.code()), Some(0), "killed by the signal instead of stopping: {status:?}");
    }
}

#[test]
fn an_invalid_seed_stops_the_start_naming_the_file_and_entry() {
    let dir = std::env::temp_dir().join(format!("zadig-mock-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.yaml");
    std::fs::write(&file, "projects:\n  - key: p\n    services:\n      - name: s\n        kind: Pod\n").unwrap();

    let output = Command::new(BIN).args(["--listen", "127.0.0.1:0", "--seed"]).arg(&file).output().unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.yaml"), "{stderr}");
    assert!(stderr.contains("projects[p].services[0] (s)"), "{stderr}");
    assert!(stderr.contains("unknown workload kind \"Pod\""), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_seed_folder_may_mix_yaml_and_json_files() {
    // Arrange: the declarations in YAML, a project in JSON; read in name order.
    let dir = std::env::temp_dir().join(format!("zadig-mock-mixed-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let declarations = "clusters: [{id: c1}]\nregistries: [{id: r1, address: reg.example.com, namespace: team}]\n";
    std::fs::write(dir.join("0-clusters.yaml"), declarations).unwrap();
    let project = r#"{"projects": [{"key": "shop",
        "services": [{"name": "web", "containers": [{"name": "web", "image": "reg.example.com/team/web:1", "ports": [80]}]}],
        "environments": [{"env_key": "dev", "cluster_id": "c1", "namespace": "shop-dev", "registry_id": "r1",
                          "services": [{"service_name": "web"}]}]}]}"#;
    std::fs::write(dir.join("1-shop.json"), project).unwrap();
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--seed"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");

    // Act
    let line = first_line(&mut child);
    let address = line.trim().rsplit("listening on ").next().unwrap().to_string();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let detail =
        client.get(format!("{address}/openapi/environments/dev?projectKey=shop")).bearer_auth("t").send().await;
    let detail: serde_json::Value = detail.expect("detail answers").json().await.expect("a JSON body");
    let _ = child.kill();
    std::fs::remove_dir_all(&dir).ok();

    // Assert
    assert!(line.contains("listening on"), "{line}");
    assert_eq!(detail["namespace"], "shop-dev");
    assert_eq!(detail["services"][0]["service_name"], "web");
    assert_eq!(detail["services"][0]["containers"][0]["image"], "reg.example.com/team/web:1");
}

#[test]
fn an_unreadable_seed_path_is_a_clear_error() {
    let output = Command::new(BIN).args(["--seed", "/nonexistent/seed.yaml"]).output().unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0));
    assert!(stderr.contains("/nonexistent/seed.yaml"), "{stderr}");
}

#[test]
fn a_bad_flag_is_refused() {
    let output = Command::new(BIN).args(["--listen", "not-an-address"]).output().unwrap();

    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--listen"));
}

#[test]
fn a_healthcheck_against_nothing_fails() {
    let status = Command::new(BIN).args(["--healthcheck", "--listen", "127.0.0.1:1"]).status().unwrap();

    assert!(!status.success());
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_cannot_hold_up_shutdown() {
    // Arrange: a request whose body never completes keeps its connection busy.
    let mut child = start_on_a_free_port();
    let line = first_line(&mut child);
    let address = line.trim().rsplit("http://").next().unwrap().to_string();
    let mut stalled = std::net::TcpStream::connect(&address).expect("connects");
    std::io::Write::write_all(
        &mut stalled,
        b"POST /openapi/environments?projectKey=simple-demo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Length: 100\r\n\r\n{\"env",
    )
    .unwrap();
    // The request has reached the server once it answers another one.
    reqwest::get(format!("http://{address}/healthz")).await.expect("healthz answers");

    // Act
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");

    // Assert: stopped after the grace period, not never.
    let status = wait_with_deadline(&mut child, Duration::from_secs(8));
    if status.is_none() {
        let _ = child.kill();
    }
    assert_eq!(status.and_then(|s| s.code()), Some(0));
    drop(stalled);
}

#[tokio::test]
async fn the_demo_world_has_been_running_so_a_log_tail_answers_at_once() {
    // Arrange: `--seed-age` (default 10m) dates the seed's pods before start.
    let mut child = start_on_a_free_port();
    let line = first_line(&mut child);
    let base = line.trim().rsplit("listening on ").next().unwrap().to_string();
    let client = reqwest::Client::new();
    let detail: serde_json::Value = client
        .get(format!("{base}/openapi/environments/dev/services/service1?projectKey=simple-demo"))
        .bearer_auth("t")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pod = detail["scales"][0]["pods"][0]["name"].as_str().unwrap().to_string();

    // Act
    let url =
        format!("{base}/openapi/logs/sse/pods/{pod}/containers/service1?projectKey=simple-demo&envName=dev&tails=3");
    let mut stream = client.get(url).bearer_auth("t").send().await.unwrap().bytes_stream();
    let mut text = String::new();
    while text.matches("event:message\n").count() < 3 {
        let chunk = tokio::time::timeout(Duration::from_secs(2), futures_util::StreamExt::next(&mut stream))
            .await
            .expect("the tail arrives at once")
            .expect("the stream is open")
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let _ = child.kill();
    let _ = child.wait();

    // Assert
    assert_eq!(detail["scales"][0]["pods"][0]["age"], "10m");
    assert!(text.starts_with("event:message\ndata:"), "{text}");
}
