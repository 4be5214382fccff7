//! A Kubernetes object as Zadig's code reads it first: an `Unstructured`
//! (any failure is the one text "object is not an Unstructured"), and as
//! Go's `%v` prints one in error messages. [`super::decode`] has the typed
//! decoding that follows.

use serde_json::{Map, Value};

/// `serializer.NewDecoder().YamlToUnstructured`'s only error text: the
/// decoder returns no object on failure and the type assertion says this
/// instead (`pkg/tool/kube/serializer/decoder.go:55-64` at v3.4.0).
pub const NOT_UNSTRUCTURED: &str = "object is not an Unstructured";

/// An object that decodes as an `Unstructured`: a mapping with a `kind`.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    object: Map<String, Value>,
}

impl Manifest {
    /// The `Unstructured` decoding: the value must be a mapping whose `kind`
    /// is a non-empty string and whose `apiVersion`, if a string, parses as
    /// a group/version (at most one `/`).
    pub fn unstructured(value: Value) -> Option<Manifest> {
        let Value::Object(object) = value else { return None };
        let manifest = Manifest { object };
        let version_parses = manifest.api_version().matches('/').count() <= 1;
        (!manifest.kind().is_empty() && version_parses).then_some(manifest)
    }

    /// `GetKind()`: the string at `kind`, or `""`.
    pub fn kind(&self) -> &str {
        self.object.get("kind").and_then(Value::as_str).unwrap_or_default()
    }

    /// `GetAPIVersion()`.
    pub fn api_version(&self) -> &str {
        self.object.get("apiVersion").and_then(Value::as_str).unwrap_or_default()
    }

    /// `GetName()`: `metadata.name` when it is a string, else `""`.
    pub fn name(&self) -> &str {
        self.metadata_str("name")
    }

    /// `metadata.generateName`.
    pub fn generate_name(&self) -> &str {
        self.metadata_str("generateName")
    }

    fn metadata_str(&self, key: &str) -> &str {
        self.object.get("metadata").and_then(|m| m.get(key)).and_then(Value::as_str).unwrap_or_default()
    }

    /// Every top-level field, in key order.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.object
    }

    /// A top-level field.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.object.get(key)
    }

    /// `metadata.labels[key]`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.object.get("metadata")?.get("labels")?.get(key)?.as_str()
    }

    /// The object as Go's `%v` prints an `*unstructured.Unstructured` once
    /// Zadig has set its namespace and `s-product` label
    /// (`ensureLabelAndNs`, `env/service/common_env_cfg.go:142-157`).
    pub fn go_text_with(&self, namespace: &str, project: &str) -> String {
        let mut object = self.object.clone();
        if !matches!(object.get("metadata"), Some(Value::Object(_))) {
            object.insert("metadata".into(), Value::Object(Map::new()));
        }
        if let Some(Value::Object(meta)) = object.get_mut("metadata") {
            meta.insert("namespace".into(), Value::String(namespace.to_string()));
            let labels = meta.entry("labels").or_insert_with(|| Value::Object(Map::new()));
            if !labels.is_object() {
                *labels = Value::Object(Map::new());
            }
            if let Value::Object(labels) = labels {
                labels.insert("s-product".into(), Value::String(project.to_string()));
            }
        }
        format!("&{{{}}}", go_v(&Value::Object(object)))
    }

    /// The object as Go's `%v` prints it, untouched.
    pub fn go_text(&self) -> String {
        format!("&{{{}}}", go_v(&Value::Object(self.object.clone())))
    }
}

/// Go's `%v` of a value decoded by apimachinery's JSON decoder: maps with
/// sorted keys, integers as integers, `nil` for null.
pub fn go_v(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::Array(items) => format!("[{}]", items.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{}", go_v(v))).collect();
            format!("map[{}]", pairs.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn manifest(value: Value) -> Manifest {
        Manifest::unstructured(value).expect("a manifest")
    }

    #[test]
    fn an_unstructured_needs_a_mapping_with_a_kind() {
        assert!(Manifest::unstructured(json!("text")).is_none());
        assert!(Manifest::unstructured(json!({"apiVersion": "v1"})).is_none());
        assert!(Manifest::unstructured(json!({"kind": 3})).is_none());
        assert!(Manifest::unstructured(json!({"kind": "ConfigMap", "apiVersion": "a/b/c"})).is_none());
        assert_eq!(manifest(json!({"kind": "ConfigMap", "metadata": {"name": "x"}})).name(), "x");
    }

    #[test]
    fn go_prints_unstructured_objects_with_sorted_keys() {
        let m = manifest(json!({"kind": "Deployment", "apiVersion": "apps/v1", "spec": {"replicas": 1.0, "x": null}}));
        assert_eq!(m.go_text(), "&{map[apiVersion:apps/v1 kind:Deployment spec:map[replicas:1 x:<nil>]]}");
    }
}
