//! Service and global variables: how a service's variables are completed
//! from its template and checked before it is rendered
//! (`env/service/openapi.go` `fillServiceVariableAttribute`,
//! `common/types/service_variable.go` `ServiceVariableKVToYaml`).

use serde_json::Value;

use super::model::{GlobalVariableKV, RenderVariableKV, VariableKV};

/// Copies `type`/`desc`/`options` from the template onto the variables the
/// caller gave, then appends the template's variables the caller left out.
pub fn fill_from_template(mut given: Vec<RenderVariableKV>, template: &[VariableKV]) -> Vec<RenderVariableKV> {
    for kv in given.iter_mut() {
        if let Some(t) = template.iter().find(|t| t.key == kv.kv.key) {
            kv.kv.r#type = t.r#type.clone();
            kv.kv.desc = t.desc.clone();
            kv.kv.options = t.options.clone();
        }
    }
    for t in template {
        if !given.iter().any(|kv| kv.kv.key == t.key) {
            given.push(RenderVariableKV { kv: t.clone(), ..Default::default() });
        }
    }
    given
}

/// The render check of `ServiceVariableKVToYaml(kvs, forceCheck=true)`:
/// a `bool` must be a boolean (or `"true"`/`"false"`), an `enum` one of its
/// options, a `yaml` value a string of valid YAML.
pub fn check_renderable(kvs: &[RenderVariableKV]) -> Result<(), String> {
    for kv in kvs.iter().map(|kv| &kv.kv) {
        match kv.r#type.as_str() {
            "bool" => match &kv.value {
                Value::Bool(_) => {}
                Value::String(s) if s == "true" || s == "false" => {}
                other => {
                    return Err(format!("invaild value for boolean, key: {}, value: {}", kv.key, go_display(other)));
                }
            },
            "enum" => {
                let value = go_display(&kv.value);
                if !kv.options.contains(&value) {
                    return Err(format!(
                        "invaild value for enum, key: {}, value: {}, options: [{}]",
                        kv.key,
                        value,
                        kv.options.join(" ")
                    ));
                }
            }
            "yaml" => {
                let Value::String(text) = &kv.value else {
                    return Err(format!(
                        "failed to convert value to yaml, key: {}, value: {}",
                        kv.key,
                        go_display(&kv.value)
                    ));
                };
                if let Err(err) = crate::yaml::parse_value(text) {
                    return Err(format!("failed to unmarshal yaml, key: {}, err: {err}", kv.key));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Go's `%v` of a decoded JSON value.
pub fn go_display(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_display).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{}", go_display(v))).collect();
            format!("map[{}]", pairs.join(" "))
        }
    }
}

/// Adds `service` to the `related_services` of the global variable `key`.
pub fn relate(globals: &mut [GlobalVariableKV], key: &str, service: &str) {
    if let Some(g) = globals.iter_mut().find(|g| g.kv.key == key)
        && !g.related_services.iter().any(|s| s == service)
    {
        g.related_services.push(service.to_string());
    }
}

/// Removes `service` from every global variable's `related_services`.
pub fn unrelate_everywhere(globals: &mut [GlobalVariableKV], service: &str) {
    for g in globals {
        g.related_services.retain(|s| s != service);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kv(key: &str, value: Value, ty: &str, options: &[&str]) -> RenderVariableKV {
        RenderVariableKV {
            kv: VariableKV {
                key: key.into(),
                value,
                r#type: ty.into(),
                options: options.iter().map(|s| s.to_string()).collect(),
                desc: String::new(),
            },
            ..Default::default()
        }
    }

    #[test]
    fn template_attributes_are_copied_and_missing_keys_appended() {
        let template = vec![kv("a", json!("1"), "enum", &["1", "2"]).kv, kv("b", json!("x"), "string", &[]).kv];
        let filled = fill_from_template(vec![kv("a", json!("2"), "", &[])], &template);
        assert_eq!(filled.len(), 2);
        assert_eq!(filled[0].kv.r#type, "enum");
        assert_eq!(filled[0].kv.value, json!("2"));
        assert_eq!(filled[1].kv.key, "b");
    }

    #[test]
    fn bool_and_enum_values_are_checked_as_zadig_checks_them() {
        assert!(check_renderable(&[kv("b", json!("true"), "bool", &[])]).is_ok());
        assert_eq!(
            check_renderable(&[kv("b", json!("yes"), "bool", &[])]).unwrap_err(),
            "invaild value for boolean, key: b, value: yes"
        );
        assert_eq!(
            check_renderable(&[kv("e", json!("c"), "enum", &["a", "b"])]).unwrap_err(),
            "invaild value for enum, key: e, value: c, options: [a b]"
        );
    }
}
