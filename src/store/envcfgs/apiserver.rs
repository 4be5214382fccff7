//! What the simulated cluster says about the four kinds: which `apiVersion`
//! it serves them under, its `StatusError` texts
//! (`k8s.io/apimachinery/pkg/api/errors`), and what it adds to an object
//! (a claim's binding, an Ingress' hosts). [`super::validation`] has its
//! validation.
//!
//! The simulated cluster is a Kubernetes ≥ 1.24 (so Ingress is served as
//! `networking.k8s.io/v1` only and namespaces hold no token Secrets) whose
//! default StorageClass `standard` binds claims immediately.

use serde_json::{Map, Value};

use super::decode::parse_quantity;
use super::manifest::Manifest;
use super::{ClaimStatus, EnvCfgKind};
use crate::store::Rng;

/// What the REST client says before sending a request for an object
/// without a name (`k8s.io/client-go/rest/request.go`).
pub const EMPTY_NAME: &str = "resource name may not be empty";

/// The StorageClass claims without `storageClassName` get.
pub const DEFAULT_STORAGE_CLASS: &str = "standard";

impl EnvCfgKind {
    /// The kind as `StatusError` messages name it (`qualifiedKind`).
    pub fn status_kind(self) -> &'static str {
        match self {
            EnvCfgKind::ConfigMap => "ConfigMap",
            EnvCfgKind::Secret => "Secret",
            EnvCfgKind::Ingress => "Ingress.networking.k8s.io",
            EnvCfgKind::Pvc => "PersistentVolumeClaim",
        }
    }

    /// The resource as `NotFound`/`AlreadyExists` messages name it.
    pub fn resource(self) -> &'static str {
        match self {
            EnvCfgKind::ConfigMap => "configmaps",
            EnvCfgKind::Secret => "secrets",
            EnvCfgKind::Ingress => "ingresses.networking.k8s.io",
            EnvCfgKind::Pvc => "persistentvolumeclaims",
        }
    }

    /// The one `apiVersion` the simulated cluster serves this kind under.
    pub fn served_version(self) -> &'static str {
        match self {
            EnvCfgKind::Ingress => "networking.k8s.io/v1",
            _ => "v1",
        }
    }
}

/// `errors.NewNotFound(...).Error()`.
pub fn not_found(kind: EnvCfgKind, name: &str) -> String {
    format!("{} \"{name}\" not found", kind.resource())
}

/// `errors.NewAlreadyExists(...).Error()`.
pub fn already_exists(kind: EnvCfgKind, name: &str) -> String {
    format!("{} \"{name}\" already exists", kind.resource())
}

/// The REST mapper's answer for an `apiVersion` the cluster does not serve
/// the kind under (`meta.NoKindMatchError`). Only the unstructured client
/// asks it: Zadig's typed clients take the version from the Go type.
pub fn check_served(manifest: &Manifest, kind: EnvCfgKind) -> Result<(), String> {
    let version = manifest.api_version();
    if version == kind.served_version() {
        return Ok(());
    }
    Err(format!("no matches for kind \"{}\" in version \"{version}\"", manifest.kind()))
}

/// kube-apiserver decoding a body it cannot turn into the kind's type
/// (the unstructured client, at environment creation).
pub fn cannot_handle(kind: EnvCfgKind, err: impl std::fmt::Display) -> String {
    let short = kind.k8s_kind();
    format!("{short} in version \"v1\" cannot be handled as a {short}: {err}")
}

/// A top-level field that is a mapping.
pub(super) fn object<'a>(manifest: &'a Manifest, key: &str) -> Option<&'a Map<String, Value>> {
    manifest.get(key).and_then(Value::as_object)
}

/// How the cluster binds a new claim: through its class (the default
/// `standard` when none is named) to a fresh volume of the requested size.
/// A claim naming the class `""` or a volume of its own waits, `Pending`,
/// for a volume nobody will provide.
pub fn bind_claim(manifest: &Manifest, rng: &mut Rng) -> ClaimStatus {
    let spec = object(manifest, "spec");
    let text = |key: &str| spec.and_then(|s| s.get(key)).and_then(Value::as_str).map(str::to_string);
    let access_modes = spec
        .and_then(|s| s.get("accessModes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();
    let storage_class = text("storageClassName").unwrap_or_else(|| DEFAULT_STORAGE_CLASS.to_string());
    let static_volume = text("volumeName").filter(|v| !v.is_empty());
    let (phase, volume, capacity) = match static_volume {
        Some(volume) => ("Pending", volume, "0".to_string()),
        None if storage_class.is_empty() => ("Pending", String::new(), "0".to_string()),
        None => ("Bound", volume_name(rng), requested_storage(manifest)),
    };
    ClaimStatus {
        phase: phase.to_string(),
        volume,
        capacity,
        access_modes,
        storage_class,
        volume_mode: text("volumeMode").unwrap_or_else(|| "Filesystem".to_string()),
    }
}

/// A dynamically provisioned volume's name: `pvc-` and a UUID.
fn volume_name(rng: &mut Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    let hex = format!("{a:016x}{b:016x}");
    let variant = ['8', '9', 'a', 'b'][(b >> 62) as usize];
    format!("pvc-{}-{}-4{}-{variant}{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

/// The storage a claim requests, as written (the bound volume's capacity).
pub fn requested_storage(manifest: &Manifest) -> String {
    let storage = object(manifest, "spec")
        .and_then(|s| s.get("resources"))
        .and_then(|r| r.get("requests"))
        .and_then(|r| r.get("storage"));
    match storage {
        Some(Value::String(text)) if parse_quantity(text).is_ok() => text.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".to_string(),
    }
}

/// The hosts of an Ingress' rules, comma-separated (`ListIngresses`).
pub fn ingress_hosts(manifest: &Manifest) -> String {
    let rules = object(manifest, "spec").and_then(|s| s.get("rules")).and_then(Value::as_array);
    let hosts: Vec<&str> =
        rules.into_iter().flatten().map(|r| r.get("host").and_then(Value::as_str).unwrap_or_default()).collect();
    hosts.join(",")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn manifest(value: Value) -> Manifest {
        Manifest::unstructured(value).expect("a manifest")
    }

    #[test]
    fn ingress_hosts_are_joined_with_commas() {
        let m = manifest(
            json!({"kind": "Ingress", "spec": {"rules": [{"host": "a.example.com"}, {"host": "b.example.com"}]}}),
        );
        assert_eq!(ingress_hosts(&m), "a.example.com,b.example.com");
    }
}
