//! One method per envcfg endpoint, and the YAML the tests send.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::TestApp;

impl TestApp {
    /// `POST /openapi/environments/{env}/envcfgs?projectKey=`.
    pub async fn create_envcfg(&self, project: &str, env: &str, body: &Value) -> Response {
        self.send_json(Method::POST, &format!("/openapi/environments/{env}/envcfgs?projectKey={project}"), body).await
    }

    /// `POST /openapi/environments/production/{env}/envcfgs?projectKey=`.
    pub async fn create_production_envcfg(&self, project: &str, env: &str, body: &Value) -> Response {
        let path = format!("/openapi/environments/production/{env}/envcfgs?projectKey={project}");
        self.send_json(Method::POST, &path, body).await
    }

    /// `GET /openapi/environments/{env}/envcfgs?projectKey=&type=`.
    pub async fn list_envcfgs(&self, project: &str, env: &str, cfg_type: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}/envcfgs?projectKey={project}&type={cfg_type}")).await
    }

    pub async fn list_production_envcfgs(&self, project: &str, env: &str, cfg_type: &str) -> Response {
        self.get(&format!("/openapi/environments/production/{env}/envcfgs?projectKey={project}&type={cfg_type}")).await
    }

    /// `GET /openapi/environments/{env}/envcfg/{name}?projectKey=&type=`.
    pub async fn get_envcfg(&self, project: &str, env: &str, name: &str, cfg_type: &str) -> Response {
        self.get(&format!("/openapi/environments/{env}/envcfg/{name}?projectKey={project}&type={cfg_type}")).await
    }

    pub async fn get_production_envcfg(&self, project: &str, env: &str, name: &str, cfg_type: &str) -> Response {
        let path = format!("/openapi/environments/production/{env}/envcfg/{name}?projectKey={project}&type={cfg_type}");
        self.get(&path).await
    }

    /// `PUT /openapi/environments/envcfgs?projectKey=` (the env is in the body).
    pub async fn update_envcfg(&self, project: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, &format!("/openapi/environments/envcfgs?projectKey={project}"), body).await
    }

    /// `PUT /openapi/environments/production/envcfgs?projectKey=` (code only).
    pub async fn update_production_envcfg(&self, project: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, &format!("/openapi/environments/production/envcfgs?projectKey={project}"), body)
            .await
    }

    /// `DELETE /openapi/environments/{env}/envcfg/{name}?projectKey=&type=`.
    pub async fn delete_envcfg(&self, project: &str, env: &str, name: &str, cfg_type: &str) -> Response {
        let path = format!("/openapi/environments/{env}/envcfg/{name}?projectKey={project}&type={cfg_type}");
        self.request(Method::DELETE, &path).send().await.expect("request sent")
    }

    pub async fn delete_production_envcfg(&self, project: &str, env: &str, name: &str, cfg_type: &str) -> Response {
        let path = format!("/openapi/environments/production/{env}/envcfg/{name}?projectKey={project}&type={cfg_type}");
        self.request(Method::DELETE, &path).send().await.expect("request sent")
    }

    /// The names a list shows, in its order.
    pub async fn envcfg_names(&self, project: &str, env: &str, cfg_type: &str) -> Vec<String> {
        let body = crate::helpers::json(self.list_envcfgs(project, env, cfg_type).await, 200).await;
        let items = body.as_array().expect("a list").iter();
        items.map(|item| item["name"].as_str().expect("a name").to_string()).collect()
    }

    /// The `yaml_data` a detail returns.
    pub async fn envcfg_yaml(&self, project: &str, env: &str, name: &str, cfg_type: &str) -> String {
        let body = crate::helpers::json(self.get_envcfg(project, env, name, cfg_type).await, 200).await;
        let detail = body.as_object().and_then(|o| o.values().next()).expect("one detail");
        detail["yaml_data"].as_str().expect("yaml_data").to_string()
    }
}

/// A create or update body.
pub fn cfg_body(name: &str, cfg_type: &str, yaml: &str) -> Value {
    json!({"name": name, "common_env_cfg_type": cfg_type, "yaml_data": yaml})
}

/// An update body (`env_key` in the body).
pub fn update_body(env: &str, name: &str, cfg_type: &str, yaml: &str) -> Value {
    json!({"name": name, "env_key": env, "common_env_cfg_type": cfg_type, "yaml_data": yaml})
}

/// The doc's ConfigMap example, byte for byte (Zadig doc › Add Environment Configuration).
pub const DOC_CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: game-demo\ndata:\n  player_initial_lives: \"3\"\n  ui_properties_file_name: \"user-interface.properties\"\n  game.properties: |\n    enemy.types=aliens,monsters\n    player.maximum-lives=5    \n  user-interface.properties: |\n    color.good=purple\n    color.bad=yellow\n    allow.textmode=true";

pub fn configmap(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  mode: \"fast\"\n")
}

pub fn secret(name: &str, password_b64: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ntype: Opaque\ndata:\n  password: {password_b64}\n"
    )
}

pub fn ingress(name: &str, host: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\nspec:\n  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: web\n                port:\n                  number: 80\n"
    )
}

pub fn pvc(name: &str, storage: &str) -> String {
    format!(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {storage}\n"
    )
}

/// A JWT whose `name` claim is `alice` (`{"alg":"HS256"}.{"name":"alice"}.sig`).
pub const ALICE: &str = "eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiYWxpY2UifQ.c2ln";
