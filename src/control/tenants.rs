//! Who sees which world. Without `--isolate` every caller shares one
//! tenant; with it, each distinct token gets its own, made lazily from the
//! seed world on its first request, with its own journal, faults, clock and
//! snapshots, so parallel suites on one server never see each other.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use tokio::sync::{Notify, watch};

use super::faults::Faults;
use super::journal::Journal;
use super::settler;
use super::snapshots::Snapshots;
use crate::seed::Recipe;
use crate::store::{Rng, Store, World};

/// One world and the control state around it. Cloning is cheap.
#[derive(Clone)]
pub struct Tenant(Arc<TenantState>);

/// What a tenant holds; each part has its own short lock.
pub struct TenantState {
    pub store: Store,
    pub journal: Mutex<Journal>,
    pub faults: Mutex<Faults>,
    pub snapshots: Mutex<Snapshots>,
    /// The world a reset goes back to.
    seed: Arc<Seed>,
}

/// What a reset goes back to and a new `--isolate` tenant starts from.
pub enum Seed {
    /// A world kept as it is.
    World(World),
    /// The seed files a world was built from, built again when needed, so
    /// that a large world is not held in memory twice.
    Files {
        recipe: Recipe,
        /// The generator as the build left it.
        rng: Rng,
    },
}

impl Seed {
    /// The seed of a world built by `recipe`.
    pub fn files(recipe: Recipe, built: &World) -> Self {
        Seed::Files { recipe, rng: built.rng.clone() }
    }

    /// A fresh copy of the seed world.
    pub fn world(&self) -> World {
        match self {
            Seed::World(world) => world.clone(),
            // These texts were built once; the same build cannot fail now.
            Seed::Files { recipe, rng } => recipe.build().unwrap_or_else(|err| {
                tracing::error!("the seed no longer builds: {err}");
                World::new(Default::default(), rng.clone(), 0)
            }),
        }
    }

    /// The seed world's generator, which fault draws are forked from.
    fn rng(&self) -> &Rng {
        match self {
            Seed::World(world) => &world.rng,
            Seed::Files { rng, .. } => rng,
        }
    }
}

impl Deref for Tenant {
    type Target = TenantState;

    fn deref(&self) -> &TenantState {
        &self.0
    }
}

impl Tenant {
    fn new(store: Store, seed: Arc<Seed>, journal_limit: usize) -> Self {
        Tenant(Arc::new(TenantState {
            store,
            journal: Mutex::new(Journal::new(journal_limit)),
            faults: Mutex::new(Faults::new(seed.rng())),
            snapshots: Mutex::new(Snapshots::default()),
            seed,
        }))
    }

    /// Back to the seed: the world (clock and generator included), an
    /// empty journal and no faults. Snapshots stay.
    pub fn reset(&self) {
        self.store.replace(self.seed.world());
        self.journal.lock().reset();
        *self.faults.lock() = Faults::new(self.seed.rng());
    }
}

/// Every tenant of a server.
pub struct Tenants {
    seed: Arc<Seed>,
    isolate: bool,
    journal_limit: usize,
    /// Everyone's tenant without `--isolate`.
    shared: Tenant,
    /// Each token's tenant with `--isolate`, in token order.
    isolated: Mutex<BTreeMap<String, Tenant>>,
    /// Set once background work has started; new tenants join it.
    background: OnceLock<Background>,
}

#[derive(Clone)]
struct Background {
    shutdown: watch::Receiver<bool>,
    dirty: Arc<Notify>,
}

/// The worlds a state file holds.
#[derive(Debug, Default)]
pub struct Worlds {
    /// Everyone's world (without `--isolate`).
    pub shared: Option<World>,
    /// Each token's world (with `--isolate`).
    pub isolated: BTreeMap<String, World>,
}

impl Tenants {
    /// Tenants whose seed is `seed`; everyone's world is `shared`.
    pub fn new(shared: Store, seed: Seed, isolate: bool, journal_limit: usize) -> Self {
        let seed = Arc::new(seed);
        Tenants {
            shared: Tenant::new(shared, seed.clone(), journal_limit),
            seed,
            isolate,
            journal_limit,
            isolated: Mutex::new(BTreeMap::new()),
            background: OnceLock::new(),
        }
    }

    pub fn isolate(&self) -> bool {
        self.isolate
    }

    /// The tenant of a caller with `token`.
    pub fn get(&self, token: &str) -> Tenant {
        if !self.isolate {
            return self.shared.clone();
        }
        let mut isolated = self.isolated.lock();
        if let Some(tenant) = isolated.get(token) {
            return tenant.clone();
        }
        let tenant = self.new_tenant();
        isolated.insert(token.to_string(), tenant.clone());
        drop(isolated);
        self.start_one(&tenant);
        tenant
    }

    fn new_tenant(&self) -> Tenant {
        Tenant::new(Store::new(self.seed.world()), self.seed.clone(), self.journal_limit)
    }

    /// Puts saved worlds in place (at start, from the state file).
    pub fn restore(&self, worlds: Worlds) {
        if let Some(world) = worlds.shared {
            self.shared.store.replace(world);
        }
        let mut isolated = self.isolated.lock();
        for (token, world) in worlds.isolated {
            let tenant = self.new_tenant();
            tenant.store.replace(world);
            isolated.insert(token, tenant);
        }
    }

    /// The worlds to save: everyone's, or each token's under `--isolate`.
    pub fn worlds(&self) -> Worlds {
        if !self.isolate {
            return Worlds { shared: Some(self.shared.store.peek(World::clone)), isolated: BTreeMap::new() };
        }
        let tenants: Vec<(String, Tenant)> = self.isolated.lock().iter().map(|(t, v)| (t.clone(), v.clone())).collect();
        let isolated = tenants.into_iter().map(|(token, tenant)| (token, tenant.store.peek(World::clone))).collect();
        Worlds { shared: None, isolated }
    }

    /// Starts a settler for every tenant, now and as they come; each wakes
    /// `dirty` after changes. Everything stops when `shutdown` turns true.
    pub fn start(&self, shutdown: watch::Receiver<bool>, dirty: Arc<Notify>) {
        if self.background.set(Background { shutdown, dirty }).is_err() {
            return;
        }
        self.start_one(&self.shared);
        let tenants: Vec<Tenant> = self.isolated.lock().values().cloned().collect();
        tenants.iter().for_each(|tenant| self.start_one(tenant));
    }

    fn start_one(&self, tenant: &Tenant) {
        if let Some(background) = self.background.get() {
            settler::spawn(tenant.store.clone(), background.dirty.clone(), background.shutdown.clone());
        }
    }
}
