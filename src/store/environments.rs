//! Environment lifecycle: create, edit basic info, delete (§2.3–2.6).
//!
//! Error texts and codes are Zadig v3.4.0's, per operation; see
//! `env/service/openapi.go`, `environment.go` and `production_environment.go`.

use serde::Deserialize;

use super::cluster;
use super::envcfgs::EnvCfgArgs;
use super::model::{
    Container, EnvService, EnvStatus, Environment, GlobalVariableKV, Project, RenderVariableKV, Settle,
};
use super::share::ShareState;
use super::{World, variables};
use crate::error::{ApiError, ApiResult, codes, msg};

/// `OpenAPICreateEnvArgs` (`env/service/types.go`), for test and
/// production creation alike. Unknown fields (`is_public`, `sub_env`) are
/// ignored, as Go ignores them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CreateEnvArgs {
    pub production: bool,
    pub project_key: String,
    pub env_key: String,
    pub cluster_id: String,
    pub namespace: String,
    pub registry_id: String,
    /// Production alias.
    pub env_name: String,
    pub global_variables: Vec<GlobalVariableKV>,
    pub services: Vec<CreateServiceArgs>,
    pub env_configs: Vec<EnvCfgArgs>,
}

/// `OpenAPICreateServiceArgs`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CreateServiceArgs {
    pub service_name: String,
    pub containers: Vec<Container>,
    pub variable_kvs: Vec<RenderVariableKV>,
}

impl CreateEnvArgs {
    /// `OpenAPICreateEnvArgs.Validate()`: plain errors, so HTTP 500.
    pub fn validate(&self) -> ApiResult<()> {
        let required = [
            (&self.project_key, "project key is required"),
            (&self.env_key, "env key is required"),
            (&self.cluster_id, "cluster_id is required"),
            (&self.namespace, "namespace is required"),
            (&self.registry_id, "registry_id is required"),
        ];
        match required.iter().find(|(value, _)| value.is_empty()) {
            Some((_, message)) => Err(ApiError::internal(*message)),
            None => Ok(()),
        }
    }
}

/// Namespaces a production environment may not use (`EnsureProductionNamespace`).
const RESERVED_NAMESPACES: [&str; 3] = ["kube-node-lease", "kube-public", "kube-system"];

impl World {
    /// Test or production environments of a project, in creation order; an
    /// unknown project simply has none.
    pub fn list_envs(&self, project: &str, production: bool) -> impl Iterator<Item = &Environment> {
        self.project(project).into_iter().flat_map(move |p| p.envs.values().filter(move |e| e.production == production))
    }

    /// An environment as the detail endpoints look it up: a missing one, or
    /// one on the other side of the production line, is Mongo's "no documents".
    pub fn find_env(&self, project: &str, env: &str, production: bool) -> ApiResult<(&Project, &Environment)> {
        let p = self.project(project).ok_or_else(|| ApiError::internal(msg::NO_DOCUMENTS))?;
        match p.envs.get(env) {
            Some(e) if e.production == production => Ok((p, e)),
            _ => Err(ApiError::internal(msg::NO_DOCUMENTS)),
        }
    }

    /// `OpenAPICreateK8sEnv` / `OpenAPICreateProductionEnv` after the
    /// handler's parsing: validation, then the creation itself.
    pub fn create_env(&mut self, mut args: CreateEnvArgs, user: &str) -> ApiResult<()> {
        args.validate()?;
        if args.production {
            if RESERVED_NAMESPACES.contains(&args.namespace.as_str()) {
                return Err(ApiError::invalid_param(format!(
                    "namespace {} is invalid, production environment namespace cannot be set to these three namespaces: kube-node-lease, kube-public, kube-system",
                    args.namespace
                )));
            }
            // Production creation takes no services, variables or configs (§2.4).
            args.services.clear();
            args.global_variables.clear();
            args.env_configs.clear();
        }
        let project =
            self.project(&args.project_key).ok_or_else(|| ApiError::zadig(codes::CREATE_ENV, msg::NO_DOCUMENTS))?;
        let requested = std::mem::take(&mut args.services);
        let (services, globals) = render_creation(project, requested, &args.global_variables)?;
        self.check_creation(&args.project_key, &args)?;
        let envcfgs = super::envcfgs::parse_for_creation(&args.env_key, &args.env_configs)?;

        let now = self.now();
        let env = Environment {
            name: args.env_key.clone(),
            alias: if args.production { args.env_name.clone() } else { String::new() },
            production: args.production,
            cluster_id: args.cluster_id.clone(),
            namespace: args.namespace.clone(),
            registry_id: args.registry_id.clone(),
            status: EnvStatus::Creating,
            update_by: user.to_string(),
            create_time: now,
            update_time: now,
            global_variables: globals,
            services: Vec::with_capacity(services.len()),
            pending: None,
            share: ShareState::default(),
            envcfgs: Vec::new(),
            events: Vec::new(),
        };
        let project_key = args.project_key.clone();
        if let Some(p) = self.projects.get_mut(&project_key) {
            p.envs.insert(args.env_key.clone(), env);
        }
        for service in services {
            self.deploy_service(&project_key, &args.env_key, service);
        }
        self.install_envcfgs(&project_key, &args.env_key, envcfgs, user);
        self.begin_transition(&project_key, &args.env_key, EnvStatus::Creating, Settle::Succeed { bump: false });
        Ok(())
    }

