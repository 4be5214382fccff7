//! Enabling and disabling a base environment (`EnableBaseEnv`,
//! `DisableBaseEnv` in `env/service/share_env.go`), and the part of it that
//! takes time.
//!
//! The namespace label changes at once. The pod restart and, for an
//! enable, the VirtualServices follow on the virtual clock: one third of
//! `--settle` in, the pods lacking (or, to disable, carrying) the sidecar
//! are replaced by new ones that start `Pending`; at two thirds they run;
//! at the end the VirtualServices are deployed. With no settle time every
//! step happens at once.

use serde::{Deserialize, Serialize};

use super::{ISTIO_PROXY, istio_proxy_template, query_failed};
use crate::error::{ApiError, ApiResult};
use crate::store::World;
use crate::store::model::{EnvStatus, Environment, Workload, WorkloadKind};

/// `ShareEnvOp`: which rule the readiness check applies.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ShareOp {
    Enable,
    Disable,
}

impl ShareOp {
    /// `ShareEnvOp(op)`: `enable`, and anything else is the disable rule
    /// (the `default:` branch of `CheckAndSetReady`); nothing validates it.
    pub fn parse(op: &str) -> Self {
        if op == "enable" { ShareOp::Enable } else { ShareOp::Disable }
    }
}

/// An enable or disable in progress on the virtual clock.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rollout {
    pub op: ShareOp,
    /// Virtual-clock milliseconds of the request.
    pub started_ms: i64,
    /// `--settle` at the time of the request.
    pub span_ms: i64,
    /// How many of the [`STEPS`] steps have happened.
    pub steps_done: u8,
    /// Pods created by the restart that are still `Pending`.
    pub starting: Vec<String>,
}

/// Restart, pods running, VirtualServices.
const STEPS: u8 = 3;

impl Rollout {
    /// When the next step is due, if one is left.
    pub fn next_at_ms(&self) -> Option<i64> {
        let step = i64::from(self.steps_done) + 1;
        (self.steps_done < STEPS).then(|| self.started_ms + self.span_ms * step / i64::from(STEPS))
    }
}

impl World {
    /// `EnableBaseEnv`: no precondition on the share state or on the
    /// production flag; idempotent.
    pub fn enable_share(&mut self, project: &str, env: &str) -> ApiResult<()> {
        let update_time = self.now();
        let e = self.shareable_env(project, env)?;
        e.share.istio_label = true;
        set_sidecars(e, true);
        // `ensureBaseEnvConfig`: the record (and `update_time`) changes only
        // when it was not a base yet; the literal clears `base_env`.
        if !(e.share.enable && e.share.is_base) {
            e.share.enable = true;
            e.share.is_base = true;
            e.share.base_env.clear();
            e.update_time = update_time;
        }
        self.begin_rollout(project, env, ShareOp::Enable);
        Ok(())
    }

    /// `DisableBaseEnv`: deletes the sub-environments, the portal Gateways,
    /// the VirtualServices and the label, then restarts the pods.
    pub fn disable_share(&mut self, project: &str, env: &str) -> ApiResult<()> {
        self.shareable_env(project, env)?;
        for sub in self.sub_envs(project, env) {
            // `DeleteProduct(..., isDelete=true)`, as the API's delete does.
            self.delete_test_env(project, &sub)?;
        }
        let update_time = self.now();
        let e = self.env_mut(project, env).ok_or_else(|| query_failed(project, env))?;
        e.share.portals.clear();
        e.share.virtual_services = false;
        e.share.istio_label = false;
        set_sidecars(e, false);
        if e.share.enable || e.share.is_base {
            e.share.enable = false;
            e.share.is_base = false;
            e.share.base_env.clear();
            e.update_time = update_time;
        }
        self.begin_rollout(project, env, ShareOp::Disable);
        Ok(())
    }

    /// The lookup and gate both operations share: any environment of the
    /// project, test or production, that is not sleeping.
    fn shareable_env(&mut self, project: &str, env: &str) -> ApiResult<&mut Environment> {
        let e = self.env_mut(project, env).ok_or_else(|| query_failed(project, env))?;
        if e.status == EnvStatus::Sleeping {
            return Err(ApiError::internal("Environment is sleeping"));
        }
        Ok(e)
    }

    /// `ensureDeleteAssociatedEnvs`' query: test environments sharing with
    /// `base` as their base.
    fn sub_envs(&self, project: &str, base: &str) -> Vec<String> {
        self.list_envs(project, false)
            .filter(|e| e.share.enable && !e.share.is_base && e.share.base_env == base)
            .map(|e| e.name.clone())
            .collect()
    }

