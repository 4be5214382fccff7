//! Kubernetes events of an environment's namespace (§2.17).
//!
//! Every simulated cluster change records the events a real control plane
//! would: the Deployment controller's `ScalingReplicaSet`, the ReplicaSet
//! and StatefulSet controllers' `SuccessfulCreate`/`SuccessfulDelete`, the
//! scheduler's `Scheduled` and the kubelet's `Pulled`/`Created`/`Started`/
//! `Killing`. Repeats fold into one event with a higher `count`, as
//! client-go's event correlator folds them, and events expire an hour after
//! they were last seen (kube-apiserver's default `--event-ttl`).

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::{Uid, World};
use crate::error::{ApiError, ApiResult, msg};

/// How long an event lives after it was last seen (`--event-ttl=1h`).
pub const EVENT_TTL_SECS: i64 = 3600;

/// The most events an environment keeps; the oldest go first.
pub const MAX_EVENTS_PER_ENV: usize = 1000;

/// One event, folded the way Kubernetes folds repeats into a count. The
/// fields drawn from a fixed vocabulary are enums rather than strings: a
/// deployed service records six events, and a large world keeps hundreds
/// of thousands.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KubeEvent {
    /// `involvedObject.kind` and `involvedObject.name`.
    pub object_kind: ObjectKind,
    pub object_name: CompactString,
    /// `involvedObject.uid`: a pod recreated under the same name is a new
    /// object, so its events do not fold into the old pod's.
    #[serde(default)]
    pub object_uid: Uid,
    pub reason: Reason,
    pub message: CompactString,
    pub first_seen: i64,
    pub last_seen: i64,
    /// 0 for events written through `events.k8s.io/v1` (the scheduler's),
    /// which carry an `eventTime` and no count.
    pub count: i32,
    // No `type`: every event the simulated cluster raises is `Normal`.
}

/// `involvedObject.kind` of an event.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ObjectKind {
    Pod,
    Deployment,
    ReplicaSet,
    StatefulSet,
}

/// Why an event was raised, as the controller or kubelet names it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Reason {
    ScalingReplicaSet,
    SuccessfulCreate,
    SuccessfulDelete,
    Scheduled,
    Pulled,
    Created,
    Started,
    Killing,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Pod => "Pod",
            ObjectKind::Deployment => "Deployment",
            ObjectKind::ReplicaSet => "ReplicaSet",
            ObjectKind::StatefulSet => "StatefulSet",
        }
    }
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ScalingReplicaSet => "ScalingReplicaSet",
            Reason::SuccessfulCreate => "SuccessfulCreate",
            Reason::SuccessfulDelete => "SuccessfulDelete",
            Reason::Scheduled => "Scheduled",
            Reason::Pulled => "Pulled",
            Reason::Created => "Created",
            Reason::Started => "Started",
            Reason::Killing => "Killing",
        }
    }
}

impl KubeEvent {
    /// A `Normal` event about one object, seen once at `now`.
    pub fn normal(kind: ObjectKind, name: &str, uid: Uid, reason: Reason, message: String, now: i64) -> Self {
        KubeEvent {
            object_kind: kind,
            object_name: name.into(),
            object_uid: uid,
            reason,
            message: message.into(),
            first_seen: now,
            last_seen: now,
            count: 1,
        }
    }

    /// The scheduler's event: written as an `events.k8s.io/v1` event, so the
    /// core view has only an `eventTime` (shown as first and last seen) and
    /// no count.
    pub fn scheduled(pod: &str, uid: Uid, namespace: &str, node: &str, now: i64) -> Self {
        let message = format!("Successfully assigned {namespace}/{pod} to {node}");
        KubeEvent { count: 0, ..KubeEvent::normal(ObjectKind::Pod, pod, uid, Reason::Scheduled, message, now) }
    }

    /// The correlator's key: same object, reason and message (and type,
    /// always `Normal` here). The
    /// uid, a number, goes first: it tells most events apart without
    /// comparing a string, and every new event is compared with the log.
    fn same_as(&self, other: &KubeEvent) -> bool {
        self.count > 0
            && self.object_uid == other.object_uid
            && self.object_kind == other.object_kind
            && self.object_name == other.object_name
            && self.reason == other.reason
            && self.message == other.message
    }