    /// The checks `CreateYamlProduct` makes; each failure comes back inside
    /// a multierror, so as HTTP 500.
    fn check_creation(&self, project: &str, args: &CreateEnvArgs) -> ApiResult<()> {
        let p = self.project(project).ok_or_else(|| ApiError::zadig(codes::CREATE_ENV, msg::NO_DOCUMENTS))?;
        if p.envs.contains_key(&args.env_key) {
            // `preCreateProduct` returns ErrCreateEnv("环境已存在") and
            // `K8sYamlProductCreator.Create` wraps it once more (§2.3).
            let inner = ApiError::zadig(codes::CREATE_ENV, msg::DUPLICATE_ENV).go_text();
            return Err(ApiError::multi(&[ApiError::zadig(codes::CREATE_ENV, inner).go_text()]));
        }
        if let Some(problem) = invalid_namespace(&args.namespace) {
            return Err(ApiError::multi(&[ApiError::zadig(codes::CREATE_ENV, problem).go_text()]));
        }
        if args.global_variables.iter().any(|g| !p.global_variables.iter().any(|d| d.key == g.kv.key)) {
            return Err(ApiError::multi(&["global variables not match the definition".to_string()]));
        }
        Ok(())
    }

    /// Deploys one rendered service into an environment: its record, in
    /// the project's service order, then its workloads and pods (with their
    /// events), running the record's images.
    pub fn deploy_service(&mut self, project: &str, env: &str, service: EnvService) {
        let Some(p) = self.projects.get_mut(project) else { return };
        // Only the workload templates: the borrow of the project ends here.
        let Some(templates) = p.template(&service.name).map(|t| t.workloads.clone()) else { return };
        // Istio injects its sidecar into every pod of a labelled namespace.
        let labelled = p.envs.get(env).is_some_and(|e| e.share.istio_label);
        let rank = |name: &str, p: &Project| p.service_rank(name);
        let position =
            p.envs.get(env).map(|e| e.services.iter().filter(|s| rank(&s.name, p) < rank(&service.name, p)).count());
        let name = service.name.clone();
        if let (Some(position), Some(e)) = (position, p.envs.get_mut(env)) {
            e.services.retain(|s| s.name != service.name);
            e.services.insert(position.min(e.services.len()), service);
        }
        self.change_service(project, env, &name, |deploy, s| {
            s.workloads = deploy.workloads(&templates, &s.containers);
            if labelled {
                super::share::inject_sidecars(&mut s.workloads);
            }
        });
    }

    /// `PUT /openapi/environments[/production]/{env}` (§2.5): the registry
    /// when one is given, and for production the alias, always.
    pub fn update_env_basic(
        &mut self,
        project: &str,
        env: &str,
        registry_id: &str,
        alias: &str,
        production: bool,
    ) -> ApiResult<()> {
        let exists = |w: &World| w.env(project, env).is_some_and(|e| e.production == production);
        if !registry_id.is_empty() {
            if !exists(self) {
                return Err(ApiError::zadig(codes::UPDATE_ENV, msg::ENV_NOT_FOUND));
            }
            if let Some(e) = self.env_mut(project, env) {
                e.registry_id = registry_id.to_string();
            }
        }
        if production {
            if !exists(self) {
                return Err(ApiError::zadig(codes::UPDATE_ENV, format!("failed to query product info, name {env}")));
            }
            if let Some(e) = self.env_mut(project, env) {
                e.alias = alias.to_string();
            }
        }
        Ok(())
    }

