//! The controllers of the simulated cluster: how workloads get their pods,
//! roll out and scale, and the events each step records.
//!
//! Deployments roll the way the Deployment controller's rolling update does
//! (a new ReplicaSet scaled up while the old one is scaled down, a quarter of
//! the replicas at a time); StatefulSets recreate their pods one by one from
//! the highest ordinal down, keeping the names; CronJobs only change their
//! template.

use super::super::events::{KubeEvent, ObjectKind, Reason};
use super::super::model::{Container, K8sService, Pod, PodContainer, Workload, WorkloadKind, WorkloadTemplate};
use super::super::rng::Rng;
use super::super::uid::Uid;

/// The most pods one workload runs; replicas above it stay unscheduled, so a
/// careless `target_replicas` cannot exhaust the emulator.
pub const MAX_PODS_PER_WORKLOAD: usize = 64;

/// The node pods land on when a cluster declares none.
pub const DEFAULT_NODES: &[&str] = &["172.16.0.46", "172.16.0.47", "172.16.0.48"];

/// What changing cluster objects needs besides the objects themselves, and
/// the events the changes raised.
pub struct Deploy<'a> {
    pub rng: &'a mut Rng,
    /// Unix seconds.
    pub now: i64,
    /// The environment's namespace (named by scheduler events).
    pub namespace: &'a str,
    /// Node IPs of the environment's cluster.
    pub nodes: &'a [String],
    /// Events raised so far, oldest first; the caller records them.
    pub events: Vec<KubeEvent>,
}

