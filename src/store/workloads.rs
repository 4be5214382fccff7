//! Operations on the workloads of an environment: scale (§2.13), restart
//! (§2.14) and image updates (§2.15), with their lookups and errors
//! (`Scale`, `RestartService` in env/service/service.go; `UpdateContainerImage`
//! in env/service/image.go). Each acts on the simulated cluster only; an
//! image update also records the image in the environment.

use super::World;
use super::model::{ContainerTemplate, EnvStatus, WorkloadKind};
use crate::error::{ApiError, ApiResult, codes, msg};

/// `UpdateContainerImageArgs`: which container of which workload gets
/// which image, and the service whose record notes it.
#[derive(Debug, Clone, Default)]
pub struct ImageUpdate {
    /// `Deployment`, `StatefulSet` or `CronJob` (anything else is refused).
    pub kind: String,
    pub project: String,
    pub env: String,
    pub service: String,
    /// The workload's name.
    pub name: String,
    pub container: String,
    pub image: String,
}

impl World {
    /// `OpenAPIScale` → `Scale`: sets a workload's replicas. Test
    /// environments only: the lookup hard-codes `Production: false`.
    pub fn scale_workload(
        &mut self,
        project: &str,
        env: &str,
        kind: WorkloadKind,
        name: &str,
        replicas: i64,
    ) -> ApiResult<()> {
        let e = self.env(project, env).filter(|e| !e.production);
        let e = e.ok_or_else(|| ApiError::zadig(codes::SCALE_SERVICE, msg::NO_DOCUMENTS))?;
        if e.status == EnvStatus::Sleeping {
            return Err(ApiError::zadig(codes::SCALE_SERVICE, "environment is sleeping"));
        }
        // Vendor quirk: a failed patch is logged and `Scale` returns nil
        // (env/service/service.go:72-90): an unknown workload, or replicas
        // Kubernetes' int32 cannot hold, change nothing and succeed.
        let Ok(replicas) = i32::try_from(replicas).and_then(u32::try_from) else { return Ok(()) };
        let Some((service, index)) = self.find_workload(project, env, kind, name) else { return Ok(()) };
        self.change_service(project, env, &service, |deploy, s| deploy.scale(&mut s.workloads[index], replicas));
        Ok(())
    }

    /// `RestartService`: rolls the first Deployment or StatefulSet of the
    /// service (`restartRelatedWorkloads` returns inside its loop).
    pub fn restart_service(&mut self, project: &str, env: &str, service: &str, production: bool) -> ApiResult<()> {
        let Some(e) = self.env(project, env).filter(|e| e.production == production) else {
            return Err(ApiError::internal(msg::NO_DOCUMENTS));
        };
        if e.status == EnvStatus::Sleeping {
            return Err(ApiError::zadig(codes::SCALE_SERVICE, "environment is sleeping"));
        }
        // Vendor quirk: a service the environment lacks is a success
        // (env/service/service.go:482-486).
        let Some(s) = e.service(service) else { return Ok(()) };
        let Some(first) = s.workloads.iter().find(|w| w.kind != WorkloadKind::CronJob) else { return Ok(()) };
        let name = first.name.clone();
        self.roll_workload(project, env, service, &name);
        Ok(())
    }

