//! Where HTTP meets the world: the shared state and the one route table,
//! behind the [`gateway`](crate::gateway).

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use parking_lot::Mutex;
use serde::Serialize;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::{Layer, Service};

use crate::api::{
    control, envcfgs, environments, events, logs, openapi, service_detail, services, share, variables, workloads,
};
use crate::config::Config;
use crate::control::persist::{self, LoadError};
use crate::control::tenants::Seed;
use crate::control::{ControlError, ControlOptions, Tenant, Tenants, traffic};
use crate::error::ApiError;
use crate::gateway;
pub use crate::gateway::Caller;
use crate::routing;
use crate::seed::{self, Recipe, Source};
use crate::store::{Clock, Rng, Store};
use crate::wire::Json;

/// Everything handlers share. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    /// The worlds callers see: one for all, or one per token (`--isolate`).
    tenants: Arc<Tenants>,
    /// Accepted tokens; empty means any non-empty token.
    tokens: Vec<String>,
    max_body: usize,
    /// Where the worlds are saved (`--state-file`).
    state_file: Option<PathBuf>,
    /// The state-file saver, awaited at the end for its last save.
    saver: Mutex<Option<JoinHandle<()>>>,
    /// Flips to `true` at shutdown, so that endless streams can end.
    shutdown: watch::Sender<bool>,
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    #[error(transparent)]
    State(#[from] LoadError),
}

impl AppState {
    /// Builds the state from flags: reads and applies the seed, then the
    /// state file when there is one.
    pub fn from_config(config: &Config) -> Result<Self, StartError> {
        let source = match (&config.seed, config.no_seed) {
            (_, true) => Source::Empty,
            (Some(path), false) => Source::Path(path.clone()),
            (None, false) => Source::Demo,
        };
        let texts = seed::read_source(&source)?;
        let clock = config.clock.map(Clock::frozen_at).unwrap_or_default();
        let settle_ms = config.settle.as_millis().min(i64::MAX as u128) as i64;
        let age_ms = config.seed_age.as_millis().min(i64::MAX as u128) as i64;
        let rng = Rng::new(config.random_seed);
        let recipe = Recipe::new(texts, clock, rng, settle_ms, age_ms, config.log_rate);
        let world = recipe.build()?;
        // Resets rebuild the world from its seed files rather than keep a copy.
        let seed = Seed::files(recipe, &world);
        let control = ControlOptions {
            isolate: config.isolate,
            journal_limit: config.journal_limit,
            state_file: config.state_file.clone(),
        };
        let saved = match &control.state_file {
            Some(path) => persist::load(path, control.isolate)?,
            None => None,
        };
        let state = Self::with_seed(Store::new(world), seed, config.tokens.clone(), config.max_body, control);
        if let Some(worlds) = saved {
            state.inner.tenants.restore(worlds);
        }
        Ok(state)
    }

    /// A state serving `store`'s world to every caller.
    pub fn new(store: Store, tokens: Vec<String>, max_body: usize) -> Self {
        Self::with_control(store, tokens, max_body, ControlOptions::default())
    }

    /// A state whose seed (what reset goes back to) is `store`'s world.
    pub fn with_control(store: Store, tokens: Vec<String>, max_body: usize, control: ControlOptions) -> Self {
        let seed = Seed::World(store.snapshot());
        Self::with_seed(store, seed, tokens, max_body, control)
    }

    fn with_seed(store: Store, seed: Seed, tokens: Vec<String>, max_body: usize, control: ControlOptions) -> Self {
        let (shutdown, _) = watch::channel(false);
        let tenants = Arc::new(Tenants::new(store, seed, control.isolate, control.journal_limit));
        let saver = Mutex::new(None);
        let state_file = control.state_file;
        AppState { inner: Arc::new(Shared { tenants, tokens, max_body, state_file, saver, shutdown }) }
    }

    /// The world a request with `token` works on.
    pub fn store_for(&self, token: &str) -> Store {
        self.tenant_for(token).store.clone()
    }

    /// The tenant (world, journal, faults, snapshots) of `token`.
    pub fn tenant_for(&self, token: &str) -> Tenant {
        self.inner.tenants.get(token)
    }

