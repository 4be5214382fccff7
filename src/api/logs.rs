//! Container logs over SSE (§7).

use super::not_yet;
use crate::error::ApiError;

pub async fn stream_container_log() -> ApiError {
    not_yet("stream_container_log")
}
