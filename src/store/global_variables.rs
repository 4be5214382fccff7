//! An environment's global variables: reading them (§2.10) and replacing
//! them (§2.11, `UpdateProductGlobalVariables` and
//! `UpdateProductGlobalVariablesWithRender`, env/service/environment.go).

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::{EnvStatus, Environment, GlobalVariableKV, RenderVariableKV, Settle, VariableKV};
use super::{World, variables};
use crate::error::{ApiError, ApiResult, codes, msg};

impl World {
    /// `OpenAPIGetGlobalVariables`: the stored list, as stored.
    pub fn global_variables(&self, project: &str, env: &str, production: bool) -> ApiResult<&[GlobalVariableKV]> {
        match self.env(project, env) {
            Some(e) if e.production == production => Ok(&e.global_variables),
            _ => {
                Err(ApiError::zadig(codes::GET_ENV, format!("failed to find env from db, project:{project} env:{env}")))
            }
        }
    }

    /// `PUT …/variable`: the request *replaces* the environment's global
    /// variables. Keys it adds must be defined by the project, keys it drops
    /// must be used by no service, and every changed value is pushed into
    /// the services that used the old one, which are redeployed. `None` is
    /// a request that decoded to no arguments at all (a `null` production body).
    pub fn update_global_variables(
        &mut self,
        project: &str,
        env: &str,
        args: Option<Vec<GlobalVariableKV>>,
        production: bool,
    ) -> ApiResult<()> {
        let Some(e) = self.env(project, env).filter(|e| e.production == production) else {
            return Err(ApiError::internal(format!(
                "GetProductEnv envName:{env} productName: {project} error, error msg:{}",
                msg::NO_DOCUMENTS
            )));
        };
        // Vendor quirk: reading the nil request's `GlobalVariables` panics,
        // and gin's Recovery answers a bare 500 (env/handler/openapi.go:1178).
        let Some(args) = args else {
            return Err(ApiError::Empty(axum::http::StatusCode::INTERNAL_SERVER_ERROR));
        };
        // Every refusal below is `ErrUpdateEnv.AddErr(plain error)`: the
        // plain text is the description, with no "更新环境失败: " prefix.
        let refuse = |text: String| ApiError::zadig(codes::UPDATE_ENV, text);
        if e.status == EnvStatus::Sleeping {
            return Err(refuse("environment is sleeping".into()));
        }
        variables::check_values(args.iter().map(|g| &g.kv), true)
            .map_err(|err| refuse(format!("failed to convert args' global variables to yaml, err: {err}")))?;
        if same_values(&e.global_variables, &args) {
            return Ok(());
        }
        let defined = self.project(project).map(|p| p.global_variables.as_slice()).unwrap_or_default();
        check_replacement(&e.global_variables, &args, defined).map_err(refuse)?;

        let redeploys = rendered_redeploys(e, &args).map_err(refuse)?;
        if !redeploys.is_empty() && e.status.is_busy() {
            // `updateK8sProduct` refuses with an HTTPError, wrapped once more.
            return Err(refuse(ApiError::zadig(codes::UPDATE_ENV, msg::ENV_CANT_UPDATE).go_text()));
        }

        // Vendor quirk: the stored list is exactly the request's objects
        // (env/service/environment.go:3320), so `{key, value}` alone stores
        // empty types, descriptions, options and related services.
        if let Some(e) = self.env_mut(project, env) {
            e.global_variables = args;
        }
        if redeploys.is_empty() {
            // Only `global_variables` is `$set`: no status change, no
            // update_time (common/repository/mongodb/product.go:569-579).
            return Ok(());
        }
        for (name, kvs) in redeploys {
            self.redeploy_service(project, env, &name, kvs);
        }
        self.begin_transition(project, env, EnvStatus::Updating, Settle::Succeed { bump: true });
        Ok(())
    }
}

/// The services to redeploy: those the *old* `related_services` of every
/// changed value name, each with every global it uses rewritten from the
/// request (`UpdateRenderVariable`) and checked as Zadig renders it.
fn rendered_redeploys(
    env: &Environment,
    args: &[GlobalVariableKV],
) -> Result<Vec<(String, Vec<RenderVariableKV>)>, String> {
    let mut affected: Vec<&str> = Vec::new();
    for arg in args {
        let Some(old) = env.global_variables.iter().rev().find(|g| g.kv.key == arg.kv.key) else { continue };
        if !go_equal(&old.kv.value, &arg.kv.value) {
            affected.extend(old.related_services.iter().map(String::as_str));
        }
    }
    affected.sort();
    affected.dedup();
    let mut redeploys = Vec::new();
    for service in affected.iter().filter_map(|name| env.service(name)) {
        let kvs = variables::update_render_variables(args, &service.variable_kvs);
        variables::check_values(kvs.iter().map(|kv| &kv.kv), true).map_err(|err| {
            format!("failed to convert service {}'s render variables to yaml, err: {err}", service.name)
        })?;
        redeploys.push((service.name.clone(), kvs));
    }
    Ok(redeploys)
}

