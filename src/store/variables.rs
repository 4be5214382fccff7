//! Service variables: how a service's variables are completed from its
//! template or its current values, take the environment's global values,
//! and are checked before they are rendered (`env/service/openapi.go`
//! `fillServiceVariableAttribute`, `setGlobalVariableToServiceVariable`;
//! `common/types/service_variable.go` `ServiceVariableKVToYaml`,
//! `ValidateRenderVariables`, `MergeRenderAndServiceTemplateVariableKVs`,
//! `UpdateRenderVariable`).

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
    let missing = |t: &&VariableKV| !given.iter().any(|kv| kv.kv.key == t.key);
    given.reserve_exact(template.iter().filter(missing).count());
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
    check_values(kvs.iter().map(|kv| &kv.kv), true)
}

/// `ServiceVariableKVToYaml(kvs, forceCheck)`: `bool` and `yaml` values are
/// always checked, `enum` values only when `force_enum` is set.
pub fn check_values<'a>(kvs: impl IntoIterator<Item = &'a VariableKV>, force_enum: bool) -> Result<(), String> {
    for kv in kvs {
        match kv.r#type.as_str() {
            "bool" => match &kv.value {
                Value::Bool(_) => {}
                Value::String(s) if s == "true" || s == "false" => {}
                other => {
                    return Err(format!("invaild value for boolean, key: {}, value: {}", kv.key, go_display(other)));
                }
            },
            "enum" if force_enum => {
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

/// `setGlobalVariableToServiceVariable`: a variable that asks for a global
/// the environment does not have silently stops asking; the others take the
/// global's value.
pub fn use_env_globals(kvs: &mut [RenderVariableKV], globals: &[GlobalVariableKV]) {
    for kv in kvs.iter_mut().filter(|kv| kv.use_global_variable) {
        match globals.iter().rev().find(|g| g.kv.key == kv.kv.key) {
            Some(g) => kv.kv.value = g.kv.value.clone(),
            None => kv.use_global_variable = false,
        }
    }
}

/// `ValidateRenderVariables`: variables that use a global take its value,
/// type, options and description. (Those naming a missing global were
/// already turned off by [`use_env_globals`].)
pub fn apply_globals(kvs: &mut [RenderVariableKV], globals: &[GlobalVariableKV]) {
    for kv in kvs.iter_mut().filter(|kv| kv.use_global_variable) {
        if let Some(g) = globals.iter().rev().find(|g| g.kv.key == kv.kv.key) {
            kv.kv = VariableKV { key: kv.kv.key.clone(), ..g.kv.clone() };
        }
    }
}

/// `MergeRenderAndServiceTemplateVariableKVs`: the service's variables in
/// the template's order and only the template's keys; a variable keeps its
/// value unless its type differs from the template's, and one that uses a
/// global is kept as it is.
pub fn merge_with_template(render: Vec<RenderVariableKV>, template: &[VariableKV]) -> Vec<RenderVariableKV> {
    template
        .iter()
        .map(|t| match render.iter().rev().find(|r| r.kv.key == t.key) {
            None => RenderVariableKV { kv: t.clone(), ..Default::default() },
            Some(r) if r.use_global_variable => r.clone(),
            Some(r) => {
                let value = if r.kv.r#type == t.r#type { r.kv.value.clone() } else { t.value.clone() };
                RenderVariableKV { kv: VariableKV { value, ..t.clone() }, ..Default::default() }
            }
        })
        .collect()
}

/// `UpdateRenderVariable`: every variable that uses a global named in
/// `globals` is rewritten from it (value, type, options, description).
pub fn update_render_variables(globals: &[GlobalVariableKV], render: &[RenderVariableKV]) -> Vec<RenderVariableKV> {
    render
        .iter()
        .map(|kv| match globals.iter().rev().find(|g| g.kv.key == kv.kv.key) {
            Some(g) if kv.use_global_variable => {
                RenderVariableKV { kv: g.kv.clone(), use_global_variable: true, is_reference_variable: false }
            }
            _ => kv.clone(),
        })
        .collect()
}

/// The values a service renders with, to tell whether a redeploy changes
/// its pods.
pub fn values(kvs: &[RenderVariableKV]) -> Vec<(&str, &Value)> {
    kvs.iter().map(|kv| (kv.kv.key.as_str(), &kv.kv.value)).collect()
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

    #[test]
    fn enum_values_are_only_checked_when_forced() {
        let kvs = [kv("e", json!("c"), "enum", &["a", "b"])];
        assert!(check_values(kvs.iter().map(|k| &k.kv), false).is_ok());
        assert!(check_values(kvs.iter().map(|k| &k.kv), true).is_err());
    }

    #[test]
    fn merging_with_the_template_keeps_its_order_and_keys_only() {
        let template = vec![kv("a", json!("1"), "string", &[]).kv, kv("b", json!(true), "bool", &[]).kv];
        let render = vec![
            kv("x", json!("gone"), "string", &[]),
            kv("b", json!("8"), "string", &[]),
            kv("a", json!("2"), "string", &[]),
        ];

        let merged = merge_with_template(render, &template);

        let keys: Vec<&str> = merged.iter().map(|k| k.kv.key.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(merged[0].kv.value, json!("2"));
        // A type that differs from the template's takes the template's value.
        assert_eq!(merged[1].kv.value, json!(true));
    }

    #[test]
    fn a_variable_asking_for_a_missing_global_stops_asking() {
        let mut kvs = vec![RenderVariableKV { use_global_variable: true, ..kv("nope", json!("v"), "", &[]) }];
        use_env_globals(&mut kvs, &[]);
        assert!(!kvs[0].use_global_variable);
        assert_eq!(kvs[0].kv.value, json!("v"));
    }
}
