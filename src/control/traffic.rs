//! The middleware between the gateway and the `/openapi` handlers: it lets
//! the caller's faults act on each request and records it in the caller's
//! journal. Other paths pass straight through.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::Tenant;
use super::faults::{Act, Decision, Target};
use super::journal::{Entry, recorded_body};
use crate::app::AppState;
use crate::error::{ApiError, ErrorCode, codes};
use crate::routing::ClientMethod;
use crate::store::World;
use crate::wire::{QueryParams, Success, json_response};

/// Applies faults to, and journals, every `/openapi` request of a caller.
pub async fn traffic(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let tenant = match request.extensions().get::<Tenant>() {
        Some(tenant) if request.uri().path().starts_with("/openapi") => tenant.clone(),
        _ => return next.run(request).await,
    };
    let (parts, body) = request.into_parts();
    let arrival = Arrival::new(&tenant, &parts);
    let (body, bytes) = buffer(&parts, body, state.max_body()).await;
    let decision = match &bytes {
        Ok(bytes) => decide(&tenant, arrival.target(), &arrival.query, bytes.as_ref()),
        Err(_) => None,
    };
    if let Some(latency_ms) = decision.as_ref().map(|d| d.latency_ms).filter(|ms| *ms > 0) {
        // No lock is held here; shutdown cuts the wait short.
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(latency_ms)) => {}
            () = state.shutdown_signal() => {}
        }
    }
    let response = match (&bytes, decision.as_ref()) {
        (Err(too_large), _) => too_large.clone().into_response(),
        (_, None | Some(Decision { act: Act::Pass, .. })) => next.run(Request::from_parts(parts, body)).await,
        (_, Some(Decision { fault, act: Act::Respond { status, body }, .. })) => {
            fault_response(*fault, *status, body.clone())
        }
        (_, Some(Decision { act: Act::Abort, .. })) => abort_response(),
    };
    tenant.journal.lock().record(arrival.finish(&bytes, decision.as_ref(), &response));
    response
}

/// What is known of a request as it arrives.
struct Arrival {
    id: u64,
    time: i64,
    started: Instant,
    method: String,
    path: String,
    query: QueryParams,
    route: Option<String>,
}

impl Arrival {
    fn new(tenant: &Tenant, parts: &Parts) -> Self {
        Arrival {
            id: tenant.journal.lock().next_id(),
            time: tenant.store.peek(World::now),
            started: Instant::now(),
            // As sent: routing hides a HEAD from axum under another name.
            method: parts
                .extensions
                .get::<ClientMethod>()
                .map_or_else(|| parts.method.to_string(), |m| m.0.to_string()),
            path: parts.uri.path().to_string(),
            query: QueryParams::parse(parts.uri.query()),
            route: parts.extensions.get::<MatchedPath>().map(|m| m.as_str().to_string()),
        }
    }

    fn target(&self) -> Target<'_> {
        Target { method: &self.method, path: &self.path, route: self.route.as_deref(), project: None }
    }

    /// The journal entry, once the response head is ready.
    fn finish(
        self,
        bytes: &Result<Option<Bytes>, ApiError>,
        decision: Option<&Decision>,
        response: &Response,
    ) -> Entry {
        let (body, body_truncated) = match bytes {
            Ok(Some(bytes)) => recorded_body(bytes),
            // Left unread: longer than --max-body.
            Ok(None) | Err(_) => (Value::Null, true),
        };
        let aborted = decision.is_some_and(|d| d.act == Act::Abort);
        Entry {
            id: self.id,
            time: self.time,
            query: self.query,
            method: self.method,
            path: self.path,
            route: self.route,
            body,
            body_truncated,
            status: (!aborted).then(|| response.status().as_u16()),
            duration_ms: self.started.elapsed().as_millis().try_into().unwrap_or(u64::MAX),
            fault: decision.map(|d| d.fault),
        }
    }
}

/// Reads the body into memory (within `--max-body`) so that it can be both
/// recorded and handed on. A body whose declared length is over the limit
/// is handed on unread (`None`), for the handler to refuse as usual.
async fn buffer(parts: &Parts, body: Body, max_body: usize) -> (Body, Result<Option<Bytes>, ApiError>) {
    // Most requests are GETs without a body: nothing to read or copy.
    if body.is_end_stream() {
        return (body, Ok(Some(Bytes::new())));
    }
    let declared =
        parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > max_body) {
        return (body, Ok(None));
    }
    match axum::body::to_bytes(body, max_body).await {
        Ok(bytes) => (Body::from(bytes.clone()), Ok(Some(bytes))),
        Err(_) => (Body::empty(), Err(ApiError::payload_too_large())),
    }
}

/// Asks the caller's faults, reading the project from `projectKey` or the
/// body's `project_key` only when a fault matches on it.
fn decide(tenant: &Tenant, target: Target, query: &QueryParams, body: Option<&Bytes>) -> Option<Decision> {
    let project = match tenant.faults.lock().needs_project() {
        true => project_of(query, body),
        false => None,
    };
    tenant.faults.lock().decide(&Target { project: project.as_deref(), ..target })
}

fn project_of(query: &QueryParams, body: Option<&Bytes>) -> Option<String> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        project_key: String,
    }
    match query.get("projectKey") {
        "" => {
            body.and_then(|b| serde_json::from_slice::<Probe>(b).ok()).map(|p| p.project_key).filter(|p| !p.is_empty())
        }
        key => Some(key.to_string()),
    }
}

/// A fault's answer: its body (a string as text, anything else as JSON),
/// or by default `{"message":"success"}` for 2xx, Zadig's internal error for
/// 500, and a Zadig `HTTPError` with the status as its code otherwise.
/// It carries [`FAULT_HEADER`], so that a client (or a contract check) can
/// tell an injected answer from the emulated API's own.
fn fault_response(fault: u64, status: u16, body: Option<Value>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let description = format!("fault {fault} injected by zadig-mock");
    let mut response = match body {
        Some(Value::String(text)) => {
            (code, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
        }
        Some(value) => json_response(code, &value),
        None if code.is_success() => (code, Success).into_response(),
        None if code == StatusCode::INTERNAL_SERVER_ERROR => ApiError::internal(description).into_response(),
        None => ApiError::zadig(zadig_code(code), description).into_response(),
    };
    response.headers_mut().insert(FAULT_HEADER, HeaderValue::from(fault));
    response
}

/// The header naming the fault that answered a request.
pub const FAULT_HEADER: &str = "x-zadig-mock-fault";

/// Zadig's own message where it has a code for the status.
fn zadig_code(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        400 => codes::INVALID_PARAM,
        404 => codes::NOT_FOUND,
        413 => codes::PAYLOAD_TOO_LARGE,
        code => ErrorCode { code, message: status.canonical_reason().unwrap_or("Error") },
    }
}

/// A response whose body fails before its first byte: the server gives up
/// on the connection and closes it, without an answer.
fn abort_response() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped by a zadig-mock fault"))
    });
    Response::new(Body::from_stream(failing))
}
