//! Which services use which global variable: `related_services`, kept the
//! way `common/types/service_variable.go` keeps it. Zadig rebuilds each list
//! as a string set (`sets.NewString(...).List()`), so every list it touches
//! comes back sorted and without duplicates.

use super::model::{GlobalVariableKV, RenderVariableKV, VariableKV};

/// Adds `service` to the `related_services` of the global variable `key`.
pub fn relate(globals: &mut [GlobalVariableKV], key: &str, service: &str) {
    if let Some(g) = globals.iter_mut().rev().find(|g| g.kv.key == key) {
        g.related_services.push(service.to_string());
        as_set(&mut g.related_services);
    }
}

/// Removes `service` from the `related_services` of the global variable `key`.
pub fn unrelate(globals: &mut [GlobalVariableKV], key: &str, service: &str) {
    if let Some(g) = globals.iter_mut().rev().find(|g| g.kv.key == key) {
        g.related_services.retain(|s| s != service);
        as_set(&mut g.related_services);
    }
}

/// `RemoveGlobalVariableRelatedService`: removes services from every global
/// variable's `related_services` (and so sorts every list).
pub fn unrelate_everywhere(globals: &mut [GlobalVariableKV], services: &[String]) {
    for g in globals {
        g.related_services.retain(|s| !services.contains(s));
        as_set(&mut g.related_services);
    }
}

fn as_set(list: &mut Vec<String>) {
    list.sort();
    list.dedup();
}

/// `UpdateGlobalVariableKVs`: compares a service's new variables (`args`)
/// with its current ones and moves it in or out of `related_services`:
/// a variable that starts using a global relates the service (and takes the
/// global's value), one that stops unrelates it, and a current variable
/// that is gone unrelates it too. Variables are visited in request order
/// (Zadig visits a Go map, whose order is random, which only matters for
/// which of several errors is reported).
pub fn update_global_relations(
    service: &str,
    globals: &mut [GlobalVariableKV],
    args: &mut [RenderVariableKV],
    current: &[RenderVariableKV],
) -> Result<(), String> {
    let missing = |key: &str| format!("global variable not exist, but used by serviceName: {service}, key: {key}");
    let mut remaining: Vec<&RenderVariableKV> = current.iter().collect();
    for arg in args.iter_mut() {
        let global = globals.iter().rev().find(|g| g.kv.key == arg.kv.key).map(|g| g.kv.clone());
        if global.is_none() && arg.use_global_variable {
            return Err(missing(&arg.kv.key));
        }
        let was = remaining.iter().position(|r| r.kv.key == arg.kv.key).map(|i| remaining.remove(i));
        let was_using = was.is_some_and(|r| r.use_global_variable);
        remaining.retain(|r| r.kv.key != arg.kv.key);
        match (arg.use_global_variable, was_using, global) {
            (true, false, Some(g)) => {
                relate(globals, &arg.kv.key, service);
                arg.kv = VariableKV { key: arg.kv.key.clone(), ..g };
            }
            (false, true, Some(_)) => unrelate(globals, &arg.kv.key, service),
            _ => {}
        }
    }
    for gone in remaining.iter().filter(|r| r.use_global_variable) {
        if !globals.iter().any(|g| g.kv.key == gone.kv.key) {
            return Err(missing(&gone.kv.key));
        }
        unrelate(globals, &gone.kv.key, service);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn global(key: &str, related: &[&str]) -> GlobalVariableKV {
        GlobalVariableKV {
            kv: VariableKV { key: key.into(), value: json!("g"), ..Default::default() },
            related_services: related.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn var(key: &str, uses_global: bool) -> RenderVariableKV {
        RenderVariableKV {
            kv: VariableKV { key: key.into(), value: json!("own"), ..Default::default() },
            use_global_variable: uses_global,
            ..Default::default()
        }
    }

    #[test]
    fn starting_to_use_a_global_relates_the_service_in_sorted_order() {
        let mut globals = vec![global("cpu", &["zeta"])];
        let mut args = vec![var("cpu", true)];

        update_global_relations("alpha", &mut globals, &mut args, &[]).unwrap();

        assert_eq!(globals[0].related_services, ["alpha", "zeta"]);
        assert_eq!(args[0].kv.value, json!("g"));
    }

    #[test]
    fn stopping_or_dropping_a_global_variable_unrelates_the_service() {
        let mut globals = vec![global("cpu", &["svc"]), global("mem", &["svc"])];
        let current = vec![var("cpu", true), var("mem", true)];
        let mut args = vec![var("cpu", false)];

        update_global_relations("svc", &mut globals, &mut args, &current).unwrap();

        assert!(globals.iter().all(|g| g.related_services.is_empty()));
    }

    #[test]
    fn using_a_global_the_environment_lacks_is_an_error() {
        let mut args = vec![var("gone", true)];
        let err = update_global_relations("svc", &mut [], &mut args, &[]).unwrap_err();
        assert_eq!(err, "global variable not exist, but used by serviceName: svc, key: gone");
    }
}
