//! zadig-mock: a stateful emulator of Zadig's environment OpenAPI.
//!
//! `app` is where HTTP meets state: the route table, behind the `gateway`; `api`
//! holds the handlers, thin translations of Zadig's; `store` owns the world
//! and every transition of it; `wire` and `error` speak gin's dialect.

/// Request handlers, one module per part of the API.
pub mod api;
/// The route table and the shared state.
pub mod app;
/// Command-line flags and environment variables.
pub mod config;
/// The test control plane under `/_mock/`.
pub mod control;
/// Zadig's error envelopes.
pub mod error;
/// The gateway: tokens, callers and tenants.
pub mod gateway;
/// `--healthcheck`: probing a running instance.
pub mod healthcheck;
/// gin's routing behaviours that axum lacks.
pub mod routing;
/// The seed format and loader.
pub mod seed;
/// The world and its transitions.
pub mod store;
/// Logging set-up.
pub mod telemetry;
/// gin-compatible request parsing and JSON replies.
pub mod wire;
/// YAML parsing with limits.
pub mod yaml;

use std::future::Future;

use tokio::net::TcpListener;

pub use app::AppState;

/// Serves the API on `listener` until `shutdown` resolves, then lets
/// requests in flight finish. Open log streams are ended at shutdown so they
/// cannot hold it up; the state file gets its last save before this returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app::router(state.clone());
    state.start_background();
    let stopping = state.clone();
    let served =
        axum::serve(listener, axum::ServiceExt::into_make_service(router)).with_graceful_shutdown(async move {
            shutdown.await;
            stopping.begin_shutdown();
        });
    // A client that stops reading can hold a response forever; after the
    // grace period the server stops without it.
    let grace = {
        let down = state.shutdown_signal();
        async move {
            down.await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        }
    };
    let served = tokio::select! {
        served = served => served,
        () = grace => {
            tracing::warn!(grace.secs = SHUTDOWN_GRACE.as_secs(), "connections still open after the grace period; stopping anyway");
            Ok(())
        }
    };
    state.finish().await;
    served
}

/// How long requests in flight may run on once shutdown has begun.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);
