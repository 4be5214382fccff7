//! Environment configurations (§2.12): create, list, detail, update and
//! delete ConfigMaps, Secrets, Ingresses and PVCs, as
//! `OpenAPI*CommonEnvCfg` in `env/handler/openapi.go:375-707` (v3.4.0).
//!
//! YAML is parsed here, on a blocking thread, before the one store call:
//! a hostile document then costs a worker thread a few milliseconds and
//! never holds the world's lock. The reply shapes are in [`replies`].

mod replies;

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::{Map, Value};

pub use self::replies::{EnvCfgBrief, EnvCfgDetail};
use super::environments::EnvParam;
use super::require_project_key;
use crate::app::Caller;
use crate::error::{ApiError, ApiResult, codes};
use crate::store::Store;
use crate::store::envcfgs::EnvCfgRequest;
use crate::wire::{Json, QueryParams, RawBody, Success, go_unmarshal, percent_decode_segment};
use crate::yaml::{self, YamlError};

/// `service.OpenAPIEnvCfgArgs`: every field, so that a value of the wrong
/// type fails decoding as it does in Go, though most are never read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(dead_code)]
struct EnvCfgArgs {
    name: String,
    common_env_cfg_type: String,
    created_by: String,
    created_time: i64,
    update_by: String,
    update_time: i64,
    /// Overwritten by the path on create.
    env_key: String,
    /// Overwritten by `?projectKey=`.
    product_name: String,
    service_name: String,
    services: Vec<String>,
    yaml_data: String,
    source_detail: Option<Map<String, Value>>,
    restart_associated_svc: bool,
    auto_sync: bool,
}

impl EnvCfgArgs {
    /// `OpenAPIEnvCfgArgs.Validate()`, with the project as the handler set it.
    fn validate(&self, project: &str) -> Result<(), String> {
        let required = [
            (self.name.as_str(), "name is required"),
            (self.env_key.as_str(), "env_key is required"),
            (project, "projectKey is required"),
            (self.common_env_cfg_type.as_str(), "common_env_cfg_type is required"),
            (self.yaml_data.as_str(), "yaml_data is required"),
        ];
        match required.iter().find(|(value, _)| value.is_empty()) {
            Some((_, message)) => Err(message.to_string()),
            None => Ok(()),
        }
    }

    fn into_request(self, project: &str, parsed: Result<Value, YamlError>) -> EnvCfgRequest {
        EnvCfgRequest {
            project: project.to_string(),
            env: self.env_key,
            cfg_type: self.common_env_cfg_type,
            name: self.name,
            yaml: self.yaml_data,
            parsed,
        }
    }
}

/// Parses YAML on the blocking pool; the parser's budget bounds the time.
async fn parse_off_thread(text: String) -> Result<Value, YamlError> {
    let parsed = tokio::task::spawn_blocking(move || yaml::parse_manifest(&text)).await;
    parsed.unwrap_or_else(|_| Err(YamlError::Syntax { line: None, message: "the parser stopped".into() }))
}

/// The `:cfgName` path parameter (or, failing a match, the last segment).
pub struct CfgName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CfgName {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(Path(params)) = Path::<HashMap<String, String>>::from_request_parts(parts, state).await
            && let Some(name) = params.get("name")
        {
            return Ok(CfgName(name.clone()));
        }
        let last = parts.uri.path().rsplit('/').next().unwrap_or_default();
        Ok(CfgName(percent_decode_segment(last)))
    }
}

/// `POST /openapi/environments[/production]/{env}/envcfgs?projectKey=`:
/// one handler for both routes, as in Zadig (`OpenAPICreateCommonEnvCfg`).
pub async fn create_envcfg(
    store: Store,
    caller: Caller,
    EnvParam(env): EnvParam,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    let mut args: EnvCfgArgs = go_unmarshal(&body, "service.OpenAPIEnvCfgArgs")?;
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    args.env_key = env;
    // Vendor quirk: `Validate()` fails as a plain error, so HTTP 500, and
    // `name` is required though creation reads the name from the YAML
    // (`openapi.go:501-504`, `types.go:429-446`).
    args.validate(project).map_err(ApiError::internal)?;
    let parsed = parse_off_thread(args.yaml_data.clone()).await;
    let request = args.into_request(project, parsed);
    store.with(|w| w.create_envcfg(request, &caller.user))?;
    Ok(Success)
}

/// `PUT /openapi/environments/envcfgs?projectKey=` (`env_key` in the body).
pub async fn update_envcfg(
    store: Store,
    caller: Caller,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, caller, query, &body).await
}

