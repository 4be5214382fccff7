//! Creating, updating and deleting configurations, in the order Zadig's
//! service functions check things (`env/service/common_env_cfg.go`,
//! `configmap.go`, `secret.go`, `ingress.go`, `pvc.go` at v3.4.0), each
//! failure with its code and text.

use serde_json::Value;

use super::apiserver::{self, EMPTY_NAME};
use super::decode::{DecodeError, decode_typed};
use super::manifest::{Manifest, NOT_UNSTRUCTURED};
use super::validation;
use super::{EnvCfg, EnvCfgKind, ObjectStatus};
use crate::error::{ApiError, ApiResult, ErrorCode, codes, msg};
use crate::store::{Environment, World};
use crate::yaml::YamlError;

/// A create or update request, its YAML already parsed (off the lock).
#[derive(Debug, Clone)]
pub struct EnvCfgRequest {
    pub project: String,
    pub env: String,
    /// `common_env_cfg_type` as sent.
    pub cfg_type: String,
    /// The body's `name`: ignored by create, checked by update.
    pub name: String,
    pub yaml: String,
    pub parsed: Result<Value, YamlError>,
}

fn fail(code: ErrorCode) -> impl Fn(String) -> ApiError {
    move |description| ApiError::zadig(code, description)
}

/// The kind check shared by create and update: `PVC` names
/// `PersistentVolumeClaim`, any other type must equal the YAML `kind`.
/// Vendor quirk: note the trailing space (`common_env_cfg.go:260-266`).
fn check_kind(cfg_type: &str, manifest: &Manifest) -> ApiResult<()> {
    let expected = if cfg_type == "PVC" { "PersistentVolumeClaim" } else { cfg_type };
    if manifest.kind() == expected {
        return Ok(());
    }
    Err(ApiError::zadig(
        codes::UPDATE_RESOURCE,
        format!("param commonEnvCfgType:{cfg_type} not match yaml kind {} ", manifest.kind()),
    ))
}

impl World {
    /// `CreateCommonEnvCfg`, for the test and production routes alike.
    /// Vendor quirk: the environment is looked up with `Production:false`
    /// even from `/production/…`, so production environments always fail
    /// with "no documents" (`common_env_cfg.go:237-244`, `openapi.go:415-425`).
    pub fn create_envcfg(&mut self, req: EnvCfgRequest, user: &str) -> ApiResult<()> {
        let fail = fail(codes::UPDATE_RESOURCE);
        let value = req.parsed.map_err(|e| fail(format!("error converting YAML to JSON: {e}")))?;
        let namespace =
            self.test_env(&req.project, &req.env).ok_or_else(|| fail(msg::NO_DOCUMENTS.into()))?.namespace.clone();
        let manifest = Manifest::unstructured(value).ok_or_else(|| fail(NOT_UNSTRUCTURED.into()))?;
        check_kind(&req.cfg_type, &manifest)?;
        let kind =
            EnvCfgKind::parse(&req.cfg_type).ok_or_else(|| fail(format!("{} is not support create", req.cfg_type)))?;
        let write = Write { project: &req.project, env: &req.env, kind, manifest: &manifest, yaml: &req.yaml, user };
        match kind {
            // `yaml.Unmarshal` (sigs.k8s.io/yaml) then `CreateConfigMap`.
            EnvCfgKind::ConfigMap => {
                decode_typed(&manifest, kind).map_err(|e| fail(sigs_yaml_text(&e)))?;
                self.k8s_create(write).map_err(&fail)
            }
            // `json.Unmarshal` then `UpdateOrCreateSecret`.
            EnvCfgKind::Secret => {
                decode_typed(&manifest, kind).map_err(|e| fail(e.to_string()))?;
                self.k8s_upsert(write).map_err(&fail)
            }
            EnvCfgKind::Ingress => self.upsert_ingress(write, &namespace),
            // `json.Unmarshal` then `CreatePvc`.
            EnvCfgKind::Pvc => {
                decode_typed(&manifest, kind).map_err(|e| fail(e.to_string()))?;
                self.k8s_create(write).map_err(&fail)
            }
        }
    }

