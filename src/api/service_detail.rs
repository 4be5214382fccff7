//! Service detail (§2.16): `OpenAPIGetService` / `OpenAPIGetProductionService`
//! (env/handler/service.go) over `GetService` (env/service/service.go).
//! The nested shapes are `pkg/shared/kube/resource/*.go` as the wrappers of
//! `pkg/shared/kube/wrapper/*.go` fill them: Go declaration order, and the
//! same `omitempty` fields.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::ApiResult;
use crate::store::cluster::{self, image_name};
use crate::store::{EnvService, Environment, Pod, Store, Workload, WorkloadKind};
use crate::wire::{Json, QueryParams};

/// `OpenAPIGetServiceResponse`.
#[derive(Serialize)]
pub struct ServiceResponse {
    service_name: String,
    scales: Vec<WorkloadView>,
    /// No service template declares an Ingress, so this stays empty.
    ingress: Vec<serde_json::Value>,
    service_endpoints: Vec<ServiceView>,
    cron_jobs: Vec<CronJobView>,
    namespace: String,
    env_name: String,
    product_name: String,
    group_name: &'static str,
}

/// `resource.Workload`.
#[derive(Serialize)]
struct WorkloadView {
    name: String,
    r#type: &'static str,
    images: Vec<ImageView>,
    pods: Vec<PodView>,
    replicas: u32,
    zadigx_release_type: &'static str,
    zadigx_release_tag: &'static str,
}

/// `resource.ContainerImage`.
#[derive(Serialize)]
struct ImageView {
    name: String,
    image: String,
    image_name: String,
}

/// `resource.Pod`.
#[derive(Serialize)]
struct PodView {
    kind: &'static str,
    name: String,
    status: String,
    age: String,
    createtime: i64,
    ip: String,
    labels: BTreeMap<String, String>,
    containers: Vec<ContainerView>,
    node_name: String,
    host_ip: String,
    enable_debug_container: bool,
    pod_ready: bool,
    containers_ready: bool,
    containers_message: &'static str,
}

/// `resource.Container`.
#[derive(Serialize)]
struct ContainerView {
    name: String,
    image: String,
    restart_count: u32,
    status: &'static str,
    ready: bool,
    ports: Vec<PortView>,
    message: &'static str,
    reason: &'static str,
    #[serde(skip_serializing_if = "is_zero")]
    started_at: i64,
    #[serde(skip_serializing_if = "is_zero")]
    finished_at: i64,
}

/// `resource.ContainerPort`: only `containerPort` is always there.
#[derive(Serialize)]
struct PortView {
    #[serde(rename = "containerPort")]
    container_port: u16,
    protocol: &'static str,
}

/// `resource.Service`.
#[derive(Serialize)]
struct ServiceView {
    name: String,
    age: String,
    labels: BTreeMap<String, String>,
    endpoints: Vec<EndpointView>,
}

/// `resource.ServicePort`.
#[derive(Serialize)]
struct EndpointView {
    service_name: String,
    service_port: u16,
    node_port: u16,
}