impl Deploy<'_> {
    /// Builds every workload of a service template, using the environment's
    /// images (`containers`) where a container name matches.
    pub fn workloads(&mut self, templates: &[WorkloadTemplate], images: &[Container]) -> Vec<Workload> {
        templates.iter().map(|w| self.workload(w, images)).collect()
    }

    fn workload(&mut self, template: &WorkloadTemplate, images: &[Container]) -> Workload {
        let containers = super::workload_containers(template, images);
        let k8s_service = template.has_k8s_service.then(|| K8sService {
            name: template.name.as_str().into(),
            created_at: self.now,
            ports: containers
                .iter()
                .flat_map(|c| c.ports.iter())
                .map(|p| (*p, 30000 + self.rng.below(2768) as u16))
                .collect(),
        });
        let is_cronjob = template.kind == WorkloadKind::CronJob;
        let mut workload = Workload {
            name: template.name.as_str().into(),
            uid: self.uid(),
            kind: template.kind,
            replicas: 0,
            template_hash: self.rng.k8s_string(10).into(),
            containers,
            pods: Vec::new(),
            k8s_service,
            schedule: template.schedule.clone(),
            suspend: false,
            created_at: self.now,
            sidecars: Vec::new(),
        };
        if !is_cronjob {
            self.scale(&mut workload, template.replicas);
        }
        workload
    }

    /// A rollout: a new `pod-template-hash` and, for Deployments and
    /// StatefulSets, a fresh set of pods.
    pub fn roll(&mut self, workload: &mut Workload) {
        let old_hash = std::mem::replace(&mut workload.template_hash, self.rng.k8s_string(10).into());
        match workload.kind {
            WorkloadKind::Deployment => self.roll_deployment(workload, &old_hash),
            WorkloadKind::StatefulSet => self.roll_statefulset(workload),
            WorkloadKind::CronJob => {}
        }
    }

    fn roll_deployment(&mut self, workload: &mut Workload, old_hash: &str) {
        let mut old = std::mem::take(&mut workload.pods);
        let old_rs = format!("{}-{old_hash}", workload.name);
        let target = workload.replicas as usize;
        let step = target.div_ceil(4).max(1);
        let mut scaled_to = 0;
        while scaled_to < target || !old.is_empty() {
            if scaled_to < target {
                scaled_to = (scaled_to + step).min(target);
                self.replica_set_scaled(workload, &replica_set(workload), true, scaled_to);
                while workload.pods.len() < scaled_to.min(MAX_PODS_PER_WORKLOAD) {
                    let pod = self.create_pod(workload, workload.pods.len());
                    workload.pods.push(pod);
                }
            }
            if !old.is_empty() {
                let keep = old.len().saturating_sub(step);
                self.replica_set_scaled(workload, &old_rs, false, keep);
                while old.len() > keep {
                    if let Some(pod) = old.pop() {
                        self.delete_pod(workload, &old_rs, &pod);
                    }
                }
            }
        }
    }

    fn roll_statefulset(&mut self, workload: &mut Workload) {
        for ordinal in (0..workload.pods.len()).rev() {
            let old = workload.pods[ordinal].clone();
            self.delete_pod(workload, "", &old);
            workload.pods[ordinal] = self.create_pod(workload, ordinal);
        }
    }

    /// Sets the replica count, adding or removing pods to match. Setting the
    /// count it already has changes nothing and records nothing.
    pub fn scale(&mut self, workload: &mut Workload, replicas: u32) {
        if workload.kind == WorkloadKind::CronJob || workload.replicas == replicas {
            return;
        }
        let up = replicas > workload.replicas;
        workload.replicas = replicas;
        let rs = replica_set(workload);
        if workload.kind == WorkloadKind::Deployment {
            self.replica_set_scaled(workload, &rs, up, replicas as usize);
        }
        let wanted = (replicas as usize).min(MAX_PODS_PER_WORKLOAD);
        while workload.pods.len() > wanted {
            if let Some(pod) = workload.pods.pop() {
                self.delete_pod(workload, &rs, &pod);
            }
        }
        // Exactly as many as wanted: a large world holds a pod list per workload.
        workload.pods.reserve_exact(wanted.saturating_sub(workload.pods.len()));
        while workload.pods.len() < wanted {
            let pod = self.create_pod(workload, workload.pods.len());
            workload.pods.push(pod);
        }
    }

    /// The workload is deleted: its pods' containers are stopped (the
    /// garbage collector deletes the ReplicaSets without events of their own).
    pub fn delete(&mut self, workload: &Workload) {
        for pod in &workload.pods {
            for c in &pod.containers {
                let message = format!("Stopping container {}", c.name);
                self.event(ObjectKind::Pod, &pod.name, pod.uid, Reason::Killing, message);
            }
        }
    }

    /// The Deployment controller's `ScalingReplicaSet` event.
    fn replica_set_scaled(&mut self, workload: &Workload, rs: &str, up: bool, to: usize) {
        let verb = if up { "up" } else { "down" };
        let message = format!("Scaled {verb} replica set {rs} to {to}");
        self.event(ObjectKind::Deployment, &workload.name, workload.uid, Reason::ScalingReplicaSet, message);
    }

    fn create_pod(&mut self, workload: &Workload, ordinal: usize) -> Pod {
        let pod = self.pod(workload, ordinal);
        match workload.kind {
            WorkloadKind::StatefulSet => {
                let message = format!("create Pod {} in StatefulSet {} successful", pod.name, workload.name);
                self.event(ObjectKind::StatefulSet, &workload.name, workload.uid, Reason::SuccessfulCreate, message);
            }
            _ => {
                let rs = replica_set(workload);
                let message = format!("Created pod: {}", pod.name);
                self.event(ObjectKind::ReplicaSet, &rs, rs_uid(workload), Reason::SuccessfulCreate, message);
            }
        }
        let scheduled = KubeEvent::scheduled(&pod.name, pod.uid, self.namespace, &pod.node, self.now);
        self.events.push(scheduled);
        for c in &pod.containers {
            let pulled = format!("Container image \"{}\" already present on machine", c.image);
            self.event(ObjectKind::Pod, &pod.name, pod.uid, Reason::Pulled, pulled);
            self.event(ObjectKind::Pod, &pod.name, pod.uid, Reason::Created, format!("Created container {}", c.name));
            self.event(ObjectKind::Pod, &pod.name, pod.uid, Reason::Started, format!("Started container {}", c.name));
        }
        pod
    }

    /// The owner's delete event and the kubelet's `Killing` per container.
    /// `rs` names the ReplicaSet that owned a Deployment's pod.
    fn delete_pod(&mut self, workload: &Workload, rs: &str, pod: &Pod) {
        match workload.kind {
            WorkloadKind::StatefulSet => {
                let message = format!("delete Pod {} in StatefulSet {} successful", pod.name, workload.name);
                self.event(ObjectKind::StatefulSet, &workload.name, workload.uid, Reason::SuccessfulDelete, message);
            }
            _ => {
                let uid = workload.uid.derived(rs.rsplit('-').next().unwrap_or_default());
                let message = format!("Deleted pod: {}", pod.name);
                self.event(ObjectKind::ReplicaSet, rs, uid, Reason::SuccessfulDelete, message);
            }
        }
        for c in &pod.containers {
            let message = format!("Stopping container {}", c.name);
            self.event(ObjectKind::Pod, &pod.name, pod.uid, Reason::Killing, message);
        }
    }

    /// Records a `Normal` event about one object, seen now.
    fn event(&mut self, kind: ObjectKind, name: &str, uid: Uid, reason: Reason, message: String) {
        self.events.push(KubeEvent::normal(kind, name, uid, reason, message, self.now));
    }

    fn pod(&mut self, workload: &Workload, ordinal: usize) -> Pod {
        let name = match workload.kind {
            WorkloadKind::StatefulSet => format!("{}-{ordinal}", workload.name),
            _ => format!("{}-{}-{}", workload.name, workload.template_hash, self.rng.k8s_string(5)),
        };
        let node = match self.nodes {
            [] => DEFAULT_NODES[self.rng.below(DEFAULT_NODES.len() as u64) as usize].to_string(),
            nodes => nodes[self.rng.below(nodes.len() as u64) as usize].clone(),
        };
        Pod {
            name: name.into(),
            uid: self.uid(),
            phase: "Running".into(),
            ip: self.rng.pod_ip().into(),
            node: node.into(),
            created_at: self.now,
            containers: workload
                .containers
                .iter()
                .chain(&workload.sidecars)
                .map(|c| PodContainer {
                    name: c.name.clone(),
                    image: c.image.clone(),
                    ports: c.ports.clone(),
                    restart_count: 0,
                    ready: true,
                    started_at: self.now + 1,
                    log: Vec::new(),
                })
                .collect(),
        }
    }

    /// A Kubernetes `metadata.uid` (a random UUID).
    fn uid(&mut self) -> Uid {
        let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
        Uid::random(a, b)
    }
}

/// The current ReplicaSet of a Deployment: `<name>-<pod-template-hash>`.
pub fn replica_set(workload: &Workload) -> String {
    format!("{}-{}", workload.name, workload.template_hash)
}

/// The current ReplicaSet's uid.
fn rs_uid(workload: &Workload) -> Uid {
    workload.uid.derived(&workload.template_hash)
}

#[cfg(test)]
#[path = "deploy_tests.rs"]
mod tests;
