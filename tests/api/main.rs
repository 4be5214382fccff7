//! Integration tests: each spawns its own server on a free port and talks
//! to it over real TCP. One binary, one module per part of the API.

mod contract;
mod control;
mod envcfgs;
mod environments;
mod events;
mod helpers;
mod logs;
mod logs_follow;
mod logs_helpers;
mod openapi;
mod run_contract;
mod service_detail;
mod services;
mod services_helpers;
mod share;
mod share_helpers;
mod share_portal;
mod variables;
mod wire;
mod workloads;
