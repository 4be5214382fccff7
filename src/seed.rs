//! Seed files: the YAML (or JSON) a world starts from.
//!
//! A seed declares clusters, registries and projects (with their service
//! templates and global variable definitions) directly, because the
//! OpenAPI cannot create those; environments are then created through the
//! very store operations the API uses (`create_env`, `add_services`), so a
//! seed can never hold a state the API could not reach. The format is
//! documented in README ("Seed format"); `seed/demo.yaml` is the example.
//!
//! A file named `*.json` is read as JSON: the same document, which a program
//! generating a large world writes as easily, read an order of magnitude
//! faster than YAML.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::store::environments::{CreateEnvArgs, CreateServiceArgs};
use crate::store::services::ServiceWithKvs;
use crate::store::{
    Clock, Cluster, ContainerTemplate, Project, Registry, Rng, ServiceTemplate, VariableKV, WorkloadKind,
    WorkloadTemplate, World,
};

/// The embedded demo world, served when no `--seed` is given.
pub const DEMO: &str = include_str!("../seed/demo.yaml");

/// The user environments are created by when a seed names none.
const DEFAULT_USER: &str = "admin";

/// Why a seed could not be loaded: which file, which entry, what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("seed {file}: {entry}: {problem}")]
pub struct SeedError {
    pub file: String,
    pub entry: String,
    pub problem: String,
}

/// One seed document.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedFile {
    pub clusters: Vec<SeedCluster>,
    pub registries: Vec<SeedRegistry>,
    pub projects: Vec<SeedProject>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedCluster {
    pub id: String,
    pub name: String,
    pub nodes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedRegistry {
    pub id: String,
    pub address: String,
    pub namespace: String,
    pub default: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedProject {
    pub key: String,
    pub name: String,
    pub global_variables: Vec<VariableKV>,
    pub services: Vec<SeedService>,
    pub environments: Vec<SeedEnvironment>,
}

/// A service template. A single-workload service may give `kind`,
/// `replicas` and `containers` directly; otherwise it lists `workloads`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedService {
    pub name: String,
    pub variables: Vec<VariableKV>,
    pub kind: Option<String>,
    pub replicas: Option<u32>,
    pub containers: Vec<SeedContainer>,
    pub k8s_service: Option<bool>,
    pub schedule: Option<String>,
    pub workloads: Vec<SeedWorkload>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedWorkload {
    pub name: String,
    pub kind: Option<String>,
    pub replicas: Option<u32>,
    pub containers: Vec<SeedContainer>,
    pub k8s_service: Option<bool>,
    pub schedule: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedContainer {
    pub name: String,
    pub image: String,
    pub ports: Vec<u16>,
}

/// An environment: the fields of the create request, plus who created it
/// and, for production, the services to add after creation.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedEnvironment {
    pub env_key: String,
    pub production: bool,
    pub env_name: String,
    pub cluster_id: String,
    pub namespace: String,
    pub registry_id: String,
    pub update_by: Option<String>,
    pub global_variables: Vec<crate::store::GlobalVariableKV>,
    pub services: Vec<SeedEnvService>,
    pub env_configs: Vec<crate::store::envcfgs::EnvCfgArgs>,
    /// A base for sub-environments, as after `POST …/share/enable`.
    pub share_env: bool,
    /// A sub-environment of an earlier base environment of the project.
    pub sub_env: Option<SeedSubEnv>,
}

/// `sub_env` of an environment (the v3.4.0 OpenAPI cannot create one).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedSubEnv {
    pub base_env: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedEnvService {
    pub service_name: String,
    pub variable_kvs: Vec<crate::store::RenderVariableKV>,
    pub containers: Vec<crate::store::Container>,
}

/// Where a world's seed comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The embedded demo world.
    Demo,
    /// Nothing at all (`--no-seed`).
    Empty,
    /// A YAML or JSON file, or a folder whose `*.yaml`/`*.yml`/`*.json`
    /// files are read in name order.
    Path(PathBuf),
}

/// Reads the seed texts of a source, each with the name errors will use.
pub fn read_source(source: &Source) -> Result<Vec<(String, String)>, SeedError> {
    match source {
        Source::Demo => Ok(vec![("seed/demo.yaml (embedded)".to_string(), DEMO.to_string())]),
        Source::Empty => Ok(Vec::new()),
        Source::Path(path) => read_path(path),
    }
}

fn read_path(path: &Path) -> Result<Vec<(String, String)>, SeedError> {
    let fail = |problem: String| SeedError { file: path.display().to_string(), entry: "file".into(), problem };
    let files = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| fail(e.to_string()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(fail("the folder holds no .yaml, .yml or .json file".into()));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|e| SeedError {
                file: file.display().to_string(),
                entry: "file".into(),
                problem: e.to_string(),
            })?;
            Ok((file.display().to_string(), text))
        })
        .collect()
}

