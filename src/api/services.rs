//! Services in environments (§2.7–2.9): add, remove and update them.
//! Handlers are in `env/handler/openapi.go` (`OpenAPIApplyYamlService`,
//! `OpenAPIDeleteYamlServiceFromEnv`, `OpenAPIUpdateYamlServices` and their
//! production twins); each parses in that handler's order.

use serde::Deserialize;

use super::environments::EnvParam;
use super::require_project_key;
use crate::error::{ApiError, ApiResult};
use crate::store::Store;
use crate::store::services::ServiceWithKvs;
use crate::wire::{QueryParams, RawBody, Success, bind_json, go_unmarshal};

/// `OpenAPIApplyYamlServiceReq`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ApplyServicesReq {
    env_key: String,
    service_list: Vec<ServiceWithKvs>,
}

impl ApplyServicesReq {
    /// `Validate()`: plain errors, so HTTP 500.
    fn validate(&self) -> ApiResult<()> {
        if self.env_key.is_empty() {
            return Err(ApiError::internal("env_key is required"));
        }
        if self.service_list.iter().any(|s| s.service_name.is_empty()) {
            return Err(ApiError::internal("service_name is required for all services"));
        }
        Ok(())
    }
}

/// `OpenAPIDeleteYamlServiceFromEnvReq` (v3.4.0 has no `not_delete_resource`).
#[derive(Default, Deserialize)]
#[serde(default)]
struct DeleteServicesReq {
    env_key: String,
    service_names: Vec<String>,
}

impl DeleteServicesReq {
    /// `Validate()`: only the environment is required.
    fn validate(&self) -> ApiResult<()> {
        match self.env_key.as_str() {
            "" => Err(ApiError::internal("env_key is required")),
            _ => Ok(()),
        }
    }
}

/// `OpenAPIServiceVariablesReq`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct UpdateServicesReq {
    service_list: Vec<ServiceWithKvs>,
}

/// The service/yaml handlers' own wording: `cannot`, not `can't`.
fn project_key(query: &QueryParams) -> ApiResult<&str> {
    match query.get("projectKey") {
        "" => Err(ApiError::invalid_param("projectKey cannot be empty")),
        key => Ok(key),
    }
}

/// `POST /openapi/environments/service/yaml?projectKey=`: Zadig doc › Add a Service › Test.
pub async fn add_services(store: Store, query: QueryParams, RawBody(body): RawBody) -> ApiResult<Success> {
    let req: ApplyServicesReq = bind_json(&body)?;
    let project = project_key(&query)?;
    req.validate()?;
    store.with(|w| w.add_services(project, &req.env_key, req.service_list, false))?;
    Ok(Success)
}

/// `POST /openapi/environments/production/service/yaml?projectKey=`: › Production.
/// Unlike the test handler it validates the body before the query.
pub async fn add_production_services(store: Store, query: QueryParams, RawBody(body): RawBody) -> ApiResult<Success> {
    let req: ApplyServicesReq = bind_json(&body)?;
    req.validate()?;
    let project = project_key(&query)?;
    store.with(|w| w.add_services(project, &req.env_key, req.service_list, true))?;
    Ok(Success)
}

/// `DELETE /openapi/environments/service/yaml?projectKey=` (JSON body): › Delete Service › Test.
pub async fn delete_services(store: Store, query: QueryParams, RawBody(body): RawBody) -> ApiResult<Success> {
    let req: DeleteServicesReq = bind_json(&body)?;
    req.validate()?;
    let project = project_key(&query)?;
    store.with(|w| {
        w.check_services_in_sub_envs(project, &req.env_key, &req.service_names)?;
        w.delete_services(project, &req.env_key, &req.service_names, false)
    })?;
    Ok(Success)
}

/// `DELETE /openapi/environments/production/service/yaml?projectKey=`: › Production.
pub async fn delete_production_services(
    store: Store,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    let req: DeleteServicesReq = bind_json(&body)?;
    req.validate()?;
    let project = project_key(&query)?;
    store.with(|w| w.delete_services(project, &req.env_key, &req.service_names, true))?;
    Ok(Success)
}

/// `PUT /openapi/environments/{env}/services?projectKey=`: › Update Service › Test.
pub async fn update_services(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, &env, query, &body, false)
}

/// `PUT /openapi/environments/production/{env}/services?projectKey=`: › Production.
pub async fn update_production_services(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, &env, query, &body, true)
}

fn update(store: Store, env: &str, query: QueryParams, body: &[u8], production: bool) -> ApiResult<Success> {
    let req: UpdateServicesReq = go_unmarshal(body, "service.OpenAPIServiceVariablesReq")?;
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    store.with(|w| w.update_services(project, env, req.service_list, production))?;
    Ok(Success)
}
