//! The in-memory world and the one handle that changes it.
//!
//! [`Store`] is a cheap, cloneable handle (an `Arc`) around one
//! [`World`] behind a mutex, in the manner of mini-redis' `Db`: every state
//! transition is a plain synchronous method of `World`, run through
//! [`Store::with`] while the lock is held. Critical sections are short and
//! never await, so a blocking mutex is the right tool; a single lock also
//! makes every multi-entity transition (an environment and the global
//! variables of its services, say) atomic for free.
//!
//! Time-based transitions (`--settle`) are applied lazily: before each
//! operation the world settles whatever is due on its virtual clock, so a
//! frozen clock freezes them and advancing it completes them instantly.

mod clock;
pub mod cluster;
pub mod env_update;
pub mod envcfgs;
pub mod environments;
pub mod events;
pub mod global_variables;
pub mod logs;
mod model;
pub mod relations;
mod rng;
pub mod rollout;
pub mod services;
pub mod share;
mod uid;
pub mod variables;
pub mod workloads;

use std::sync::Arc;

use indexmap::IndexMap;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use clock::{Clock, ClockChange};
pub use model::*;
pub use rng::Rng;
pub use uid::Uid;

/// Everything the emulator knows: the part a snapshot saves and restores.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct World {
    pub clock: Clock,
    pub rng: Rng,
    pub clusters: Vec<Cluster>,
    pub registries: Vec<Registry>,
    pub projects: IndexMap<String, Project>,
    /// How long environments stay `creating`/`updating`/`deleting` (`--settle`).
    #[serde(skip)]
    pub settle_ms: i64,
    /// Microseconds between two generated lines of a container's log
    /// (`--log-rate`); 0 for none.
    #[serde(skip, default = "logs::default_period_us")]
    pub log_period_us: u64,
    /// The earliest `Pending::at_ms` of any environment, so that settling
    /// costs nothing until something is due.
    #[serde(skip)]
    next_deadline_ms: Option<i64>,
    /// Bumped by every change that streams must notice (pods coming and
    /// going, environments removed, the clock moved); see [`World::touch`].
    #[serde(skip)]
    generation: u64,
}

impl World {
    /// An empty world with its clock and generator.
    pub fn new(clock: Clock, rng: Rng, settle_ms: i64) -> Self {
        World {
            clock,
            rng,
            clusters: Vec::new(),
            registries: Vec::new(),
            projects: IndexMap::new(),
            settle_ms,
            log_period_us: logs::default_period_us(),
            next_deadline_ms: None,
            generation: 0,
        }
    }

    /// Records a change that open streams must notice. [`Store::with`]
    /// wakes the subscribers of [`Store::changes`] after the operation.
    pub fn touch(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// The earliest virtual-clock time at which a transition is due.
    pub fn next_deadline_ms(&self) -> Option<i64> {
        self.next_deadline_ms
    }

    /// Unix seconds on the virtual clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn project(&self, key: &str) -> Option<&Project> {
        self.projects.get(key)
    }

    pub fn env(&self, project: &str, env: &str) -> Option<&Environment> {
        self.projects.get(project)?.envs.get(env)
    }

    pub fn env_mut(&mut self, project: &str, env: &str) -> Option<&mut Environment> {
        self.projects.get_mut(project)?.envs.get_mut(env)
    }

    /// The system default registry id, if one is configured.
    pub fn default_registry_id(&self) -> &str {
        self.registries.iter().find(|r| r.is_default).map(|r| r.id.as_str()).unwrap_or("")
    }

    /// Puts an environment into `status` until `--settle` has passed, then
    /// does `then`. With no settle time the outcome is applied at once.
    pub fn begin_transition(&mut self, project: &str, env: &str, status: EnvStatus, then: Settle) {
        let at_ms = self.clock.now_ms().saturating_add(self.settle_ms);
        let immediate = self.settle_ms <= 0;
        let Some(target) = self.env_mut(project, env) else { return };
        target.status = status;
        target.pending = Some(Pending { at_ms, then });
        if immediate {
            self.finish_transition(project, env);
        } else {
            self.next_deadline_ms = Some(self.next_deadline_ms.map_or(at_ms, |d| d.min(at_ms)));
        }
    }

    /// Applies every transition that is due on the virtual clock.
    pub fn settle_due(&mut self) {
        let now_ms = self.clock.now_ms();
        match self.next_deadline_ms {
            Some(deadline) if deadline <= now_ms => {}
            _ => return,
        }
        let due: Vec<(String, String)> = self
            .projects
            .iter()
            .flat_map(|(p, project)| {
                project.envs.iter().filter_map(move |(e, env)| {
                    next_deadline_of(env).filter(|at_ms| *at_ms <= now_ms).map(|_| (p.clone(), e.clone()))
                })
            })
            .collect();
        for (project, env) in due {
            self.advance_share(&project, &env, now_ms);
            if self.env(&project, &env).and_then(|e| e.pending).is_some_and(|p| p.at_ms <= now_ms) {
                self.finish_transition(&project, &env);
            }
        }
        self.recompute_next_deadline();
    }

