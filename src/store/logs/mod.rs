//! Container logs (§7): what a pod's container has written.
//!
//! A log costs nothing until someone reads it. Line `i` of a container is a
//! pure function of the pod instance, the container and `i` ([`generate`]),
//! and lines come at a fixed rate (`--log-rate`) from the moment the
//! container started, so "the last N lines" is computed, not stored. Only
//! the lines a test writes through the control API are kept, on the
//! container itself ([`PodContainer::log`]), and they vanish with the pod.
//! [`hub`] turns this into live streams that many clients can follow.

pub mod generate;
pub mod hub;

use serde::{Deserialize, Serialize};

use super::World;
use super::model::{EnvService, Environment, Pod, PodContainer};

pub use generate::Profile;
pub use hub::{Follow, LogHead, LogHub};

/// One line written into a container's log through the control API.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogLine {
    /// Position among the container's written lines, from 0.
    pub seq: u64,
    /// Virtual-clock milliseconds it was written at.
    pub at_ms: i64,
    /// The line, without its newline.
    pub text: String,
}

/// Lines per second per container unless `--log-rate` says otherwise.
pub const DEFAULT_LOG_RATE: f64 = 1.0;

/// The line period of [`DEFAULT_LOG_RATE`], in microseconds.
pub fn default_period_us() -> u64 {
    period_us(DEFAULT_LOG_RATE)
}

fn period_us(lines_per_second: f64) -> u64 {
    if lines_per_second > 0.0 { (1e6 / lines_per_second).round().max(1.0) as u64 } else { 0 }
}

/// The most written lines a container keeps; older ones are dropped, as a
/// node rotates container logs.
pub const MAX_WRITTEN_LINES: usize = 10_000;

/// One container of one pod instance. A pod re-created under the same name
/// (a restarted StatefulSet pod) is another instance: `pod_uid` differs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContainerId {
    pub cluster: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// The pod's `metadata.uid`.
    pub pod_uid: String,
}

/// Everything needed to produce a container's log without the world.
#[derive(Debug, Clone)]
pub struct LogSource {
    pub id: ContainerId,
    /// Virtual-clock milliseconds the container started at: line 0's time.
    pub start_ms: i64,
    pub profile: Profile,
}

/// When generated lines are produced: line `i` at
/// `start_ms + i * period_us / 1000`; none at all without a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    pub start_ms: i64,
    pub period_us: Option<u64>,
}

impl Timeline {
    /// Virtual-clock milliseconds of line `i`.
    pub fn time_of(&self, i: u64) -> i64 {
        let offset = self.period_us.map_or(0, |p| i.saturating_mul(p) / 1000);
        self.start_ms.saturating_add(i64::try_from(offset).unwrap_or(i64::MAX))
    }

    /// How many lines exist at `now_ms`.
    pub fn count_at(&self, now_ms: i64) -> u64 {
        let Some(period) = self.period_us.filter(|p| *p > 0) else { return 0 };
        if now_ms < self.start_ms {
            return 0;
        }
        // Line i exists when i * period / 1000 <= elapsed, i.e.
        // i * period < (elapsed + 1) * 1000.
        let elapsed = u64::try_from(now_ms - self.start_ms).unwrap_or(0);
        (elapsed.saturating_add(1).saturating_mul(1000) - 1) / period + 1
    }
}

/// Where a reader starts so as to get the last `tails` lines of the log made
/// of `generated` generated lines and the `written` ones; `tails <= 0`
/// means the whole log, as Kubernetes reads it without `tailLines`.
/// Returns the first generated index and the first written `seq`.
pub fn tail_start(timeline: &Timeline, generated: u64, written: &[LogLine], tails: i64) -> (u64, u64) {
    let first_seq = written.first().map_or(0, |l| l.seq);
    let total = generated + written.len() as u64;
    let wanted = u64::try_from(tails).unwrap_or(0);
    if tails <= 0 || wanted >= total {
        return (0, first_seq);
    }
    // Walk back from the end, taking the later of the two lines each time;
    // a written line sorts after a generated line of the same instant.
    let (mut g, mut w) = (generated, written.len());
    for _ in 0..wanted {
        let take_written = w > 0 && (g == 0 || written[w - 1].at_ms >= timeline.time_of(g - 1));
        if take_written { w -= 1 } else { g -= 1 }
    }
    (g, written.get(w).map_or(first_seq + written.len() as u64, |l| l.seq))
}

/// Why lines could not be written into a container's log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Ambiguous(String),
}

impl World {
    /// Sets how many lines per second each running container writes
    /// (`--log-rate`); 0 writes none. It decides every log's whole history,
    /// so it is set once, before serving.
    pub fn set_log_rate(&mut self, lines_per_second: f64) {
        self.log_period_us = period_us(lines_per_second);
    }

    /// The environment a log request reads: `ProductFindOptions{Name,
    /// EnvName}`, where an empty value matches any.
    fn log_env(&self, project: &str, env: &str) -> Option<&Environment> {
        self.projects
            .values()
            .filter(|p| project.is_empty() || p.key == project)
            .flat_map(|p| p.envs.values())
            .find(|e| env.is_empty() || e.name == env)
    }

