//! Fault injection: make chosen `/openapi` requests slow, failing, or cut.
//!
//! A fault matches on method, path (exact, or a route template such as
//! `/openapi/environments/{env}`) and project, all optional; it acts with a
//! latency, a status (and body), or by dropping the connection; `times` and
//! `probability` limit it. The first fault in creation order that matches,
//! has hits left and wins its draw acts. Draws come from a generator forked
//! from the world's seed, so a run with `--random-seed` repeats exactly.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ControlError;
use crate::store::Rng;

/// The longest latency a fault may add (shutdown cuts it short anyway).
pub const MAX_LATENCY_MS: u64 = 600_000;

/// The body of `POST /_mock/faults`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub method: Option<String>,
    pub path: Option<String>,
    pub project: Option<String>,
    pub latency_ms: Option<u64>,
    pub status: Option<u16>,
    pub body: Option<Value>,
    pub abort: Option<bool>,
    pub times: Option<u64>,
    pub probability: Option<f64>,
}

/// A fault as listed, with how often it acted so far.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fault {
    pub id: u64,
    pub method: Option<String>,
    pub path: Option<String>,
    pub project: Option<String>,
    pub latency_ms: Option<u64>,
    pub status: Option<u16>,
    pub body: Option<Value>,
    pub abort: bool,
    pub times: Option<u64>,
    pub probability: Option<f64>,
    pub hits: u64,
}

/// What a request looks like to the matcher.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub route: Option<&'a str>,
    pub project: Option<&'a str>,
}

/// What the fault that acts does.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub fault: u64,
    pub latency_ms: u64,
    pub act: Act,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// Let the request through (after the latency).
    Pass,
    /// Answer with this status and, if given, this body instead.
    Respond { status: u16, body: Option<Value> },
    /// Drop the connection without an answer.
    Abort,
}

impl FaultSpec {
    /// Checks the spec and turns it into a fault with `id`.
    pub fn into_fault(self, id: u64) -> Result<Fault, ControlError> {
        let bad = |m: &str| Err(ControlError::bad_request(m));
        let method = self.method.map(|m| m.trim().to_ascii_uppercase());
        if method.as_ref().is_some_and(|m| m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic())) {
            return bad("method must be an HTTP method such as GET");
        }
        if self.path.as_ref().is_some_and(|p| !p.starts_with('/') || p.contains('?')) {
            return bad("path must start with / and hold no query (match projectKey with project)");
        }
        let abort = self.abort.unwrap_or(false);
        if !abort && self.status.is_none() && self.latency_ms.is_none() {
            return bad("a fault needs latency_ms, status or abort: true");
        }
        if abort && self.status.is_some() {
            return bad("status and abort exclude each other");
        }
        if self.body.is_some() && self.status.is_none() {
            return bad("body needs a status");
        }
        if self.status.is_some_and(|s| !(200..=599).contains(&s)) {
            return bad("status must be between 200 and 599");
        }
        if self.latency_ms.is_some_and(|l| l > MAX_LATENCY_MS) {
            return bad("latency_ms must be at most 600000 (10 minutes)");
        }
        if self.times == Some(0) {
            return bad("times must be at least 1");
        }
        if self.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return bad("probability must be between 0 and 1");
        }
        Ok(Fault {
            id,
            method,
            path: self.path,
            project: self.project,
            latency_ms: self.latency_ms,
            status: self.status,
            body: self.body,
            abort,
            times: self.times,
            probability: self.probability,
            hits: 0,
        })
    }
}

impl Fault {
    fn matches(&self, target: &Target) -> bool {
        let path_matches = |p: &String| match p.contains('{') {
            true => Some(p.as_str()) == target.route,
            false => p == target.path,
        };
        self.method.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(target.method))
            && self.path.as_ref().is_none_or(path_matches)
            && self.project.as_ref().is_none_or(|p| Some(p.as_str()) == target.project)
    }

    fn spent(&self) -> bool {
        self.times.is_some_and(|times| self.hits >= times)
    }
}

/// A tenant's faults.
#[derive(Debug)]
pub struct Faults {
    last_id: u64,
    faults: Vec<Fault>,
    rng: Rng,
}

impl Faults {
    /// An empty set drawing from a fork of `seed`.
    pub fn new(seed: &Rng) -> Self {
        let mut fork = seed.clone();
        Faults { last_id: 0, faults: Vec::new(), rng: Rng::new(fork.next_u64()) }
    }