    /// Replaces any rollout in progress and applies what is due at once.
    fn begin_rollout(&mut self, project: &str, env: &str, op: ShareOp) {
        let started_ms = self.clock.now_ms();
        let span_ms = self.settle_ms.max(0);
        if let Some(e) = self.env_mut(project, env) {
            e.share.rollout = Some(Rollout { op, started_ms, span_ms, steps_done: 0, starting: Vec::new() });
        }
        self.advance_share(project, env, started_ms);
        let next = self.env(project, env).and_then(|e| e.share.rollout.as_ref()).and_then(Rollout::next_at_ms);
        if let Some(at_ms) = next {
            self.schedule_deadline(at_ms);
        }
    }

    /// Applies every step of the environment's rollout that is due at `now_ms`.
    pub(crate) fn advance_share(&mut self, project: &str, env: &str, now_ms: i64) {
        loop {
            let Some(rollout) = self.env(project, env).and_then(|e| e.share.rollout.clone()) else { return };
            let Some(at_ms) = rollout.next_at_ms().filter(|at| *at <= now_ms) else { return };
            let starting = match rollout.steps_done {
                0 => self.restart_pods(project, env, rollout.op),
                1 => {
                    self.start_pods(project, env, &rollout.starting, at_ms);
                    Vec::new()
                }
                _ => Vec::new(),
            };
            let Some(e) = self.env_mut(project, env) else { return };
            if rollout.steps_done == 2 && rollout.op == ShareOp::Enable {
                e.share.virtual_services = true;
            }
            e.share.rollout = match rollout.steps_done + 1 {
                STEPS => None,
                steps_done => Some(Rollout { steps_done, starting, ..rollout }),
            };
        }
    }

    /// `restartPodsWithIstioProxy`: every workload with a pod lacking the
    /// sidecar (enable) or carrying it (disable) gets new pods, `Pending`.
    /// Returns their names.
    fn restart_pods(&mut self, project: &str, env: &str, op: ShareOp) -> Vec<String> {
        let services: Vec<String> =
            self.env(project, env).map(|e| e.services.iter().map(|s| s.name.clone()).collect()).unwrap_or_default();
        let mut starting = Vec::new();
        for service in services {
            self.change_service(project, env, &service, |deploy, s| {
                for workload in s.workloads.iter_mut().filter(|w| needs_restart(w, op)) {
                    deploy.roll(workload);
                    for pod in &mut workload.pods {
                        pod.phase = "Pending".into();
                        pod.containers.iter_mut().for_each(|c| (c.ready, c.started_at) = (false, 0));
                        starting.push(pod.name.to_string());
                    }
                }
            });
        }
        starting
    }

    /// The restarted pods run: `Running`, ready, started now.
    fn start_pods(&mut self, project: &str, env: &str, names: &[String], at_ms: i64) {
        let Some(e) = self.env_mut(project, env) else { return };
        let pods = e.services.iter_mut().flat_map(|s| &mut s.workloads).flat_map(|w| &mut w.pods);
        let mut started = false;
        for pod in pods.filter(|p| p.phase == "Pending" && names.iter().any(|n| *n == p.name)) {
            pod.phase = "Running".into();
            let started_at = at_ms.div_euclid(1000).max(pod.created_at + 1);
            pod.containers.iter_mut().for_each(|c| (c.ready, c.started_at) = (true, started_at));
            started = true;
        }
        if started {
            self.touch();
        }
    }
}

/// Deployments and StatefulSets: the workloads with pods.
pub(super) fn has_pods(workload: &Workload) -> bool {
    matches!(workload.kind, WorkloadKind::Deployment | WorkloadKind::StatefulSet)
}

/// Istio injects into every pod created while the label is on.
fn set_sidecars(env: &mut Environment, on: bool) {
    for workload in env.services.iter_mut().flat_map(|s| &mut s.workloads).filter(|w| has_pods(w)) {
        workload.sidecars = if on { vec![istio_proxy_template()] } else { Vec::new() };
    }
}

fn needs_restart(workload: &Workload, op: ShareOp) -> bool {
    let wanted = op == ShareOp::Enable;
    has_pods(workload) && workload.pods.iter().any(|p| p.containers.iter().any(|c| c.name == ISTIO_PROXY) != wanted)
}
