//! What kube-apiserver says about the four kinds: which `apiVersion` it
//! serves them under, and the validation an object must pass
//! (`k8s.io/kubernetes/pkg/apis/core/validation` and
//! `…/networking/validation`), with its error texts
//! (`k8s.io/apimachinery/pkg/api/errors`, `…/util/validation/field`).
//!
//! The simulated cluster is a Kubernetes ≥ 1.24 (so Ingress is served as
//! `networking.k8s.io/v1` only and namespaces hold no token Secrets) whose
//! default StorageClass `standard` binds claims immediately.

use serde_json::{Map, Value};

use super::manifest::{Manifest, decode_base64, parse_quantity};
use super::{ClaimStatus, EnvCfgKind};
use crate::store::Rng;

/// What the REST client says before sending a request for an object
/// without a name (`k8s.io/client-go/rest/request.go`).
pub const EMPTY_NAME: &str = "resource name may not be empty";

/// The StorageClass claims without `storageClassName` get.
pub const DEFAULT_STORAGE_CLASS: &str = "standard";

/// ConfigMaps and Secrets may hold at most this many bytes of data.
const MAX_DATA_BYTES: usize = 1024 * 1024;

/// The access modes a claim may ask for.
const ACCESS_MODES: [&str; 4] = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

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

/// The validation of a create or update of the object called `name`;
/// `previous` is the stored claim on a PVC update. An invalid object gets
/// `<Kind> "<name>" is invalid: <errors>` (`errors.NewInvalid`).
pub fn validate(
    kind: EnvCfgKind,
    name: &str,
    manifest: &Manifest,
    previous: Option<&ClaimStatus>,
) -> Result<(), String> {
    let mut errors = validate_name(name);
    match kind {
        EnvCfgKind::ConfigMap => errors.extend(validate_config_map(manifest)),
        EnvCfgKind::Secret => errors.extend(validate_secret(manifest)),
        EnvCfgKind::Pvc => errors.extend(validate_claim(manifest, previous)),
        EnvCfgKind::Ingress => errors.extend(validate_ingress(manifest)),
    }
    match errors.as_slice() {
        [] => Ok(()),
        [one] => Err(format!("{} \"{name}\" is invalid: {one}", kind.status_kind())),
        many => Err(format!("{} \"{name}\" is invalid: [{}]", kind.status_kind(), many.join(", "))),
    }
}

/// `ValidateObjectMeta` with `NameIsDNSSubdomain`.
fn validate_name(name: &str) -> Vec<String> {
    if name.is_empty() {
        return vec!["metadata.name: Required value: name or generateName is required".into()];
    }
    let mut errors = Vec::new();
    if name.len() > 253 {
        errors.push(format!("metadata.name: Invalid value: {name:?}: must be no more than 253 characters"));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !name.split('.').all(label_ok) {
        errors.push(format!(
            "metadata.name: Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ));
    }
    errors
}

/// `validation.IsConfigMapKey`.
fn config_key_problems(key: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if key.len() > 253 {
        problems.push("must be no more than 253 characters".to_string());
    }
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        problems.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".to_string());
    }
    match key {
        "." => problems.push("must not be '.'".to_string()),
        ".." => problems.push("must not be '..'".to_string()),
        k if k.starts_with("..") => problems.push("must not start with '..'".to_string()),
        _ => {}
    }
    problems
}

fn object<'a>(manifest: &'a Manifest, key: &str) -> Option<&'a Map<String, Value>> {
    manifest.get(key).and_then(Value::as_object)
}

fn text_len(value: &Value) -> usize {
    value.as_str().map_or(0, str::len)
}

fn bytes_len(value: &Value) -> usize {
    value.as_str().and_then(|s| decode_base64(s).ok()).unwrap_or(0)
}