    /// `DeleteProduct` for a test environment (§2.6): `deleting` at once,
    /// gone once `--settle` has passed.
    pub fn delete_test_env(&mut self, project: &str, env: &str) -> ApiResult<()> {
        if self.env(project, env).is_none_or(|e| e.production) {
            return Err(ApiError::internal(format!("find product error: {}", msg::NO_DOCUMENTS)));
        }
        self.begin_transition(project, env, EnvStatus::Deleting, Settle::Remove);
        Ok(())
    }

    /// `DeleteProductionProduct` (§2.6): the record goes synchronously.
    pub fn delete_production_env(&mut self, project: &str, env: &str) -> ApiResult<()> {
        if !self.env(project, env).is_some_and(|e| e.production) {
            return Err(ApiError::zadig(
                codes::DELETE_ENV,
                format!(
                    "failed to find product from db, project:{project} envName:{env} error:{0}: {0}",
                    msg::NO_DOCUMENTS
                ),
            ));
        }
        if let Some(p) = self.projects.get_mut(project) {
            p.envs.shift_remove(env);
        }
        self.touch();
        Ok(())
    }
}

/// The services and global variables of a creation request, rendered as
/// `OpenAPICreateK8sEnv` renders them (§2.3 step 2–3).
fn render_creation(
    project: &Project,
    requested: Vec<CreateServiceArgs>,
    globals: &[GlobalVariableKV],
) -> ApiResult<(Vec<EnvService>, Vec<GlobalVariableKV>)> {
    let mut globals = globals.to_vec();
    let mut services = Vec::with_capacity(requested.len());
    for s in requested {
        let mut kvs = s.variable_kvs;
        for kv in kvs.iter_mut().filter(|kv| kv.use_global_variable) {
            let defined = project.global_variables.iter().any(|d| d.key == kv.kv.key);
            if let (true, Some(g)) = (defined, globals.iter_mut().find(|g| g.kv.key == kv.kv.key)) {
                g.related_services.push(s.service_name.clone());
                kv.kv.value = g.kv.value.clone();
            }
        }
        let template = project.template(&s.service_name).ok_or_else(|| {
            ApiError::zadig(
                codes::CREATE_ENV,
                format!(
                    "failed to find service from db, serviceName:{}, projectName:{} error: {}",
                    s.service_name,
                    project.key,
                    msg::NO_DOCUMENTS
                ),
            )
        })?;
        let kvs = variables::fill_from_template(kvs, &template.variable_kvs);
        variables::check_renderable(&kvs)
            .map_err(|e| ApiError::zadig(codes::CREATE_ENV, format!("failed to render variable: {e}")))?;
        let record = EnvService {
            name: s.service_name,
            revision: template.revision,
            containers: cluster::env_containers(template, &s.containers),
            variable_kvs: kvs,
            workloads: Vec::new(),
            update_time: 0,
        };
        services.push(record);
    }
    for g in globals.iter_mut() {
        if let Some(d) = project.global_variables.iter().find(|d| d.key == g.kv.key) {
            g.kv.r#type = d.r#type.clone();
            g.kv.desc = d.desc.clone();
            g.kv.options = d.options.clone();
        }
    }
    Ok((services, globals))
}

/// Kubernetes' RFC 1123 label check for a namespace name, with its message.
fn invalid_namespace(ns: &str) -> Option<String> {
    let valid_chars = ns.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let valid_ends = ns.bytes().next().is_some_and(|b| b != b'-') && ns.bytes().last().is_some_and(|b| b != b'-');
    if valid_chars && valid_ends && ns.len() <= 63 {
        return None;
    }
    Some(format!(
        "Namespace \"{ns}\" is invalid: metadata.name: Invalid value: \"{ns}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_follow_the_rfc_1123_label_rule() {
        assert!(invalid_namespace("simple-demo-env-dev").is_none());
        assert!(invalid_namespace("Bad_NS").is_some());
        assert!(invalid_namespace("-x").is_some());
        assert!(invalid_namespace(&"a".repeat(64)).is_some());
    }
}
