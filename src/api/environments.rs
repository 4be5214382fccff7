//! The environment lifecycle (§2.1–2.6): list, detail, create, edit basic
//! info and delete, for test and production environments.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use super::require_project_key;
use crate::app::Caller;
use crate::error::{ApiError, ApiResult, codes};
use crate::store::environments::CreateEnvArgs;
use crate::store::{Container, Environment, GlobalVariableKV, Project, Store, VariableKV, cluster};
use crate::wire::{JsonBody, QueryParams, RawBody, Success, go_unmarshal, percent_decode_segment};

/// The `:name` path parameter, or for the static paths gin falls back from
/// (`/scale`, `/production`, `/envcfgs`), the last path segment.
pub struct EnvParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for EnvParam {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Decoded as `Path` decodes, without building a map of the parameters.
        if let Ok(params) = RawPathParams::from_request_parts(parts, state).await
            && let Some((_, env)) = params.iter().find(|(name, _)| *name == "env")
        {
            return Ok(EnvParam(env.to_string()));
        }
        let last = parts.uri.path().rsplit('/').next().unwrap_or_default();
        Ok(EnvParam(percent_decode_segment(last)))
    }
}

/// `OpenAPIListEnvBrief` (`env/service/types.go`): `env_key`, not the doc's
/// `env_name`; the alias is `envName`, omitted when empty. Views borrow from
/// the world and are serialised while it is locked.
#[derive(Serialize)]
struct EnvBrief<'a> {
    #[serde(rename = "envName", skip_serializing_if = "str::is_empty")]
    alias: &'a str,
    env_key: &'a str,
    cluster_id: &'a str,
    namespace: &'a str,
    production: bool,
    registry_id: &'a str,
    status: &'static str,
    update_by: &'a str,
    update_time: i64,
}

impl<'a> EnvBrief<'a> {
    fn new(env: &'a Environment, default_registry: &'a str) -> Self {
        // `ListProducts` fills in the default registry for environments without one.
        let registry_id = if env.registry_id.is_empty() { default_registry } else { &env.registry_id };
        EnvBrief {
            alias: &env.alias,
            env_key: &env.name,
            cluster_id: &env.cluster_id,
            namespace: &env.namespace,
            production: env.production,
            registry_id,
            status: env.status.as_str(),
            update_by: &env.update_by,
            update_time: env.update_time,
        }
    }
}

/// `OpenAPIEnvDetail`.
#[derive(Serialize)]
struct EnvDetail<'a> {
    project_key: &'a str,
    env_key: &'a str,
    update_by: &'a str,
    update_time: i64,
    cluster_id: &'a str,
    namespace: &'a str,
    registry_id: &'a str,
    #[serde(rename = "env_name", skip_serializing_if = "str::is_empty")]
    alias: &'a str,
    global_variables: &'a [GlobalVariableKV],
    services: Vec<ServiceDetail<'a>>,
    status: &'static str,
}

/// `OpenAPIServiceDetail`.
#[derive(Serialize)]
struct ServiceDetail<'a> {
    service_name: &'a str,
    containers: &'a [Container],
    /// Vendor quirk: the *template's* variables, not the environment's
    /// rendered ones (`servDetail.ServiceVariableKVs`, §2.2).
    variable_kvs: &'a [VariableKV],
    status: &'static str,
    r#type: &'static str,
}

impl<'a> EnvDetail<'a> {
    fn new(project: &'a Project, env: &'a Environment) -> Self {
        let services = env
            .services
            .iter()
            .map(|s| ServiceDetail {
                service_name: &s.name,
                containers: &s.containers,
                variable_kvs: project.template(&s.name).map_or(&[][..], |t| &t.variable_kvs),
                status: cluster::service_status(env.status, s),
                r#type: "k8s",
            })
            .collect();
        EnvDetail {
            project_key: &project.key,
            env_key: &env.name,
            update_by: &env.update_by,
            update_time: env.update_time,
            cluster_id: &env.cluster_id,
            namespace: &env.namespace,
            registry_id: &env.registry_id,
            alias: &env.alias,
            global_variables: &env.global_variables,
            services,
            status: env.status.as_str(),
        }
    }
}

/// `GET /openapi/environments?projectKey=`: Zadig doc › View the Environment List › Test.
pub async fn list_environments(store: Store, query: QueryParams) -> ApiResult<JsonBody> {
    list(store, query, false)
}

/// `GET /openapi/environments/production?projectKey=`: › Production.
pub async fn list_production_environments(store: Store, query: QueryParams) -> ApiResult<JsonBody> {
    list(store, query, true)
}

