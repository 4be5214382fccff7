//! The `env_configs` of an environment creation request.
//!
//! `K8sYamlProductCreator.Create` first applies them all with a dry-run
//! client (`initEnvConfigSetAction(…, dryRun=true, …)`), so that any bad
//! one fails the creation synchronously, then `createGroups` applies them
//! for real (create, or patch what exists) before the services
//! (`env/service/environment_creator.go:306-427`, `environment.go:2555`).
//! Both go through the *unstructured* client: the kind comes from the YAML
//! (`common_env_cfg_type` is not read), the `apiVersion` must be one the
//! cluster serves, and kube-apiserver itself decodes and validates.

use super::apiserver::{self, EMPTY_NAME};
use super::decode::decode_typed;
use super::manifest::{Manifest, NOT_UNSTRUCTURED};
use super::ops::Write;
use super::{EnvCfgArgs, EnvCfgKind};
use crate::error::{ApiError, ApiResult, codes};
use crate::store::World;

/// One configuration that passed the dry run, ready to install.
#[derive(Debug, Clone)]
pub struct PreparedCfg {
    kind: EnvCfgKind,
    manifest: Manifest,
    yaml: String,
}

/// The dry run: every configuration is checked and every failure
/// collected. The errors come back as Zadig's do: a go-multierror with its
/// own format (`创建环境配置 <env> 失败:…`), wrapped in `ErrCreateEnv`, inside
/// `CreateYamlProduct`'s multierror, so HTTP 500.
pub fn parse_for_creation(env: &str, args: &[EnvCfgArgs]) -> ApiResult<Vec<PreparedCfg>> {
    let mut prepared = Vec::new();
    let mut errors = Vec::new();
    for cfg in args {
        match dry_run(cfg) {
            Ok(p) => prepared.push(p),
            Err(e) => errors.push(e),
        }
    }
    let text = match errors.as_slice() {
        [] => return Ok(prepared),
        [one] => format!("创建环境配置 {env} 失败:{one}"),
        many => {
            let points: Vec<String> = many.iter().map(|e| format!("* {e}")).collect();
            format!("创建环境配置 {env} 失败:\n{}", points.join("\n"))
        }
    };
    Err(ApiError::multi(&[ApiError::zadig(codes::CREATE_ENV, text).go_text()]))
}

/// One configuration through `YamlToUnstructured`, the kind switch and a
/// dry-run `CreateOrPatchUnstructuredNeverAnnotation`.
fn dry_run(cfg: &EnvCfgArgs) -> Result<PreparedCfg, String> {
    let value = match crate::yaml::parse_manifest(&cfg.yaml_data) {
        Ok(value) => value,
        Err(e) if e.is_limit() => return Err(e.to_string()),
        Err(_) => return Err(NOT_UNSTRUCTURED.to_string()),
    };
    let manifest = Manifest::unstructured(value).ok_or_else(|| NOT_UNSTRUCTURED.to_string())?;
    let Some(kind) = EnvCfgKind::from_k8s_kind(manifest.kind()) else {
        return Err(format!(
            "Failed to initEnvConfigSet {}, manifest is\n{}\n, error: kind not support",
            manifest.kind(),
            manifest.go_text()
        ));
    };
    apiserver::check_served(&manifest, kind)?;
    if manifest.name().is_empty() {
        return Err(EMPTY_NAME.to_string());
    }
    decode_typed(&manifest, kind).map_err(|e| apiserver::cannot_handle(kind, e))?;
    super::validation::validate(kind, manifest.name(), &manifest, None)?;
    Ok(PreparedCfg { kind, manifest, yaml: cfg.yaml_data.clone() })
}

impl World {
    /// The real apply after the dry run: each configuration is created, or
    /// patched when the namespace has it already (an earlier one of the same
    /// request, or the root CA ConfigMap), by the environment's creator.
    pub fn install_envcfgs(&mut self, project: &str, env: &str, cfgs: Vec<PreparedCfg>, user: &str) {
        for cfg in cfgs {
            let write = Write { project, env, kind: cfg.kind, manifest: &cfg.manifest, yaml: &cfg.yaml, user };
            let name = cfg.manifest.name().to_string();
            let existing = self
                .env(project, env)
                .and_then(|e| e.envcfgs.iter().find(|c| c.kind == cfg.kind && c.name == name).cloned())
                .or_else(|| super::view::root_ca(self, write));
            let object = match existing {
                Some(old) => super::ops::replaced(old, write),
                None => self.new_object(write, name),
            };
            self.store_object(write, object);
        }
    }
}
