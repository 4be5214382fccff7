//! This server's own OpenAPI 3.1 document, `openapi/zadig-mock.yaml`:
//! compiled in, served as written at `/_mock/openapi.yaml` and converted
//! once to JSON for `/_mock/openapi.json`. Both are public (the gateway
//! lets them through without a token).

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::wire::JSON_CONTENT_TYPE;

/// The document's source text.
pub const DOCUMENT_YAML: &str = include_str!("../../openapi/zadig-mock.yaml");

/// The document as a JSON value, parsed from [`DOCUMENT_YAML`] on first use.
pub fn document() -> Result<&'static serde_json::Value, String> {
    static DOCUMENT: OnceLock<Result<serde_json::Value, String>> = OnceLock::new();
    DOCUMENT.get_or_init(|| crate::yaml::parse_value(DOCUMENT_YAML)).as_ref().map_err(Clone::clone)
}

/// `GET /_mock/openapi.json`.
pub async fn openapi_json() -> Response {
    static BODY: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    let body = BODY.get_or_init(|| document().and_then(|d| serde_json::to_vec_pretty(d).map_err(|e| e.to_string())));
    match body {
        Ok(bytes) => with_type(bytes.clone(), JSON_CONTENT_TYPE),
        Err(e) => ApiError::internal(format!("openapi document: {e}")).into_response(),
    }
}

/// `GET /_mock/openapi.yaml`.
pub async fn openapi_yaml() -> Response {
    with_type(DOCUMENT_YAML.as_bytes().to_vec(), "application/yaml; charset=utf-8")
}

fn with_type(body: Vec<u8>, content_type: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_parses_as_openapi_3_1() {
        let doc = document().expect("the embedded document parses");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));
    }
}
