//! How workloads roll out and scale, and the events they record.

use super::*;
use crate::store::{ContainerTemplate, ServiceTemplate, WorkloadTemplate};

fn template(kind: WorkloadKind, replicas: u32) -> ServiceTemplate {
    ServiceTemplate {
        name: "web".into(),
        revision: 1,
        variable_kvs: vec![],
        workloads: vec![WorkloadTemplate {
            name: "web".into(),
            kind,
            replicas,
            containers: vec![ContainerTemplate { name: "app".into(), image: "r/app:1".into(), ports: [80].into() }],
            has_k8s_service: true,
            schedule: None,
        }],
    }
}

fn messages(events: &[KubeEvent], kind: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.object_kind.as_str() == kind)
        .map(|e| format!("{}: {}", e.reason.as_str(), e.message))
        .collect()
}

#[test]
fn rolling_a_one_replica_deployment_scales_the_new_set_up_then_the_old_down() {
    let mut rng = Rng::new(3);
    let mut deploy = Deploy { rng: &mut rng, now: 10, namespace: "ns", nodes: &[], events: vec![] };
    let mut w = deploy.workloads(&template(WorkloadKind::Deployment, 1).workloads, &[]).remove(0);
    let (old_hash, old_pod) = (w.template_hash.clone(), w.pods[0].name.clone());
    deploy.events.clear();

    deploy.roll(&mut w);

    let new_hash = &w.template_hash;
    assert_eq!(
        messages(&deploy.events, "Deployment"),
        [
            format!("ScalingReplicaSet: Scaled up replica set web-{new_hash} to 1"),
            format!("ScalingReplicaSet: Scaled down replica set web-{old_hash} to 0"),
        ]
    );
    assert_eq!(w.pods.len(), 1);
    assert_ne!(w.pods[0].name, old_pod);
    let pod_events = messages(&deploy.events, "Pod");
    assert!(pod_events.contains(&"Killing: Stopping container app".to_string()), "{pod_events:?}");
}

#[test]
fn a_four_replica_rollout_moves_one_pod_at_a_time() {
    let mut rng = Rng::new(3);
    let mut deploy = Deploy { rng: &mut rng, now: 10, namespace: "ns", nodes: &[], events: vec![] };
    let mut w = deploy.workloads(&template(WorkloadKind::Deployment, 4).workloads, &[]).remove(0);
    deploy.events.clear();

    deploy.roll(&mut w);

    let scaling = messages(&deploy.events, "Deployment");
    assert_eq!(scaling.len(), 8);
    assert!(scaling[7].ends_with("to 0"));
    assert_eq!(w.pods.len(), 4);
    // Every pod left is of the new ReplicaSet: pod labels rely on it.
    assert!(w.pods.iter().all(|p| p.name.starts_with(&super::replica_set(&w))));
}

#[test]
fn a_statefulset_rollout_recreates_its_pods_under_the_same_names() {
    let mut rng = Rng::new(3);
    let mut deploy = Deploy { rng: &mut rng, now: 10, namespace: "ns", nodes: &[], events: vec![] };
    let mut w = deploy.workloads(&template(WorkloadKind::StatefulSet, 2).workloads, &[]).remove(0);
    let old_uids: Vec<crate::store::Uid> = w.pods.iter().map(|p| p.uid).collect();
    deploy.events.clear();

    deploy.roll(&mut w);

    assert_eq!(w.pods.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["web-0", "web-1"]);
    assert!(w.pods.iter().all(|p| !old_uids.contains(&p.uid)));
    assert_eq!(
        messages(&deploy.events, "StatefulSet"),
        [
            "SuccessfulDelete: delete Pod web-1 in StatefulSet web successful",
            "SuccessfulCreate: create Pod web-1 in StatefulSet web successful",
            "SuccessfulDelete: delete Pod web-0 in StatefulSet web successful",
            "SuccessfulCreate: create Pod web-0 in StatefulSet web successful",
        ]
    );
}

#[test]
fn scaling_past_the_pod_cap_keeps_the_replica_count_but_not_the_pods() {
    let mut rng = Rng::new(3);
    let mut deploy = Deploy { rng: &mut rng, now: 10, namespace: "ns", nodes: &[], events: vec![] };
    let mut w = deploy.workloads(&template(WorkloadKind::Deployment, 1).workloads, &[]).remove(0);

    deploy.scale(&mut w, 1_000_000);

    assert_eq!(w.replicas, 1_000_000);
    assert_eq!(w.pods.len(), MAX_PODS_PER_WORKLOAD);
}
