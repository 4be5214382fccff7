//! The world's data: projects, their service templates and environments,
//! and the simulated cluster objects each environment owns.
//!
//! These are plain values (`Clone + Serialize + Deserialize`): a snapshot is
//! a clone and an export is a serialisation. Field names follow Zadig's JSON
//! where a type is also a wire shape (the variable types), and are our own
//! elsewhere; the `api` layer builds the wire shapes.
//!
//! The simulated cluster's own strings (object names, hashes, phases, IPs)
//! are `CompactString`s, which keep up to 24 bytes inline: a large world
//! holds millions of them, and as `String`s each short one would be a heap
//! allocation of its own. A container's image and ports are shared (`Arc`)
//! between its template, its workloads and their pods.

use std::sync::Arc;

use compact_str::CompactString;
use indexmap::IndexMap;
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::envcfgs::EnvCfg;
use super::events::KubeEvent;
use super::share::ShareState;
use super::uid::Uid;

/// A Kubernetes cluster environments can run in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cluster {
    pub id: String,
    pub name: String,
    /// Node IPs pods are scheduled on (`node_name` and `host_ip`).
    pub nodes: Vec<String>,
}

/// An image registry (`registry_id`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Registry {
    pub id: String,
    pub address: String,
    pub namespace: String,
    /// The system default, filled in where an environment has none (§2.1).
    pub is_default: bool,
}

/// A Zadig project (`projectKey`), always of the K8s YAML kind here.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Project {
    pub key: String,
    pub name: String,
    /// The project's global variable definitions; environments pick from them.
    pub global_variables: Vec<VariableKV>,
    /// Service templates, in the project's service order.
    pub services: Vec<ServiceTemplate>,
    /// Test and production environments share one key space, in creation order.
    pub envs: IndexMap<String, Environment>,
}

impl Project {
    pub fn template(&self, name: &str) -> Option<&ServiceTemplate> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Position of a service in the project's service order.
    pub fn service_rank(&self, name: &str) -> usize {
        self.services.iter().position(|s| s.name == name).unwrap_or(usize::MAX)
    }
}

/// A service template: the YAML a service is rendered from, reduced to what
/// the simulated cluster needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ServiceTemplate {
    pub name: String,
    pub revision: i64,
    /// `ServiceVariableKVs` of the template (shown by env detail, §2.2 quirk).
    pub variable_kvs: Vec<VariableKV>,
    pub workloads: Vec<WorkloadTemplate>,
}

