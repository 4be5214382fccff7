//! The benchmark's ceiling: the least an axum server can do per request.
//!
//! `GET /{size}` answers 200 with a static JSON-typed body of `size` bytes,
//! and nothing else happens: no state, no middleware, no serialisation. The
//! benchmark suite (`bench/run.sh`) measures it in the same run, with the
//! same load and the same body size as each zadig-mock endpoint, and reports
//! every zadig-mock figure as a ratio of it. It runs on the same runtime
//! (tokio's multi-threaded default) and axum features as the real server.
//!
//! ```sh
//! cargo run --release --example bench_ceiling -- 127.0.0.1:0
//! ```

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

/// The largest body the ceiling serves.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// One buffer, allocated once; every reply is a cheap slice of it.
static BODY: OnceLock<Bytes> = OnceLock::new();

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen: SocketAddr = match std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into()).parse() {
        Ok(address) => address,
        Err(err) => {
            eprintln!("bench_ceiling: expected an address such as 127.0.0.1:0: {err}");
            std::process::exit(2);
        }
    };
    // Zeroed by the allocator (calloc), so an unused buffer costs no start-up time.
    BODY.get_or_init(|| Bytes::from(vec![0u8; MAX_BODY]));
    // `/healthz` lets the start-up measurement treat both servers alike.
    let app = Router::new().route("/healthz", get(|| async { "ok" })).route("/{size}", get(body_of_size));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("bench_ceiling listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}

/// `size` bytes of the static buffer.
async fn body_of_size(Path(size): Path<usize>) -> impl IntoResponse {
    let body = BODY.get().cloned().unwrap_or_default();
    let size = size.min(body.len());
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.slice(..size))
}
