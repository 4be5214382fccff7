//! Services inside environments: adding them (§2.7).

use serde::Deserialize;

use super::model::{EnvService, EnvStatus, RenderVariableKV, Settle};
use super::{World, cluster, variables};
use crate::error::{ApiError, ApiResult, codes, msg};

/// `YamlServiceWithKV`: one service of an add request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceWithKvs {
    pub service_name: String,
    pub variable_kvs: Vec<RenderVariableKV>,
}

impl World {
    /// `OpenAPIApplyYamlService`: deploys services into an environment.
    pub fn add_services(
        &mut self,
        project: &str,
        env: &str,
        list: Vec<ServiceWithKvs>,
        production: bool,
        _user: &str,
    ) -> ApiResult<()> {
        let Some(e) = self.env(project, env) else {
            return Err(ApiError::zadig(codes::NOT_FOUND, msg::NO_DOCUMENTS));
        };
        if e.production != production {
            return Err(ApiError::internal(format!(
                "environment {env} is invalid, the env production field is: {}, but the request env production field is: {production}",
                e.production
            )));
        }
        let p = self.project(project).ok_or_else(|| ApiError::zadig(codes::NOT_FOUND, msg::NO_DOCUMENTS))?;
        let mut rendered = Vec::new();
        for s in &list {
            if e.service(&s.service_name).is_some() {
                return Err(ApiError::internal(format!(
                    "service {} already exist in env, cannot repeatedly add the same service to the environment",
                    s.service_name
                )));
            }
            let mut kvs = s.variable_kvs.clone();
            for kv in kvs.iter_mut().filter(|kv| kv.use_global_variable) {
                match e.global_variables.iter().find(|g| g.kv.key == kv.kv.key) {
                    Some(g) => kv.kv.value = g.kv.value.clone(),
                    None => kv.use_global_variable = false,
                }
            }
            let template = p.template(&s.service_name).ok_or_else(|| {
                ApiError::zadig(
                    codes::UPDATE_SERVICE,
                    format!("更新环境失败: service {} not found from db", s.service_name),
                )
            })?;
            let kvs = variables::fill_from_template(kvs, &template.variable_kvs);
            let record = EnvService {
                name: s.service_name.clone(),
                revision: template.revision,
                containers: cluster::env_containers(template, &[]),
                variable_kvs: kvs,
                workloads: Vec::new(),
                update_time: 0,
            };
            rendered.push(record);
        }
        ensure_updatable(e.status)?;

        let now = self.now();
        for mut service in rendered {
            service.update_time = now;
            let related: Vec<String> =
                service.variable_kvs.iter().filter(|kv| kv.use_global_variable).map(|kv| kv.kv.key.clone()).collect();
            if let Some(e) = self.env_mut(project, env) {
                for key in related {
                    variables::relate(&mut e.global_variables, &key, &service.name);
                }
            }
            let images = service.containers.clone();
            self.deploy_service(project, env, service, &images);
        }
        self.begin_transition(project, env, EnvStatus::Updating, Settle::Succeed { bump: true });
        Ok(())
    }
}

/// `updateK8sProduct`'s status gate, as it reaches the client inside a
/// multierror (HTTP 500).
pub fn ensure_updatable(status: EnvStatus) -> ApiResult<()> {
    if status == EnvStatus::Sleeping {
        return Err(ApiError::multi(&["更新环境失败: environment is sleeping".to_string()]));
    }
    if status.is_busy() {
        let text = ApiError::zadig(codes::UPDATE_ENV, msg::ENV_CANT_UPDATE).go_text();
        return Err(ApiError::multi(&[text]));
    }
    Ok(())
}
