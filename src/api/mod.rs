//! Request handlers: thin translations of Zadig's `OpenAPI*` handlers. Each
//! parses its inputs the way the real handler does (and in the same order,
//! since that decides which error a bad request gets), makes one store call
//! and shapes the reply.

pub mod control;
pub mod envcfgs;
pub mod environments;
pub mod events;
pub mod logs;
pub mod service_detail;
pub mod services;
pub mod share;
pub mod variables;
pub mod workloads;

use crate::error::ApiError;
use crate::wire::QueryParams;

/// `generalOpenAPIRequestValidate`'s first check: `projectKey can't be
/// empty`, as a plain error the caller wraps in its own code.
pub fn require_project_key(query: &QueryParams) -> Result<&str, String> {
    match query.get("projectKey") {
        "" => Err("projectKey can't be empty".to_string()),
        key => Ok(key),
    }
}

/// A handler not served yet: 501 in plain text, so nobody mistakes it for
/// Zadig's answer.
pub fn not_yet(what: &str) -> ApiError {
    ApiError::Text(axum::http::StatusCode::NOT_IMPLEMENTED, format!("zadig-mock does not serve {what} yet"))
}