    /// The pods of a namespace: Kubernetes knows namespaces, not
    /// environments, and several environments may share one.
    fn namespace_pods<'w>(
        &'w self,
        cluster: &'w str,
        namespace: &'w str,
    ) -> impl Iterator<Item = (&'w Environment, &'w EnvService, &'w Pod)> {
        let envs = self.projects.values().flat_map(|p| p.envs.values());
        envs.filter(move |e| e.cluster_id == cluster && e.namespace == namespace)
            .flat_map(|e| e.pods().map(move |(service, _, pod)| (e, service, pod)))
    }

    /// The log of a running container, with the lines written into it so
    /// far; `None` when the environment, pod or container is unknown or the
    /// container has not started.
    pub fn log_source(
        &self,
        project: &str,
        env: &str,
        pod: &str,
        container: &str,
    ) -> Option<(LogSource, Vec<LogLine>)> {
        let e = self.log_env(project, env)?;
        let (owner, service, p) = self.namespace_pods(&e.cluster_id, &e.namespace).find(|(_, _, p)| p.name == pod)?;
        let c = p.containers.iter().find(|c| c.name == container)?;
        if p.phase == "Pending" || c.started_at <= 0 {
            return None;
        }
        let id = ContainerId {
            cluster: owner.cluster_id.clone(),
            namespace: owner.namespace.clone(),
            pod: p.name.to_string(),
            container: c.name.to_string(),
            pod_uid: p.uid.to_string(),
        };
        let profile = Profile::new(&id, &service.name, c);
        let source = LogSource { id, start_ms: c.started_at.saturating_mul(1000), profile };
        Some((source, c.log.clone()))
    }

    /// The written lines of a container instance, or `None` once it is gone.
    pub fn written_log<'w>(&'w self, id: &'w ContainerId) -> Option<&'w [LogLine]> {
        let (_, _, pod) = self.namespace_pods(&id.cluster, &id.namespace).find(|(_, _, p)| p.name == id.pod)?;
        let c = pod.containers.iter().find(|c| c.name == id.container).filter(|_| pod.uid.to_string() == id.pod_uid)?;
        Some(&c.log)
    }

    /// `POST /_mock/logs/{pod}/{container}`: writes `lines` into the log of
    /// the container, each followed by a newline (so a text with newlines is
    /// several lines). `project`/`env` narrow the search when not empty.
    /// Returns how many lines were written.
    pub fn append_log(
        &mut self,
        project: &str,
        env: &str,
        pod: &str,
        container: &str,
        lines: &[String],
    ) -> Result<usize, AppendError> {
        let now_ms = self.clock.now_ms();
        let target = self.pod_container_mut(project, env, pod, container)?;
        let first = target.log.last().map_or(0, |l| l.seq + 1);
        let texts = lines.iter().flat_map(|l| l.split('\n'));
        target.log.extend((first..).zip(texts).map(|(seq, text)| LogLine {
            seq,
            at_ms: now_ms,
            text: text.to_string(),
        }));
        let written = target.log.last().map_or(0, |l| l.seq + 1) - first;
        let excess = target.log.len().saturating_sub(MAX_WRITTEN_LINES);
        target.log.drain(..excess);
        self.touch();
        Ok(written as usize)
    }

    fn pod_container_mut(
        &mut self,
        project: &str,
        env: &str,
        pod: &str,
        container: &str,
    ) -> Result<&mut PodContainer, AppendError> {
        let matches: Vec<(String, String)> = self
            .projects
            .values()
            .filter(|p| project.is_empty() || p.key == project)
            .flat_map(|p| p.envs.values().map(move |e| (p, e)))
            .filter(|(_, e)| env.is_empty() || e.name == env)
            .filter(|(_, e)| e.pods().any(|(_, _, p)| p.name == pod))
            .map(|(p, e)| (p.key.clone(), e.name.clone()))
            .collect();
        let (project, env) = match matches.as_slice() {
            [] => return Err(AppendError::NotFound(format!("no pod named {pod:?}{}", scope(project, env)))),
            [one] => one.clone(),
            many => {
                let places: Vec<String> = many.iter().map(|(p, e)| format!("{p}/{e}")).collect();
                return Err(AppendError::Ambiguous(format!(
                    "pod {pod:?} exists in several environments ({}); say which with projectKey and envName",
                    places.join(", ")
                )));
            }
        };
        let e = self.env_mut(&project, &env).ok_or_else(|| AppendError::NotFound(format!("no pod named {pod:?}")))?;
        let p = e
            .services
            .iter_mut()
            .flat_map(|s| &mut s.workloads)
            .flat_map(|w| &mut w.pods)
            .find(|p| p.name == pod)
            .ok_or_else(|| AppendError::NotFound(format!("no pod named {pod:?}")))?;
        let names: Vec<String> = p.containers.iter().map(|c| c.name.to_string()).collect();
        p.containers.iter_mut().find(|c| c.name == container).ok_or_else(|| {
            AppendError::NotFound(format!("pod {pod:?} has no container {container:?} (it has {})", names.join(", ")))
        })
    }
}

fn scope(project: &str, env: &str) -> String {
    match (project, env) {
        ("", "") => String::new(),
        (p, "") => format!(" in project {p:?}"),
        ("", e) => format!(" in an environment named {e:?}"),
        (p, e) => format!(" in {p}/{e}"),
    }
}

#[cfg(test)]
mod tests;
