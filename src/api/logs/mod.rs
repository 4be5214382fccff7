//! Container logs over SSE (§7), `OpenAPIGetContainerLogsSSE` of
//! `log/handler/sse.go`, and the control API that writes into a log.
//!
//! The stream sends the last `tails` lines, then follows the log live; see
//! [`sse`] for the framing and for when it ends.

mod sse;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::PathSegments;
use crate::app::AppState;
use crate::store::Store;
use crate::store::logs::AppendError;
use crate::wire::{QueryParams, RawBody, json_response};

/// `tails` when absent or not an integer (`strconv.ParseInt` failing).
const DEFAULT_TAILS: i64 = 10;

/// `GET /openapi/logs/sse/pods/{pod}/containers/{container}?projectKey=&envName=&tails=`:
/// Zadig doc › View Container Real-Time Logs. No validation and no
/// permission check, as in Zadig: an unknown environment, pod or container
/// is an empty 200.
pub async fn stream_container_log(
    State(state): State<AppState>,
    store: Store,
    path: PathSegments,
    query: QueryParams,
) -> Response {
    let tails = query.get("tails").parse::<i64>().unwrap_or(DEFAULT_TAILS);
    let (pod, container) = (path.get(4), path.get(6));
    let Some(follow) = store.follow_log(query.get("projectKey"), query.get("envName"), pod, container) else {
        // Vendor quirk: Zadig flushes a bare 200 (no Content-Type, no
        // Cache-Control) and then keeps the connection open until the client
        // leaves (pkg/shared/handler/sse.go:27-62); we end the empty body at
        // once instead, so nothing lingers.
        return StatusCode::OK.into_response();
    };
    let mut response = sse::body(follow, tails, state.shutdown_signal()).into_response();
    let headers = response.headers_mut();
    // gin-contrib/sse v0.1.0: no charset.
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `POST /_mock/logs/{pod}/{container}?projectKey=&envName=`: writes a JSON
/// list of lines into the container's log, each followed by a newline.
/// `projectKey` and `envName` are needed only when the pod name alone is
/// ambiguous.
pub async fn append_container_log(
    store: Store,
    path: PathSegments,
    query: QueryParams,
    RawBody(body): RawBody,
) -> Response {
    let lines: Vec<String> = match serde_json::from_slice(&body) {
        Ok(lines) => lines,
        Err(e) => {
            let problem = format!("the body must be a JSON list of strings, such as [\"a line\"]: {e}");
            return control_error(StatusCode::BAD_REQUEST, problem);
        }
    };
    let (project, env) = (query.get("projectKey"), query.get("envName"));
    match store.with(|w| w.append_log(project, env, path.get(2), path.get(3), &lines)) {
        Ok(appended) => json_response(StatusCode::OK, &Appended { appended }),
        Err(e @ AppendError::NotFound(_)) => control_error(StatusCode::NOT_FOUND, e.to_string()),
        Err(e @ AppendError::Ambiguous(_)) => control_error(StatusCode::CONFLICT, e.to_string()),
    }
}

#[derive(Serialize)]
struct Appended {
    /// Lines written (a text with newlines counts as several).
    appended: usize,
}

/// A control-API failure: `{"error": "<what went wrong>"}`.
fn control_error(status: StatusCode, error: String) -> Response {
    #[derive(Serialize)]
    struct Body {
        error: String,
    }
    json_response(status, &Body { error })
}