/// Everything a world is built from, kept so that the same world can be
/// built again rather than kept twice: a reset goes back to it and a new
/// `--isolate` tenant starts from it. The texts are far smaller than the
/// world they describe (16 MiB of YAML make a world of 100,000 services).
#[derive(Debug, Clone)]
pub struct Recipe {
    texts: Arc<[(String, String)]>,
    clock: Clock,
    /// The virtual time the recipe was made at.
    at_ms: i64,
    rng: Rng,
    settle_ms: i64,
    /// How long before `at_ms` the seed's environments came up.
    age_ms: i64,
    log_rate: f64,
}

impl Recipe {
    /// A recipe whose world comes up `age_ms` before `clock`'s current time
    /// (see [`build_world_aged`]).
    pub fn new(
        texts: Vec<(String, String)>,
        clock: Clock,
        rng: Rng,
        settle_ms: i64,
        age_ms: i64,
        log_rate: f64,
    ) -> Self {
        let at_ms = clock.now_ms();
        Recipe { texts: texts.into(), clock, at_ms, rng, settle_ms, age_ms, log_rate }
    }

    /// Builds the world. Everything in it is created at one instant, so
    /// building again gives the same world, even on a running clock.
    pub fn build(&self) -> Result<World, SeedError> {
        let mut instant = Clock::frozen_at(0);
        instant.set_ms(self.at_ms.saturating_sub(self.age_ms.max(0)));
        let mut world = build_world(&self.texts, instant, self.rng.clone(), self.settle_ms)?;
        world.clock = self.clock.clone();
        world.set_log_rate(self.log_rate);
        Ok(world)
    }
}

/// Builds a world from seed texts. Environments are created settled,
/// whatever `settle_ms` later says.
pub fn build_world(texts: &[(String, String)], clock: Clock, rng: Rng, settle_ms: i64) -> Result<World, SeedError> {
    let mut world = World::new(clock, rng, 0);
    let mut parsed = Vec::new();
    for (file, text) in texts {
        let seed: SeedFile = parse_seed(file, text).map_err(|problem| SeedError {
            file: file.clone(),
            entry: "document".into(),
            problem,
        })?;
        parsed.push((file, seed));
    }
    for (file, seed) in &parsed {
        declare(&mut world, file, seed)?;
    }
    for (file, seed) in parsed {
        for project in seed.projects {
            for (i, env) in project.environments.into_iter().enumerate() {
                let entry = format!("projects[{}].environments[{i}] ({})", project.key, env.env_key);
                create_environment(&mut world, &project.key, env).map_err(|problem| SeedError {
                    file: file.clone(),
                    entry,
                    problem,
                })?;
            }
        }
    }
    world.settle_ms = settle_ms;
    Ok(world)
}

/// One seed document: JSON when the file is named `*.json`, YAML otherwise.
fn parse_seed(file: &str, text: &str) -> Result<SeedFile, String> {
    if file.ends_with(".json") {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        crate::yaml::from_seed_str(text)
    }
}

