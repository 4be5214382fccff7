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
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("zadig-mock listening on http://{address}");
    match zadig_mock::serve(listener, state, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("zadig-mock: server error: {err}");
            ExitCode::from(1)
        }
    }
}

/// Ctrl-C or SIGTERM (what `docker stop` sends).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