    /// `UpdateCommonEnvCfg` (both PUT routes). Vendor quirk: it always looks
    /// the environment up with `Production:false`, so `PUT /production/envcfgs`
    /// updates *test* environments and refuses production ones
    /// (`openapi.go:941-952`).
    pub fn update_envcfg(&mut self, req: EnvCfgRequest, user: &str) -> ApiResult<()> {
        let fail = fail(codes::UPDATE_RESOURCE);
        let manifest = match req.parsed {
            Ok(value) => Manifest::unstructured(value).ok_or_else(|| fail(NOT_UNSTRUCTURED.into()))?,
            // Limits of this server's own are named; anything else is what
            // `YamlToUnstructured` makes of it.
            Err(e) if e.is_limit() => return Err(fail(e.to_string())),
            Err(_) => return Err(fail(NOT_UNSTRUCTURED.into())),
        };
        check_kind(&req.cfg_type, &manifest)?;
        let kind =
            EnvCfgKind::parse(&req.cfg_type).ok_or_else(|| fail(format!("{} is not support update", req.cfg_type)))?;
        // `UpdateConfigMap` answers with 6089 where the others say 6095.
        let code = if kind == EnvCfgKind::ConfigMap { codes::UPDATE_CONFIG_MAP } else { codes::UPDATE_RESOURCE };
        let fail = self::fail(code);
        match kind {
            EnvCfgKind::ConfigMap => decode_typed(&manifest, kind).map_err(|e| fail(sigs_yaml_text(&e)))?,
            EnvCfgKind::Secret | EnvCfgKind::Pvc => decode_typed(&manifest, kind).map_err(|e| fail(e.to_string()))?,
            EnvCfgKind::Ingress => {}
        }
        if manifest.name() != req.name {
            let noun = match kind {
                EnvCfgKind::ConfigMap => "configMap",
                EnvCfgKind::Secret => "secret",
                EnvCfgKind::Ingress => "ingress",
                EnvCfgKind::Pvc => "pvc",
            };
            return Err(fail(format!("{noun} Yaml Name is incorrect")));
        }
        let namespace =
            self.test_env(&req.project, &req.env).ok_or_else(|| fail(msg::NO_DOCUMENTS.into()))?.namespace.clone();
        let write = Write { project: &req.project, env: &req.env, kind, manifest: &manifest, yaml: &req.yaml, user };
        match kind {
            EnvCfgKind::ConfigMap | EnvCfgKind::Pvc => self.k8s_update(write).map_err(&fail),
            EnvCfgKind::Secret => self.k8s_upsert(write).map_err(&fail),
            EnvCfgKind::Ingress => self.upsert_ingress(write, &namespace),
        }
    }

    /// `OpenAPIDeleteCommonEnvCfg` / `OpenAPIDeleteProductionEnvCommonEnvCfg`
    /// then `DeleteCommonEnvCfg` (`openapi.go:761-785`, `common_env_cfg.go:87-139`).
    pub fn delete_envcfg(
        &mut self,
        project: &str,
        env: &str,
        cfg_type: &str,
        name: &str,
        production: bool,
    ) -> ApiResult<()> {
        let delete_env = fail(codes::DELETE_ENV);
        let found = self
            .env(project, env)
            .ok_or_else(|| delete_env(format!("failed to find product {project}: {}", msg::NO_DOCUMENTS)))?;
        match (found.production, production) {
            (true, false) => {
                return Err(delete_env(format!("environment {env} is production environment, cannot delete it")));
            }
            (false, true) => {
                return Err(delete_env(format!("environment {env} is not production environment, cannot delete it")));
            }
            _ => {}
        }
        let fail = fail(codes::DELETE_RESOURCE);
        let kind = EnvCfgKind::parse(cfg_type).ok_or_else(|| fail(format!("{cfg_type} is not support delete")))?;
        let Some(e) = self.env_mut(project, env) else { return Err(fail(msg::NO_DOCUMENTS.into())) };
        let before = e.envcfgs.len();
        e.envcfgs.retain(|c| !(c.kind == kind && c.name == name));
        // The namespace's root CA ConfigMap is deleted and at once published
        // again by kube-controller-manager.
        if e.envcfgs.len() == before && !super::view::is_root_ca(kind, name) {
            return Err(fail(apiserver::not_found(kind, name)));
        }
        self.touch();
        Ok(())
    }

