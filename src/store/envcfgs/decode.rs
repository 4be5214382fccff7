//! An object decoded into its `k8s.io/api` type the way Zadig's
//! `json.Unmarshal` (or `sigs.k8s.io/yaml.Unmarshal`) does, with Go's texts:
//! `encoding/json/decode.go` (`UnmarshalTypeError`), `encoding/base64`
//! (`CorruptInputError`) and `k8s.io/apimachinery/pkg/api/resource`
//! (quantities).

use serde_json::Value;

use super::EnvCfgKind;
use super::manifest::Manifest;

/// Why `encoding/json` (or a type's `UnmarshalJSON`) refused a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// `*json.UnmarshalTypeError`.
    #[error("json: cannot unmarshal {value} into Go struct field {owner}.{field} of type {go_type}")]
    Type { value: &'static str, owner: &'static str, field: String, go_type: &'static str },
    /// `base64.CorruptInputError` from a `[]byte` field.
    #[error("illegal base64 data at input byte {0}")]
    Base64(usize),
    /// `resource.ErrFormatWrong`.
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    QuantityFormat,
    /// `resource.ErrSuffix`.
    #[error("unable to parse quantity's suffix")]
    QuantitySuffix,
}

/// Decodes `object` into the `k8s.io/api` type of `kind` as `json.Unmarshal`
/// would, reporting the first error in document (sorted-key) order. Only
/// the fields Zadig or the simulated cluster read are checked; the rest of
/// the object is kept as sent. Ingresses are never decoded into a type.
pub fn decode_typed(manifest: &Manifest, kind: EnvCfgKind) -> Result<(), DecodeError> {
    let owner = kind.go_type();
    for (key, value) in manifest.fields() {
        match (kind, key.as_str()) {
            (_, "metadata") => check_metadata(owner, value)?,
            (EnvCfgKind::ConfigMap, "data") => check_map(owner, "data", value, MapOf::String)?,
            (EnvCfgKind::ConfigMap, "binaryData") | (EnvCfgKind::Secret, "data") => {
                check_map(owner, key, value, MapOf::Bytes)?
            }
            (EnvCfgKind::Secret, "stringData") => check_map(owner, "stringData", value, MapOf::String)?,
            (EnvCfgKind::ConfigMap | EnvCfgKind::Secret, "immutable") => check_bool(owner, key, value)?,
            (EnvCfgKind::Secret, "type") => check_string(owner, "type", value, "v1.SecretType")?,
            (EnvCfgKind::Pvc, "spec") => check_pvc_spec(value)?,
            _ => {}
        }
    }
    Ok(())
}

fn type_error(value: &Value, owner: &'static str, field: &str, go_type: &'static str) -> DecodeError {
    DecodeError::Type { value: crate::wire::go_json_kind(value), owner, field: field.to_string(), go_type }
}

fn check_string(owner: &'static str, field: &str, value: &Value, go_type: &'static str) -> Result<(), DecodeError> {
    match value {
        Value::String(_) | Value::Null => Ok(()),
        other => Err(type_error(other, owner, field, go_type)),
    }
}

fn check_bool(owner: &'static str, field: &str, value: &Value) -> Result<(), DecodeError> {
    match value {
        Value::Bool(_) | Value::Null => Ok(()),
        other => Err(type_error(other, owner, field, "bool")),
    }
}

#[derive(Clone, Copy)]
enum MapOf {
    String,
    Bytes,
}

/// A `map[string]string` or `map[string][]byte` field.
fn check_map(owner: &'static str, field: &str, value: &Value, of: MapOf) -> Result<(), DecodeError> {
    let (map_type, item_type) = match of {
        MapOf::String => ("map[string]string", "string"),
        MapOf::Bytes => ("map[string][]uint8", "[]uint8"),
    };
    let items = match value {
        Value::Null => return Ok(()),
        Value::Object(items) => items,
        other => return Err(type_error(other, owner, field, map_type)),
    };
    for item in items.values() {
        match (item, of) {
            (Value::Null, _) | (Value::String(_), MapOf::String) => {}
            (Value::String(text), MapOf::Bytes) => check_base64(text)?,
            (other, _) => return Err(type_error(other, owner, field, item_type)),
        }
    }
    Ok(())
}