    /// The largest accepted request body (`--max-body`).
    pub fn max_body(&self) -> usize {
        self.inner.max_body
    }

    /// Starts the background work: each world's settler and the state-file
    /// saver. Both end at shutdown.
    pub fn start_background(&self) {
        let dirty = Arc::new(Notify::new());
        self.inner.tenants.start(self.inner.shutdown.subscribe(), dirty.clone());
        if let Some(path) = &self.inner.state_file {
            let tenants = self.inner.tenants.clone();
            let saver = persist::spawn_saver(path.clone(), tenants, dirty, self.inner.shutdown.subscribe());
            *self.inner.saver.lock() = Some(saver);
        }
    }

    /// Waits for the work that must finish after shutdown (the last save).
    pub async fn finish(&self) {
        self.begin_shutdown();
        let saver = self.inner.saver.lock().take();
        if let Some(saver) = saver {
            let _ = saver.await;
        }
    }

    /// Signals streams that the server is going down.
    pub fn begin_shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Resolves once shutdown has begun.
    pub fn shutdown_signal(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|down| *down).await;
        }
    }

    /// Whether the gateway lets `token` in.
    pub fn accepts(&self, token: &str) -> bool {
        !token.is_empty() && (self.inner.tokens.is_empty() || self.inner.tokens.iter().any(|t| t == token))
    }
}

