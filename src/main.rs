//! The `zadig-mock` binary: parse flags, build the world, serve.

use std::process::ExitCode;

use clap::Parser;
use tokio::net::TcpListener;
use zadig_mock::config::Config;
use zadig_mock::{AppState, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    if config.healthcheck {
        return zadig_mock::healthcheck::probe(config.listen);
    }
    telemetry::init(config.log_format);
    let state = match AppState::from_config(&config) {
        Ok(state) => state,
        Err(err) => {
            eprintln!("zadig-mock: {err}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("zadig-mock: cannot listen on {}: {err}", config.listen);
            return ExitCode::from(1);
        }
    };
    // Before the listening line: a SIGTERM sent as soon as it is read must
    // be a clean stop, not the default action of a signal nobody handles.
    let shutdown = shutdown_signal();
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("zadig-mock listening on http://{address}");
    match zadig_mock::serve(listener, state, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("zadig-mock: server error: {err}");
            ExitCode::from(1)
        }
    }
}

/// Ctrl-C or SIGTERM (what `docker stop` sends). The handlers are installed
/// when this is called, not when the future is first polled.
#[cfg(unix)]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).ok();
    let mut terminate = signal(SignalKind::terminate()).ok();
    async move {
        let interrupted = async {
            match interrupt.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        };
        let terminated = async {
            match terminate.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = interrupted => {},
            _ = terminated => {},
        }
        tracing::info!("shutting down");
    }
}

/// Ctrl-C elsewhere.
#[cfg(not(unix))]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    }
}
