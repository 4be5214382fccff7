//! Helpers for the sub-environment endpoints.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::*;

impl TestApp {
    pub async fn check_k8s_services(&self, project: &str, env: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}/check/workloads/k8services?projectKey={project}")).await
    }

    pub async fn enable_share(&self, project: &str, env: &str) -> Response {
        let path = format!("/openapi/environments/{env}/share/enable?projectKey={project}");
        self.request(Method::POST, &path).send().await.expect("request sent")
    }

    pub async fn disable_share(&self, project: &str, env: &str) -> Response {
        let path = format!("/openapi/environments/{env}/share/enable?projectKey={project}");
        self.request(Method::DELETE, &path).send().await.expect("request sent")
    }

    pub async fn share_ready(&self, project: &str, env: &str, op: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}/check/sharenv/{op}/ready?projectKey={project}")).await
    }

    /// The readiness body of an environment that exists.
    pub async fn readiness(&self, project: &str, env: &str, op: &str) -> Value {
        json(self.share_ready(project, env, op).await, 200).await
    }

    pub async fn get_portal(&self, project: &str, env: &str, service: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}/share/portal/{service}?projectKey={project}")).await
    }

    pub async fn set_portal(&self, project: &str, env: &str, service: &str, body: &Value) -> Response {
        let path = format!("/openapi/environments/{env}/share/portal/{service}?projectKey={project}");
        self.send_json(Method::POST, &path, body).await
    }
}

/// The `checks` object of a readiness answer.
pub fn checks(label: bool, vs: bool, proxy: bool, ready: bool, services: bool) -> Value {
    json!({
        "namespace_has_istio_label": label,
        "virtualservice_deployed": vs,
        "pods_have_istio_proxy": proxy,
        "workloads_ready": ready,
        "workloads_have_k8s_service": services
    })
}
