//! The simulated Kubernetes cluster behind environments: workloads built
//! from service templates, their pods, and the service status Zadig derives
//! from those pods.

mod deploy;

use std::collections::BTreeMap;

pub use deploy::{DEFAULT_NODES, Deploy, MAX_PODS_PER_WORKLOAD, replica_set};

use super::model::{
    Container, ContainerTemplate, EnvService, EnvStatus, Pod, ServiceTemplate, Workload, WorkloadKind, WorkloadTemplate,
};

/// `image_name` of an image reference: its last path segment without tag
/// or digest (`reg.io/team/app:1.0` → `app`).
pub fn image_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    last.split(':').next().unwrap_or(last).to_string()
}

/// The containers a workload's pods run: its template's, with the
/// environment's image where a container name matches. An image equal to
/// the template's shares the template's string.
pub fn workload_containers(template: &WorkloadTemplate, images: &[Container]) -> Vec<ContainerTemplate> {
    template
        .containers
        .iter()
        .map(|c| match images.iter().find(|i| i.name == c.name) {
            Some(i) if *i.image != *c.image => ContainerTemplate { image: i.image.as_str().into(), ..c.clone() },
            _ => c.clone(),
        })
        .collect()
}

/// The environment record's containers for a freshly deployed service:
/// the template's images, overridden by the caller's where names match.
pub fn env_containers(template: &ServiceTemplate, given: &[Container]) -> Vec<Container> {
    let mut containers = Vec::with_capacity(template.containers().count());
    containers.extend(template.containers().map(|c| {
        let image = given.iter().find(|g| g.name == c.name && !g.image.is_empty()).map(|g| g.image.clone());
        let image = image.unwrap_or_else(|| c.image.to_string());
        Container { name: c.name.to_string(), r#type: String::new(), image_name: image_name(&image), image }
    }));
    containers
}

/// The labels Zadig renders onto a service's objects.
pub fn object_labels(project: &str, service: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/instance".to_string(), service.to_string()),
        ("app.kubernetes.io/name".to_string(), project.to_string()),
        ("s-product".to_string(), project.to_string()),
        ("s-service".to_string(), service.to_string()),
    ])
}

/// A pod's labels: its service's object labels and the controller's. They
/// follow from the workload rather than being kept per pod, because a
/// rollout replaces every pod at once: a pod always carries its workload's
/// current `pod-template-hash`.
pub fn pod_labels(project: &str, service: &str, workload: &Workload, pod: &Pod) -> BTreeMap<String, String> {
    let mut labels = object_labels(project, service);
    match workload.kind {
        WorkloadKind::StatefulSet => {
            let revision = format!("{}-{}", workload.name, workload.template_hash);
            labels.insert("controller-revision-hash".to_string(), revision);
            labels.insert("statefulset.kubernetes.io/pod-name".to_string(), pod.name.to_string());
        }
        _ => {
            labels.insert("pod-template-hash".to_string(), workload.template_hash.to_string());
        }
    }
    labels
}

/// The service `status` of env detail (§2.2): derived from the pods,
/// lower-cased, as `QueryPodsStatus` and `listGroupServices` do.
pub fn service_status(env_status: EnvStatus, service: &EnvService) -> &'static str {
    let has_containers = service.workloads.iter().any(|w| !w.containers.is_empty());
    if !has_containers {
        return "succeeded";
    }
    let is_cronjob = |w: &&Workload| w.kind == WorkloadKind::CronJob;
    let cronjobs = || service.workloads.iter().filter(is_cronjob);
    if cronjobs().count() == service.workloads.len() {
        let suspended = cronjobs().filter(|w| w.suspend).count();
        return match suspended {
            0 => "nosuspend",
            n if n == service.workloads.len() => "allsuspend",
            _ => "partsuspend",
        };
    }
    let pods = || service.workloads.iter().filter(|w| !is_cronjob(w)).flat_map(|w| w.pods.iter());
    let status = if pods().next().is_none() {
        "unstart"
    } else if pods().all(|p| p.phase == "Succeeded") {
        "succeeded"
    } else if pods().filter(|p| p.phase != "Succeeded").all(Pod::ready) {
        "running"
    } else {
        "unstable"
    };
    if env_status == EnvStatus::Creating && status == "error" { "pending" } else { status }
}

/// A pod's age as `kubectl` prints it: `34d`, `5h`, `12m`, `40s`.
pub fn age(since: i64, now: i64) -> String {
    let secs = (now - since).max(0);
    match secs {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Rng;

    fn template(kind: WorkloadKind, replicas: u32) -> ServiceTemplate {
        ServiceTemplate {
            name: "svc".into(),
            revision: 1,
            variable_kvs: vec![],
            workloads: vec![WorkloadTemplate {
                name: "svc".into(),
                kind,
                replicas,
                containers: vec![ContainerTemplate {
                    name: "app".into(),
                    image: "r/a/app:1".into(),
                    ports: [80].into(),
                }],
                has_k8s_service: true,
                schedule: None,
            }],
        }
    }

    fn deploy(rng: &mut Rng) -> Deploy<'_> {
        Deploy { rng, now: 100, namespace: "ns", nodes: &[], events: Vec::new() }
    }

    #[test]
    fn deployment_pods_are_named_workload_hash_suffix() {
        let mut rng = Rng::new(1);
        let workloads = deploy(&mut rng).workloads(&template(WorkloadKind::Deployment, 2).workloads, &[]);
        let w = &workloads[0];
        assert_eq!(w.pods.len(), 2);
        let parts: Vec<&str> = w.pods[0].name.rsplitn(3, '-').collect();
        assert_eq!(parts[0].len(), 5);
        assert_eq!(parts[1], w.template_hash);
        assert_eq!(pod_labels("p", "svc", w, &w.pods[0])["pod-template-hash"], w.template_hash);
    }

    #[test]
    fn statefulset_pods_are_numbered() {
        let mut rng = Rng::new(1);
        let workloads = deploy(&mut rng).workloads(&template(WorkloadKind::StatefulSet, 2).workloads, &[]);
        let names: Vec<&str> = workloads[0].pods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["svc-0", "svc-1"]);
    }

    #[test]
    fn a_service_scaled_to_zero_is_unstart() {
        let mut rng = Rng::new(1);
        let workloads = deploy(&mut rng).workloads(&template(WorkloadKind::Deployment, 0).workloads, &[]);
        let service = EnvService {
            name: "svc".into(),
            revision: 1,
            containers: vec![],
            variable_kvs: vec![],
            workloads,
            update_time: 0,
        };
        assert_eq!(service_status(EnvStatus::Success, &service), "unstart");
    }

    #[test]
    fn image_names_drop_registry_and_tag() {
        assert_eq!(image_name("koderover.tencentcloudcr.com/test/service1:20231214162411"), "service1");
        assert_eq!(image_name("nginx"), "nginx");
    }

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(age(0, 34 * 86_400 + 5), "34d");
        assert_eq!(age(0, 59), "59s");
    }
}
