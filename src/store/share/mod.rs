//! Sub-environment sharing (§2.18): an environment can be a base that
//! sub-environments are derived from. Enabling it labels the namespace for
//! Istio, restarts the pods so that they gain an `istio-proxy` sidecar and
//! deploys Zadig's VirtualServices; disabling undoes all of it and deletes
//! the sub-environments. Under `--settle` the restart and the
//! VirtualServices take that long on the virtual clock ([`rollout`]), so a
//! client polling the readiness check sees it turn true step by step.

mod portal;
mod rollout;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use portal::PortalServer;
pub use rollout::{Rollout, ShareOp};

use super::World;
use super::model::{ContainerTemplate, Environment, PodContainer, Workload, WorkloadKind};
use crate::error::{ApiError, ApiResult, msg};

/// `share_env` of the environment record, with the simulated Istio objects
/// of its namespace.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ShareState {
    pub enable: bool,
    pub is_base: bool,
    /// For a sub-environment, the base it derives from.
    pub base_env: String,
    /// `istio-injection=enabled` on the namespace.
    pub istio_label: bool,
    /// Zadig's VirtualService (`zadig-<service>`) exists for every Kubernetes
    /// Service of the namespace.
    pub virtual_services: bool,
    /// The Istio Gateway of each portal service (`zadig-gateway-<service>`):
    /// its servers, as last set.
    pub portals: BTreeMap<String, Vec<PortalServer>>,
    /// An enable or disable still rolling out on the virtual clock.
    pub rollout: Option<Rollout>,
}

/// `ShareEnvReady` of `env/service/types.go`, fields in declaration order.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct ShareEnvReady {
    pub is_ready: bool,
    pub checks: ShareEnvReadyChecks,
}

/// `ShareEnvReadyChecks`.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct ShareEnvReadyChecks {
    pub namespace_has_istio_label: bool,
    pub virtualservice_deployed: bool,
    pub pods_have_istio_proxy: bool,
    pub workloads_ready: bool,
    pub workloads_have_k8s_service: bool,
}

impl ShareEnvReady {
    /// `ShareEnvReady.CheckAndSetReady` (`env/service/types.go:160`):
    /// `workloads_have_k8s_service` is informational only.
    pub fn check_and_set_ready(&mut self, op: ShareOp) {
        let c = self.checks;
        self.is_ready = c.workloads_ready
            && match op {
                ShareOp::Enable => c.namespace_has_istio_label && c.virtualservice_deployed && c.pods_have_istio_proxy,
                ShareOp::Disable => {
                    !c.namespace_has_istio_label && !c.virtualservice_deployed && !c.pods_have_istio_proxy
                }
            };
    }
}

/// The container Istio injects into pods of a labelled namespace.
pub const ISTIO_PROXY: &str = "istio-proxy";

/// The sidecar's template, as injected by Istio 1.19.
pub fn istio_proxy_template() -> ContainerTemplate {
    ContainerTemplate {
        name: ISTIO_PROXY.into(),
        image: "docker.io/istio/proxyv2:1.19.3".into(),
        ports: [15090].into(),
    }
}

/// Istio's injection into the pods of workloads deployed into a labelled
/// namespace, and into every pod they create later.
pub fn inject_sidecars(workloads: &mut [Workload]) {
    let proxy = istio_proxy_template();
    for workload in workloads.iter_mut().filter(|w| rollout::has_pods(w)) {
        workload.sidecars = vec![proxy.clone()];
        for pod in &mut workload.pods {
            let started_at = pod.containers.first().map_or(pod.created_at + 1, |c| c.started_at);
            pod.containers.push(PodContainer {
                name: proxy.name.clone(),
                image: proxy.image.clone(),
                ports: proxy.ports.clone(),
                restart_count: 0,
                ready: true,
                started_at,
                log: Vec::new(),
            });
        }
    }
}

/// `"failed to query env `<env>` in project `<project>`: <mongo error>"`, the
/// plain error of every share lookup but the portal ones.
fn query_failed(project: &str, env: &str) -> ApiError {
    ApiError::internal(format!("failed to query env `{env}` in project `{project}`: {}", msg::NO_DOCUMENTS))
}

