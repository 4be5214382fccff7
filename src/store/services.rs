//! Services inside environments: adding (§2.7) and removing (§2.8) them.
//! Updating them, which adding shares, is in `env_update.rs`.

use serde::Deserialize;

use super::env_update::ServiceUpdate;
use super::model::Environment;
use super::{World, relations, variables};
use crate::error::{ApiError, ApiResult, codes, msg};

/// `YamlServiceWithKV` (add) and `ServiceVariable` (update): one service of
/// a request and the variables it gives.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceWithKvs {
    pub service_name: String,
    pub variable_kvs: Vec<super::model::RenderVariableKV>,
}

impl World {
    /// `OpenAPIApplyYamlService`: deploys services into an environment.
    /// The environment goes `updating`, and `success` once `--settle` has
    /// passed, when its `update_time` moves.
    pub fn add_services(
        &mut self,
        project: &str,
        env: &str,
        list: Vec<ServiceWithKvs>,
        production: bool,
    ) -> ApiResult<()> {
        // Vendor quirk: the lookup has no production filter, and a miss is
        // the only 404 of the API besides update (env/service/openapi.go:217-222).
        let Some(e) = self.env(project, env) else {
            return Err(ApiError::zadig(codes::NOT_FOUND, msg::NO_DOCUMENTS));
        };
        if e.production != production {
            return Err(ApiError::internal(format!(
                "environment {env} is invalid, the env production field is: {}, but the request env production field is: {production}",
                e.production
            )));
        }
        // `checkServiceInEnv` walks the environment's services first.
        if let Some(s) = e.services.iter().find(|s| list.iter().any(|l| l.service_name == s.name)) {
            return Err(ApiError::internal(format!(
                "service {} already exist in env, cannot repeatedly add the same service to the environment",
                s.name
            )));
        }
        let p = self.project(project).ok_or_else(|| ApiError::zadig(codes::NOT_FOUND, msg::NO_DOCUMENTS))?;
        let mut updates = Vec::new();
        for s in list {
            let mut kvs = s.variable_kvs;
            variables::use_env_globals(&mut kvs, &e.global_variables);
            // `fillServiceVariableAttribute` wraps ErrUpdateEnv in ErrUpdateService.
            let template = p.template(&s.service_name).ok_or_else(|| {
                let inner = ApiError::zadig(codes::UPDATE_ENV, format!("service {} not found from db", s.service_name));
                ApiError::zadig(codes::UPDATE_SERVICE, inner.go_text())
            })?;
            let kvs = variables::fill_from_template(kvs, &template.variable_kvs);
            updates.push(ServiceUpdate { name: s.service_name, kvs });
        }
        self.update_k8s_env(project, env, updates)
    }

    /// `CheckServicesDeployedInSubEnvs` (test removal only): a base
    /// environment cannot lose a service one of its sub-environments runs.
    pub fn check_services_in_sub_envs(&self, project: &str, env: &str, names: &[String]) -> ApiResult<()> {
        let Some(e) = self.env(project, env) else {
            return Err(ApiError::internal(format!(
                "failed to query env {env} of product {project}: {}",
                msg::NO_DOCUMENTS
            )));
        };
        if !e.share.enable || !e.share.is_base {
            return Ok(());
        }
        let subs: Vec<_> = self
            .list_all_envs(project)
            .filter(|s| s.share.enable && !s.share.is_base && s.share.base_env == env)
            .collect();
        let mut extra = serde_json::Map::new();
        for name in names {
            let holders: Vec<serde_json::Value> =
                subs.iter().filter(|s| s.service(name).is_some()).map(|s| s.name.as_str().into()).collect();
            if !holders.is_empty() {
                extra.insert(name.clone(), holders.into());
            }
        }
        if extra.is_empty() {
            return Ok(());
        }
        Err(ApiError::Zadig { code: codes::DELETE_SVC_IN_SUB_ENV, description: String::new(), extra })
    }