    fn alive_at(&self, now: i64) -> bool {
        now - self.last_seen < EVENT_TTL_SECS
    }
}

/// Appends `new` events to an environment's log, folding repeats into the
/// earlier event and dropping what has expired or overflows.
pub fn record(log: &mut Vec<KubeEvent>, new: Vec<KubeEvent>, now: i64) {
    if new.is_empty() {
        return;
    }
    log.retain(|e| e.alive_at(now));
    for event in new {
        match log.iter_mut().find(|e| e.same_as(&event)) {
            Some(existing) => {
                existing.count = existing.count.saturating_add(1);
                existing.last_seen = event.last_seen;
            }
            None => log.push(event),
        }
    }
    if log.len() > MAX_EVENTS_PER_ENV {
        let excess = log.len() - MAX_EVENTS_PER_ENV;
        log.drain(..excess);
    }
}

/// The events a field selector `involvedObject.name=<name>,
/// involvedObject.kind=<kind>` returns, in the API server's order (by event
/// name, i.e. by object and creation time). An empty value matches nothing
/// but objects with an empty name or kind, that is nothing at all.
pub fn select<'a>(log: &'a [KubeEvent], name: &str, kind: &str, now: i64) -> Vec<&'a KubeEvent> {
    log.iter().filter(|e| e.object_name == name && e.object_kind.as_str() == kind && e.alive_at(now)).collect()
}

impl World {
    /// `ListKubeEvents`: the events of the environment's namespace about
    /// one object. Vendor quirk: the lookup has no production filter, and an
    /// empty `projectKey` or `envName` is dropped from the query, so the
    /// first environment matching the rest answers (env/service/kube.go:
    /// `ProductFindOptions{Name, EnvName}`).
    pub fn kube_events(&self, project: &str, env: &str, name: &str, kind: &str) -> ApiResult<Vec<&KubeEvent>> {
        let found = self
            .projects
            .iter()
            .filter(|(key, _)| project.is_empty() || key.as_str() == project)
            .flat_map(|(_, p)| p.envs.values())
            .find(|e| env.is_empty() || e.name == env);
        let e = found.ok_or_else(|| ApiError::internal(msg::NO_DOCUMENTS))?;
        Ok(select(&e.events, name, kind, self.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaled(to: u32, now: i64) -> KubeEvent {
        let message = format!("Scaled up replica set web-abc to {to}");
        KubeEvent::normal(ObjectKind::Deployment, "web", Uid::random(1, 1), Reason::ScalingReplicaSet, message, now)
    }

    #[test]
    fn a_repeated_event_folds_into_the_first_with_a_higher_count() {
        let mut log = Vec::new();
        record(&mut log, vec![scaled(2, 100), scaled(1, 110)], 110);
        record(&mut log, vec![scaled(2, 120)], 120);

        assert_eq!(log.len(), 2);
        assert_eq!((log[0].count, log[0].first_seen, log[0].last_seen), (2, 100, 120));
    }

    #[test]
    fn scheduler_events_never_fold() {
        let mut log = Vec::new();
        let event = KubeEvent::scheduled("web-1", Uid::random(2, 2), "ns", "node", 5);
        record(&mut log, vec![event.clone(), event], 5);
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].count, 0);
    }

    #[test]
    fn events_expire_an_hour_after_they_were_last_seen() {
        let mut log = Vec::new();
        record(&mut log, vec![scaled(2, 0)], 0);
        assert_eq!(select(&log, "web", "Deployment", EVENT_TTL_SECS - 1).len(), 1);
        assert_eq!(select(&log, "web", "Deployment", EVENT_TTL_SECS).len(), 0);
    }

    #[test]
    fn empty_selector_values_match_nothing() {
        let mut log = Vec::new();
        record(&mut log, vec![scaled(2, 0)], 0);
        assert_eq!(select(&log, "", "Deployment", 0).len(), 0);
        assert_eq!(select(&log, "web", "", 0).len(), 0);
    }
}
