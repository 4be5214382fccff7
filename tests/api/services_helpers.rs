//! Endpoint helpers for services, variables, workloads and events, and
//! small readers of the replies those tests look at.

use reqwest::{Method, Response};
use serde_json::Value;

use crate::helpers::{TestApp, json};

impl TestApp {
    // Services (§2.7–2.9)

    pub async fn add_services(&self, project: &str, body: &Value) -> Response {
        self.send_json(Method::POST, &format!("/openapi/environments/service/yaml?projectKey={project}"), body).await
    }

    pub async fn add_production_services(&self, project: &str, body: &Value) -> Response {
        let path = format!("/openapi/environments/production/service/yaml?projectKey={project}");
        self.send_json(Method::POST, &path, body).await
    }

    pub async fn delete_services(&self, project: &str, body: &Value) -> Response {
        self.send_json(Method::DELETE, &format!("/openapi/environments/service/yaml?projectKey={project}"), body).await
    }

    pub async fn delete_production_services(&self, project: &str, body: &Value) -> Response {
        let path = format!("/openapi/environments/production/service/yaml?projectKey={project}");
        self.send_json(Method::DELETE, &path, body).await
    }

    pub async fn update_services(&self, project: &str, env: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, &format!("/openapi/environments/{env}/services?projectKey={project}"), body).await
    }

    pub async fn update_production_services(&self, project: &str, env: &str, body: &Value) -> Response {
        let path = format!("/openapi/environments/production/{env}/services?projectKey={project}");
        self.send_json(Method::PUT, &path, body).await
    }

    // Service detail (§2.16)

    pub async fn get_service(&self, project: &str, env: &str, service: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}/services/{service}?projectKey={project}")).await
    }

    pub async fn get_production_service(&self, project: &str, env: &str, service: &str) -> Response {
        self.get(&format!("/openapi/environments/production/{env}/services/{service}?projectKey={project}")).await
    }

    // Global variables (§2.10–2.11)

    pub async fn get_variables(&self, project: &str, env: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}/variable?projectKey={project}")).await
    }

    pub async fn get_production_variables(&self, project: &str, env: &str) -> Response {
        self.get(&format!("/openapi/environments/production/{env}/variable?projectKey={project}")).await
    }

    pub async fn put_variables(&self, project: &str, env: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, &format!("/openapi/environments/{env}/variable?projectKey={project}"), body).await
    }

    pub async fn put_production_variables(&self, project: &str, env: &str, body: &Value) -> Response {
        let path = format!("/openapi/environments/production/{env}/variable?projectKey={project}");
        self.send_json(Method::PUT, &path, body).await
    }

    // Workloads (§2.13–2.15)

    pub async fn scale(&self, body: &Value) -> Response {
        self.send_json(Method::POST, "/openapi/environments/scale", body).await
    }

    pub async fn restart(&self, project: &str, env: &str, service: &str) -> Response {
        let path = format!("/openapi/environments/{env}/service/{service}/restart?projectKey={project}");
        self.request(Method::POST, &path).send().await.expect("request sent")
    }

    pub async fn restart_production(&self, project: &str, env: &str, service: &str) -> Response {
        let path = format!("/openapi/environments/production/{env}/service/{service}/restart?projectKey={project}");
        self.request(Method::POST, &path).send().await.expect("request sent")
    }

    /// `kind` is the path's `deployment`, `statefulset` or `cronjob`.
    pub async fn update_image(&self, kind: &str, path_env: &str, body: &Value) -> Response {
        self.send_json(Method::POST, &format!("/openapi/environments/image/{kind}/{path_env}"), body).await
    }

    // Events (§2.17)

    pub async fn list_events(&self, project: &str, env: &str, name: &str, kind: &str) -> Response {
        let path =
            format!("/openapi/environments/kube/events?projectKey={project}&envName={env}&name={name}&type={kind}");
        self.get(&path).await
    }

    // Readers

    /// The environment detail's JSON (test or production).
    pub async fn env_detail(&self, project: &str, env: &str) -> Value {
        match self.get_env(project, env).await {
            r if r.status() == 200 => json(r, 200).await,
            _ => json(self.get_production_env(project, env).await, 200).await,
        }
    }

    /// Service names of an environment, in detail order.
    pub async fn env_services(&self, project: &str, env: &str) -> Vec<String> {
        let detail = self.env_detail(project, env).await;
        detail["services"]
            .as_array()
            .map(|s| s.iter().map(|s| s["service_name"].as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    }

    /// The service detail's JSON of a test environment's service.
    pub async fn service_detail(&self, project: &str, env: &str, service: &str) -> Value {
        json(self.get_service(project, env, service).await, 200).await
    }

    /// Names of the pods of one workload (`scales[]`) of a service.
    pub async fn pod_names(&self, project: &str, env: &str, service: &str, workload: &str) -> Vec<String> {
        let detail = self.service_detail(project, env, service).await;
        let scales = detail["scales"].as_array().cloned().unwrap_or_default();
        let scale = scales.iter().find(|s| s["name"] == workload).cloned().unwrap_or(Value::Null);
        scale["pods"]
            .as_array()
            .map(|p| p.iter().map(|p| p["name"].as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    }

    /// `reason: message (count)` of the events about one object.
    pub async fn event_lines(&self, project: &str, env: &str, name: &str, kind: &str) -> Vec<String> {
        let events = json(self.list_events(project, env, name, kind).await, 200).await;
        events
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| {
                        format!(
                            "{}: {} ({})",
                            e["reason"].as_str().unwrap_or(""),
                            e["message"].as_str().unwrap_or(""),
                            e["count"]
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Asserts that the JSON `text` names `keys` in this order (serde_json's
/// `Value` sorts keys, so order is checked on the text itself).
#[track_caller]
pub fn assert_key_order(text: &str, keys: &[&str]) {
    let mut from = 0;
    for key in keys {
        let needle = format!("\"{key}\":");
        match text[from..].find(&needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("key {key:?} missing or out of order in {text}"),
        }
    }
}

/// The global variable `key` of an environment detail.
pub fn global<'a>(detail: &'a Value, key: &str) -> &'a Value {
    detail["global_variables"].as_array().and_then(|g| g.iter().find(|g| g["key"] == key)).unwrap_or(&Value::Null)
}

/// A test environment of `simple-demo` with the global `cpuLimit` and no services.
pub fn bare_env_body(env: &str) -> Value {
    let mut body = crate::helpers::new_env_body(env);
    body["global_variables"] = serde_json::json!([{"key": "cpuLimit", "value": "2000m"}]);
    body
}