/// Builds a world whose seed environments came up `age_ms` before the
/// clock's now, as a world that has been running for a while: pods have an
/// age, containers a log history, events a past. The clock itself is
/// returned unchanged.
pub fn build_world_aged(
    texts: &[(String, String)],
    clock: Clock,
    rng: Rng,
    settle_ms: i64,
    age_ms: i64,
) -> Result<World, SeedError> {
    let mut then = clock.clone();
    then.set_ms(clock.now_ms().saturating_sub(age_ms.max(0)));
    let mut world = build_world(texts, then, rng, settle_ms)?;
    world.clock = clock;
    Ok(world)
}

/// Clusters, registries, projects and templates: the part the API cannot create.
fn declare(world: &mut World, file: &str, seed: &SeedFile) -> Result<(), SeedError> {
    let fail = |entry: String, problem: &str| SeedError { file: file.to_string(), entry, problem: problem.to_string() };
    for (i, c) in seed.clusters.iter().enumerate() {
        if c.id.is_empty() {
            return Err(fail(format!("clusters[{i}]"), "a cluster needs an id"));
        }
        let name = if c.name.is_empty() { c.id.clone() } else { c.name.clone() };
        world.clusters.push(Cluster { id: c.id.clone(), name, nodes: c.nodes.clone() });
    }
    for (i, r) in seed.registries.iter().enumerate() {
        if r.id.is_empty() {
            return Err(fail(format!("registries[{i}]"), "a registry needs an id"));
        }
        world.registries.push(Registry {
            id: r.id.clone(),
            address: r.address.clone(),
            namespace: r.namespace.clone(),
            is_default: r.default,
        });
    }
    for (i, p) in seed.projects.iter().enumerate() {
        let entry = format!("projects[{i}] ({})", p.key);
        if p.key.is_empty() {
            return Err(fail(entry, "a project needs a key"));
        }
        if world.projects.contains_key(&p.key) {
            return Err(fail(entry, "this project key is declared twice"));
        }
        let mut services = Vec::new();
        for (j, s) in p.services.iter().enumerate() {
            let entry = format!("projects[{}].services[{j}] ({})", p.key, s.name);
            let template = service_template(s).map_err(|problem| fail(entry.clone(), &problem))?;
            if services.iter().any(|t: &ServiceTemplate| t.name == template.name) {
                return Err(fail(entry, "this service name is declared twice"));
            }
            services.push(template);
        }
        let name = if p.name.is_empty() { p.key.clone() } else { p.name.clone() };
        let project = Project {
            key: p.key.clone(),
            name,
            global_variables: p.global_variables.iter().map(with_default_type).collect(),
            services,
            envs: Default::default(),
        };
        world.projects.insert(p.key.clone(), project);
    }
    Ok(())
}

fn with_default_type(kv: &VariableKV) -> VariableKV {
    let mut kv = kv.clone();
    if kv.r#type.is_empty() {
        kv.r#type = "string".into();
    }
    if kv.value.is_null() {
        kv.value = Value::String(String::new());
    }
    kv
}

fn service_template(s: &SeedService) -> Result<ServiceTemplate, String> {
    if s.name.is_empty() {
        return Err("a service needs a name".into());
    }
    let single = SeedWorkload {
        name: s.name.clone(),
        kind: s.kind.clone(),
        replicas: s.replicas,
        containers: Vec::new(),
        k8s_service: s.k8s_service,
        schedule: s.schedule.clone(),
    };
    let workloads = if s.workloads.is_empty() {
        vec![workload_template(&single, &s.containers)?]
    } else if !s.containers.is_empty() || s.kind.is_some() {
        return Err("give either `workloads` or `kind`/`containers`, not both".into());
    } else {
        s.workloads.iter().map(|w| workload_template(w, &w.containers)).collect::<Result<_, _>>()?
    };
    Ok(ServiceTemplate {
        name: s.name.clone(),
        revision: 1,
        variable_kvs: s.variables.iter().map(with_default_type).collect(),
        workloads,
    })
}

