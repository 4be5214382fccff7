//! Routing behaviours of gin v1.9.1 (Zadig's HTTP engine) that axum does not
//! share, applied around the whole application:
//!
//! - gin has no implicit `HEAD` routes: a `HEAD` on a `GET` route is 405;
//! - gin 1.9.1 sends no `Allow` header with a 405;
//! - `RedirectTrailingSlash`: a path that only matches without its trailing
//!   slash is redirected there, 301 for `GET`, 307 for other methods.
//!
//! Whether a path matches a route is asked of a *probe* copy of the route
//! table with the `OPTIONS` method, which no route serves: the table answers
//! 405 for a known path and 404 otherwise, and no handler ever runs.

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

/// The method the client sent, before [`gin_routing`] hid a `HEAD` from
/// axum's router.
#[derive(Clone)]
pub struct ClientMethod(pub Method);

impl<S: Send + Sync> FromRequestParts<S> for ClientMethod {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientMethod>().cloned().unwrap_or_else(|| ClientMethod(parts.method.clone())))
    }
}

/// The middleware: see the module documentation.
pub async fn gin_routing(State(probe): State<Router>, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if method == Method::HEAD {
        // Recorded only where it differs from the request's own method.
        request.extensions_mut().insert(ClientMethod(method.clone()));
        // A method no route serves, so axum cannot map it onto GET.
        *request.method_mut() = Method::from_bytes(b"HEAD-UNROUTED").unwrap_or(Method::OPTIONS);
    }
    // Cheap: a `Uri` shares its bytes.
    let uri = request.uri().clone();
    let mut response = next.run(request).await;
    response.headers_mut().remove(header::ALLOW);
    let path = uri.path();
    if is_route_miss(&response) && path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        if path_has_route(&probe, trimmed).await {
            return redirect(&method, trimmed, uri.query());
        }
    }
    response
}

/// gin's `NoRoute` answer (not a handler's own 404 JSON).
fn is_route_miss(response: &Response) -> bool {
    response.status() == StatusCode::NOT_FOUND
        && response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"))
}

async fn path_has_route(probe: &Router, path: &str) -> bool {
    let Ok(request) = Request::builder().method(Method::OPTIONS).uri(path).body(Body::empty()) else {
        return false;
    };
    match probe.clone().oneshot(request).await {
        Ok(response) => response.status() == StatusCode::METHOD_NOT_ALLOWED,
        Err(never) => match never {},
    }
}

/// `redirectTrailingSlash` → `http.Redirect`: the HTML body is written for
/// GET only.
fn redirect(method: &Method, path: &str, query: Option<&str>) -> Response {
    let location = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let (status, body) = if method == Method::GET {
        (StatusCode::MOVED_PERMANENTLY, format!("<a href=\"{}\">Moved Permanently</a>.\n\n", html_escape(&location)))
    } else {
        (StatusCode::TEMPORARY_REDIRECT, String::new())
    };
    let mut response = (status, body).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    if method == Method::GET {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    }
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}
