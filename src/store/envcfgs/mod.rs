//! Environment configurations: the ConfigMaps, Secrets, Ingresses and PVCs
//! of an environment's namespace (§2.12).
//!
//! Each object keeps the YAML its client sent, byte for byte, next to what
//! the simulated cluster adds (creation time, the claim's binding). The
//! parts: [`manifest`] and [`decode`] read objects as Zadig's code does,
//! [`apiserver`] and [`validation`] are the cluster's rules, [`ops`] the
//! create/update/delete transitions, [`view`] the lists and details,
//! [`creation`] the `env_configs` of a new environment.

pub mod apiserver;
mod creation;
pub mod decode;
pub mod manifest;
mod ops;
pub mod validation;
mod view;

use serde::{Deserialize, Serialize};

pub use creation::{PreparedCfg, parse_for_creation};
pub use ops::EnvCfgRequest;
pub use view::EnvCfgSummary;

/// `EnvCfgArgs` of a creation request (`env_configs`). `common_env_cfg_type`
/// is not used at creation: the kind is read from `yaml_data` (§2.3).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EnvCfgArgs {
    pub name: String,
    pub auto_sync: bool,
    pub common_env_cfg_type: String,
    pub yaml_data: String,
}

/// The four kinds, as the OpenAPI's `type` names them
/// (`config.CommonEnvCfgType`, case-sensitive).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvCfgKind {
    ConfigMap,
    Secret,
    Ingress,
    #[serde(rename = "PVC")]
    Pvc,
}

impl EnvCfgKind {
    /// The `type` a client names: exactly `ConfigMap`, `Secret`, `Ingress` or `PVC`.
    pub fn parse(text: &str) -> Option<Self> {
        [EnvCfgKind::ConfigMap, EnvCfgKind::Secret, EnvCfgKind::Ingress, EnvCfgKind::Pvc]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// The OpenAPI name (`common_env_cfg_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            EnvCfgKind::ConfigMap => "ConfigMap",
            EnvCfgKind::Secret => "Secret",
            EnvCfgKind::Ingress => "Ingress",
            EnvCfgKind::Pvc => "PVC",
        }
    }

    /// The Kubernetes `kind` of objects of this type.
    pub fn k8s_kind(self) -> &'static str {
        match self {
            EnvCfgKind::Pvc => "PersistentVolumeClaim",
            other => other.as_str(),
        }
    }

    pub fn from_k8s_kind(kind: &str) -> Option<Self> {
        [EnvCfgKind::ConfigMap, EnvCfgKind::Secret, EnvCfgKind::Ingress, EnvCfgKind::Pvc]
            .into_iter()
            .find(|k| k.k8s_kind() == kind)
    }

    /// The Go type Zadig decodes objects of this kind into (`corev1.*`).
    pub fn go_type(self) -> &'static str {
        match self {
            EnvCfgKind::Pvc => "PersistentVolumeClaim",
            other => other.as_str(),
        }
    }
}

/// One configuration object of a namespace.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnvCfg {
    pub kind: EnvCfgKind,
    pub name: String,
    /// The YAML exactly as the client sent it.
    pub yaml: String,
    /// `metadata.creationTimestamp` (Unix seconds): kept by updates.
    pub created_time: i64,
    /// Who wrote it last (the latest `EnvResource` record Zadig keeps).
    pub update_by: String,
    /// What the cluster shows beyond the YAML.
    #[serde(default)]
    pub status: ObjectStatus,
}

/// The live state of an object that its YAML does not carry.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ObjectStatus {
    /// Ingress: the hosts of its rules, comma-separated.
    pub host_info: String,
    /// PVC: its binding.
    pub claim: Option<ClaimStatus>,
    /// A ConfigMap labelled `config-backup: "true"`: one of Zadig's own
    /// backups, which its lists leave out.
    pub backup: bool,
    /// Secret: its `type` (`Opaque` by default), which updates may not change.
    pub secret_type: String,
    /// An `immutable` ConfigMap or Secret: the data updates may not change.
    pub sealed: Option<Sealed>,
}

/// The data of an `immutable` ConfigMap or Secret, canonically written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Sealed {
    pub data: String,
    pub binary_data: String,
}

/// A claim as the cluster has bound it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ClaimStatus {
    /// `Bound`, or `Pending` when no class can provision it.
    pub phase: String,
    /// The bound volume (`spec.volumeName`).
    pub volume: String,
    /// `status.capacity.storage`; `0` while pending.
    pub capacity: String,
    pub access_modes: Vec<String>,
    pub storage_class: String,
    pub volume_mode: String,
}
