//! Request handlers: thin translations of Zadig's `OpenAPI*` handlers. Each
//! parses its inputs the way the real handler does (and in the same order,
//! since that decides which error a bad request gets), makes one store call
//! and shapes the reply.

pub mod control;
pub mod envcfgs;
pub mod environments;
pub mod events;
pub mod logs;
pub mod openapi;
pub mod service_detail;
pub mod services;
pub mod share;
pub mod variables;
pub mod workloads;

use crate::wire::QueryParams;

/// `generalOpenAPIRequestValidate`'s first check: `projectKey can't be
/// empty`, as a plain error the caller wraps in its own code.
pub fn require_project_key(query: &QueryParams) -> Result<&str, String> {
    match query.get("projectKey") {
        "" => Err("projectKey can't be empty".to_string()),
        key => Ok(key),
    }
}

/// The segments of the request path, percent-decoded (invalid UTF-8 is
/// replaced rather than refused, as gin would pass the bytes through).
/// `segments.get(i)` is segment `i` of `/a/b/c` counting `a` as 0.
pub struct PathSegments(Vec<String>);

impl PathSegments {
    pub fn get(&self, i: usize) -> &str {
        self.0.get(i).map(String::as_str).unwrap_or("")
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathSegments {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().trim_start_matches('/');
        Ok(PathSegments(path.split('/').map(crate::wire::percent_decode_segment).collect()))
    }
}
