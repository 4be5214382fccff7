//! Environment configurations (real-behaviour.md §2.12, §2.3 step 4):
//! ConfigMaps, Secrets, Ingresses and PVCs, their errors, and hostile YAML.

mod create;
mod creation;
mod delete;
mod helpers;
mod hostile;
mod read;
mod update;
