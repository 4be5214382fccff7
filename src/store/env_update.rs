//! Updating the services of an environment (§2.9), and the redeploy that
//! adding services (§2.7) and changing global variables (§2.11) share:
//! `UpdateMultipleK8sEnv` and `updateK8sProduct` of
//! `env/service/environment.go` and `environment_update.go`.

use super::model::{EnvService, EnvStatus, RenderVariableKV, Settle, VariableKV};
use super::services::ServiceWithKvs;
use super::{World, cluster, relations, variables};
use crate::error::{ApiError, ApiResult, codes, msg};

/// One service to (re)deploy and the variables the request completed for it.
pub struct ServiceUpdate {
    pub name: String,
    pub kvs: Vec<RenderVariableKV>,
}

/// An error of `updateK8sProduct`: an `ErrUpdateEnv` that reaches the
/// client inside `UpdateMultipleK8sEnv`'s multierror, so as HTTP 500.
fn update_failed(description: impl Into<String>) -> ApiError {
    ApiError::multi(&[ApiError::zadig(codes::UPDATE_ENV, description).go_text()])
}

impl World {
    /// `OpenAPIUpdateYamlService`: redeploys the listed services with new
    /// variables, merged onto their current ones. A service of the project
    /// that the environment lacks is added.
    pub fn update_services(
        &mut self,
        project: &str,
        env: &str,
        list: Vec<ServiceWithKvs>,
        production: bool,
    ) -> ApiResult<()> {
        let Some(e) = self.env(project, env) else {
            return Err(ApiError::zadig(codes::NOT_FOUND, msg::NO_DOCUMENTS));
        };
        if e.production != production {
            return Err(ApiError::internal(format!(
                "env:{env} is invalid, the env production field is: {}, but the request env production field is: {production}",
                e.production
            )));
        }
        let updates = list
            .into_iter()
            .map(|s| {
                let mut kvs = s.variable_kvs;
                variables::use_env_globals(&mut kvs, &e.global_variables);
                // Vendor quirk: variables are completed from the service's
                // *current* ones, and those the request leaves out come back
                // without `use_global_variable`, so leaving one out unlinks
                // it from its global (env/service/openapi.go:334-366).
                let current: Vec<VariableKV> = e
                    .service(&s.service_name)
                    .map(|x| x.variable_kvs.iter().map(|k| k.kv.clone()).collect())
                    .unwrap_or_default();
                ServiceUpdate { name: s.service_name, kvs: variables::fill_from_template(kvs, &current) }
            })
            .collect();
        self.update_k8s_env(project, env, updates)
    }

    /// `UpdateMultipleK8sEnv` + `updateK8sProduct` for one environment: every
    /// check first, in Zadig's order, then the redeploy, with the
    /// environment `updating` until `--settle` has passed.
    pub(super) fn update_k8s_env(&mut self, project: &str, env: &str, updates: Vec<ServiceUpdate>) -> ApiResult<()> {
        let (Some(p), Some(e)) = (self.project(project), self.env(project, env)) else {
            return Err(update_failed(msg::ENV_NOT_FOUND));
        };
        if e.status == EnvStatus::Sleeping {
            return Err(update_failed("environment is sleeping"));
        }
        let mut globals = e.global_variables.clone();
        let mut rendered = Vec::new();
        for mut update in updates {
            variables::apply_globals(&mut update.kvs, &globals);
            let name = update.name;
            let template = p.template(&name).ok_or_else(|| {
                update_failed(format!("failed to get latest service template {name}, err: {}", msg::NO_DOCUMENTS))
            })?;
            let current = e.service(&name).map(|s| s.variable_kvs.as_slice()).unwrap_or_default();
            relations::update_global_relations(&name, &mut globals, &mut update.kvs, current).map_err(|err| {
                update_failed(format!("failed to merge global and render variables for service {name}, err: {err}"))
            })?;
            let kvs = variables::merge_with_template(update.kvs, &template.variable_kvs);
            variables::check_values(kvs.iter().map(|kv| &kv.kv), false).map_err(|err| {
                update_failed(format!(
                    "failed to merge render and service template variable kv, err: failed to convert render variable kv to yaml, err: {err}"
                ))
            })?;
            rendered.push((name, kvs));
        }
        if e.status.is_busy() {
            return Err(update_failed(msg::ENV_CANT_UPDATE));
        }
        if let Some(e) = self.env_mut(project, env) {
            e.global_variables = globals;
        }
        for (name, kvs) in rendered {
            self.redeploy_service(project, env, &name, kvs);
        }
        self.begin_transition(project, env, EnvStatus::Updating, Settle::Succeed { bump: true });
        Ok(())
    }

