//! Global variables of environments (§2.10–2.11): `OpenAPIGetEnvGlobalVariables`,
//! `OpenAPIUpdateGlobalVariables` and their production twins
//! (env/handler/openapi.go).

use serde::Deserialize;

use super::environments::EnvParam;
use super::require_project_key;
use crate::error::{ApiError, ApiResult};
use crate::store::{GlobalVariableKV, Store};
use crate::wire::{JsonBody, QueryParams, RawBody, Success, go_unmarshal};

/// `OpenAPIEnvGlobalVariables`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct GlobalVariablesReq {
    global_variables: Vec<GlobalVariableKV>,
}

/// `GET /openapi/environments/{env}/variable?projectKey=`: Zadig doc › View Global Variables › Test.
pub async fn get_variables(store: Store, EnvParam(env): EnvParam, query: QueryParams) -> ApiResult<JsonBody> {
    read(store, &env, query, false)
}

/// `GET /openapi/environments/production/{env}/variable?projectKey=`: › Production.
pub async fn get_production_variables(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
) -> ApiResult<JsonBody> {
    read(store, &env, query, true)
}

fn read(store: Store, env: &str, query: QueryParams, production: bool) -> ApiResult<JsonBody> {
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    store.read(|w| w.global_variables(project, env, production).map(JsonBody::of))
}

/// `PUT /openapi/environments/{env}/variable?projectKey=`: › Update Global Variables › Test.
pub async fn update_variables(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, &env, query, &body, false)
}

/// `PUT /openapi/environments/production/{env}/variable?projectKey=`: › Production.
pub async fn update_production_variables(
    store: Store,
    EnvParam(env): EnvParam,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    update(store, &env, query, &body, true)
}

fn update(store: Store, env: &str, query: QueryParams, body: &[u8], production: bool) -> ApiResult<Success> {
    let req: GlobalVariablesReq = go_unmarshal(body, "service.OpenAPIEnvGlobalVariables")?;
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    // Vendor quirk: the production handler unmarshals into `&args`, so a
    // `null` body leaves no request at all (env/handler/openapi.go:1137, :1178).
    let is_null = serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v.is_null());
    let args = if production && is_null { None } else { Some(req.global_variables) };
    store.with(|w| w.update_global_variables(project, env, args, production))?;
    Ok(Success)
}
