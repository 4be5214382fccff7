//! The control API (`/_mock/…`): each handler reads its input, makes one
//! call on the caller's tenant and replies with JSON. See `crate::control`
//! for what each part does and README's "Control API" for the contract.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::control::clock::{ClockRequest, ClockView};
use crate::control::faults::{Fault, FaultSpec};
use crate::control::journal::{Entry, Filter};
use crate::control::snapshots::SnapshotInfo;
use crate::control::{ControlError, Done, Tenant, state};
use crate::store::World;
use crate::wire::{Json, QueryParams};

type Reply<T> = Result<Json<T>, ControlError>;

/// A JSON request body, refused with the control API's errors.
pub struct ControlJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ControlJson<T> {
    type Rejection = ControlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(ControlJson)
            .map_err(|e| ControlError::bad_request(format!("invalid body: {e}")))
    }
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ControlError> {
    Bytes::from_request(req, state).await.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ControlError { status: StatusCode::PAYLOAD_TOO_LARGE, message: "the body is larger than --max-body".into() }
        }
        _ => ControlError::bad_request(rejection.body_text()),
    })
}

/// `POST /_mock/reset`: back to the seed world, with an empty journal and
/// no faults. Snapshots stay.
pub async fn reset(tenant: Tenant) -> Json<Done> {
    tenant.reset();
    Json(Done::new("reset to the seed world"))
}

/// `GET /_mock/state`: the whole world.
pub async fn export_state(tenant: Tenant) -> Json<World> {
    Json(tenant.store.snapshot())
}

/// `PUT /_mock/state`: replaces the world with an export, checked first.
pub async fn import_state(tenant: Tenant, request: Request) -> Reply<Done> {
    let bytes = read_body(request, &()).await?;
    let world = state::parse_world(&bytes).map_err(ControlError::bad_request)?;
    tenant.store.replace(world);
    Ok(Json(Done::new("state imported")))
}

/// `GET /_mock/snapshots`: saved snapshots, in name order.
pub async fn list_snapshots(tenant: Tenant) -> Json<Vec<SnapshotInfo>> {
    Json(tenant.snapshots.lock().list())
}

/// `POST /_mock/snapshots/{name}`: saves the world as `name`.
pub async fn save_snapshot(tenant: Tenant, Path(name): Path<String>) -> Reply<SnapshotInfo> {
    let world = tenant.store.snapshot();
    tenant.snapshots.lock().save(&name, world).map(Json)
}

/// `POST /_mock/snapshots/{name}/restore`: puts a snapshot's world back.
pub async fn restore_snapshot(tenant: Tenant, Path(name): Path<String>) -> Reply<Done> {
    let world = tenant.snapshots.lock().get(&name)?;
    tenant.store.replace(world);
    Ok(Json(Done::new(format!("restored snapshot {name:?}"))))
}

/// `DELETE /_mock/snapshots/{name}`.
pub async fn delete_snapshot(tenant: Tenant, Path(name): Path<String>) -> Reply<Done> {
    tenant.snapshots.lock().delete(&name)?;
    Ok(Json(Done::new(format!("deleted snapshot {name:?}"))))
}

/// `GET /_mock/requests?method=&path=&route=`: the journal, oldest first.
pub async fn list_requests(tenant: Tenant, query: QueryParams) -> Json<Vec<Entry>> {
    let given = |name: &str| Some(query.get(name).to_string()).filter(|v| !v.is_empty());
    let filter = Filter { method: given("method"), path: given("path"), route: given("route") };
    Json(tenant.journal.lock().list(&filter))
}

/// `DELETE /_mock/requests`: empties the journal.
pub async fn clear_requests(tenant: Tenant) -> Json<Done> {
    let count = tenant.journal.lock().clear();
    Json(Done::new(format!("cleared {}", counted(count, "request"))))
}

/// `GET /_mock/faults`.
pub async fn list_faults(tenant: Tenant) -> Json<Vec<Fault>> {
    Json(tenant.faults.lock().list())
}

/// `POST /_mock/faults`: adds a fault and returns it with its id.
pub async fn add_fault(tenant: Tenant, ControlJson(spec): ControlJson<FaultSpec>) -> Reply<Fault> {
    tenant.faults.lock().add(spec).map(Json)
}

/// `DELETE /_mock/faults/{id}`.
pub async fn delete_fault(tenant: Tenant, Path(id): Path<String>) -> Reply<Fault> {
    let missing = || ControlError::not_found(format!("no fault with id {id:?}"));
    let id: u64 = id.parse().map_err(|_| missing())?;
    tenant.faults.lock().remove(id).map(Json).ok_or_else(missing)
}

/// `DELETE /_mock/faults`: removes every fault.
pub async fn clear_faults(tenant: Tenant) -> Json<Done> {
    let count = tenant.faults.lock().clear();
    Json(Done::new(format!("removed {}", counted(count, "fault"))))
}

/// `GET /_mock/clock`.
pub async fn get_clock(tenant: Tenant) -> Json<ClockView> {
    Json(tenant.store.with(|w| ClockView::of(w)))
}

/// `POST /_mock/clock`: sets, advances, freezes or resumes the clock.
pub async fn set_clock(tenant: Tenant, ControlJson(request): ControlJson<ClockRequest>) -> Reply<ClockView> {
    let change = request.into_change()?;
    Ok(Json(tenant.store.with(|w| {
        w.change_clock(change);
        ClockView::of(w)
    })))
}

/// `1 fault`, `2 faults`.
fn counted(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}