impl ServiceTemplate {
    /// Every container of every workload, in order.
    pub fn containers(&self) -> impl Iterator<Item = &ContainerTemplate> {
        self.workloads.iter().flat_map(|w| w.containers.iter())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    CronJob,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Deployment" => Some(WorkloadKind::Deployment),
            "StatefulSet" => Some(WorkloadKind::StatefulSet),
            "CronJob" => Some(WorkloadKind::CronJob),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkloadTemplate {
    pub name: String,
    pub kind: WorkloadKind,
    pub replicas: u32,
    pub containers: Vec<ContainerTemplate>,
    /// Whether a Kubernetes Service selects this workload's pods.
    pub has_k8s_service: bool,
    /// CronJob schedule.
    pub schedule: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ContainerTemplate {
    pub name: CompactString,
    pub image: Arc<str>,
    pub ports: Arc<[u16]>,
}

/// `commontypes.ServiceVariableKV`: `value` is any JSON value in Zadig.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct VariableKV {
    pub key: String,
    pub value: Value,
    pub r#type: String,
    pub options: Vec<String>,
    pub desc: String,
}

/// `commontypes.RenderVariableKV`: a service's variable inside an environment.
/// It is written and read flat, the variable's fields first (see
/// [`VariableKV::write_fields`] and [`FlatRenderVariableKV`]).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(from = "FlatRenderVariableKV")]
pub struct RenderVariableKV {
    pub kv: VariableKV,
    pub use_global_variable: bool,
    pub is_reference_variable: bool,
}

/// `commontypes.GlobalVariableKV`: an environment's global variable.
/// It is written and read flat, the variable's fields first.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(from = "FlatGlobalVariableKV")]
pub struct GlobalVariableKV {
    pub kv: VariableKV,
    pub related_services: Vec<String>,
}

/// How a [`RenderVariableKV`] is read: every field at one level, as Go
/// embeds `ServiceVariableKV`. Read field by field rather than through
/// `#[serde(flatten)]`, which buffers the object first: a type error then
/// named the variable rather than its field, unlike Go's decoder.
#[derive(Default, Deserialize)]
#[serde(default)]
struct FlatRenderVariableKV {
    key: String,
    value: Value,
    r#type: String,
    options: Vec<String>,
    desc: String,
    use_global_variable: bool,
    is_reference_variable: bool,
}

impl From<FlatRenderVariableKV> for RenderVariableKV {
    fn from(f: FlatRenderVariableKV) -> Self {
        let kv = VariableKV { key: f.key, value: f.value, r#type: f.r#type, options: f.options, desc: f.desc };
        RenderVariableKV {
            kv,
            use_global_variable: f.use_global_variable,
            is_reference_variable: f.is_reference_variable,
        }
    }
}

/// How a [`GlobalVariableKV`] is read (see [`FlatRenderVariableKV`]).
#[derive(Default, Deserialize)]
#[serde(default)]
struct FlatGlobalVariableKV {
    key: String,
    value: Value,
    r#type: String,
    options: Vec<String>,
    desc: String,
    related_services: Vec<String>,
}

impl From<FlatGlobalVariableKV> for GlobalVariableKV {
    fn from(f: FlatGlobalVariableKV) -> Self {
        let kv = VariableKV { key: f.key, value: f.value, r#type: f.r#type, options: f.options, desc: f.desc };
        GlobalVariableKV { kv, related_services: f.related_services }
    }
}

impl VariableKV {
    /// Writes the variable's fields into a struct that embeds it, as Go
    /// embeds `ServiceVariableKV`. Hand-written rather than
    /// `#[serde(flatten)]`, which goes through a map and cost a twentieth
    /// of a detail request.
    fn write_fields<S: SerializeStruct>(&self, out: &mut S) -> Result<(), S::Error> {
        out.serialize_field("key", &self.key)?;
        out.serialize_field("value", &self.value)?;
        out.serialize_field("type", &self.r#type)?;
        out.serialize_field("options", &self.options)?;
        out.serialize_field("desc", &self.desc)
    }
}

impl Serialize for RenderVariableKV {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("RenderVariableKV", 7)?;
        self.kv.write_fields(&mut out)?;
        out.serialize_field("use_global_variable", &self.use_global_variable)?;
        out.serialize_field("is_reference_variable", &self.is_reference_variable)?;
        out.end()
    }
}

impl Serialize for GlobalVariableKV {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("GlobalVariableKV", 6)?;
        self.kv.write_fields(&mut out)?;
        out.serialize_field("related_services", &self.related_services)?;
        out.end()
    }
}

/// Environment status as stored (`pkg/setting/consts.go`); the OpenAPI
/// shows it lower-cased.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EnvStatus {
    Success,
    Failed,
    Creating,
    Updating,
    Deleting,
    Unknown,
    Sleeping,
    Unstable,
}

impl EnvStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvStatus::Success => "success",
            EnvStatus::Failed => "failed",
            EnvStatus::Creating => "creating",
            EnvStatus::Updating => "updating",
            EnvStatus::Deleting => "deleting",
            EnvStatus::Unknown => "unknown",
            EnvStatus::Sleeping => "sleeping",
            EnvStatus::Unstable => "unstable",
        }
    }

    /// `creating`, `updating` and `deleting` refuse service updates with
    /// `环境正处于不能更新的状态`.
    pub fn is_busy(self) -> bool {
        matches!(self, EnvStatus::Creating | EnvStatus::Updating | EnvStatus::Deleting)
    }
}

/// What happens when an environment's `--settle` time is over.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Settle {
    /// `creating`/`updating` → `success`; `bump` also moves `update_time`,
    /// as the async update's final `ProductColl.Update` does.
    Succeed { bump: bool },
    /// `deleting` → the environment is gone.
    Remove,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    /// Virtual-clock milliseconds at which `then` happens.
    pub at_ms: i64,
    pub then: Settle,
}