fn workload_template(w: &SeedWorkload, containers: &[SeedContainer]) -> Result<WorkloadTemplate, String> {
    let kind_text = w.kind.as_deref().unwrap_or("Deployment");
    let kind = WorkloadKind::parse(kind_text)
        .ok_or_else(|| format!("unknown workload kind {kind_text:?} (Deployment, StatefulSet or CronJob)"))?;
    if w.name.is_empty() {
        return Err("a workload needs a name".into());
    }
    if let Some(c) = containers.iter().find(|c| c.name.is_empty() || c.image.is_empty()) {
        return Err(format!("container {:?} needs a name and an image", c.name));
    }
    if kind == WorkloadKind::CronJob && w.schedule.is_none() {
        return Err("a CronJob needs a schedule".into());
    }
    let has_ports = containers.iter().any(|c| !c.ports.is_empty());
    Ok(WorkloadTemplate {
        name: w.name.clone(),
        kind,
        replicas: w.replicas.unwrap_or(1),
        containers: containers
            .iter()
            .map(|c| ContainerTemplate {
                name: c.name.as_str().into(),
                image: c.image.as_str().into(),
                ports: c.ports.as_slice().into(),
            })
            .collect(),
        has_k8s_service: w.k8s_service.unwrap_or(has_ports && kind != WorkloadKind::CronJob),
        schedule: w.schedule.clone(),
    })
}

