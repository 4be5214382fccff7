//! The test harness: a server per test, a client with a token, and one
//! method per endpoint so that no test builds a URL by hand.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;
use zadig_mock::AppState;
use zadig_mock::control::ControlOptions;
use zadig_mock::seed::{self, Source};
use zadig_mock::store::{Clock, Rng, Store};

/// The token every request sends unless a test says otherwise.
pub const TOKEN: &str = "test-token";

/// A running server and a client for it. Dropping it stops the server.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's shared world, for moving its virtual clock (with
    /// `isolate`, each token has its own world; use `/_mock/clock`).
    pub store: Store,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// How to start a test server.
pub struct Options {
    pub seed: Option<String>,
    pub settle_ms: i64,
    pub tokens: Vec<String>,
    pub max_body: usize,
    /// Unix seconds the virtual clock is frozen at.
    pub clock: i64,
    /// `--isolate`: a world per token.
    pub isolate: bool,
    /// `--journal-limit`.
    pub journal_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: None,
            settle_ms: 0,
            tokens: Vec::new(),
            max_body: 4 * 1024 * 1024,
            clock: 1_700_000_000,
            isolate: false,
            journal_limit: 10_000,
        }
    }
}

impl TestApp {
    /// A server with the embedded demo world.
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let texts = match &options.seed {
            Some(text) => vec![("test-seed.yaml".to_string(), text.clone())],
            None => seed::read_source(&Source::Demo).expect("demo seed reads"),
        };
        let world = seed::build_world(&texts, Clock::frozen_at(options.clock), Rng::new(1), options.settle_ms)
            .expect("test seed is valid");
        let store = Store::new(world);
        let control =
            ControlOptions { isolate: options.isolate, journal_limit: options.journal_limit, state_file: None };
        let state = AppState::with_control(store.clone(), options.tokens, options.max_body, control);
        // Bound before serving: connections queue until the server runs, so
        // no test ever waits for readiness.
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(zadig_mock::serve(listener, state, async {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
        TestApp { address, client, store, _shutdown: tx }
    }

    /// Moves the virtual clock forward, completing `--settle` transitions
    /// (directly on the store; `POST /_mock/clock` does it over HTTP).
    pub fn advance_clock(&self, seconds: i64) {
        self.store.with(|w| w.clock.advance_ms(seconds * 1000));
    }

    /// A request with the test token. Its method is remembered, so that
    /// [`json`] can tell which documented operation answered.
    pub fn request(&self, method: Method, path_and_query: &str) -> RequestBuilder {
        let url = format!("{}{path_and_query}", self.address);
        crate::contract::remember_method(&url, &method);
        self.client.request(method, url).header("Authorization", format!("Bearer {TOKEN}"))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("request sent")
    }

    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Response {
        self.request(method, path).json(body).send().await.expect("request sent")
    }

    pub async fn send_raw(&self, method: Method, path: &str, body: &'static str) -> Response {
        self.request(method, path).body(body).send().await.expect("request sent")
    }

    // Environments

    pub async fn list_envs(&self, project: &str) -> Response {
        self.get(&format!("/openapi/environments?projectKey={project}")).await
    }

    pub async fn list_production_envs(&self, project: &str) -> Response {
        self.get(&format!("/openapi/environments/production?projectKey={project}")).await
    }

    pub async fn get_env(&self, project: &str, env: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}?projectKey={project}")).await
    }

    pub async fn get_production_env(&self, project: &str, env: &str) -> Response {
        self.get(&format!("/openapi/environments/production/{env}?projectKey={project}")).await
    }

    pub async fn create_env(&self, project: &str, body: &Value) -> Response {
        self.send_json(Method::POST, &format!("/openapi/environments?projectKey={project}"), body).await
    }

    pub async fn create_production_env(&self, project: &str, body: &Value) -> Response {
        self.send_json(Method::POST, &format!("/openapi/environments/production?projectKey={project}"), body).await
    }

    pub async fn update_env(&self, project: &str, env: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, &format!("/openapi/environments/{env}?projectKey={project}"), body).await
    }

    pub async fn update_production_env(&self, project: &str, env: &str, body: &Value) -> Response {
        let path = format!("/openapi/environments/production/{env}?projectKey={project}");
        self.send_json(Method::PUT, &path, body).await
    }

    pub async fn delete_env(&self, project: &str, env: &str, is_delete: &str) -> Response {
        let path = format!("/openapi/environments/{env}?projectKey={project}&isDelete={is_delete}");
        self.request(Method::DELETE, &path).send().await.expect("request sent")
    }

    pub async fn delete_production_env(&self, project: &str, env: &str) -> Response {
        let path = format!("/openapi/environments/production/{env}?projectKey={project}");
        self.request(Method::DELETE, &path).send().await.expect("request sent")
    }
}

/// A minimal valid test-environment creation body.
pub fn new_env_body(env: &str) -> Value {
    serde_json::json!({
        "env_key": env,
        "cluster_id": "0123456789abcdef12345678",
        "namespace": format!("simple-demo-env-{env}"),
        "registry_id": "630c7ad700430c131062e245",
    })
}

/// Asserts a status and returns the JSON body.
#[track_caller]
pub fn json_of(status: StatusCode, expected: u16, body: &str) -> Value {
    assert_eq!(status.as_u16(), expected, "unexpected status; body: {body}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {body}"))
}

/// Reads a response as JSON after checking its status and content type,
/// and that the body is what the OpenAPI document promises.
pub async fn json(response: Response, expected_status: u16) -> Value {
    let status = response.status();
    let url = response.url().clone();
    // An injected fault's answer is the test's own, not the API's.
    let injected = response.headers().contains_key("x-zadig-mock-fault");
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_string());
    let body = response.text().await.expect("body read");
    assert_eq!(content_type.as_deref(), Some("application/json; charset=utf-8"), "content type; body: {body}");
    let value = json_of(status, expected_status, &body);
    if !injected {
        crate::contract::check_reply(&crate::contract::methods_of(&url), url.path(), status.as_u16(), &value);
    }
    value
}

/// Asserts Zadig's HTTPError envelope, byte for byte in key order.
pub async fn assert_zadig_error(response: Response, status: u16, code: u16, message: &str, description: &str) {
    let body = json(response, status).await;
    let expected = serde_json::json!({
        "code": code, "description": description, "extra": {}, "message": message, "type": "error"
    });
    assert_eq!(body, expected);
}

/// Asserts Zadig's plain 500 envelope.
pub async fn assert_internal_error(response: Response, description: &str) {
    let body = json(response, 500).await;
    let expected = serde_json::json!({"code": 500, "description": description, "message": "Internal Error: "});
    assert_eq!(body, expected);
}

/// Asserts `{"message":"success"}`.
pub async fn assert_success(response: Response) {
    let body = json(response, 200).await;
    assert_eq!(body, serde_json::json!({"message": "success"}));
}
