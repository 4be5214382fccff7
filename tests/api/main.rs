//! Integration tests: each spawns its own server on a free port and talks
//! to it over real TCP. One binary, one module per part of the API.

mod control;
mod envcfgs;
mod environments;
mod events;
mod helpers;
mod run_contract;
mod service_detail;
mod services;
mod services_helpers;
mod variables;
mod wire;
mod workloads;