/// `ObjectMeta`: the fields whose types Zadig's decoding would trip over.
fn check_metadata(owner: &'static str, value: &Value) -> Result<(), DecodeError> {
    let meta = match value {
        Value::Null => return Ok(()),
        Value::Object(meta) => meta,
        other => return Err(type_error(other, owner, "metadata", "v1.ObjectMeta")),
    };
    for (key, value) in meta {
        let field = format!("metadata.{key}");
        match key.as_str() {
            "name" | "namespace" | "generateName" => check_string("ObjectMeta", &field, value, "string")?,
            "labels" | "annotations" => check_map("ObjectMeta", &field, value, MapOf::String)?,
            _ => {}
        }
    }
    Ok(())
}

/// `PersistentVolumeClaimSpec`: access modes, class, volume and requests.
fn check_pvc_spec(value: &Value) -> Result<(), DecodeError> {
    const OWNER: &str = "PersistentVolumeClaimSpec";
    let spec = match value {
        Value::Null => return Ok(()),
        Value::Object(spec) => spec,
        other => return Err(type_error(other, "PersistentVolumeClaim", "spec", "v1.PersistentVolumeClaimSpec")),
    };
    for (key, value) in spec {
        let field = format!("spec.{key}");
        match (key.as_str(), value) {
            ("accessModes", Value::Array(modes)) => {
                for mode in modes {
                    check_string(OWNER, &field, mode, "v1.PersistentVolumeAccessMode")?;
                }
            }
            ("accessModes", Value::Null) => {}
            ("accessModes", other) => return Err(type_error(other, OWNER, &field, "[]v1.PersistentVolumeAccessMode")),
            ("storageClassName" | "volumeName", value) => check_string(OWNER, &field, value, "string")?,
            ("volumeMode", value) => check_string(OWNER, &field, value, "v1.PersistentVolumeMode")?,
            ("resources", Value::Object(resources)) => {
                for quantities in ["requests", "limits"].iter().filter_map(|k| resources.get(*k)) {
                    check_quantities(quantities)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_quantities(value: &Value) -> Result<(), DecodeError> {
    let Value::Object(items) = value else { return Ok(()) };
    items.values().try_for_each(|q| match q {
        Value::Null | Value::Number(_) => Ok(()),
        Value::String(text) => parse_quantity(text).map(|_| ()),
        _ => Err(DecodeError::QuantityFormat),
    })
}

/// `resource.ParseQuantity`'s acceptance: a signed decimal number and one
/// of the known suffixes (binary `Ki`…`Ei`, decimal `n`…`E`, or an
/// exponent `e3`). Returns the number of bytes when the suffix is binary or
/// decimal (used only to compare sizes), else `None`.
pub fn parse_quantity(text: &str) -> Result<Option<f64>, DecodeError> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let digits = number.trim_start_matches(['+', '-']);
    let sign_ok = number.len() - digits.len() <= 1;
    if !sign_ok || digits.is_empty() || digits.contains(['+', '-']) || digits.matches('.').count() > 1 {
        return Err(DecodeError::QuantityFormat);
    }
    let value: f64 = digits.parse().map_err(|_| DecodeError::QuantityFormat)?;
    let factor = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        exp if exp.starts_with(['e', 'E']) => {
            let power: i32 = exp[1..].parse().map_err(|_| DecodeError::QuantitySuffix)?;
            10f64.powi(power)
        }
        other if other.chars().all(|c| "eEinumkKMGTP".contains(c)) => return Err(DecodeError::QuantitySuffix),
        _ => return Err(DecodeError::QuantityFormat),
    };
    Ok(Some(value * factor))
}

/// `base64.StdEncoding.Decode`'s verdict, with its error offset
/// (`encoding/base64/base64.go` `decodeQuantum`): padding required,
/// `\r` and `\n` skipped anywhere.
pub fn check_base64(text: &str) -> Result<(), DecodeError> {
    decode_base64(text).map(|_| ())
}

/// Decodes standard, padded base64 as Go does, returning the byte count.
pub fn decode_base64(text: &str) -> Result<usize, DecodeError> {
    let src = text.as_bytes();
    let value = |b: u8| matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/');
    let (mut si, mut decoded) = (0usize, 0usize);
    loop {
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                return match j {
                    0 => Ok(decoded),
                    _ => Err(DecodeError::Base64(si - j)),
                };
            }
            let b = src[si];
            si += 1;
            if value(b) {
                j += 1;
                continue;
            }
            if b == b'\n' || b == b'\r' {
                continue;
            }
            if b != b'=' || j < 2 {
                return Err(DecodeError::Base64(si - 1));
            }
            // Padding: "==" after two symbols, "=" after three, then the end.
            if j == 2 {
                while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                    si += 1;
                }
                if si == src.len() {
                    return Err(DecodeError::Base64(src.len()));
                }
                if src[si] != b'=' {
                    return Err(DecodeError::Base64(si - 1));
                }
                si += 1;
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                return Err(DecodeError::Base64(si));
            }
            return Ok(decoded + j - 1);
        }
        decoded += 3;
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
    fn configmap_values_must_be_strings() {
        let m = manifest(json!({"kind": "ConfigMap", "data": {"lives": 3}}));
        assert_eq!(
            decode_typed(&m, EnvCfgKind::ConfigMap).unwrap_err().to_string(),
            "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
        );
    }

    #[test]
    fn metadata_fields_are_named_by_their_path() {
        let m = manifest(json!({"kind": "Secret", "metadata": {"labels": {"a": true}}}));
        assert_eq!(
            decode_typed(&m, EnvCfgKind::Secret).unwrap_err().to_string(),
            "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"
        );
    }

    #[test]
    fn secret_data_must_be_base64_like_go_decodes_it() {
        assert_eq!(decode_base64("YWRtaW4="), Ok(5));
        assert_eq!(decode_base64("czNjcjN0"), Ok(6));
        assert_eq!(decode_base64("YW\nRt\r\naW4="), Ok(5));
        assert_eq!(decode_base64("admin!"), Err(DecodeError::Base64(5)));
        assert_eq!(decode_base64("YWJ"), Err(DecodeError::Base64(0)));
        assert_eq!(decode_base64("YQ=="), Ok(1));
        assert_eq!(decode_base64("YQ="), Err(DecodeError::Base64(3)));
        assert_eq!(decode_base64("YQ==YQ=="), Err(DecodeError::Base64(4)));
        assert_eq!(DecodeError::Base64(5).to_string(), "illegal base64 data at input byte 5");
    }

    #[test]
    fn quantities_parse_like_kubernetes() {
        assert_eq!(parse_quantity("1Gi"), Ok(Some(1024f64.powi(3))));
        assert_eq!(parse_quantity("500M"), Ok(Some(5e8)));
        assert_eq!(parse_quantity("1e3"), Ok(Some(1e3)));
        assert_eq!(parse_quantity("1GB"), Err(DecodeError::QuantityFormat));
        assert_eq!(parse_quantity("1iK"), Err(DecodeError::QuantitySuffix));
        assert_eq!(parse_quantity("lots"), Err(DecodeError::QuantityFormat));
    }

    #[test]
    fn pvc_access_modes_are_a_list() {
        let m = manifest(json!({"kind": "PersistentVolumeClaim", "spec": {"accessModes": "ReadWriteOnce"}}));
        assert_eq!(
            decode_typed(&m, EnvCfgKind::Pvc).unwrap_err().to_string(),
            "json: cannot unmarshal string into Go struct field PersistentVolumeClaimSpec.spec.accessModes of type []v1.PersistentVolumeAccessMode"
        );
    }
}
