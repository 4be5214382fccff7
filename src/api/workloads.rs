//! Scale, restart and image updates of workloads (§2.13–2.15):
//! `OpenAPIScaleWorkloads`, `OpenAPIRestartService` (env/handler/openapi.go)
//! and `OpenAPIUpdate{Deployment,StatefulSet,CronJob}ContainerImage`
//! (env/handler/image.go).

use axum::extract::Path;
use serde::Deserialize;

use super::require_project_key;
use crate::error::{ApiError, ApiResult};
use crate::store::workloads::ImageUpdate;
use crate::store::{Store, WorkloadKind};
use crate::wire::{QueryParams, RawBody, Success, bind_json, go_unmarshal};

/// `OpenAPIScaleServiceReq` (v3.4.0: no `service_name`).
#[derive(Default, Deserialize)]
#[serde(default)]
struct ScaleReq {
    project_key: String,
    env_key: String,
    workload_name: String,
    workload_type: String,
    target_replicas: i64,
}

impl ScaleReq {
    /// `Validate()`: plain errors, so HTTP 500, in this order.
    fn validate(&self) -> ApiResult<WorkloadKind> {
        let required = [
            (&self.project_key, "project_key is required"),
            (&self.env_key, "env_key is required"),
            (&self.workload_name, "workload_name is required"),
            (&self.workload_type, "workload_type is required"),
        ];
        if let Some((_, message)) = required.iter().find(|(value, _)| value.is_empty()) {
            return Err(ApiError::internal(*message));
        }
        let kind = match self.workload_type.as_str() {
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            other => return Err(ApiError::internal(format!("unsupported workload type: {other}"))),
        };
        if self.target_replicas < 0 {
            return Err(ApiError::internal("target_replicas must be greater than or equal to 0"));
        }
        Ok(kind)
    }
}

/// `POST /openapi/environments/scale`: Zadig doc › Adjust the Number of Replicas.
/// The body alone names the project and environment; no `projectKey` query.
pub async fn scale_workload(store: Store, RawBody(body): RawBody) -> ApiResult<Success> {
    let req: ScaleReq = bind_json(&body)?;
    let kind = req.validate()?;
    store.with(|w| w.scale_workload(&req.project_key, &req.env_key, kind, &req.workload_name, req.target_replicas))?;
    Ok(Success)
}

/// `POST /openapi/environments/{env}/service/{service}/restart?projectKey=`:
/// › Restart the Service Instance › Test.
pub async fn restart_service(
    store: Store,
    Path((env, service)): Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<Success> {
    restart(store, &env, &service, query, false)
}

/// `POST /openapi/environments/production/{env}/service/{service}/restart?projectKey=`: › Production.
pub async fn restart_production_service(
    store: Store,
    Path((env, service)): Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<Success> {
    restart(store, &env, &service, query, true)
}

fn restart(store: Store, env: &str, service: &str, query: QueryParams, production: bool) -> ApiResult<Success> {
    let project = require_project_key(&query).map_err(ApiError::invalid_param)?;
    if service.is_empty() {
        return Err(ApiError::invalid_param("serviceName is empty"));
    }
    store.with(|w| w.restart_service(project, env, service, production))?;
    Ok(Success)
}

/// `OpenAPIUpdateContainerImageArgs`. `type` is preset from the route, but
/// a `type` in the body overrides it.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ImageReq {
    r#type: Option<String>,
    product_name: String,
    env_name: String,
    service_name: String,
    name: String,
    container_name: String,
    image: String,
}

impl ImageReq {
    fn into_update(self, preset: WorkloadKind) -> ImageUpdate {
        ImageUpdate {
            kind: self.r#type.unwrap_or_else(|| preset.as_str().to_string()),
            project: self.product_name,
            env: self.env_name,
            service: self.service_name,
            name: self.name,
            container: self.container_name,
            image: self.image,
        }
    }
}

/// `POST /openapi/environments/image/deployment/{env}`: › Update Deployment Image.
/// Vendor quirk: the path's environment is never read; the body's
/// `env_name` is (env/handler/image.go:288-362).
pub async fn update_deployment_image(store: Store, RawBody(body): RawBody) -> ApiResult<Success> {
    update_image(store, &body, WorkloadKind::Deployment)
}

/// `POST /openapi/environments/image/statefulset/{env}`: › Update Statefulset Image.
pub async fn update_statefulset_image(store: Store, RawBody(body): RawBody) -> ApiResult<Success> {
    // Vendor quirk: this handler alone returns when the first
    // `json.Unmarshal` fails, without an error: any body Go cannot decode
    // is a success that changes nothing (env/handler/image.go:380-383).
    if go_unmarshal::<ImageReq>(&body, "handler.OpenAPIUpdateContainerImageArgs").is_err() {
        return Ok(Success);
    }
    update_image(store, &body, WorkloadKind::StatefulSet)
}

/// `POST /openapi/environments/image/cronjob/{env}`: › Update Cronjob Image.
pub async fn update_cronjob_image(store: Store, RawBody(body): RawBody) -> ApiResult<Success> {
    update_image(store, &body, WorkloadKind::CronJob)
}

fn update_image(store: Store, body: &[u8], preset: WorkloadKind) -> ApiResult<Success> {
    let req: ImageReq = bind_json(body)?;
    let update = req.into_update(preset);
    store.with(|w| w.update_container_image(&update))?;
    Ok(Success)
}