/// `ValidateConfigMap`: keys, no key in both bags, at most 1 MiB.
fn validate_config_map(manifest: &Manifest) -> Vec<String> {
    let (data, binary) = (object(manifest, "data"), object(manifest, "binaryData"));
    let mut errors = Vec::new();
    let mut total = 0;
    for (key, value) in data.into_iter().flatten() {
        errors
            .extend(config_key_problems(key).into_iter().map(|p| format!("data[{key}]: Invalid value: {key:?}: {p}")));
        if binary.is_some_and(|b| b.contains_key(key)) {
            errors.push(format!("data[{key}]: Invalid value: {key:?}: duplicate of key present in binaryData"));
        }
        total += text_len(value);
    }
    for (key, value) in binary.into_iter().flatten() {
        errors.extend(
            config_key_problems(key).into_iter().map(|p| format!("binaryData[{key}]: Invalid value: {key:?}: {p}")),
        );
        total += bytes_len(value);
    }
    if total > MAX_DATA_BYTES {
        errors.push(format!("[]: Too long: must have at most {MAX_DATA_BYTES} bytes"));
    }
    errors
}

/// `ValidateSecret`: keys (of `data` merged with `stringData`), the keys
/// the well-known types require, at most 1 MiB.
fn validate_secret(manifest: &Manifest) -> Vec<String> {
    let mut keys: Vec<(&String, usize)> = Vec::new();
    for (key, value) in object(manifest, "data").into_iter().flatten() {
        keys.push((key, bytes_len(value)));
    }
    for (key, value) in object(manifest, "stringData").into_iter().flatten() {
        keys.retain(|(k, _)| *k != key);
        keys.push((key, text_len(value)));
    }
    keys.sort();
    let mut errors: Vec<String> = keys
        .iter()
        .flat_map(|(key, _)| {
            config_key_problems(key).into_iter().map(move |p| format!("data[{key}]: Invalid value: {key:?}: {p}"))
        })
        .collect();
    let required: &[&str] = match manifest.get("type").and_then(Value::as_str).unwrap_or("Opaque") {
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        _ => &[],
    };
    for key in required.iter().filter(|r| !keys.iter().any(|(k, _)| k == *r)) {
        errors.push(format!("data[{key}]: Required value"));
    }
    if keys.iter().map(|(_, len)| len).sum::<usize>() > MAX_DATA_BYTES {
        errors.push(format!("data: Too long: must have at most {MAX_DATA_BYTES} bytes"));
    }
    errors
}

/// `ValidatePersistentVolumeClaim` (+ `…Update`): at least one supported
/// access mode, a storage request, and on update an unchanged spec apart
/// from the requests. Fields the update leaves out count as unchanged.
fn validate_claim(manifest: &Manifest, previous: Option<&ClaimStatus>) -> Vec<String> {
    let spec = object(manifest, "spec");
    let field = |key: &str| spec.and_then(|s| s.get(key));
    let modes: Vec<&str> =
        field("accessModes").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let mut errors = Vec::new();
    if modes.is_empty() {
        errors.push("spec.accessModes: Required value: at least 1 access mode is required".to_string());
    }
    for mode in modes.iter().filter(|m| !ACCESS_MODES.contains(m)) {
        let supported: Vec<String> = ACCESS_MODES.iter().map(|m| format!("{m:?}")).collect();
        errors
            .push(format!("spec.accessModes: Unsupported value: {mode:?}: supported values: {}", supported.join(", ")));
    }
    let storage = field("resources").and_then(|r| r.get("requests")).and_then(|r| r.get("storage"));
    if storage.is_none_or(Value::is_null) {
        errors.push("spec.resources[storage]: Required value".to_string());
    }
    if let Some(old) = previous {
        let changed = |key: &str, old: &str| field(key).and_then(Value::as_str).is_some_and(|new| new != old);
        let modes_changed = field("accessModes").is_some() && modes != old.access_modes;
        if modes_changed
            || changed("storageClassName", &old.storage_class)
            || changed("volumeMode", &old.volume_mode)
            || changed("volumeName", &old.volume)
        {
            errors.push("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims".to_string());
        }
    }
    errors
}