/// `productKV.Value == argKV.Value` on decoded JSON: numbers are `float64`.
fn go_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The add and delete rules of `UpdateProductGlobalVariablesWithRender`,
/// each set visited in key order as Zadig's string sets are.
fn check_replacement(
    current: &[GlobalVariableKV],
    args: &[GlobalVariableKV],
    defined: &[VariableKV],
) -> Result<(), String> {
    let has = |list: &[GlobalVariableKV], key: &str| list.iter().any(|g| g.kv.key == key);
    let mut added: Vec<&str> = args.iter().map(|g| g.kv.key.as_str()).filter(|k| !has(current, k)).collect();
    added.sort();
    if let Some(key) = added.iter().find(|k| !defined.iter().any(|d| d.key == **k)) {
        return Err(format!("added global variable {key} is not in project's global variable list"));
    }
    let mut deleted: Vec<&GlobalVariableKV> = current.iter().filter(|g| !has(args, &g.kv.key)).collect();
    deleted.sort_by(|a, b| a.kv.key.cmp(&b.kv.key));
    if let Some(g) = deleted.iter().find(|g| !g.related_services.is_empty()) {
        return Err(format!(
            "global variable {} is used by service [{}], can't delete it",
            g.kv.key,
            g.related_services.join(" ")
        ));
    }
    if let Some(g) = args.iter().find(|g| !has(current, &g.kv.key) && !g.related_services.is_empty()) {
        return Err(format!("UNEXPECT ERROR: global variable {} is new, but RelatedServices is not empty", g.kv.key));
    }
    Ok(())
}

/// Whether two lists map the same keys to the same values once rendered to
/// YAML (`yamlutil.Equal` of `GlobalVariableKVToYaml`): booleans written as
/// `"true"` equal `true`, YAML text equals its parsed value, and numbers
/// compare as Go's `float64`.
fn same_values(current: &[GlobalVariableKV], args: &[GlobalVariableKV]) -> bool {
    let rendered = |list: &[GlobalVariableKV]| -> BTreeMap<String, Value> {
        list.iter().map(|g| (g.kv.key.clone(), rendered_value(&g.kv))).collect()
    };
    rendered(current) == rendered(args)
}

fn rendered_value(kv: &VariableKV) -> Value {
    match (&*kv.r#type, &kv.value) {
        ("bool", Value::String(s)) => Value::Bool(s == "true"),
        ("yaml", Value::String(s)) => crate::yaml::parse_value(s).unwrap_or(Value::Null),
        (_, Value::Number(n)) => n.as_f64().map(Value::from).unwrap_or(Value::Null),
        (_, other) => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn g(key: &str, value: Value, related: &[&str]) -> GlobalVariableKV {
        GlobalVariableKV {
            kv: VariableKV { key: key.into(), value, ..Default::default() },
            related_services: related.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn values_compare_as_rendered_yaml() {
        assert!(same_values(
            &[g("a", json!(1), &[]), g("b", json!("x"), &["s"])],
            &[g("b", json!("x"), &[]), g("a", json!(1.0), &[])]
        ));
        assert!(!same_values(&[g("a", json!("1"), &[])], &[g("a", json!(1), &[])]));
    }

    #[test]
    fn dropping_a_used_global_is_refused_with_gos_list_format() {
        let err = check_replacement(&[g("cpu", json!("1"), &["a", "b"])], &[], &[]).unwrap_err();
        assert_eq!(err, "global variable cpu is used by service [a b], can't delete it");
    }

    #[test]
    fn adding_an_undefined_global_is_refused() {
        let err = check_replacement(&[], &[g("nope", json!("1"), &[])], &[]).unwrap_err();
        assert_eq!(err, "added global variable nope is not in project's global variable list");
    }

    fn demo() -> World {
        let texts = [("demo".to_string(), crate::seed::DEMO.to_string())];
        crate::seed::build_world(&texts, crate::store::Clock::frozen_at(0), crate::store::Rng::new(1), 0).unwrap()
    }

    #[test]
    fn a_changed_value_is_pushed_into_the_services_that_used_the_old_one() {
        let mut world = demo();
        let stored = world.global_variables("simple-demo", "dev", false).unwrap().to_vec();
        let mut args = stored.clone();
        args[0].kv.value = json!("3000m");

        world.update_global_variables("simple-demo", "dev", Some(args), false).unwrap();

        let service1 = world.env("simple-demo", "dev").and_then(|e| e.service("service1")).unwrap();
        let cpu = service1.variable_kvs.iter().find(|kv| kv.kv.key == "cpuLimit").unwrap();
        assert!(cpu.use_global_variable);
        assert_eq!(cpu.kv.value, json!("3000m"));
    }
}
