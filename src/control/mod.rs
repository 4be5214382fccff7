//! The test control plane under `/_mock/`: what a test suite uses around the
//! emulated API. Reset, state export and import, named snapshots, the
//! request journal, fault injection and the virtual clock, each acting on
//! the caller's [`Tenant`]: everyone's, or with `--isolate` the caller's own.
//!
//! None of this is Zadig's: replies are plain JSON, and every error is
//! `{"error": "<message>"}` with HTTP 400 (a bad request), 404 (nothing by
//! that name) or 413 (a body over `--max-body`).

pub mod clock;
pub mod faults;
pub mod journal;
pub mod persist;
mod settler;
pub mod snapshots;
pub mod state;
pub mod tenants;
pub mod traffic;

use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub use tenants::{Tenant, Tenants};

/// How the control plane is set up (`--isolate`, `--journal-limit`,
/// `--state-file`).
#[derive(Debug, Clone)]
pub struct ControlOptions {
    pub isolate: bool,
    pub journal_limit: usize,
    pub state_file: Option<PathBuf>,
}

impl Default for ControlOptions {
    fn default() -> Self {
        ControlOptions { isolate: false, journal_limit: 10_000, state_file: None }
    }
}

/// An error of the control API: a status and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ControlError {
    pub status: StatusCode,
    pub message: String,
}

impl ControlError {
    /// HTTP 400: the request cannot be understood or is invalid.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ControlError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// HTTP 404: nothing by that name.
    pub fn not_found(message: impl Into<String>) -> Self {
        ControlError { status: StatusCode::NOT_FOUND, message: message.into() }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a str,
        }
        crate::wire::json_response(self.status, &Body { error: &self.message })
    }
}

/// The reply of control operations that return nothing else.
#[derive(Debug, Serialize)]
pub struct Done {
    pub message: String,
}

impl Done {
    pub fn new(message: impl Into<String>) -> Self {
        Done { message: message.into() }
    }
}