fn list(store: Store, query: QueryParams, production: bool) -> ApiResult<JsonBody> {
    let project = query.get("projectKey");
    if project.is_empty() {
        return Err(ApiError::invalid_param("projectKey is empty"));
    }
    let body = store.read(|w| {
        let default_registry = w.default_registry_id();
        let briefs: Vec<EnvBrief> =
            w.list_envs(project, production).map(|e| EnvBrief::new(e, default_registry)).collect();
        JsonBody::of(&briefs)
    });
    Ok(body)
}

/// `GET /openapi/environments/{env}?projectKey=`: › View Environment Details › Test.
pub async fn get_environment(store: Store, EnvParam(env): EnvParam, query: QueryParams) -> ApiResult<JsonBody> {
    detail(store, &env, query, false)
}

/// `GET /openapi/environments/production/{env}?projectKey=`: › Production.
pub async fn get_production_environment(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
) -> ApiResult<JsonBody> {
    detail(store, &env, query, true)
}

fn detail(store: Store, env: &str, query: QueryParams, production: bool) -> ApiResult<JsonBody> {
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    store.read(|w| {
        let (p, e) = w.find_env(project, env, production)?;
        Ok(JsonBody::of(&EnvDetail::new(p, e)))
    })
}

/// `POST /openapi/environments?projectKey=`: › Create a New Environment › Test.
pub async fn create_environment(
    store: Store,
    caller: Caller,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    create(store, caller, query, &body, false)
}

/// `POST /openapi/environments/production?projectKey=`: › Production.
pub async fn create_production_environment(
    store: Store,
    caller: Caller,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    create(store, caller, query, &body, true)
}

fn create(store: Store, caller: Caller, query: QueryParams, body: &[u8], production: bool) -> ApiResult<Success> {
    let mut args: CreateEnvArgs = go_unmarshal(body, "service.OpenAPICreateEnvArgs")?;
    // The query wins over any `project_key` in the body; the route decides
    // production (a test create ignores the body's `production`).
    args.project_key = query.get("projectKey").to_string();
    args.production = production;
    store.with(|w| w.create_env(args, &caller.user))?;
    Ok(Success)
}

/// `EnvBasicInfoArgs`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct EnvBasicInfoArgs {
    registry_id: String,
    env_name: String,
}

/// `PUT /openapi/environments/{env}?projectKey=`: › Editing Environment › Test.
pub async fn update_environment(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, &env, query, &body, false)
}

/// `PUT /openapi/environments/production/{env}?projectKey=`: › Production.
pub async fn update_production_environment(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, &env, query, &body, true)
}

fn update(store: Store, env: &str, query: QueryParams, body: &[u8], production: bool) -> ApiResult<Success> {
    let args: EnvBasicInfoArgs = go_unmarshal(body, "service.EnvBasicInfoArgs")?;
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    store.with(|w| w.update_env_basic(project, env, &args.registry_id, &args.env_name, production))?;
    Ok(Success)
}

/// `DELETE /openapi/environments/{env}?projectKey=&isDelete=`: › Delete Environment › Test.
pub async fn delete_environment(store: Store, EnvParam(env): EnvParam, query: QueryParams) -> ApiResult<Success> {
    let project = require_project_key(&query).map_err(|e| ApiError::zadig(codes::DELETE_RESOURCE, e))?;
    // `isDelete` only decides what happens to the namespace, which the
    // simulated cluster does not keep apart; it must still parse.
    parse_go_bool(query.get("isDelete")).map_err(|e| ApiError::zadig(codes::DELETE_RESOURCE, e))?;
    store.with(|w| w.delete_test_env(project, &env))?;
    Ok(Success)
}

/// `DELETE /openapi/environments/production/{env}?projectKey=`: › Production.
pub async fn delete_production_environment(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
) -> ApiResult<Success> {
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    store.with(|w| w.delete_production_env(project, &env))?;
    Ok(Success)
}

/// Go's `strconv.ParseBool`, with its error text.
pub fn parse_go_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => Err(format!("strconv.ParseBool: parsing {other:?}: invalid syntax")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_bool_parsing_accepts_gos_spellings_only() {
        assert_eq!(parse_go_bool("True"), Ok(true));
        assert_eq!(parse_go_bool("0"), Ok(false));
        assert_eq!(parse_go_bool("").unwrap_err(), "strconv.ParseBool: parsing \"\": invalid syntax");
        assert!(parse_go_bool("yes").is_err());
    }
}