/// Creates one environment through the API's own operations.
fn create_environment(world: &mut World, project: &str, env: SeedEnvironment) -> Result<(), String> {
    let user = env.update_by.clone().unwrap_or_else(|| DEFAULT_USER.to_string());
    let services: Vec<CreateServiceArgs> = env
        .services
        .iter()
        .map(|s| CreateServiceArgs {
            service_name: s.service_name.clone(),
            containers: s.containers.clone(),
            variable_kvs: s.variable_kvs.clone(),
        })
        .collect();
    let args = CreateEnvArgs {
        production: env.production,
        project_key: project.to_string(),
        env_key: env.env_key.clone(),
        cluster_id: env.cluster_id,
        namespace: env.namespace,
        registry_id: env.registry_id,
        env_name: env.env_name,
        global_variables: if env.production { Vec::new() } else { env.global_variables.clone() },
        services: if env.production { Vec::new() } else { services },
        env_configs: env.env_configs,
    };
    world.create_env(args, &user).map_err(|e| e.to_string())?;
    // Production creation ignores `global_variables` (§2.4): they are then
    // set the way `PUT …/production/{env}/variable` sets them.
    if env.production && !env.global_variables.is_empty() {
        world
            .update_global_variables(project, &env.env_key, Some(env.global_variables), true)
            .map_err(|e| e.to_string())?;
    }
    if env.production && !env.services.is_empty() {
        let list = env
            .services
            .into_iter()
            .map(|s| ServiceWithKvs { service_name: s.service_name, variable_kvs: s.variable_kvs })
            .collect();
        world.add_services(project, &env.env_key, list, true).map_err(|e| e.to_string())?;
    }
    if env.share_env {
        world.enable_share(project, &env.env_key).map_err(|e| e.to_string())?;
    }
    if let Some(sub) = env.sub_env {
        world.join_base_env(project, &env.env_key, &sub.base_env)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<World, SeedError> {
        build_world(&[("test.yaml".into(), text.into())], Clock::frozen_at(1_700_000_000), Rng::new(1), 0)
    }

    #[test]
    fn an_aged_world_came_up_before_now_on_an_unchanged_clock() {
        let texts = [("demo.yaml".to_string(), DEMO.to_string())];
        let clock = Clock::frozen_at(1_700_000_000);
        let world = build_world_aged(&texts, clock.clone(), Rng::new(1), 0, 600_000).expect("demo builds");
        assert_eq!(world.clock, clock);
        let dev = world.env("simple-demo", "dev").expect("dev exists");
        assert_eq!(dev.update_time, 1_700_000_000 - 600);
        assert!(dev.pods().all(|(_, _, pod)| pod.created_at == 1_700_000_000 - 600));
    }

    #[test]
    fn the_demo_seed_builds() {
        let world = build(DEMO).expect("demo seed is valid");
        let dev = world.env("simple-demo", "dev").expect("dev exists");
        assert_eq!(dev.namespace, "simple-demo-env-dev");
        assert_eq!(dev.services.len(), 2);
        assert!(world.env("simple-demo", "prod").is_some_and(|e| e.production));
    }

    #[test]
    fn a_recipe_builds_the_same_world_again_on_a_running_clock() {
        // A running clock a moment before a second ends: a build that read
        // it would create its environments in two different seconds.
        let mut clock = Clock::default();
        clock.set_ms(1_700_000_000_999);
        let texts = vec![("demo".to_string(), DEMO.to_string())];
        let recipe = Recipe::new(texts, clock, Rng::new(7), 0, 0, 1.0);
        let first = recipe.build().expect("demo seed is valid");
        let again = recipe.build().expect("builds again");
        assert!(again == first);
        assert!(first.projects.values().flat_map(|p| p.envs.values()).all(|e| e.create_time == 1_700_000_000));
    }

    #[test]
    fn a_json_seed_builds_the_world_its_yaml_twin_builds() {
        let yaml = "clusters: [{id: c}]\nprojects:\n  - key: p\n    services: [{name: web, containers: [{name: web, image: 'r/web:1', ports: [80]}]}]\n    environments: [{env_key: dev, cluster_id: c, namespace: p-dev, registry_id: r, services: [{service_name: web}]}]\n";
        let json = r#"{"clusters": [{"id": "c"}], "projects": [{"key": "p",
            "services": [{"name": "web", "containers": [{"name": "web", "image": "r/web:1", "ports": [80]}]}],
            "environments": [{"env_key": "dev", "cluster_id": "c", "namespace": "p-dev", "registry_id": "r",
                              "services": [{"service_name": "web"}]}]}]}"#;
        let at = || Clock::frozen_at(1_700_000_000);
        let from_yaml = build_world(&[("w.yaml".into(), yaml.into())], at(), Rng::new(1), 0).expect("yaml builds");
        let from_json = build_world(&[("w.json".into(), json.into())], at(), Rng::new(1), 0).expect("json builds");
        assert!(from_json == from_yaml);
        assert_eq!(from_json.env("p", "dev").map(|e| e.services.len()), Some(1));
    }

    #[test]
    fn a_json_seed_error_names_the_file_and_the_place() {
        let texts = [("w.json".to_string(), r#"{"projects": [{"key": "p", "colour": "red"}]}"#.to_string())];
        let err = build_world(&texts, Clock::frozen_at(0), Rng::new(1), 0).unwrap_err();
        assert_eq!(err.file, "w.json");
        assert!(err.problem.contains("unknown field `colour`") && err.problem.contains("line 1"), "{}", err.problem);
    }

    #[test]
    fn an_unknown_field_names_the_file_and_entry() {
        let err = build("projects:\n  - key: p\n    colour: red\n").unwrap_err();
        assert_eq!(err.file, "test.yaml");
        assert!(err.problem.contains("colour"), "{}", err.problem);
    }

    #[test]
    fn an_environment_with_an_unknown_service_is_refused_with_its_entry() {
        let seed = "projects:\n  - key: p\n    environments:\n      - {env_key: dev, cluster_id: c, namespace: ns, registry_id: r, services: [{service_name: nope}]}\n";
        let err = build(seed).unwrap_err();
        assert_eq!(err.entry, "projects[p].environments[0] (dev)");
        assert!(err.problem.contains("failed to find service from db"), "{}", err.problem);
    }
}
