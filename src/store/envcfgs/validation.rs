//! kube-apiserver's validation of the four kinds
//! (`k8s.io/kubernetes/pkg/apis/core/validation`, `…/networking/validation`)
//! with its texts (`k8s.io/apimachinery/pkg/util/validation/field`): what
//! an object must be to be created, and what an update may not change.

use base64::Engine;
use serde_json::{Map, Value};

use super::apiserver::object;
use super::decode::decode_base64;
use super::manifest::Manifest;
use super::{ClaimStatus, EnvCfgKind, ObjectStatus, Sealed};

/// ConfigMaps and Secrets may hold at most this many bytes of data.
const MAX_DATA_BYTES: usize = 1024 * 1024;

/// The access modes a claim may ask for.
const ACCESS_MODES: [&str; 4] = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

/// What an object's update may not change (`ValidateConfigMapUpdate`,
/// `ValidateSecretUpdate`): a Secret's type, and anything of a ConfigMap or
/// Secret once it is `immutable`.
fn validate_update(kind: EnvCfgKind, manifest: &Manifest, old: &ObjectStatus) -> Vec<String> {
    const SEALED: &str = "Forbidden: field is immutable when `immutable` is set";
    let mut errors = Vec::new();
    if kind == EnvCfgKind::Secret && !old.secret_type.is_empty() && secret_type(manifest) != old.secret_type {
        errors.push(format!("type: Invalid value: {:?}: field is immutable", secret_type(manifest)));
    }
    let Some(sealed) = &old.sealed else { return errors };
    let new = seal(kind, manifest);
    if manifest.get("immutable").and_then(Value::as_bool) != Some(true) {
        errors.push(format!("immutable: {SEALED}"));
    }
    if new.data != sealed.data {
        errors.push(format!("data: {SEALED}"));
    }
    if new.binary_data != sealed.binary_data {
        errors.push(format!("binaryData: {SEALED}"));
    }
    errors
}

/// A Secret's type, `Opaque` when not given.
pub fn secret_type(manifest: &Manifest) -> String {
    manifest.get("type").and_then(Value::as_str).filter(|t| !t.is_empty()).unwrap_or("Opaque").to_string()
}

/// The data of an `immutable` ConfigMap or Secret, as the cluster compares
/// it on update; `None` for any other object.
pub fn sealed(kind: EnvCfgKind, manifest: &Manifest) -> Option<Sealed> {
    let immutable = manifest.get("immutable").and_then(Value::as_bool) == Some(true);
    let kept = matches!(kind, EnvCfgKind::ConfigMap | EnvCfgKind::Secret) && immutable;
    kept.then(|| seal(kind, manifest))
}

/// Canonical text of an object's data: a Secret's `stringData` merged into
/// its `data`, every byte string decoded, keys sorted.
fn seal(kind: EnvCfgKind, manifest: &Manifest) -> Sealed {
    let texts = |key: &str| object(manifest, key).cloned().unwrap_or_default();
    let bytes = |key: &str| -> Map<String, Value> {
        let decoded = object(manifest, key).into_iter().flatten().map(|(k, v)| (k.clone(), Value::from(decode(v))));
        decoded.collect()
    };
    match kind {
        EnvCfgKind::Secret => {
            let mut data = bytes("data");
            for (key, value) in texts("stringData") {
                let text = value.as_str().unwrap_or_default();
                data.insert(key, Value::from(base64::engine::general_purpose::STANDARD.encode(text)));
            }
            Sealed { data: Value::Object(data).to_string(), binary_data: String::new() }
        }
        _ => Sealed {
            data: Value::Object(texts("data")).to_string(),
            binary_data: Value::Object(bytes("binaryData")).to_string(),
        },
    }
}

/// A `[]byte` field's bytes, re-encoded canonically (newlines dropped).
fn decode(value: &Value) -> String {
    let text: String = value.as_str().unwrap_or_default().chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let engine = base64::engine::general_purpose::STANDARD;
    engine.decode(&text).map(|bytes| engine.encode(bytes)).unwrap_or(text)
}

/// The validation of a create (`previous` is `None`) or an update of the
/// object called `name`. An invalid object gets
/// `<Kind> "<name>" is invalid: <errors>` (`errors.NewInvalid`).
pub fn validate(
    kind: EnvCfgKind,
    name: &str,
    manifest: &Manifest,
    previous: Option<&ObjectStatus>,
) -> Result<(), String> {
    let mut errors = previous.map(|old| validate_update(kind, manifest, old)).unwrap_or_default();
    errors.extend(validate_name(name));
    match kind {
        EnvCfgKind::ConfigMap => errors.extend(validate_config_map(manifest)),
        EnvCfgKind::Secret => errors.extend(validate_secret(manifest)),
        EnvCfgKind::Pvc => errors.extend(validate_claim(manifest, previous.and_then(|old| old.claim.as_ref()))),
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
        let claim = ClaimStatus {
            access_modes: vec!["ReadWriteOnce".into()],
            storage_class: "standard".into(),
            volume_mode: "Filesystem".into(),
            volume: "pvc-1".into(),
            ..ClaimStatus::default()
        };
        let old = ObjectStatus { claim: Some(claim), ..ObjectStatus::default() };
        let spec = |modes: Value| {
            json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "d"},
            "spec": {"accessModes": modes, "resources": {"requests": {"storage": "2Gi"}}}})
        };
        assert_eq!(validate(EnvCfgKind::Pvc, "d", &manifest(spec(json!(["ReadWriteOnce"]))), Some(&old)), Ok(()));
        let err = validate(EnvCfgKind::Pvc, "d", &manifest(spec(json!(["ReadWriteMany"]))), Some(&old)).unwrap_err();
        assert!(err.contains("spec: Forbidden: spec is immutable after creation"), "{err}");
    }

    #[test]
    fn an_immutable_configmap_keeps_its_data() {
        let old =
            manifest(json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "immutable": true, "data": {"a": "1"}}));
        let status = ObjectStatus { sealed: sealed(EnvCfgKind::ConfigMap, &old), ..ObjectStatus::default() };
        let same =
            manifest(json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "immutable": true, "data": {"a": "1"}}));
        let changed = manifest(json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "2"}}));
        assert_eq!(validate(EnvCfgKind::ConfigMap, "c", &same, Some(&status)), Ok(()));
        assert_eq!(
            validate(EnvCfgKind::ConfigMap, "c", &changed, Some(&status)).unwrap_err(),
            "ConfigMap \"c\" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]"
        );
    }

    #[test]
    fn secret_data_compares_decoded_with_string_data_merged_in() {
        let old = manifest(json!({"kind": "Secret", "immutable": true, "data": {"a": "YQ=="}}));
        let new = manifest(json!({"kind": "Secret", "immutable": true, "stringData": {"a": "a"}}));
        assert_eq!(sealed(EnvCfgKind::Secret, &old), sealed(EnvCfgKind::Secret, &new));
    }

    #[test]
    fn a_secrets_type_cannot_change() {
        let status = ObjectStatus { secret_type: "Opaque".into(), ..ObjectStatus::default() };
        let tls = manifest(
            json!({"kind": "Secret", "type": "kubernetes.io/tls", "data": {"tls.crt": "YQ==", "tls.key": "YQ=="}}),
        );
        assert_eq!(
            validate(EnvCfgKind::Secret, "s", &tls, Some(&status)).unwrap_err(),
            "Secret \"s\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable"
        );
    }
}