    /// Applies a service with new variables, as `upsertService` applies its
    /// rendered YAML: a service the environment lacks is deployed; one it
    /// has keeps its images, and its workloads roll out only if what their
    /// pods run changed (the variables' values, or the images).
    pub fn redeploy_service(&mut self, project: &str, env: &str, name: &str, kvs: Vec<RenderVariableKV>) {
        let now = self.now();
        let Some(template) = self.project(project).and_then(|p| p.template(name)).cloned() else { return };
        if self.env(project, env).and_then(|e| e.service(name)).is_none() {
            let record = EnvService {
                name: name.to_string(),
                revision: template.revision,
                containers: cluster::env_containers(&template, &[]),
                variable_kvs: kvs,
                workloads: Vec::new(),
                update_time: now,
            };
            self.deploy_service(project, env, record);
            return;
        }
        self.change_service(project, env, name, |deploy, s| {
            let changed = variables::values(&s.variable_kvs) != variables::values(&kvs);
            s.variable_kvs = kvs;
            s.revision = template.revision;
            s.update_time = now;
            for workload in s.workloads.iter_mut() {
                let Some(wanted) = template.workloads.iter().find(|t| t.name == workload.name) else { continue };
                let containers = cluster::workload_containers(wanted, &s.containers);
                if changed || workload.containers != containers {
                    workload.containers = containers;
                    deploy.roll(workload);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Clock, Rng, WorkloadKind};

    /// The demo world with `simple-demo/dev` asleep (only the control plane
    /// or a state file can put an environment to sleep).
    fn asleep() -> World {
        let texts = [("demo".to_string(), crate::seed::DEMO.to_string())];
        let mut world = crate::seed::build_world(&texts, Clock::frozen_at(0), Rng::new(1), 0).expect("demo builds");
        if let Some(e) = world.env_mut("simple-demo", "dev") {
            e.status = EnvStatus::Sleeping;
        }
        world
    }

    #[test]
    fn a_sleeping_env_refuses_every_change_with_its_own_error() {
        let mut world = asleep();
        let update = || vec![ServiceWithKvs { service_name: "service2".into(), variable_kvs: vec![] }];

        let add = world.add_services("simple-demo", "dev", vec![], false).unwrap_err();
        let services = world.update_services("simple-demo", "dev", update(), false).unwrap_err();
        let globals = world.update_global_variables("simple-demo", "dev", Some(vec![]), false).unwrap_err();
        let scale = world.scale_workload("simple-demo", "dev", WorkloadKind::Deployment, "service1", 2).unwrap_err();
        let restart = world.restart_service("simple-demo", "dev", "service1", false).unwrap_err();

        // UpdateMultipleK8sEnv (environment.go:564-566) inside a multierror;
        // UpdateProductGlobalVariables (:3237-3239); Scale and RestartService (service.go:61-63, :439-441).
        let multi = ApiError::multi(&["更新环境失败: environment is sleeping".to_string()]);
        assert_eq!(add, multi);
        assert_eq!(services, multi);
        assert_eq!(globals, ApiError::zadig(codes::UPDATE_ENV, "environment is sleeping"));
        assert_eq!(scale, ApiError::zadig(codes::SCALE_SERVICE, "environment is sleeping"));
        assert_eq!(restart, ApiError::zadig(codes::SCALE_SERVICE, "environment is sleeping"));
    }
}