/// `PUT /openapi/environments/production/envcfgs?projectKey=`: not in the
/// doc, and (vendor quirk) it updates test environments only, like the
/// test route (`openapi.go:424-480`).
pub async fn update_production_envcfg(
    store: Store,
    caller: Caller,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, caller, query, &body).await
}

async fn update(store: Store, caller: Caller, query: QueryParams, body: &[u8]) -> ApiResult<Success> {
    let update_failed = |text: String| ApiError::zadig(codes::UPDATE_ENV_CFG, text);
    let args: EnvCfgArgs = go_unmarshal(body, "service.OpenAPIEnvCfgArgs")
        .map_err(|e| update_failed(format!("failed to unmarshal request data err : {}", go_error_text(&e))))?;
    let project = query.get("projectKey");
    args.validate(project).map_err(|e| update_failed(format!("failed to validate request data err : {e}")))?;
    let parsed = parse_off_thread(args.yaml_data.clone()).await;
    let request = args.into_request(project, parsed);
    store.with(|w| w.update_envcfg(request, &caller.user))?;
    Ok(Success)
}

/// The text of a decoding error (`err.Error()`).
fn go_error_text(err: &ApiError) -> String {
    match err {
        ApiError::Internal(text) => text.clone(),
        other => other.go_text(),
    }
}

/// `GET /openapi/environments/{env}/envcfgs?projectKey=&type=`.
pub async fn list_envcfgs(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
) -> ApiResult<Json<Vec<EnvCfgBrief>>> {
    list(store, &env, query, false)
}

/// `GET /openapi/environments/production/{env}/envcfgs?projectKey=&type=`.
pub async fn list_production_envcfgs(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
) -> ApiResult<Json<Vec<EnvCfgBrief>>> {
    list(store, &env, query, true)
}

fn list(store: Store, env: &str, query: QueryParams, production: bool) -> ApiResult<Json<Vec<EnvCfgBrief>>> {
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    let found = store.with(|w| w.list_envcfgs(project, env, query.get("type"), production))?;
    Ok(Json(found.into_iter().map(|s| EnvCfgBrief::new(s, project, env)).collect()))
}

/// `GET /openapi/environments/{env}/envcfg/{name}?projectKey=&type=`.
pub async fn get_envcfg(
    store: Store,
    EnvParam(env): EnvParam,
    CfgName(name): CfgName,
    query: QueryParams,
) -> ApiResult<Json<EnvCfgDetail>> {
    detail(store, &env, &name, query, false)
}

/// `GET /openapi/environments/production/{env}/envcfg/{name}?projectKey=&type=`.
pub async fn get_production_envcfg(
    store: Store,
    EnvParam(env): EnvParam,
    CfgName(name): CfgName,
    query: QueryParams,
) -> ApiResult<Json<EnvCfgDetail>> {
    detail(store, &env, &name, query, true)
}

fn detail(store: Store, env: &str, name: &str, query: QueryParams, production: bool) -> ApiResult<Json<EnvCfgDetail>> {
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    if name.is_empty() {
        return Err(ApiError::invalid_param("cfgName is empty"));
    }
    let cfg = store.with(|w| w.get_envcfg(project, env, query.get("type"), name, production))?;
    Ok(Json(EnvCfgDetail::new(&cfg, project, env)))
}

/// `DELETE /openapi/environments/{env}/envcfg/{name}?projectKey=&type=`:
/// `{"message":"success"}`, not the doc's `{"message":200}`.
pub async fn delete_envcfg(
    store: Store,
    EnvParam(env): EnvParam,
    CfgName(name): CfgName,
    query: QueryParams,
) -> ApiResult<Success> {
    delete(store, &env, &name, query, false)
}

/// `DELETE /openapi/environments/production/{env}/envcfg/{name}?projectKey=&type=`.
pub async fn delete_production_envcfg(
    store: Store,
    EnvParam(env): EnvParam,
    CfgName(name): CfgName,
    query: QueryParams,
) -> ApiResult<Success> {
    delete(store, &env, &name, query, true)
}

fn delete(store: Store, env: &str, name: &str, query: QueryParams, production: bool) -> ApiResult<Success> {
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    if name.is_empty() {
        return Err(ApiError::invalid_param("cfgName is empty"));
    }
    let cfg_type = query.get("type");
    if cfg_type.is_empty() {
        return Err(ApiError::invalid_param("type is empty"));
    }
    store.with(|w| w.delete_envcfg(project, env, cfg_type, name, production))?;
    Ok(Success)
}