    /// `DeleteProductServices`: removes the named services (unknown names
    /// are ignored), stops their pods and unrelates them from every global
    /// variable. The environment keeps its status.
    pub fn delete_services(&mut self, project: &str, env: &str, names: &[String], production: bool) -> ApiResult<()> {
        if self.env(project, env).is_none_or(|e| e.production != production) {
            return Err(ApiError::internal(format!(
                "failed to find product, productName: {project}, envName: {env}, production: {production}, error: {}",
                msg::NO_DOCUMENTS
            )));
        }
        let doomed: Vec<String> = self
            .env(project, env)
            .map(|e| e.services.iter().filter(|s| names.contains(&s.name)).map(|s| s.name.clone()).collect())
            .unwrap_or_default();
        for name in &doomed {
            self.delete_workloads(project, env, name);
        }
        let now = self.now();
        if let Some(e) = self.env_mut(project, env) {
            e.services.retain(|s| !names.contains(&s.name));
            relations::unrelate_everywhere(&mut e.global_variables, names);
            // Vendor quirk: `UpdateAllServices` and
            // `UpdateDeployStrategyAndGlobalVariable` always run and both
            // `$set` update_time, even when no name matched
            // (env/service/environment.go:2390-2402, common/repository/mongodb/product.go:466, :538).
            e.update_time = now;
        }
        self.touch();
        Ok(())
    }

    /// `GetService`'s lookups (§2.16): the environment and the key of the
    /// project owning it. Vendor quirk: an empty `projectKey` drops the
    /// project from the query (an admin's view), and the project lookup of
    /// `""` then fails (env/service/service.go:157-182).
    pub fn env_for_service_detail(
        &self,
        project: &str,
        env: &str,
        production: bool,
    ) -> ApiResult<(&str, &Environment)> {
        let fail = |description: String| ApiError::zadig(codes::GET_SERVICE, description);
        let found = self
            .projects
            .iter()
            .filter(|(key, _)| project.is_empty() || key.as_str() == project)
            .find_map(|(key, p)| p.envs.get(env).filter(|e| e.production == production).map(|e| (key.as_str(), e)));
        match found {
            None => Err(fail(msg::NO_DOCUMENTS.to_string())),
            Some(_) if project.is_empty() => Err(fail(format!("failed to find project : {}", msg::NO_DOCUMENTS))),
            Some(found) => Ok(found),
        }
    }

    /// Every environment of a project, test and production, in creation order.
    pub fn list_all_envs(&self, project: &str) -> impl Iterator<Item = &Environment> {
        self.project(project).into_iter().flat_map(|p| p.envs.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Clock, Rng};

    fn demo() -> World {
        let texts = [("demo".to_string(), crate::seed::DEMO.to_string())];
        crate::seed::build_world(&texts, Clock::frozen_at(1_700_000_000), Rng::new(1), 0).expect("demo builds")
    }

    #[test]
    fn a_base_env_cannot_lose_a_service_its_sub_envs_run() {
        // Arrange: microservice-demo/dev is a base and staging derives from it.
        let mut world = demo();
        if let Some(dev) = world.env_mut("microservice-demo", "dev") {
            dev.share.enable = true;
            dev.share.is_base = true;
        }
        if let Some(staging) = world.env_mut("microservice-demo", "staging") {
            staging.share.enable = true;
            staging.share.base_env = "dev".into();
        }

        // Act
        let names = ["redis".to_string(), "worker".to_string()];
        let err = world.check_services_in_sub_envs("microservice-demo", "dev", &names).unwrap_err();

        // Assert: 6094 with the sub-envs per service in `extra` (env/handler/openapi.go:214-227).
        let ApiError::Zadig { code, description, extra } = err else { panic!("not an HTTPError") };
        assert_eq!(code, codes::DELETE_SVC_IN_SUB_ENV);
        assert_eq!(description, "");
        assert_eq!(serde_json::Value::Object(extra), serde_json::json!({"redis": ["staging"]}));
    }

    #[test]
    fn removing_a_service_stops_its_pods_with_events() {
        let mut world = demo();
        let pod = world.env("simple-demo", "dev").and_then(|e| e.pods().next().map(|(_, _, p)| p.name.clone()));

        world.delete_services("simple-demo", "dev", &["service1".to_string()], false).unwrap();

        let events = &world.env("simple-demo", "dev").unwrap().events;
        let pod = pod.unwrap();
        assert!(events.iter().any(|e| e.object_name == pod && e.reason.as_str() == "Killing"));
        assert!(world.env("simple-demo", "dev").unwrap().pods().all(|(s, _, _)| s.name != "service1"));
    }
}
