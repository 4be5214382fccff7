//! Changes to the simulated cluster of one environment: every operation
//! that creates, rolls, scales or deletes workloads goes through
//! [`World::change_service`], which lends it the environment's cluster
//! context, records the events the change raised and wakes open streams.

use super::World;
use super::cluster::Deploy;
use super::events;
use super::model::{EnvService, Environment, Workload, WorkloadKind};

impl World {
    /// Runs `change` on one deployed service with its environment's
    /// cluster context (namespace, nodes, clock, generator), then records
    /// the events the change raised and tells open streams that pods may
    /// have come and gone. `None` when the environment or service is missing.
    pub fn change_service<R>(
        &mut self,
        project: &str,
        env: &str,
        service: &str,
        change: impl FnOnce(&mut Deploy<'_>, &mut EnvService) -> R,
    ) -> Option<R> {
        let now = self.now();
        // Borrowed field by field, not copied: this runs for every deployed
        // service of a seed.
        let World { rng, projects, clusters, .. } = self;
        let Environment { cluster_id, namespace, services, events: log, .. } =
            projects.get_mut(project)?.envs.get_mut(env)?;
        let nodes = clusters.iter().find(|c| c.id == *cluster_id).map_or(&[][..], |c| c.nodes.as_slice());
        let target = services.iter_mut().find(|s| s.name == service)?;
        let mut deploy = Deploy { rng, now, namespace, nodes, events: Vec::new() };
        let result = change(&mut deploy, target);
        events::record(log, deploy.events, now);
        self.touch();
        Some(result)
    }

    /// Rolls one workload of a service (`kubectl rollout restart`): a new
    /// pod-template hash and new pods, with events. False when there is no
    /// such workload.
    pub fn roll_workload(&mut self, project: &str, env: &str, service: &str, workload: &str) -> bool {
        let rolled = self.change_service(project, env, service, |deploy, s| {
            s.workloads.iter_mut().find(|w| w.name == workload).map(|w| deploy.roll(w)).is_some()
        });
        rolled.unwrap_or(false)
    }

    /// Rolls every Deployment and StatefulSet of an environment, e.g. after
    /// something every pod carries (an injected sidecar) changed.
    pub fn roll_env(&mut self, project: &str, env: &str) {
        let services: Vec<String> =
            self.env(project, env).map(|e| e.services.iter().map(|s| s.name.clone()).collect()).unwrap_or_default();
        for service in services {
            self.change_service(project, env, &service, |deploy, s| {
                s.workloads.iter_mut().filter(|w| w.kind != WorkloadKind::CronJob).for_each(|w| deploy.roll(w));
            });
        }
    }

    /// Finds a workload of an environment by kind and name, as a patch
    /// addressed to `<namespace>/<kind>/<name>` finds it: the service owning
    /// it and its index there.
    pub fn find_workload(&self, project: &str, env: &str, kind: WorkloadKind, name: &str) -> Option<(String, usize)> {
        self.env(project, env)?.services.iter().find_map(|s| {
            let index = s.workloads.iter().position(|w| w.kind == kind && w.name == name)?;
            Some((s.name.clone(), index))
        })
    }

    /// Removes a service's workloads from the cluster, stopping their pods.
    pub fn delete_workloads(&mut self, project: &str, env: &str, service: &str) {
        self.change_service(project, env, service, |deploy, s| {
            let workloads: Vec<Workload> = std::mem::take(&mut s.workloads);
            workloads.iter().for_each(|w| deploy.delete(w));
        });
    }
}
