//! The reply shapes of the envcfg endpoints: `OpenAPIEnvCfgBrief` and
//! `OpenAPIEnvCfgDetail` with its four `OpenAPIEnvCfg*Detail`s
//! (`env/service/types.go:315-427` at v3.4.0), fields in Go declaration
//! order, `omitempty` where Go has it.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::store::envcfgs::{EnvCfg, EnvCfgKind, EnvCfgSummary};

/// `OpenAPIEnvCfgBrief`.
#[derive(Serialize)]
pub struct EnvCfgBrief {
    name: String,
    env_name: String,
    project_name: String,
    common_env_cfg_type: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    update_by: String,
    #[serde(skip_serializing_if = "is_zero")]
    update_time: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl EnvCfgBrief {
    /// A list element; the names are the request's, as Zadig echoes them.
    pub fn new(s: EnvCfgSummary, project: &str, env: &str) -> Self {
        EnvCfgBrief {
            name: s.name,
            env_name: env.to_string(),
            project_name: project.to_string(),
            common_env_cfg_type: s.kind.as_str(),
            update_by: s.update_by,
            update_time: s.update_time,
        }
    }
}

/// `OpenAPIEnvCfgDetail`: exactly one of the four keys is present.
#[derive(Serialize, Default)]
pub struct EnvCfgDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    ingress_detail: Option<KindDetail<IngressExtra>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_detail: Option<KindDetail<SecretExtra>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pvc_detail: Option<KindDetail<PvcExtra>>,
    /// Vendor quirk: camel-case `M` (`types.go:345`).
    #[serde(rename = "configMap_detail", skip_serializing_if = "Option::is_none")]
    config_map_detail: Option<KindDetail<ConfigMapExtra>>,
}

/// The fields every `OpenAPIEnvCfg*Detail` shares, then the kind's own.
/// `project_key`, not the doc's `product_key`; `created_by` and
/// `update_time` are never filled; `source_detail` is `null` unless the
/// object was imported from a repository, which the OpenAPI cannot do.
#[derive(Serialize)]
struct KindDetail<X: Serialize> {
    name: String,
    project_key: String,
    env_key: String,
    common_env_cfg_type: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    created_by: String,
    #[serde(skip_serializing_if = "is_zero")]
    created_time: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    update_by: String,
    #[serde(skip_serializing_if = "is_zero")]
    update_time: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    yaml_data: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<String>,
    source_detail: Option<()>,
    #[serde(flatten)]
    extra: X,
}

/// Ingress: hosts, and the load balancer's address and ports (none in the
/// simulated cluster, which runs no ingress controller).
#[derive(Serialize, Default)]
struct IngressExtra {
    #[serde(skip_serializing_if = "String::is_empty")]
    host_info: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    address: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    ports: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    error_reason: String,
}

/// Secret: `secret_type` is declared but never filled by v3.4.0.
#[derive(Serialize, Default)]
struct SecretExtra {
    #[serde(skip_serializing_if = "String::is_empty")]
    secret_type: String,
}

/// PVC: the claim's binding.
#[derive(Serialize, Default)]
struct PvcExtra {
    #[serde(skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    volume: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    access_modes: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    storage_class: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    capacity: String,
}

/// ConfigMap: `immutable` and `cm_data` are declared but never filled.
#[derive(Serialize, Default)]
struct ConfigMapExtra {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    immutable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    cm_data: Option<Map<String, Value>>,
}

impl<X: Serialize> KindDetail<X> {
    fn new(cfg: &EnvCfg, project: &str, env: &str, extra: X) -> Self {
        KindDetail {
            name: cfg.name.clone(),
            project_key: project.to_string(),
            env_key: env.to_string(),
            common_env_cfg_type: cfg.kind.as_str(),
            created_by: String::new(),
            created_time: cfg.created_time,
            update_by: cfg.update_by.clone(),
            update_time: 0,
            yaml_data: cfg.yaml.clone(),
            services: Vec::new(),
            source_detail: None,
            extra,
        }
    }
}

impl EnvCfgDetail {
    /// The detail of one object; the names are the request's.
    pub fn new(cfg: &EnvCfg, project: &str, env: &str) -> Self {
        match cfg.kind {
            EnvCfgKind::Ingress => {
                let extra = IngressExtra { host_info: cfg.status.host_info.clone(), ..Default::default() };
                EnvCfgDetail { ingress_detail: Some(KindDetail::new(cfg, project, env, extra)), ..Default::default() }
            }
            EnvCfgKind::Secret => EnvCfgDetail {
                secret_detail: Some(KindDetail::new(cfg, project, env, SecretExtra::default())),
                ..Default::default()
            },
            EnvCfgKind::Pvc => {
                let claim = cfg.status.claim.clone().unwrap_or_default();
                let extra = PvcExtra {
                    status: claim.phase,
                    volume: claim.volume,
                    access_modes: claim.access_modes.join(","),
                    storage_class: claim.storage_class,
                    capacity: claim.capacity,
                };
                EnvCfgDetail { pvc_detail: Some(KindDetail::new(cfg, project, env, extra)), ..Default::default() }
            }
            EnvCfgKind::ConfigMap => EnvCfgDetail {
                config_map_detail: Some(KindDetail::new(cfg, project, env, ConfigMapExtra::default())),
                ..Default::default()
            },
        }
    }
}