/// The route table. Paths, methods and parameter names are Zadig v3.4.0's
/// (`env/handler/router.go`, `log/handler/router.go`), in the vendor doc's
/// order. Where gin resolves a static path for one method and falls back to
/// the `/:name` route for another (`GET /openapi/environments/scale` is the
/// detail of an environment called `scale`), the static path lists those
/// methods too; [`environments::EnvParam`] then reads the name from the path.
fn routes() -> Router<AppState> {
    use environments as env;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/_mock/openapi.json", get(openapi::openapi_json))
        .route("/_mock/openapi.yaml", get(openapi::openapi_yaml))
        // Environments
        .route("/openapi/environments", get(env::list_environments).post(env::create_environment))
        .route(
            "/openapi/environments/production",
            get(env::list_production_environments)
                .post(env::create_production_environment)
                .put(env::update_environment)
                .delete(env::delete_environment),
        )
        .route(
            "/openapi/environments/{env}",
            get(env::get_environment).put(env::update_environment).delete(env::delete_environment),
        )
        .route(
            "/openapi/environments/production/{env}",
            get(env::get_production_environment)
                .put(env::update_production_environment)
                .delete(env::delete_production_environment),
        )
        // Services in environments
        .route("/openapi/environments/service/yaml", post(services::add_services).delete(services::delete_services))
        .route(
            "/openapi/environments/production/service/yaml",
            post(services::add_production_services).delete(services::delete_production_services),
        )
        .route("/openapi/environments/{env}/services", put(services::update_services))
        .route("/openapi/environments/production/{env}/services", put(services::update_production_services))
        .route("/openapi/environments/{env}/services/{service}", get(service_detail::get_service))
        .route("/openapi/environments/production/{env}/services/{service}", get(service_detail::get_production_service))
        .route("/openapi/environments/{env}/variable", get(variables::get_variables).put(variables::update_variables))
        .route(
            "/openapi/environments/production/{env}/variable",
            get(variables::get_production_variables).put(variables::update_production_variables),
        )
        .route(
            "/openapi/environments/scale",
            post(workloads::scale_workload)
                .get(env::get_environment)
                .put(env::update_environment)
                .delete(env::delete_environment),
        )
        .route("/openapi/environments/{env}/service/{service}/restart", post(workloads::restart_service))
        .route(
            "/openapi/environments/production/{env}/service/{service}/restart",
            post(workloads::restart_production_service),
        )
        .route("/openapi/environments/image/deployment/{env}", post(workloads::update_deployment_image))
        .route("/openapi/environments/image/statefulset/{env}", post(workloads::update_statefulset_image))
        .route("/openapi/environments/image/cronjob/{env}", post(workloads::update_cronjob_image))
        .route("/openapi/environments/kube/events", get(events::list_events))
        // Environment configurations
        .route("/openapi/environments/{env}/envcfgs", get(envcfgs::list_envcfgs).post(envcfgs::create_envcfg))
        .route(
            "/openapi/environments/production/{env}/envcfgs",
            get(envcfgs::list_production_envcfgs).post(envcfgs::create_envcfg),
        )
        .route("/openapi/environments/{env}/envcfg/{name}", get(envcfgs::get_envcfg).delete(envcfgs::delete_envcfg))
        .route(
            "/openapi/environments/production/{env}/envcfg/{name}",
            get(envcfgs::get_production_envcfg).delete(envcfgs::delete_production_envcfg),
        )
        .route(
            "/openapi/environments/envcfgs",
            put(envcfgs::update_envcfg).get(env::get_environment).delete(env::delete_environment),
        )
        .route(
            "/openapi/environments/production/envcfgs",
            put(envcfgs::update_production_envcfg)
                .get(env::get_production_environment)
                .delete(env::delete_production_environment),
        )
        // Sub-environments
        .route("/openapi/environments/{env}/check/workloads/k8services", get(share::check_workloads_k8s_services))
        .route("/openapi/environments/{env}/share/enable", post(share::enable_share).delete(share::disable_share))
        .route("/openapi/environments/{env}/check/sharenv/{op}/ready", get(share::check_share_ready))
        .route(
            "/openapi/environments/{env}/share/portal/{service}",
            get(share::get_portal_service).post(share::set_portal_service),
        )
        // Container logs
        .route("/openapi/logs/sse/pods/{pod}/containers/{container}", get(logs::stream_container_log))
        // Control plane (zadig-mock's own, for tests)
        .route("/_mock/reset", post(control::reset))
        .route("/_mock/state", get(control::export_state).put(control::import_state))
        .route("/_mock/snapshots", get(control::list_snapshots))
        .route("/_mock/snapshots/{name}", post(control::save_snapshot).delete(control::delete_snapshot))
        .route("/_mock/snapshots/{name}/restore", post(control::restore_snapshot))
        .route("/_mock/requests", get(control::list_requests).delete(control::clear_requests))
        .route("/_mock/faults", get(control::list_faults).post(control::add_fault).delete(control::clear_faults))
        .route("/_mock/faults/{id}", delete(control::delete_fault))
        .route("/_mock/clock", get(control::get_clock).post(control::set_clock))
        .route("/_mock/logs/{pod}/{container}", post(logs::append_container_log))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// The application: the route table behind the gateway, wrapped in the
/// routing behaviours gin has and axum lacks (see [`routing`]).
pub fn router(
    state: AppState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone + Send + Sync + 'static {
    let table = routes();
    let probe = table.clone().with_state(state.clone());
    // The journal needs the matched route: a layer of the table. The rest
    // run around it, before axum routes the request (and once, rather than
    // as a copy in every route).
    let app = table.layer(middleware::from_fn_with_state(state.clone(), traffic::traffic)).with_state(state.clone());
    let gateway = middleware::from_fn_with_state(state.clone(), gateway::gateway);
    let around = (
        middleware::from_fn_with_state(probe, routing::gin_routing),
        gateway,
        DefaultBodyLimit::max(state.inner.max_body),
    );
    around.layer(app)
}

/// `GET /healthz`: liveness, without auth.
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// gin's `NoRoute`: 404 `text/plain` `Invalid path: <path>`; under
/// `/_mock` the control API's JSON error.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/_mock/") {
        return ControlError::not_found(format!("no control endpoint {}", uri.path())).into_response();
    }
    ApiError::Text(StatusCode::NOT_FOUND, format!("Invalid path: {}", uri.path())).into_response()
}

/// gin's `NoMethod`: 405 `text/plain` `Method not allowed: <METHOD> <path>`;
/// under `/_mock` the control API's JSON error.
async fn method_not_allowed(method: routing::ClientMethod, uri: Uri) -> Response {
    let text = format!("Method not allowed: {} {}", method.0, uri.path());
    if uri.path().starts_with("/_mock/") {
        return ControlError { status: StatusCode::METHOD_NOT_ALLOWED, message: text }.into_response();
    }
    ApiError::Text(StatusCode::METHOD_NOT_ALLOWED, text).into_response()
}