/// `resource.CronJob`.
#[derive(Serialize)]
struct CronJobView {
    name: String,
    labels: BTreeMap<String, String>,
    images: Vec<ImageView>,
    pods: Vec<PodView>,
    #[serde(skip_serializing_if = "is_zero")]
    create_time: i64,
    suspend: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    schedule: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    last_schedule: String,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// `GET /openapi/environments/{env}/services/{service}?projectKey=&workLoadType=`:
/// Zadig doc › View Environmental Service Details › Test.
pub async fn get_service(
    store: Store,
    axum::extract::Path((env, service)): axum::extract::Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<Json<ServiceResponse>> {
    detail(store, &env, &service, query, false)
}

/// `GET /openapi/environments/production/{env}/services/{service}?projectKey=`: › Production.
pub async fn get_production_service(
    store: Store,
    axum::extract::Path((env, service)): axum::extract::Path<(String, String)>,
    query: QueryParams,
) -> ApiResult<Json<ServiceResponse>> {
    detail(store, &env, &service, query, true)
}

/// Vendor quirk: `workLoadType` is read but only the Helm branch of
/// `GetServiceImpl` uses it (common/service/service.go:1350-1400), so it is
/// ignored here; `projectKey` is not validated at all.
fn detail(
    store: Store,
    env: &str,
    service: &str,
    query: QueryParams,
    production: bool,
) -> ApiResult<Json<ServiceResponse>> {
    let project = query.get("projectKey");
    store.read(|w| {
        let (owner, e) = w.env_for_service_detail(project, env, production)?;
        Ok(Json(match e.service(service) {
            Some(s) => ServiceResponse::of(owner, e, s, w.now()),
            // Vendor quirk: a service the environment lacks is a 200 with
            // empty lists, and `product_name` is the query's value
            // (env/service/service.go:202-212).
            None => ServiceResponse::empty(service, project, e),
        }))
    })
}

impl ServiceResponse {
    fn empty(service: &str, project: &str, env: &Environment) -> Self {
        ServiceResponse {
            service_name: service.to_string(),
            scales: Vec::new(),
            ingress: Vec::new(),
            service_endpoints: Vec::new(),
            cron_jobs: Vec::new(),
            namespace: env.namespace.clone(),
            env_name: env.name.clone(),
            product_name: project.to_string(),
            group_name: "",
        }
    }

    /// The service's manifests in template order: Deployments and
    /// StatefulSets as `scales`, CronJobs as `cron_jobs`, Services as
    /// `service_endpoints`.
    fn of(project: &str, env: &Environment, service: &EnvService, now: i64) -> Self {
        let mut response = Self::empty(&service.name, project, env);
        let labels = cluster::object_labels(project, &service.name);
        for w in &service.workloads {
            match w.kind {
                WorkloadKind::CronJob => response.cron_jobs.push(CronJobView {
                    name: w.name.to_string(),
                    labels: labels.clone(),
                    images: images(w),
                    pods: Vec::new(),
                    create_time: w.created_at,
                    suspend: w.suspend,
                    schedule: w.schedule.clone().unwrap_or_default(),
                    // No job has run yet (`GetLastSchedule`).
                    last_schedule: "N/A".to_string(),
                }),
                kind => response.scales.push(WorkloadView {
                    name: w.name.to_string(),
                    r#type: kind.as_str(),
                    images: images(w),
                    pods: w.pods.iter().map(|p| pod_view(project, &service.name, w, p, now)).collect(),
                    replicas: w.replicas,
                    zadigx_release_type: "",
                    zadigx_release_tag: "",
                }),
            }
            if let Some(svc) = &w.k8s_service {
                response.service_endpoints.push(ServiceView {
                    name: svc.name.to_string(),
                    age: cluster::age(svc.created_at, now),
                    labels: labels.clone(),
                    endpoints: svc
                        .ports
                        .iter()
                        .map(|(port, node_port)| EndpointView {
                            service_name: svc.name.to_string(),
                            service_port: *port,
                            node_port: *node_port,
                        })
                        .collect(),
                });
            }
        }
        response
    }
}

fn images(w: &Workload) -> Vec<ImageView> {
    w.containers
        .iter()
        .map(|c| ImageView { name: c.name.to_string(), image: c.image.to_string(), image_name: image_name(&c.image) })
        .collect()
}

/// `wrapper.Pod(p).Resource()`: `kind` is the owner's kind.
fn pod_view(project: &str, service: &str, w: &Workload, pod: &Pod, now: i64) -> PodView {
    let kind = match w.kind {
        WorkloadKind::Deployment => "ReplicaSet",
        WorkloadKind::StatefulSet => "StatefulSet",
        WorkloadKind::CronJob => "Job",
    };
    let containers: Vec<ContainerView> = pod
        .containers
        .iter()
        .map(|c| ContainerView {
            name: c.name.to_string(),
            image: c.image.to_string(),
            restart_count: c.restart_count,
            status: "running",
            ready: c.ready,
            ports: c.ports.iter().map(|p| PortView { container_port: *p, protocol: "TCP" }).collect(),
            message: "",
            reason: "",
            started_at: c.started_at,
            finished_at: 0,
        })
        .collect();
    let ready = pod.ready();
    PodView {
        kind,
        name: pod.name.to_string(),
        status: pod.phase.to_string(),
        age: cluster::age(pod.created_at, now),
        createtime: pod.created_at,
        ip: pod.ip.to_string(),
        labels: cluster::pod_labels(project, service, w, pod),
        containers,
        node_name: pod.node.to_string(),
        host_ip: pod.node.to_string(),
        enable_debug_container: false,
        pod_ready: ready,
        containers_ready: ready,
        containers_message: "",
    }
}
