//! Writes a large seed world for the benchmark suite (`bench/run.sh`): a
//! folder of seed files, one per project, which `--seed DIR` reads in name
//! order: YAML by default, or the same documents as JSON. Every project has
//! the same shape: `SERVICES` service templates
//! (one Deployment, one container with a port, two variables each, one of
//! them bound to a project global variable) and `ENVS` test environments
//! running every service.
//!
//! ```sh
//! cargo run --release --example bench_world -- OUT_DIR PROJECTS ENVS SERVICES [yaml|json]
//! cargo run --release --example bench_world -- /tmp/world 1000 10 10   # 100,000 services
//! ```

use std::path::PathBuf;

use serde_json::{Value, json};

const CLUSTER: &str = "0123456789abcdef12345678";
const REGISTRY: &str = "630c7ad700430c131062e245";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (shape, format) = match args.split_last() {
        Some((f, shape)) if f == "json" || f == "yaml" => (shape, f.as_str()),
        _ => (args.as_slice(), "yaml"),
    };
    let parsed = match shape {
        [out, projects, envs, services] => {
            (|| Some((PathBuf::from(out), projects.parse().ok()?, envs.parse().ok()?, services.parse().ok()?)))()
        }
        _ => None,
    };
    let Some((out, projects, envs, services)) = parsed else {
        eprintln!("usage: bench_world OUT_DIR PROJECTS ENVS SERVICES [yaml|json]");
        std::process::exit(2);
    };
    if let Err(err) = write_world(&out, projects, envs, services, format == "json") {
        eprintln!("bench_world: {}: {err}", out.display());
        std::process::exit(1);
    }
}

fn write_world(out: &PathBuf, projects: usize, envs: usize, services: usize, json: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let extension = if json { "json" } else { "yaml" };
    let write = |name: String, document: Value| {
        let text = if json {
            document.to_string()
        } else {
            serde_saphyr::to_string(&document).map_err(|e| std::io::Error::other(e.to_string()))?
        };
        std::fs::write(out.join(format!("{name}.{extension}")), text)
    };
    // Files are read in name order: the shared declarations come first.
    write("0-infrastructure".to_string(), infrastructure())?;
    for p in 1..=projects {
        write(format!("p{p:05}"), project(p, envs, services))?;
    }
    Ok(())
}

/// The clusters and registries every environment uses.
fn infrastructure() -> Value {
    json!({
        "clusters": [{"id": CLUSTER, "name": "bench-cluster", "nodes": ["172.16.0.46", "172.16.0.47"]}],
        "registries": [{"id": REGISTRY, "address": "registry.example.com", "namespace": "bench", "default": true}],
    })
}

/// One project: its templates, then its environments; the content is what
/// a hand-written seed would hold.
fn project(p: usize, envs: usize, services: usize) -> Value {
    let key = format!("p{p:05}");
    let templates: Vec<Value> = (1..=services)
        .map(|s| {
            json!({
                "name": format!("svc{s:02}"),
                "containers": [{"name": format!("svc{s:02}"), "image": format!("registry.example.com/bench/svc{s:02}:v1"), "ports": [8000 + s]}],
                "variables": [{"key": "cpuLimit", "value": "500m", "type": "string"}, {"key": "port", "value": (8000 + s).to_string(), "type": "string"}],
            })
        })
        .collect();
    let environments: Vec<Value> = (1..=envs)
        .map(|e| {
            let deployed: Vec<Value> = (1..=services)
                .map(|s| json!({"service_name": format!("svc{s:02}"), "variable_kvs": [{"key": "cpuLimit", "use_global_variable": true}]}))
                .collect();
            json!({
                "env_key": format!("env{e:05}"), "cluster_id": CLUSTER, "namespace": format!("{key}-env{e:05}"),
                "registry_id": REGISTRY, "global_variables": [{"key": "cpuLimit", "value": "1000m"}], "services": deployed,
            })
        })
        .collect();
    json!({"projects": [{
        "key": key, "name": format!("Project {p}"),
        "global_variables": [{"key": "cpuLimit", "value": "1000m", "type": "string", "desc": "CPU limit"}],
        "services": templates, "environments": environments,
    }]})
}