    /// A test environment (`Production:false`).
    fn test_env(&self, project: &str, env: &str) -> Option<&Environment> {
        self.env(project, env).filter(|e| !e.production)
    }

    /// `UpdateOrCreateIngress`/`UpdateOrCreateUnstructured`: through the
    /// unstructured client, so the `apiVersion` matters, and every failure
    /// comes wrapped with the object printed by Go's `%v` (`ingress.go:232-236`).
    fn upsert_ingress(&mut self, write: Write<'_>, namespace: &str) -> ApiResult<()> {
        let manifest = write.manifest;
        let printed = manifest.go_text_with(namespace, write.project);
        let result = apiserver::check_served(manifest, write.kind).and_then(|()| self.k8s_upsert(write));
        result.map_err(|e| {
            ApiError::zadig(
                codes::UPDATE_RESOURCE,
                format!("Failed to UpdateOrCreateIngress {}, manifest is\n{printed}\n, error: {e}", manifest.kind()),
            )
        })
    }
}

/// `sigs.k8s.io/yaml.Unmarshal`'s wrapping of a JSON decoding error.
fn sigs_yaml_text(err: &DecodeError) -> String {
    format!("error unmarshaling JSON: while decoding JSON: {err}")
}

/// One object write to the simulated cluster.
#[derive(Clone, Copy)]
pub(super) struct Write<'a> {
    pub project: &'a str,
    pub env: &'a str,
    pub kind: EnvCfgKind,
    pub manifest: &'a Manifest,
    pub yaml: &'a str,
    pub user: &'a str,
}

impl World {
    /// A `Create`: the name (or one generated from `generateName`), the
    /// validation, then "already exists". Errors are kube-apiserver's texts.
    pub(super) fn k8s_create(&mut self, write: Write<'_>) -> Result<(), String> {
        let mut name = write.manifest.name().to_string();
        if name.is_empty() && !write.manifest.generate_name().is_empty() {
            name = format!("{}{}", write.manifest.generate_name(), self.rng.k8s_string(5));
        }
        validation::validate(write.kind, &name, write.manifest, None)?;
        if self.object(write, &name).is_some() || super::view::is_root_ca(write.kind, &name) {
            return Err(apiserver::already_exists(write.kind, &name));
        }
        let cfg = self.new_object(write, name);
        if let Some(e) = self.env_mut(write.project, write.env) {
            e.envcfgs.push(cfg);
        }
        self.touch();
        Ok(())
    }

    /// An `Update`: the object must exist; it keeps its creation time (and a
    /// claim its binding, whose spec may not change).
    pub(super) fn k8s_update(&mut self, write: Write<'_>) -> Result<(), String> {
        let name = write.manifest.name().to_string();
        let Some(old) = self.object(write, &name).cloned().or_else(|| super::view::root_ca(self, write)) else {
            return Err(apiserver::not_found(write.kind, &name));
        };
        validation::validate(write.kind, &name, write.manifest, Some(&old.status))?;
        self.store_object(write, replaced(old, write));
        Ok(())
    }

    /// `updateOrCreateObject`: an `Update` (which needs a name), or a
    /// `Create` when there is nothing to update.
    pub(super) fn k8s_upsert(&mut self, write: Write<'_>) -> Result<(), String> {
        let name = write.manifest.name();
        if name.is_empty() {
            return Err(EMPTY_NAME.to_string());
        }
        if self.object(write, name).is_some() {
            return self.k8s_update(write);
        }
        self.k8s_create(write)
    }

    fn object(&self, write: Write<'_>, name: &str) -> Option<&EnvCfg> {
        let e = self.env(write.project, write.env)?;
        e.envcfgs.iter().find(|c| c.kind == write.kind && c.name == name)
    }

    /// A new object, created now by `write.user`.
    pub(super) fn new_object(&mut self, write: Write<'_>, name: String) -> EnvCfg {
        let now = self.now();
        EnvCfg {
            kind: write.kind,
            name,
            yaml: write.yaml.to_string(),
            created_time: now,
            update_by: write.user.to_string(),
            status: status_of(write.kind, write.manifest, Some(&mut self.rng)),
        }
    }

