//! Kubernetes events of an environment (§2.17): `OpenAPIListKubeEvents`
//! (env/handler/kube.go), which validates nothing and checks no permission.

use serde::Serialize;

use crate::error::ApiResult;
use crate::store::Store;
use crate::store::events::KubeEvent;
use crate::wire::{Json, QueryParams};

/// `OpenAPIListKubeEventResponse`: every field is `omitempty`.
#[derive(Serialize)]
pub struct EventView {
    #[serde(skip_serializing_if = "str::is_empty")]
    reason: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    message: String,
    #[serde(skip_serializing_if = "is_zero")]
    first_seen: i64,
    #[serde(skip_serializing_if = "is_zero")]
    last_seen: i64,
    #[serde(skip_serializing_if = "is_zero_count")]
    count: i32,
    #[serde(skip_serializing_if = "str::is_empty")]
    r#type: &'static str,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn is_zero_count(n: &i32) -> bool {
    *n == 0
}

impl From<&KubeEvent> for EventView {
    fn from(e: &KubeEvent) -> Self {
        EventView {
            reason: e.reason.as_str(),
            message: e.message.to_string(),
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            count: e.count,
            // The only type the simulated cluster raises.
            r#type: "Normal",
        }
    }
}

/// `GET /openapi/environments/kube/events?projectKey=&envName=&name=&type=`:
/// Zadig doc › List Events. A plain JSON array (the doc's `{ [...] }` is not JSON).
pub async fn list_events(store: Store, query: QueryParams) -> ApiResult<Json<Vec<EventView>>> {
    let (project, env) = (query.get("projectKey"), query.get("envName"));
    let (name, kind) = (query.get("name"), query.get("type"));
    let events = store.read(|w| {
        w.kube_events(project, env, name, kind).map(|list| list.into_iter().map(EventView::from).collect())
    })?;
    Ok(Json(events))
}