/// A test or production environment of a project (a Zadig "product").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Environment {
    pub name: String,
    /// Production alias (`env_name` in detail, `envName` in lists).
    pub alias: String,
    pub production: bool,
    pub cluster_id: String,
    pub namespace: String,
    pub registry_id: String,
    pub status: EnvStatus,
    pub update_by: String,
    pub create_time: i64,
    pub update_time: i64,
    pub global_variables: Vec<GlobalVariableKV>,
    /// Deployed services, in the project's service order.
    pub services: Vec<EnvService>,
    pub pending: Option<Pending>,
    #[serde(default)]
    pub share: ShareState,
    /// ConfigMaps, Secrets, Ingresses and PVCs of the namespace.
    #[serde(default)]
    pub envcfgs: Vec<EnvCfg>,
    /// Kubernetes events of the namespace, oldest first.
    #[serde(default)]
    pub events: Vec<KubeEvent>,
}

impl Environment {
    pub fn service(&self, name: &str) -> Option<&EnvService> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn service_mut(&mut self, name: &str) -> Option<&mut EnvService> {
        self.services.iter_mut().find(|s| s.name == name)
    }

    /// Every pod of the environment, with the service and workload owning it.
    pub fn pods(&self) -> impl Iterator<Item = (&EnvService, &Workload, &Pod)> {
        self.services.iter().flat_map(|s| s.workloads.iter().flat_map(move |w| w.pods.iter().map(move |p| (s, w, p))))
    }
}

/// A service deployed in an environment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnvService {
    pub name: String,
    pub revision: i64,
    /// `services[].containers` of the environment record (image updates land here).
    pub containers: Vec<Container>,
    /// The rendered variables of this service in this environment.
    pub variable_kvs: Vec<RenderVariableKV>,
    pub workloads: Vec<Workload>,
    pub update_time: i64,
}

/// `commonmodels.Container` as the environment record keeps it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Container {
    pub name: String,
    pub r#type: String,
    pub image: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub image_name: String,
}

/// A simulated Deployment, StatefulSet or CronJob.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Workload {
    pub name: CompactString,
    /// `metadata.uid`; events about the workload fold per object.
    #[serde(default)]
    pub uid: Uid,
    pub kind: WorkloadKind,
    pub replicas: u32,
    /// `pod-template-hash`; changes on every rollout.
    pub template_hash: CompactString,
    pub containers: Vec<ContainerTemplate>,
    pub pods: Vec<Pod>,
    /// The Kubernetes Service selecting these pods, if any.
    pub k8s_service: Option<K8sService>,
    pub schedule: Option<String>,
    pub suspend: bool,
    pub created_at: i64,
    /// Containers injected into every pod besides the template's (the
    /// `istio-proxy` of a namespace with `istio-injection=enabled`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<ContainerTemplate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct K8sService {
    pub name: CompactString,
    pub created_at: i64,
    /// `(service_port, node_port)` pairs.
    pub ports: Vec<(u16, u16)>,
}

/// A simulated pod. Its labels are not kept: they follow from its
/// workload (see [`super::cluster::pod_labels`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pod {
    pub name: CompactString,
    /// `metadata.uid`: a pod recreated under the same name is a new object.
    #[serde(default)]
    pub uid: Uid,
    /// Kubernetes phase, e.g. `Running`.
    pub phase: CompactString,
    pub ip: CompactString,
    pub node: CompactString,
    pub created_at: i64,
    pub containers: Vec<PodContainer>,
}

impl Pod {
    pub fn ready(&self) -> bool {
        self.containers.iter().all(|c| c.ready)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PodContainer {
    pub name: CompactString,
    pub image: Arc<str>,
    pub ports: Arc<[u16]>,
    pub restart_count: u32,
    pub ready: bool,
    pub started_at: i64,
    /// Lines written into this container's log through the control API;
    /// the rest of the log is generated (see `store::logs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<super::logs::LogLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_variables_are_written_flat_in_go_field_order() {
        let kv = VariableKV { key: "k".into(), value: Value::from("v"), r#type: "string".into(), ..Default::default() };
        let render = RenderVariableKV { kv: kv.clone(), use_global_variable: true, is_reference_variable: false };
        let global = GlobalVariableKV { kv, related_services: vec!["svc".into()] };
        let fields = r#""key":"k","value":"v","type":"string","options":[],"desc":"""#;
        let render_json = format!(r#"{{{fields},"use_global_variable":true,"is_reference_variable":false}}"#);
        assert_eq!(serde_json::to_string(&render).unwrap(), render_json);
        assert_eq!(serde_json::to_string(&global).unwrap(), format!(r#"{{{fields},"related_services":["svc"]}}"#));
        assert_eq!(serde_json::from_str::<RenderVariableKV>(&render_json).unwrap(), render);
    }
}