    /// Replaces (or adds) the object of that kind and name.
    pub(super) fn store_object(&mut self, write: Write<'_>, cfg: EnvCfg) {
        if let Some(e) = self.env_mut(write.project, write.env) {
            match e.envcfgs.iter_mut().find(|c| c.kind == cfg.kind && c.name == cfg.name) {
                Some(slot) => *slot = cfg,
                None => e.envcfgs.push(cfg),
            }
        }
        self.touch();
    }
}

/// An existing object with new content: it keeps its creation time, and
/// a claim its binding.
pub(super) fn replaced(old: EnvCfg, write: Write<'_>) -> EnvCfg {
    let mut status = status_of(write.kind, write.manifest, None);
    status.claim = old.status.claim.clone();
    // Requests may grow a bound claim; its volume follows.
    if let Some(claim) = status.claim.as_mut().filter(|c| c.phase == "Bound") {
        claim.capacity = apiserver::requested_storage(write.manifest);
    }
    EnvCfg { yaml: write.yaml.to_string(), update_by: write.user.to_string(), status, ..old }
}

/// The live state of a freshly written object; a new claim is bound when
/// a generator is given.
fn status_of(kind: EnvCfgKind, manifest: &Manifest, rng: Option<&mut crate::store::Rng>) -> ObjectStatus {
    ObjectStatus {
        host_info: if kind == EnvCfgKind::Ingress { apiserver::ingress_hosts(manifest) } else { String::new() },
        claim: match (kind, rng) {
            (EnvCfgKind::Pvc, Some(rng)) => Some(apiserver::bind_claim(manifest, rng)),
            _ => None,
        },
        backup: kind == EnvCfgKind::ConfigMap && manifest.label("config-backup") == Some("true"),
        secret_type: if kind == EnvCfgKind::Secret { validation::secret_type(manifest) } else { String::new() },
        sealed: validation::sealed(kind, manifest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Clock, Rng};

    const SEED: &str = "clusters: [{id: c}]\nregistries: [{id: r, default: true}]\nprojects:\n  - key: p\n    environments:\n      - {env_key: dev, cluster_id: c, namespace: p-dev, registry_id: r}\n";

    fn world() -> World {
        let texts = [("seed.yaml".to_string(), SEED.to_string())];
        crate::seed::build_world(&texts, Clock::frozen_at(1_000), Rng::new(1), 0).expect("seed builds")
    }

    fn request(cfg_type: &str, yaml: &str) -> EnvCfgRequest {
        EnvCfgRequest {
            project: "p".into(),
            env: "dev".into(),
            cfg_type: cfg_type.into(),
            name: "s".into(),
            yaml: yaml.into(),
            parsed: crate::yaml::parse_manifest(yaml),
        }
    }

    const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: b\n";

    #[test]
    fn an_upsert_keeps_the_creation_time_and_records_the_last_writer() {
        let mut w = world();
        w.create_envcfg(request("Secret", SECRET), "alice").expect("created");
        w.clock.advance_ms(5_000);

        let changed = SECRET.replace("a: b", "a: c");
        w.update_envcfg(request("Secret", &changed), "bob").expect("updated");

        let cfg = &w.env("p", "dev").expect("env").envcfgs[0];
        assert_eq!((cfg.created_time, cfg.update_by.as_str(), cfg.yaml.as_str()), (1_000, "bob", changed.as_str()));
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let mut w = world();
        let before = w.clone();

        let err = w.create_envcfg(request("ConfigMap", SECRET), "alice").unwrap_err();

        assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(w, before);
    }

    #[test]
    fn deleting_removes_the_object_and_a_second_delete_is_not_found() {
        let mut w = world();
        w.create_envcfg(request("Secret", SECRET), "alice").expect("created");

        w.delete_envcfg("p", "dev", "Secret", "s", false).expect("deleted");
        let again = w.delete_envcfg("p", "dev", "Secret", "s", false).unwrap_err();

        assert!(w.env("p", "dev").expect("env").envcfgs.is_empty());
        assert_eq!(again, ApiError::zadig(codes::DELETE_RESOURCE, "secrets \"s\" not found"));
    }
}
