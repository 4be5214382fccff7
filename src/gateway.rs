//! Zadig's gateway in front of the API: who is calling, with which token,
//! and which world (tenant) the request works on.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use crate::app::AppState;
use crate::control::Tenant;
use crate::store::Store;
use crate::wire::QueryParams;

/// Who is calling: the token and the user name Zadig would record.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: String,
    /// `update_by` of what this caller creates: the JWT's `name` claim,
    /// or `admin` for a token that is not a JWT.
    pub user: String,
}

impl Default for Caller {
    fn default() -> Self {
        Caller { token: String::new(), user: "admin".to_string() }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Caller>().cloned().unwrap_or_default())
    }
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Tenant>().cloned().unwrap_or_else(|| state.tenant_for("")))
    }
}

impl FromRequestParts<AppState> for Store {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let tenant = parts.extensions.get::<Tenant>();
        Ok(tenant.map(|t| t.store.clone()).unwrap_or_else(|| state.store_for("")))
    }
}

/// Zadig's gateway, in front of every `/openapi` and `/_mock` path, before
/// routing (so an unknown `/openapi/…` path without a token is 401, not
/// 404). It denies with an empty 401, like Envoy's `ext_authz` denial.
pub async fn gateway(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let guarded = path.starts_with("/openapi") || (path.starts_with("/_mock") && !is_public_mock_path(path));
    if !guarded {
        return next.run(request).await;
    }
    let token = match bearer_token(&request) {
        Some(token) if state.accepts(&token) => token,
        _ => return StatusCode::UNAUTHORIZED.into_response(),
    };
    let caller = Caller { user: user_name(&token), token };
    let tenant = state.tenant_for(&caller.token);
    request.extensions_mut().insert(tenant);
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// The control-plane documents anyone may read.
fn is_public_mock_path(path: &str) -> bool {
    matches!(path, "/_mock/openapi.json" | "/_mock/openapi.yaml")
}

/// The token as `AuthServer.Check` reads it: `Authorization` must have
/// exactly two space-separated parts (the scheme is not checked), and a
/// `?token=` wins over it. A malformed header is refused outright.
fn bearer_token(request: &Request) -> Option<String> {
    let mut token = String::new();
    if let Some(header) = request.headers().get(axum::http::header::AUTHORIZATION) {
        let header = header.to_str().ok()?;
        if !header.is_empty() {
            let mut parts = header.split(' ');
            let (Some(_), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
                return None;
            };
            token = value.to_string();
        }
    }
    if let Some(value) = QueryParams::first_value(request.uri().query(), "token").filter(|v| !v.is_empty()) {
        token = value;
    }
    (!token.is_empty()).then_some(token)
}

/// The `name` (or `preferred_username`) claim of a JWT, read without
/// verification as Zadig's `getUserFromJWT` does.
fn user_name(token: &str) -> String {
    let claims = token
        .split('.')
        .nth(1)
        .and_then(|payload| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    claims
        .as_ref()
        .and_then(|c| c.get("name").or_else(|| c.get("preferred_username")))
        .and_then(|v| v.as_str())
        .filter(|name| !name.is_empty())
        .unwrap_or("admin")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_come_from_the_jwt_name_claim() {
        // {"alg":"HS256"} . {"name":"alice"} . signature
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiYWxpY2UifQ.c2ln";
        assert_eq!(user_name(token), "alice");
        assert_eq!(user_name("not-a-jwt"), "admin");
    }
}
