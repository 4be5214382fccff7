//! Environment configurations: the ConfigMaps, Secrets, Ingresses and PVCs
//! of an environment's namespace (§2.12).

use serde::{Deserialize, Serialize};

use super::World;

/// `EnvCfgArgs` of a creation request (`env_configs`). `common_env_cfg_type`
/// is not used at creation: the kind is read from `yaml_data` (§2.3).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EnvCfgArgs {
    pub name: String,
    pub auto_sync: bool,
    pub common_env_cfg_type: String,
    pub yaml_data: String,
}

/// The four kinds, as the OpenAPI's `type` names them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum EnvCfgKind {
    ConfigMap,
    Secret,
    Ingress,
    #[serde(rename = "PVC")]
    Pvc,
}

impl EnvCfgKind {
    /// The Kubernetes `kind` of objects of this type.
    pub fn k8s_kind(self) -> &'static str {
        match self {
            EnvCfgKind::ConfigMap => "ConfigMap",
            EnvCfgKind::Secret => "Secret",
            EnvCfgKind::Ingress => "Ingress",
            EnvCfgKind::Pvc => "PersistentVolumeClaim",
        }
    }

    pub fn from_k8s_kind(kind: &str) -> Option<Self> {
        [EnvCfgKind::ConfigMap, EnvCfgKind::Secret, EnvCfgKind::Ingress, EnvCfgKind::Pvc]
            .into_iter()
            .find(|k| k.k8s_kind() == kind)
    }
}

/// One configuration object, kept exactly as the client sent it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnvCfg {
    pub kind: EnvCfgKind,
    pub name: String,
    pub yaml: String,
    pub created_time: i64,
    pub update_by: String,
}

/// The `kind` and `metadata.name` of a Kubernetes object.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ObjectHead {
    kind: String,
    metadata: Metadata,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    name: String,
}

/// The dry run of `initEnvConfigSetAction` for `env_configs` at creation:
/// each error is formatted `创建环境配置 <env> 失败:<err>`.
pub fn parse_for_creation(env: &str, args: &[EnvCfgArgs]) -> Result<Vec<(EnvCfgKind, String, String)>, String> {
    args.iter()
        .map(|cfg| {
            let head: ObjectHead =
                crate::yaml::from_str(&cfg.yaml_data).map_err(|e| format!("创建环境配置 {env} 失败:{e}"))?;
            let kind = EnvCfgKind::from_k8s_kind(&head.kind)
                .ok_or_else(|| format!("创建环境配置 {env} 失败:{} kind not support", head.kind))?;
            Ok((kind, head.metadata.name, cfg.yaml_data.clone()))
        })
        .collect()
}

impl World {
    /// Stores configurations parsed at environment creation.
    pub fn install_envcfgs(&mut self, project: &str, env: &str, cfgs: Vec<(EnvCfgKind, String, String)>) {
        let now = self.now();
        let Some(e) = self.env_mut(project, env) else { return };
        let user = e.update_by.clone();
        for (kind, name, yaml) in cfgs {
            e.envcfgs.retain(|c| !(c.kind == kind && c.name == name));
            e.envcfgs.push(EnvCfg { kind, name, yaml, created_time: now, update_by: user.clone() });
        }
    }
}
