//! Helpers for container-log streams: endpoint methods and an SSE reader
//! whose every read has a deadline.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use reqwest::{Method, Response};
use serde_json::Value;

use crate::helpers::TestApp;

/// How long any single read of a stream may take before the test fails.
pub const READ_DEADLINE: Duration = Duration::from_secs(5);

impl TestApp {
    /// `GET /openapi/logs/sse/pods/{pod}/containers/{container}` with the
    /// given query (`projectKey=…&envName=…&tails=…`).
    pub async fn container_log(&self, pod: &str, container: &str, query: &str) -> Response {
        let path = format!("/openapi/logs/sse/pods/{pod}/containers/{container}?{query}");
        tokio::time::timeout(READ_DEADLINE, self.request(Method::GET, &path).send())
            .await
            .expect("the stream's head came in time")
            .expect("request sent")
    }

    /// Opens a container's log stream and checks its head.
    pub async fn follow_log(&self, pod: &str, container: &str, query: &str) -> EventStream {
        let response = self.container_log(pod, container, query).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers().get("content-type").map(|v| v.to_str().unwrap()), Some("text/event-stream"));
        EventStream::new(response)
    }

    /// `POST /_mock/logs/{pod}/{container}` with a JSON list of lines.
    pub async fn write_log(&self, pod: &str, container: &str, query: &str, lines: &[&str]) -> Response {
        let path = format!("/_mock/logs/{pod}/{container}?{query}");
        self.send_json(Method::POST, &path, &serde_json::json!(lines)).await
    }

    /// Writes lines that must be accepted.
    pub async fn write_log_ok(&self, pod: &str, container: &str, query: &str, lines: &[&str]) {
        let response = self.write_log(pod, container, query, lines).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(status, 200, "{body}");
    }

    /// The names of an environment's pods, in service order. Pod names are
    /// generated, so tests look them up rather than guess them.
    pub fn pods(&self, project: &str, env: &str) -> Vec<String> {
        self.store
            .with(|w| w.env(project, env).map(|e| e.pods().map(|(_, _, p)| p.name.to_string()).collect()))
            .unwrap_or_default()
    }

    /// The pod of a service in an environment (its first).
    pub fn pod_of(&self, project: &str, env: &str, service: &str) -> String {
        self.store
            .with(|w| {
                w.env(project, env)?.pods().find(|(s, _, _)| s.name == service).map(|(_, _, p)| p.name.to_string())
            })
            .unwrap_or_else(|| panic!("{project}/{env} runs a pod of {service}"))
    }

    /// Waits until no log stream is open on the server.
    pub async fn wait_for_no_followers(&self) {
        let mut followers = self.store.logs().followers();
        tokio::time::timeout(READ_DEADLINE, followers.wait_for(|n| *n == 0))
            .await
            .expect("every stream was freed in time")
            .expect("the hub lives");
    }
}

/// An open SSE response, read with a deadline on every read.
pub struct EventStream {
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl EventStream {
    pub fn new(response: Response) -> Self {
        EventStream { body: response.bytes_stream().boxed(), buffer: Vec::new() }
    }

    /// Reads one more chunk; `false` at the end of the body.
    async fn read(&mut self) -> bool {
        match tokio::time::timeout(READ_DEADLINE, self.body.next()).await.expect("the stream sent data in time") {
            Some(chunk) => {
                self.buffer.extend_from_slice(&chunk.expect("chunk read"));
                true
            }
            None => false,
        }
    }

    /// Exactly `len` raw bytes (more may be buffered for later).
    pub async fn raw(&mut self, len: usize) -> String {
        while self.buffer.len() < len {
            assert!(self.read().await, "the stream ended after {:?}", String::from_utf8_lossy(&self.buffer));
        }
        let rest = self.buffer.split_off(len);
        String::from_utf8(std::mem::replace(&mut self.buffer, rest)).expect("UTF-8")
    }

    /// The data of the next `n` events.
    pub async fn events(&mut self, n: usize) -> Vec<String> {
        let mut events = Vec::new();
        while events.len() < n {
            match self.buffer.windows(2).position(|w| w == b"\n\n") {
                Some(end) => {
                    let frame: Vec<u8> = self.buffer.drain(..end + 2).collect();
                    events.push(data_of(&String::from_utf8(frame).expect("UTF-8")));
                }
                None => assert!(self.read().await, "the stream ended after {} of {n} events", events.len()),
            }
        }
        events
    }

    /// Asserts that the server ends the body, with no further event.
    pub async fn expect_end(&mut self) {
        while self.read().await {}
        assert!(self.buffer.is_empty(), "unexpected data before the end: {:?}", String::from_utf8_lossy(&self.buffer));
    }
}

/// The `data` of one `event:message` frame (several `data:` lines join with `\n`).
fn data_of(frame: &str) -> String {
    let mut lines = frame.trim_end_matches('\n').split('\n');
    assert_eq!(lines.next(), Some("event:message"), "frame {frame:?}");
    lines.map(|l| l.strip_prefix("data:").unwrap_or_else(|| panic!("frame {frame:?}"))).collect::<Vec<_>>().join("\n")
}
