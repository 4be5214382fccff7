//! Sub-environment sharing (§2.18): `OpenAPICheckWorkloadsK8sServices`,
//! `OpenAPIEnableBaseEnv`, `OpenAPIDsiableBaseEnv` (sic),
//! `OpenAPICheckShareEnvReady`, `OpenAPIGetPortalService` and
//! `OpenAPISetPortalService` of `env/handler/openapi.go`. All test-side and
//! `?projectKey=`; the lookups take any environment of the project unless
//! noted.

use serde_json::{Map, Value};

use super::{PathSegments, require_project_key};
use crate::error::{ApiError, ApiResult};
use crate::store::Store;
use crate::store::share::{PortalServer, ShareEnvReady};
use crate::wire::{Json, QueryParams, RawBody, Success, go_decode_first, go_json_kind};

/// `/openapi/environments/{env}/…`: the environment segment.
const ENV: usize = 2;
/// `…/check/sharenv/{op}/ready` and `…/share/portal/{service}`.
const OP_OR_SERVICE: usize = 5;

/// `generalOpenAPIRequestValidate`, its error sent as `ErrInvalidParam.AddErr`.
fn project_key(query: &QueryParams) -> ApiResult<&str> {
    require_project_key(query).map_err(ApiError::invalid_param)
}

/// `GET /openapi/environments/{env}/check/workloads/k8services?projectKey=`:
/// Zadig doc › Sub-Environment › Check Workloads (the doc's `k8sservices`
/// spelling is not a route). Test environments only.
pub async fn check_workloads_k8s_services(
    store: Store,
    path: PathSegments,
    query: QueryParams,
) -> ApiResult<Json<Vec<String>>> {
    let project = project_key(&query)?;
    Ok(Json(store.with(|w| w.workloads_without_k8s_service(project, path.get(ENV)))?))
}

/// `POST /openapi/environments/{env}/share/enable?projectKey=`: › Turn on Sub-Environment.
pub async fn enable_share(store: Store, path: PathSegments, query: QueryParams) -> ApiResult<Success> {
    let project = project_key(&query)?;
    store.with(|w| w.enable_share(project, path.get(ENV)))?;
    Ok(Success)
}

/// `DELETE /openapi/environments/{env}/share/enable?projectKey=`: › Close the Sub-Environment.
pub async fn disable_share(store: Store, path: PathSegments, query: QueryParams) -> ApiResult<Success> {
    let project = project_key(&query)?;
    store.with(|w| w.disable_share(project, path.get(ENV)))?;
    Ok(Success)
}

/// `GET /openapi/environments/{env}/check/sharenv/{op}/ready?projectKey=`:
/// › Check Sub-Environment Ready. `op` is `enable`, or anything else for
/// the disable rule.
pub async fn check_share_ready(store: Store, path: PathSegments, query: QueryParams) -> ApiResult<Json<ShareEnvReady>> {
    let project = project_key(&query)?;
    Ok(Json(store.with(|w| w.share_readiness(project, path.get(ENV), path.get(OP_OR_SERVICE)))?))
}

/// `GET /openapi/environments/{env}/share/portal/{service}?projectKey=`: › Get Portal Services.
pub async fn get_portal_service(store: Store, path: PathSegments, query: QueryParams) -> ApiResult<Success> {
    let project = project_key(&query)?;
    store.with(|w| w.portal_service(project, path.get(ENV), path.get(OP_OR_SERVICE)))?;
    // Vendor quirk: the handler builds its response but never assigns
    // `ctx.Resp`, so a success is `{"message":"success"}`, not the servers
    // (env/handler/openapi.go:1650-1661 at v3.4.0; still so at HEAD).
    Ok(Success)
}

/// `POST /openapi/environments/{env}/share/portal/{service}?projectKey=`: ›
/// Set Up Portal Service. The body is a list of servers; `[]` deletes the
/// portal's Gateway.
pub async fn set_portal_service(
    store: Store,
    path: PathSegments,
    query: QueryParams,
    RawBody(body): RawBody,
) -> ApiResult<Success> {
    let project = project_key(&query)?;
    let servers = bind_servers(&body).map_err(ApiError::invalid_param)?;
    store.with(|w| w.set_portal_service(project, path.get(ENV), path.get(OP_OR_SERVICE), servers))?;
    Ok(Success)
}

const SERVER_TYPE: &str = "OpenAPISetPortalServiceRequest";

/// `c.ShouldBindJSON(&req)` into `[]OpenAPISetPortalServiceRequest`, with
/// Go's texts: keys match case-insensitively, unknown keys are ignored,
/// `null` leaves the zero value, and the first type error is reported after
/// the whole body was read.
fn bind_servers(body: &[u8]) -> Result<Vec<PortalServer>, String> {
    let items = match go_decode_first(body)? {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            let kind = go_json_kind(&other);
            return Err(format!("json: cannot unmarshal {kind} into Go value of type []handler.{SERVER_TYPE}"));
        }
    };
    let mut first_error = None;
    let servers = items
        .iter()
        .map(|item| match item {
            Value::Object(fields) => bind_server(fields, &mut first_error),
            Value::Null => PortalServer::default(),
            other => {
                let kind = go_json_kind(other);
                first_error.get_or_insert(format!(
                    "json: cannot unmarshal {kind} into Go value of type handler.{SERVER_TYPE}"
                ));
                PortalServer::default()
            }
        })
        .collect();
    first_error.map_or(Ok(servers), Err)
}

fn bind_server(fields: &Map<String, Value>, first_error: &mut Option<String>) -> PortalServer {
    let mut server = PortalServer::default();
    for (key, value) in fields.iter().filter(|(_, v)| !v.is_null()) {
        let field = key.to_ascii_lowercase();
        let mistyped = |go_type: &str, what: String| {
            format!("json: cannot unmarshal {what} into Go struct field {SERVER_TYPE}.{field} of type {go_type}")
        };
        let problem = match field.as_str() {
            "host" => bind_string(value, &mut server.host).err().map(|what| mistyped("string", what)),
            "port_protocol" => bind_string(value, &mut server.port_protocol).err().map(|what| mistyped("string", what)),
            "port_number" => match value {
                Value::Number(n) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(port) => {
                        server.port_number = port;
                        None
                    }
                    None => Some(mistyped("uint32", format!("number {n}"))),
                },
                other => Some(mistyped("uint32", go_json_kind(other).to_string())),
            },
            _ => None,
        };
        if let Some(problem) = problem {
            first_error.get_or_insert(problem);
        }
    }
    server
}

fn bind_string(value: &Value, into: &mut String) -> Result<(), String> {
    match value {
        Value::String(text) => {
            *into = text.clone();
            Ok(())
        }
        other => Err(go_json_kind(other).to_string()),
    }
}