    /// Recomputes the earliest deadline, e.g. after importing a world.
    pub fn recompute_next_deadline(&mut self) {
        self.next_deadline_ms = self.projects.values().flat_map(|p| p.envs.values()).filter_map(next_deadline_of).min();
    }

    /// Makes sure [`World::settle_due`] looks again at `at_ms`.
    pub(crate) fn schedule_deadline(&mut self, at_ms: i64) {
        self.next_deadline_ms = Some(self.next_deadline_ms.map_or(at_ms, |d| d.min(at_ms)));
    }

    fn finish_transition(&mut self, project: &str, env: &str) {
        let Some(target) = self.env_mut(project, env) else { return };
        let Some(pending) = target.pending.take() else { return };
        match pending.then {
            Settle::Succeed { bump } => {
                target.status = EnvStatus::Success;
                if bump {
                    target.update_time = pending.at_ms.div_euclid(1000);
                }
            }
            Settle::Remove => {
                if let Some(p) = self.projects.get_mut(project) {
                    p.envs.shift_remove(env);
                }
            }
        }
        self.touch();
    }
}

/// When something of `env` is next due: its status transition or a step
/// of a share rollout.
fn next_deadline_of(env: &Environment) -> Option<i64> {
    let share = env.share.rollout.as_ref().and_then(share::Rollout::next_at_ms);
    [env.pending.map(|p| p.at_ms), share].into_iter().flatten().min()
}

/// A shared handle to one world.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Shared>,
}

struct Shared {
    world: Mutex<World>,
    /// Carries [`World::touch`] generations to streams waiting for changes.
    changes: watch::Sender<u64>,
    /// Counts operations that may have changed the world (every [`Store::with`]
    /// and [`Store::replace`]): what the settler and the state file watch.
    edits: watch::Sender<u64>,
    /// Open container-log streams.
    logs: logs::LogHub,
}

impl Store {
    pub fn new(world: World) -> Self {
        let (changes, _) = watch::channel(world.generation);
        let (edits, _) = watch::channel(0);
        let logs = Default::default();
        Store { inner: Arc::new(Shared { world: Mutex::new(world), changes, edits, logs }) }
    }

    /// Runs one operation on the world, after settling what is due. The
    /// closure is synchronous, so the lock can never be held across an await.
    pub fn with<R>(&self, op: impl FnOnce(&mut World) -> R) -> R {
        let mut world = self.inner.world.lock();
        let before = world.generation;
        world.settle_due();
        let clock = world.clock.clone();
        let result = op(&mut world);
        if world.clock != clock {
            // A moved clock may make transitions due at once, and lets log
            // streams produce the lines of the time that passed.
            world.settle_due();
            world.touch();
        }
        let after = world.generation;
        drop(world);
        self.edited();
        if after != before {
            self.inner.changes.send_replace(after);
        }
        result
    }

    /// Runs a read-only operation, after settling what is due. Unlike
    /// [`Store::with`] it counts as an edit only when something settled, so
    /// reads do not wake the settler or the state file.
    pub fn read<R>(&self, op: impl FnOnce(&World) -> R) -> R {
        let mut world = self.inner.world.lock();
        let before = world.generation;
        world.settle_due();
        let result = op(&world);
        let after = world.generation;
        drop(world);
        if after != before {
            self.edited();
            self.inner.changes.send_replace(after);
        }
        result
    }

    /// Reads the world as it stands, without settling and without counting
    /// as an edit: for background work (saving, the journal's clock reading)
    /// that must not wake itself up.
    pub fn peek<R>(&self, op: impl FnOnce(&World) -> R) -> R {
        op(&self.inner.world.lock())
    }

    /// Settles what is due and says how many real milliseconds remain until
    /// the next transition: `None` when nothing is pending or the clock is
    /// frozen (then only a change can make anything due). Counts as an edit
    /// only when something settled, so a settler waiting on [`Store::edits`]
    /// does not wake itself.
    pub fn settle(&self) -> Option<i64> {
        let mut world = self.inner.world.lock();
        let before = world.generation;
        world.settle_due();
        let wait = match world.next_deadline_ms {
            Some(deadline) if !world.clock.is_frozen() => Some((deadline - world.clock.now_ms()).max(0)),
            _ => None,
        };
        let after = world.generation;
        drop(world);
        if after != before {
            self.edited();
            self.inner.changes.send_replace(after);
        }
        wait
    }

    /// A receiver that wakes after every operation that touched the world.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// A receiver that wakes after every operation that may have changed
    /// the world, reads included (cheap: one counter).
    pub fn edits(&self) -> watch::Receiver<u64> {
        self.inner.edits.subscribe()
    }

    fn edited(&self) {
        self.inner.edits.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// A copy of the whole world (snapshots, exports).
    pub fn snapshot(&self) -> World {
        self.with(|w| w.clone())
    }

    /// Replaces the whole world (reset, restore, import).
    pub fn replace(&self, mut world: World) {
        let mut current = self.inner.world.lock();
        world.settle_ms = current.settle_ms;
        world.log_period_us = current.log_period_us;
        world.recompute_next_deadline();
        world.generation = current.generation.wrapping_add(1);
        let generation = world.generation;
        *current = world;
        drop(current);
        self.edited();
        self.inner.changes.send_replace(generation);
    }
}