    /// `UpdateContainerImage`: patches the workload's container image (a
    /// rollout when it changed), then records the image on the named
    /// service's container in the environment and moves `update_time`.
    pub fn update_container_image(&mut self, args: &ImageUpdate) -> ApiResult<()> {
        let fail = |description: String| ApiError::zadig(codes::UPDATE_CONTAINER_IMAGE, description);
        // `Production` is never set by the handlers: test environments only.
        let (project, env) = (args.project.as_str(), args.env.as_str());
        if self.env(project, env).is_none_or(|e| e.production) {
            return Err(fail(msg::NO_DOCUMENTS.to_string()));
        }
        let kind = WorkloadKind::parse(&args.kind).ok_or_else(|| fail(format!("不支持的资源类型: {}", args.kind)))?;
        let patched = self.patch_image(project, env, kind, &args.name, &args.container, &args.image);
        if !patched {
            return Err(fail(format!("更新 {} 容器镜像失败", kind.as_str())));
        }
        let now = self.now();
        let Some(e) = self.env_mut(project, env) else { return Ok(()) };
        // Vendor quirk: the patch has happened by now (env/service/image.go:158-161).
        let Some(s) = e.service_mut(&args.service) else {
            return Err(fail(format!("服务 {} 不存在", args.service)));
        };
        s.update_time = now;
        // Only `image` changes: `image_name` keeps its old value (image.go:163-167).
        if let Some(c) = s.containers.iter_mut().find(|c| c.name == args.container) {
            c.image = args.image.clone();
        }
        e.update_time = now;
        self.touch();
        Ok(())
    }

    /// The strategic-merge patch `{"spec":{"template":{"spec":{"containers":
    /// [{"name":C,"image":I}]}}}}`: it fails when the workload does not
    /// exist or the container would be invalid; a container name the
    /// workload lacks adds that container. False when the patch fails.
    fn patch_image(
        &mut self,
        project: &str,
        env: &str,
        kind: WorkloadKind,
        name: &str,
        container: &str,
        image: &str,
    ) -> bool {
        let Some((service, index)) = self.find_workload(project, env, kind, name) else { return false };
        if image.is_empty() || image.trim() != image || !is_dns_label(container) {
            return false;
        }
        self.change_service(project, env, &service, |deploy, s| {
            let workload = &mut s.workloads[index];
            match workload.containers.iter_mut().find(|c| c.name == container) {
                Some(c) if *c.image == *image => return,
                Some(c) => c.image = image.into(),
                None => workload.containers.push(ContainerTemplate {
                    name: container.into(),
                    image: image.into(),
                    ports: [].into(),
                }),
            }
            deploy.roll(workload);
        });
        true
    }
}

/// Kubernetes' container-name rule (an RFC 1123 label).
fn is_dns_label(name: &str) -> bool {
    let chars_ok = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    chars_ok && !name.is_empty() && name.len() <= 63 && !name.starts_with('-') && !name.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Clock, Rng};

    fn demo() -> World {
        let texts = [("demo".to_string(), crate::seed::DEMO.to_string())];
        crate::seed::build_world(&texts, Clock::frozen_at(1_700_000_000), Rng::new(1), 0).expect("demo builds")
    }

    fn update(container: &str) -> ImageUpdate {
        ImageUpdate {
            kind: "Deployment".into(),
            project: "simple-demo".into(),
            env: "dev".into(),
            service: "service1".into(),
            name: "service1".into(),
            container: container.into(),
            image: "r/sidecar:1".into(),
        }
    }

    #[test]
    fn a_container_name_the_workload_lacks_is_added_by_the_merge_patch() {
        let mut world = demo();

        world.update_container_image(&update("sidecar")).unwrap();

        let s = world.env("simple-demo", "dev").and_then(|e| e.service("service1")).unwrap();
        let names: Vec<&str> = s.workloads[0].pods[0].containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["service1", "sidecar"]);
        // The environment record only knows the containers it had.
        assert_eq!(s.containers.len(), 1);
    }

    #[test]
    fn an_invalid_container_name_fails_the_patch() {
        let mut world = demo();

        let err = world.update_container_image(&update("Bad_Name")).unwrap_err();

        assert_eq!(err, ApiError::zadig(codes::UPDATE_CONTAINER_IMAGE, "更新 Deployment 容器镜像失败"));
    }

    #[test]
    fn scaling_records_nothing_when_the_count_is_unchanged() {
        let mut world = demo();
        let before = world.env("simple-demo", "dev").unwrap().events.len();

        world.scale_workload("simple-demo", "dev", WorkloadKind::Deployment, "service1", 1).unwrap();

        assert_eq!(world.env("simple-demo", "dev").unwrap().events.len(), before);
    }
}