impl World {
    /// `CheckWorkloadsK8sServices` (test environments only): the
    /// `"<workload>.<Kind>"` names of Deployments and StatefulSets that no
    /// Kubernetes Service selects.
    pub fn workloads_without_k8s_service(&self, project: &str, env: &str) -> ApiResult<Vec<String>> {
        match self.env(project, env) {
            Some(e) if !e.production => Ok(unserved_workloads(e)),
            _ => Err(query_failed(project, env)),
        }
    }

    /// `CheckShareEnvReady`: the checks of the environment as it stands,
    /// judged by the rule of `op` (`enable`, or anything else for disable).
    pub fn share_readiness(&self, project: &str, env: &str, op: &str) -> ApiResult<ShareEnvReady> {
        let e = self.env(project, env).ok_or_else(|| query_failed(project, env))?;
        let (pods_have_istio_proxy, workloads_ready) = pods_proxy_and_ready(e);
        let mut ready = ShareEnvReady {
            is_ready: false,
            checks: ShareEnvReadyChecks {
                namespace_has_istio_label: e.share.istio_label,
                // Vendor quirk: with no Service in the namespace, "every
                // Service has its VirtualService" holds vacuously
                // (`checkVirtualServicesDeployed`, share_env.go:441-458).
                virtualservice_deployed: e.share.virtual_services || !has_k8s_services(e),
                pods_have_istio_proxy,
                workloads_ready,
                workloads_have_k8s_service: unserved_workloads(e).is_empty(),
            },
        };
        ready.check_and_set_ready(ShareOp::parse(op));
        Ok(ready)
    }
}

impl World {
    /// Makes a test environment a sub-environment of `base`, a base
    /// environment of the same project: in the mesh, its pods with the
    /// sidecar. Seeds use it; the v3.4.0 OpenAPI has no way to do this.
    pub fn join_base_env(&mut self, project: &str, env: &str, base: &str) -> Result<(), String> {
        match self.env(project, base) {
            Some(b) if b.share.enable && b.share.is_base && !b.production => {}
            _ => {
                return Err(format!(
                    "sub_env.base_env {base:?} is not an earlier base environment (share_env: true) of the project"
                ));
            }
        }
        let e = self.env_mut(project, env).filter(|e| !e.production);
        let e = e.ok_or_else(|| "a sub-environment must be a test environment".to_string())?;
        e.share = ShareState {
            enable: true,
            base_env: base.to_string(),
            istio_label: true,
            virtual_services: true,
            ..ShareState::default()
        };
        for service in &mut e.services {
            inject_sidecars(&mut service.workloads);
        }
        self.touch();
        Ok(())
    }
}

/// `checkWorkloadsHaveK8sService`, in the environment's service order
/// (Zadig's is Go map order, i.e. random).
fn unserved_workloads(env: &Environment) -> Vec<String> {
    env.services
        .iter()
        .flat_map(|s| &s.workloads)
        .filter(|w| matches!(w.kind, WorkloadKind::Deployment | WorkloadKind::StatefulSet) && w.k8s_service.is_none())
        .map(|w| format!("{}.{}", w.name, w.kind.as_str()))
        .collect()
}

fn has_k8s_services(env: &Environment) -> bool {
    env.services.iter().flat_map(|s| &s.workloads).any(|w| w.k8s_service.is_some())
}

/// `checkPodsWithIstioProxyAndReady` (share_env.go:389-420): whether every
/// pod has the sidecar, and whether every pod is `Running` or `Succeeded`;
/// it gives up with `(false, false)` at the first pod that fails both.
fn pods_proxy_and_ready(env: &Environment) -> (bool, bool) {
    let (mut all_proxy, mut all_ready) = (true, true);
    for (_, _, pod) in env.pods() {
        all_ready &= matches!(pod.phase.as_str(), "Running" | "Succeeded");
        all_proxy &= pod.containers.iter().any(|c| c.name == ISTIO_PROXY);
        if !all_ready && !all_proxy {
            return (false, false);
        }
    }
    (all_proxy, all_ready)
}

#[cfg(test)]
mod tests;
