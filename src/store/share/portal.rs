//! Portal services (`GetPortalService`, `SetupPortalService` in
//! `env/service/share_env.go`): an Istio Gateway per service,
//! `zadig-gateway-<service>`, that exposes it through the cluster's
//! ingress gateway. The cluster's ingress gateway always has a load
//! balancer address here.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode, codes, msg};
use crate::store::World;
use crate::store::model::Environment;

/// `SetupPortalServiceRequest`: one server of a portal's Gateway.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct PortalServer {
    pub host: String,
    pub port_number: u32,
    pub port_protocol: String,
}

impl World {
    /// `GetPortalService`: the servers of the service's Gateway (none when
    /// it has no Gateway).
    pub fn portal_service(&self, project: &str, env: &str, service: &str) -> ApiResult<Vec<PortalServer>> {
        let e = portal_env(self, project, env, codes::GET_PORTAL_SERVICE)?;
        Ok(e.share.portals.get(service).cloned().unwrap_or_default())
    }

    /// `SetupPortalService`: creates or replaces the service's Gateway, or
    /// with no servers deletes it. As in Zadig, the Gateway is written
    /// before the service itself is looked up, so an unknown service fails
    /// after the Gateway changed.
    pub fn set_portal_service(
        &mut self,
        project: &str,
        env: &str,
        service: &str,
        servers: Vec<PortalServer>,
    ) -> ApiResult<()> {
        let code = codes::SETUP_PORTAL_SERVICE;
        portal_env(self, project, env, code)?;
        let Some(e) = self.env_mut(project, env) else { return Err(query_failed(code, project, env)) };
        let gateway = format!("zadig-gateway-{service}");
        if !servers.is_empty() {
            e.share.portals.insert(service.to_string(), servers);
        } else if e.share.portals.remove(service).is_none() {
            // The Kubernetes NotFound of deleting a Gateway that is not there.
            return Err(ApiError::zadig(
                code,
                format!(
                    "failed to clean istio ingress gateway service, err: failed to delete gateway {gateway} in namespace {}, err: gateways.networking.istio.io \"{gateway}\" not found",
                    e.namespace
                ),
            ));
        }
        if e.service(service).is_none() {
            return Err(ApiError::zadig(
                code,
                format!("failed to parse k8s project services, err: can't find {service} in env {env}"),
            ));
        }
        Ok(())
    }
}

/// The lookup and share precondition both portal operations start with.
fn portal_env<'w>(world: &'w World, project: &str, env: &str, code: ErrorCode) -> ApiResult<&'w Environment> {
    let e = world.env(project, env).ok_or_else(|| query_failed(code, project, env))?;
    if !e.share.enable && !e.share.is_base {
        // Vendor quirk: `AddDesc` is not a format function, so the `%s` is
        // sent as is (share_env.go, GetPortalService and SetupPortalService).
        return Err(ApiError::zadig(code, "%s doesn't enable share environment or is not base environment"));
    }
    Ok(e)
}

fn query_failed(code: ErrorCode, project: &str, env: &str) -> ApiError {
    ApiError::zadig(code, format!("failed to query env {env} of product {project}: {}", msg::NO_DOCUMENTS))
}
