//! One method per control endpoint, and the control API's error shape.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;

use crate::helpers::{TestApp, json};

impl TestApp {
    /// A request with another token than the test token.
    pub fn request_as(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.address))
            .header("Authorization", format!("Bearer {token}"))
    }

    pub async fn control(&self, method: Method, path: &str) -> Response {
        self.request(method, path).send().await.expect("request sent")
    }

    pub async fn reset(&self) -> Response {
        self.control(Method::POST, "/_mock/reset").await
    }

    pub async fn export_state(&self) -> Response {
        self.get("/_mock/state").await
    }

    pub async fn import_state(&self, body: impl Into<reqwest::Body>) -> Response {
        self.request(Method::PUT, "/_mock/state").body(body).send().await.expect("request sent")
    }

    pub async fn save_snapshot(&self, name: &str) -> Response {
        self.control(Method::POST, &format!("/_mock/snapshots/{name}")).await
    }

    pub async fn restore_snapshot(&self, name: &str) -> Response {
        self.control(Method::POST, &format!("/_mock/snapshots/{name}/restore")).await
    }

    pub async fn list_snapshots(&self) -> Response {
        self.get("/_mock/snapshots").await
    }

    /// `GET /_mock/requests` with a query such as `?method=POST`, as JSON.
    pub async fn journal(&self, query: &str) -> Value {
        json(self.get(&format!("/_mock/requests{query}")).await, 200).await
    }

    pub async fn clear_journal(&self) -> Response {
        self.control(Method::DELETE, "/_mock/requests").await
    }

    pub async fn add_fault(&self, fault: &Value) -> Response {
        self.send_json(Method::POST, "/_mock/faults", fault).await
    }

    pub async fn list_faults(&self) -> Response {
        self.get("/_mock/faults").await
    }

    pub async fn delete_fault(&self, id: &str) -> Response {
        self.control(Method::DELETE, &format!("/_mock/faults/{id}")).await
    }

    pub async fn clear_faults(&self) -> Response {
        self.control(Method::DELETE, "/_mock/faults").await
    }

    pub async fn clock(&self) -> Value {
        json(self.get("/_mock/clock").await, 200).await
    }

    pub async fn set_clock(&self, change: &Value) -> Response {
        self.send_json(Method::POST, "/_mock/clock", change).await
    }
}

/// Asserts the control API's error shape, `{"error": "…"}`, and returns the message.
pub async fn control_error(response: Response, status: u16) -> String {
    let body = json(response, status).await;
    let message = body["error"].as_str().unwrap_or_else(|| panic!("not a control error: {body}")).to_string();
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "only an error field: {body}");
    message
}

/// The `env_key`s of a list of environments.
pub fn env_keys(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().filter_map(|e| e["env_key"].as_str().map(String::from)).collect()
}
