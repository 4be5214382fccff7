//! `--state-file`: the world survives restarts and crashes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::binary::{Server, path_str, refused_start, scratch_dir};
use super::helpers::env_keys;
use crate::helpers::new_env_body;

async fn env_list(server: &Server, token: &str) -> Vec<String> {
    let response = server.request_as(token, Method::GET, "/openapi/environments?projectKey=simple-demo").send().await;
    let body: Value = response.expect("request sent").json().await.expect("JSON list");
    env_keys(&body)
}

async fn create_env(server: &Server, token: &str, env: &str) -> u16 {
    let request = server.request_as(token, Method::POST, "/openapi/environments?projectKey=simple-demo");
    request.json(&new_env_body(env)).send().await.expect("request sent").status().as_u16()
}

#[tokio::test]
async fn a_state_file_keeps_the_world_across_a_graceful_restart() {
    // Arrange
    let dir = scratch_dir("state-restart");
    let file = dir.join("state.json");
    let server = Server::start(&["--state-file", path_str(&file), "--clock", "1700000000"]);
    assert_eq!(create_env(&server, "t", "dev9").await, 200);

    // Act: SIGTERM right away; the last save happens at shutdown.
    let code = server.terminate();
    let again = Server::start(&["--state-file", path_str(&file)]);

    // Assert
    assert_eq!(code, Some(0));
    assert_eq!(env_list(&again, "t").await, vec!["dev", "dev9"]);
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["zadig_mock_state"], 1);
    assert_eq!(saved["isolate"], false);
    assert!(saved["world"]["projects"]["simple-demo"]["envs"]["dev9"].is_object());
}

#[tokio::test]
async fn a_kill_9_during_a_burst_of_writes_leaves_a_complete_state_to_restart_from() {
    let dir = scratch_dir("state-kill9");
    let file = dir.join("state.json");
    let mut on_disk = vec!["dev".to_string()];
    for round in 0..3 {
        // Arrange: a server on the state the last one left.
        let server = Server::start(&["--state-file", path_str(&file), "--clock", "1700000000"]);
        let mut listed = env_list(&server, "t").await;
        listed.sort();
        let (loaded, saved) = (listed.len(), on_disk.len());
        assert!(listed == on_disk, "round {round}: the restart loaded {loaded} environments, the file had {saved}");

        // Act: four writers create environments as fast as they can; kill -9
        // once some have been saved, while the writes go on.
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let server = Arc::new(server);
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let (server, acknowledged) = (server.clone(), acknowledged.clone());
                tokio::spawn(async move {
                    for i in 0..200 {
                        let request = server.request(Method::POST, "/openapi/environments?projectKey=simple-demo");
                        if request.json(&new_env_body(&format!("r{round}-w{writer}-{i}"))).send().await.is_err() {
                            return;
                        }
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !(acknowledged.load(Ordering::SeqCst) >= 40 && saved_envs(&file).len() > on_disk.len())
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let pid = server.child.id().to_string();
        std::process::Command::new("kill").args(["-KILL", &pid]).status().expect("kill runs");
        for writer in writers {
            let _ = writer.await;
        }

        // Assert: what is on disk is one complete state, with writes of this round.
        let saved = saved_envs(&file);
        assert!(saved.len() > on_disk.len(), "round {round}: nothing saved during the burst");
        on_disk = saved;
    }
}

/// The test environments of `simple-demo` in the state file, sorted;
/// reading it at any moment must give a complete file.
fn saved_envs(file: &std::path::Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(file) else { return Vec::new() };
    let saved: Value = serde_json::from_slice(&bytes).expect("the state file is complete JSON at every moment");
    let envs = saved["world"]["projects"]["simple-demo"]["envs"].as_object().expect("environments saved");
    let tests = envs.iter().filter(|(_, env)| env["production"] == false);
    let mut names: Vec<String> = tests.map(|(name, _)| name.clone()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_corrupt_state_file_stops_the_start_and_is_left_untouched() {
    // Arrange
    let dir = scratch_dir("state-corrupt");
    let file = dir.join("state.json");
    std::fs::write(&file, b"{\"zadig_mock_state\": 1, \"world\": {").unwrap();

    // Act
    let (code, stderr) = refused_start(&["--state-file", path_str(&file)]);

    // Assert
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(path_str(&file)), "{stderr}");
    assert!(stderr.contains("not a zadig-mock state file"), "{stderr}");
    assert_eq!(std::fs::read(&file).unwrap(), b"{\"zadig_mock_state\": 1, \"world\": {");
}

#[tokio::test]
async fn under_isolate_the_state_file_keeps_each_tokens_world() {
    // Arrange
    let dir = scratch_dir("state-isolate");
    let file = dir.join("state.json");
    let server = Server::start(&["--isolate", "--state-file", path_str(&file)]);
    assert_eq!(create_env(&server, "alice", "alices").await, 200);
    assert_eq!(server.terminate(), Some(0));

    // Act
    let again = Server::start(&["--isolate", "--state-file", path_str(&file)]);
    let (code, stderr) = refused_start(&["--state-file", path_str(&file)]);

    // Assert
    assert_eq!(env_list(&again, "alice").await, vec!["dev", "alices"]);
    assert_eq!(env_list(&again, "bob").await, vec!["dev"]);
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(saved["tenants"]["alice"].is_object());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("written with --isolate"), "{stderr}");
}

#[tokio::test]
async fn a_reset_goes_back_to_the_seed_not_to_the_state_file() {
    let dir = scratch_dir("state-reset");
    let file = dir.join("state.json");
    let server = Server::start(&["--state-file", path_str(&file)]);
    create_env(&server, "t", "dev9").await;
    server.terminate();
    let again = Server::start(&["--state-file", path_str(&file)]);

    let reset = again.request(Method::POST, "/_mock/reset").send().await.expect("request sent");

    assert_eq!(reset.json::<Value>().await.unwrap(), json!({"message": "reset to the seed world"}));
    assert_eq!(env_list(&again, "t").await, vec!["dev"]);
}