/// `ValidateIngressSpec`: a default backend or some rules.
fn validate_ingress(manifest: &Manifest) -> Vec<String> {
    let spec = object(manifest, "spec");
    let rules = spec.and_then(|s| s.get("rules"));
    let has_rules = rules.and_then(Value::as_array).is_some_and(|r| !r.is_empty());
    let has_backend = spec.and_then(|s| s.get("defaultBackend")).is_some_and(|b| !b.is_null());
    if has_rules || has_backend {
        return Vec::new();
    }
    let shown =
        if rules.is_some_and(Value::is_array) { "[]networking.IngressRule{}" } else { "[]networking.IngressRule(nil)" };
    vec![format!("spec: Invalid value: {shown}: either `defaultBackend` or `rules` must be specified")]
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
    fn names_must_be_dns_subdomains() {
        let m = manifest(json!({"kind": "ConfigMap", "metadata": {"name": "Game_Demo"}}));
        let err = validate(EnvCfgKind::ConfigMap, m.name(), &m, None).unwrap_err();
        assert!(err.starts_with("ConfigMap \"Game_Demo\" is invalid: metadata.name: Invalid value: \"Game_Demo\": a lowercase RFC 1123 subdomain"), "{err}");
        let m = manifest(json!({"kind": "ConfigMap", "metadata": {"name": "game.demo-1"}}));
        assert_eq!(validate(EnvCfgKind::ConfigMap, m.name(), &m, None), Ok(()));
    }

    #[test]
    fn several_problems_are_listed_in_brackets() {
        let m = manifest(json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}));
        assert_eq!(
            validate(EnvCfgKind::Pvc, m.name(), &m, None).unwrap_err(),
            "PersistentVolumeClaim \"data\" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]"
        );
    }

    #[test]
    fn configmap_keys_and_size_are_checked() {
        let m = manifest(json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"bad key": "v"}}));
        let err = validate(EnvCfgKind::ConfigMap, m.name(), &m, None).unwrap_err();
        assert!(
            err.starts_with(
                "ConfigMap \"c\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key"
            ),
            "{err}"
        );
        let big = "x".repeat(MAX_DATA_BYTES + 1);
        let m = manifest(json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": big}}));
        assert_eq!(
            validate(EnvCfgKind::ConfigMap, m.name(), &m, None).unwrap_err(),
            "ConfigMap \"c\" is invalid: []: Too long: must have at most 1048576 bytes"
        );
    }

    #[test]
    fn tls_secrets_need_their_keys() {
        let m = manifest(
            json!({"kind": "Secret", "metadata": {"name": "t"}, "type": "kubernetes.io/tls", "stringData": {"tls.crt": "x"}}),
        );
        assert_eq!(
            validate(EnvCfgKind::Secret, m.name(), &m, None).unwrap_err(),
            "Secret \"t\" is invalid: data[tls.key]: Required value"
        );
    }

    #[test]
    fn an_ingress_needs_rules_or_a_default_backend() {
        let m = manifest(json!({"kind": "Ingress", "metadata": {"name": "web"}, "spec": {}}));
        assert_eq!(
            validate(EnvCfgKind::Ingress, m.name(), &m, None).unwrap_err(),
            "Ingress.networking.k8s.io \"web\" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"
        );
    }

    #[test]
    fn a_bound_claims_spec_is_immutable_but_for_its_requests() {
        let old = ClaimStatus {
            access_modes: vec!["ReadWriteOnce".into()],
            storage_class: "standard".into(),
            volume_mode: "Filesystem".into(),
            volume: "pvc-1".into(),
            ..ClaimStatus::default()
        };
        let spec = |modes: Value| {
            json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "d"},
            "spec": {"accessModes": modes, "resources": {"requests": {"storage": "2Gi"}}}})
        };
        assert_eq!(validate(EnvCfgKind::Pvc, "d", &manifest(spec(json!(["ReadWriteOnce"]))), Some(&old)), Ok(()));
        let err = validate(EnvCfgKind::Pvc, "d", &manifest(spec(json!(["ReadWriteMany"]))), Some(&old)).unwrap_err();
        assert!(err.contains("spec: Forbidden: spec is immutable after creation"), "{err}");
    }

    #[test]
    fn ingress_hosts_are_joined_with_commas() {
        let m = manifest(
            json!({"kind": "Ingress", "spec": {"rules": [{"host": "a.example.com"}, {"host": "b.example.com"}]}}),
        );
        assert_eq!(ingress_hosts(&m), "a.example.com,b.example.com");
    }
}