    pub fn add(&mut self, spec: FaultSpec) -> Result<Fault, ControlError> {
        let fault = spec.into_fault(self.last_id + 1)?;
        self.last_id += 1;
        self.faults.push(fault.clone());
        Ok(fault)
    }

    pub fn list(&self) -> Vec<Fault> {
        self.faults.clone()
    }

    pub fn remove(&mut self, id: u64) -> Option<Fault> {
        let at = self.faults.iter().position(|f| f.id == id)?;
        Some(self.faults.remove(at))
    }

    /// Removes every fault; returns how many there were.
    pub fn clear(&mut self) -> usize {
        std::mem::take(&mut self.faults).len()
    }

    /// Whether any fault matches on the project (worth reading a body for).
    pub fn needs_project(&self) -> bool {
        self.faults.iter().any(|f| f.project.is_some() && !f.spent())
    }

    /// Picks the fault that acts on `target`, counting its hit.
    pub fn decide(&mut self, target: &Target) -> Option<Decision> {
        for fault in self.faults.iter_mut().filter(|f| !f.spent()) {
            if !fault.matches(target) {
                continue;
            }
            if let Some(p) = fault.probability
                && !self.rng.chance(p)
            {
                continue;
            }
            fault.hits += 1;
            let act = match (fault.abort, fault.status) {
                (true, _) => Act::Abort,
                (false, Some(status)) => Act::Respond { status, body: fault.body.clone() },
                (false, None) => Act::Pass,
            };
            return Some(Decision { fault: fault.id, latency_ms: fault.latency_ms.unwrap_or(0), act });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: Value) -> FaultSpec {
        serde_json::from_value(json).unwrap()
    }

    const ENV_DETAIL: Target = Target {
        method: "GET",
        path: "/openapi/environments/dev",
        route: Some("/openapi/environments/{env}"),
        project: Some("simple-demo"),
    };

    #[test]
    fn a_fault_with_times_acts_that_many_times() {
        let mut faults = Faults::new(&Rng::new(1));
        faults.add(spec(serde_json::json!({"status": 503, "times": 1}))).unwrap();
        assert!(faults.decide(&ENV_DETAIL).is_some());
        assert_eq!(faults.decide(&ENV_DETAIL), None);
        assert_eq!(faults.list()[0].hits, 1);
    }

    #[test]
    fn paths_match_exactly_or_as_route_templates() {
        let mut faults = Faults::new(&Rng::new(1));
        faults.add(spec(serde_json::json!({"path": "/openapi/environments/{env}", "abort": true}))).unwrap();
        faults.add(spec(serde_json::json!({"path": "/openapi/environments", "status": 500}))).unwrap();
        assert_eq!(faults.decide(&ENV_DETAIL).map(|d| d.act), Some(Act::Abort));
        let list = Target { path: "/openapi/environments", route: Some("/openapi/environments"), ..ENV_DETAIL };
        assert_eq!(faults.decide(&list).map(|d| d.fault), Some(2));
    }

    #[test]
    fn method_and_project_must_match_when_given() {
        let mut faults = Faults::new(&Rng::new(1));
        faults.add(spec(serde_json::json!({"method": "post", "latency_ms": 5}))).unwrap();
        faults.add(spec(serde_json::json!({"project": "other", "latency_ms": 5}))).unwrap();
        assert_eq!(faults.decide(&ENV_DETAIL), None);
    }

    #[test]
    fn probability_draws_repeat_with_the_same_seed() {
        let draws = |seed| {
            let mut faults = Faults::new(&Rng::new(seed));
            faults.add(spec(serde_json::json!({"status": 500, "probability": 0.5}))).unwrap();
            (0..32).map(|_| faults.decide(&ENV_DETAIL).is_some()).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert!(draws(7).contains(&true) && draws(7).contains(&false));
    }

    #[test]
    fn invalid_specs_are_refused_with_a_reason() {
        let refuse = |json| Faults::new(&Rng::new(1)).add(spec(json)).unwrap_err().message;
        assert!(refuse(serde_json::json!({"path": "/x"})).contains("needs latency_ms"));
        assert!(refuse(serde_json::json!({"status": 500, "abort": true})).contains("exclude"));
        assert!(refuse(serde_json::json!({"status": 99})).contains("between 200 and 599"));
        assert!(refuse(serde_json::json!({"status": 500, "times": 0})).contains("at least 1"));
        assert!(refuse(serde_json::json!({"status": 500, "probability": 2.0})).contains("between 0 and 1"));
        assert!(refuse(serde_json::json!({"path": "openapi", "status": 500})).contains("start with /"));
    }
}
