//! Reading configurations: `OpenAPIListCommonEnvCfg` and
//! `OpenAPIGetCommonEnvCfg` (`env/service/openapi.go:427-759` at v3.4.0),
//! which list what the namespace holds.
//!
//! A real namespace holds one object nobody created through Zadig: the
//! `kube-root-ca.crt` ConfigMap that kube-controller-manager publishes into
//! every namespace (Kubernetes ≥ 1.20). Zadig lists it with the rest, so
//! every environment shows it here too, created with its namespace; it
//! cannot be created again, and deleting it is answered with success (the
//! controller publishes it again at once).

use std::borrow::Cow;

use super::ops::Write;
use super::{EnvCfg, EnvCfgKind, ObjectStatus};
use crate::error::{ApiError, ApiResult, codes, msg};
use crate::store::{Environment, World};

/// The ConfigMap kube-controller-manager publishes into every namespace.
pub const ROOT_CA: &str = "kube-root-ca.crt";

/// One element of a list (`OpenAPIEnvCfgBrief` without the request's names).
#[derive(Debug, Clone, PartialEq)]
pub struct EnvCfgSummary {
    pub name: String,
    pub kind: EnvCfgKind,
    /// Empty for objects Zadig never wrote.
    pub update_by: String,
    /// The object's creation time (`CreateTime.Unix()`), despite the name.
    pub update_time: i64,
}

/// Whether `name` is the namespace's root CA ConfigMap.
pub fn is_root_ca(kind: EnvCfgKind, name: &str) -> bool {
    kind == EnvCfgKind::ConfigMap && name == ROOT_CA
}

/// The root CA ConfigMap a write addresses, when it is that one and the
/// environment still has the published original.
pub(super) fn root_ca(world: &World, write: Write<'_>) -> Option<EnvCfg> {
    let name = write.manifest.name();
    is_root_ca(write.kind, name).then(|| world.env(write.project, write.env).map(root_ca_of)).flatten()
}

/// The published root CA ConfigMap of an environment's namespace.
fn root_ca_of(env: &Environment) -> EnvCfg {
    let yaml = format!(
        "apiVersion: v1\ndata:\n  ca.crt: |\n    -----BEGIN CERTIFICATE-----\n{CA_BODY}    -----END CERTIFICATE-----\nkind: ConfigMap\nmetadata:\n  annotations:\n    kubernetes.io/description: Contains a CA bundle that can be used to verify the\n      kube-apiserver when using internal endpoints such as the internal service\n      IP or kubernetes.default.svc. No other usage is guaranteed across distributions\n      of Kubernetes clusters.\n  creationTimestamp: \"{}\"\n  name: {ROOT_CA}\n  namespace: {}\n",
        rfc3339(env.create_time),
        env.namespace
    );
    EnvCfg {
        kind: EnvCfgKind::ConfigMap,
        name: ROOT_CA.to_string(),
        yaml,
        created_time: env.create_time,
        update_by: String::new(),
        status: ObjectStatus::default(),
    }
}

/// The body of the simulated cluster's CA certificate (not a real key).
const CA_BODY: &str = "    MIIBeTCCAR+gAwIBAgIBADAKBggqhkjOPQQDAjAkMSIwIAYDVQQDDBl6YWRpZy1t\n    b2NrLXNpbXVsYXRlZC1jbHVzdGVyMB4XDTIzMTExNDIyMTMyMFoXDTMzMTExMTIy\n    MTMyMFowJDEiMCAGA1UEAwwZemFkaWctbW9jay1zaW11bGF0ZWQtY2x1c3RlcjBZ\n";

/// Unix seconds as Kubernetes prints a timestamp (`2023-11-14T22:13:20Z`).
fn rfc3339(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// What a namespace lists of a kind: the objects written to it and, for
/// ConfigMaps, the published root CA unless it was overwritten; Zadig's
/// own ConfigMap backups left out (`configmap.go:114-119`); by name.
fn objects(env: &Environment, kind: EnvCfgKind) -> Vec<Cow<'_, EnvCfg>> {
    let mut found: Vec<Cow<'_, EnvCfg>> =
        env.envcfgs.iter().filter(|c| c.kind == kind && !c.status.backup).map(Cow::Borrowed).collect();
    let overwritten = env.envcfgs.iter().any(|c| is_root_ca(c.kind, &c.name));
    if kind == EnvCfgKind::ConfigMap && !overwritten {
        found.push(Cow::Owned(root_ca_of(env)));
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

impl World {
    /// The type check, then the environment as the list functions find it:
    /// with the route's production filter, a missing one being 6088 for
    /// ConfigMaps and 6094 for the rest (`ListConfigMaps`, `ListSecrets`, …).
    fn cfg_env(
        &self,
        project: &str,
        env: &str,
        cfg_type: &str,
        production: bool,
    ) -> ApiResult<(&Environment, EnvCfgKind)> {
        let kind = EnvCfgKind::parse(cfg_type)
            .ok_or_else(|| ApiError::internal(format!("invalid common env cfg type: {cfg_type}")))?;
        let code = if kind == EnvCfgKind::ConfigMap { codes::LIST_CONFIG_MAPS } else { codes::LIST_RESOURCES };
        let found = self.env(project, env).filter(|e| e.production == production);
        found.map(|e| (e, kind)).ok_or_else(|| ApiError::zadig(code, msg::NO_DOCUMENTS))
    }

    /// `GET …/{env}/envcfgs?type=`.
    pub fn list_envcfgs(
        &self,
        project: &str,
        env: &str,
        cfg_type: &str,
        production: bool,
    ) -> ApiResult<Vec<EnvCfgSummary>> {
        let (e, kind) = self.cfg_env(project, env, cfg_type, production)?;
        let summaries = objects(e, kind)
            .into_iter()
            .map(|c| EnvCfgSummary {
                name: c.name.clone(),
                kind,
                update_by: c.update_by.clone(),
                update_time: c.created_time,
            })
            .collect();
        Ok(summaries)
    }

    /// `GET …/{env}/envcfg/{name}?type=`: a name not listed is a plain
    /// `not found` (HTTP 500, `openapi.go:758`).
    pub fn get_envcfg(
        &self,
        project: &str,
        env: &str,
        cfg_type: &str,
        name: &str,
        production: bool,
    ) -> ApiResult<EnvCfg> {
        let (e, kind) = self.cfg_env(project, env, cfg_type, production)?;
        let found = objects(e, kind).into_iter().find(|c| c.name == name);
        found.map(Cow::into_owned).ok_or_else(|| ApiError::internal("not found"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_kubernetes_prints_them() {
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
