//! Zadig's error model and how it reaches the wire.
//!
//! Zadig's service layer returns either an `HTTPError` (a code from
//! `pkg/tool/errors/http_errors.go` plus a description) or a plain Go error.
//! `ErrorMessage` in `pkg/tool/errors/errors.go` renders the first as
//! `{"code","description","extra","message","type":"error"}` (HTTP 400 for
//! 6xxx/7xxx codes, the code itself otherwise) and the second as the
//! "internal" body `{"code":500,"description","message":"Internal Error: "}`.
//! Which of the two an endpoint produces differs from handler to handler, so
//! the store (our service layer) returns [`ApiError`] values directly: the
//! vendor's error model, not an HTTP concern of ours. Rendering happens in one
//! place, [`ApiError::into_response`].

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::wire;

/// One of Zadig's `HTTPError` values: its numeric code and fixed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    pub code: u16,
    pub message: &'static str,
}

/// The codes this API produces (`pkg/tool/errors/http_errors.go`, v3.4.0).
pub mod codes {
    use super::ErrorCode;

    const fn c(code: u16, message: &'static str) -> ErrorCode {
        ErrorCode { code, message }
    }

    pub const INVALID_PARAM: ErrorCode = c(400, "Bad Request");
    pub const NOT_FOUND: ErrorCode = c(404, "Request Not Found");
    pub const PAYLOAD_TOO_LARGE: ErrorCode = c(413, "Request Entity Too Large");
    pub const CREATE_ENV: ErrorCode = c(6074, "创建环境失败");
    pub const UPDATE_ENV: ErrorCode = c(6076, "更新环境失败");
    pub const UPDATE_ENV_CFG: ErrorCode = c(6076, "更新环境资源配置失败");
    pub const DELETE_ENV: ErrorCode = c(6077, "删除环境失败");
    pub const GET_ENV: ErrorCode = c(6078, "获取环境失败");
    pub const SETUP_PORTAL_SERVICE: ErrorCode = c(6079, "设置入口服务失败");
    pub const GET_PORTAL_SERVICE: ErrorCode = c(6079, "获取入口服务配置失败");
    pub const RESTART_SERVICE: ErrorCode = c(6080, "重启服务失败");
    pub const SCALE_SERVICE: ErrorCode = c(6081, "伸缩服务失败");
    pub const UPDATE_CONTAINER_IMAGE: ErrorCode = c(6082, "更新服务镜像失败");
    pub const GET_SERVICE: ErrorCode = c(6083, "获取服务失败");
    pub const LIST_CONFIG_MAPS: ErrorCode = c(6088, "列出服务配置失败");
    pub const UPDATE_CONFIG_MAP: ErrorCode = c(6089, "更新服务配置失败");
    pub const UPDATE_SERVICE: ErrorCode = c(6092, "更新服务失败");
    pub const LIST_RESOURCES: ErrorCode = c(6094, "列出对象资源失败");
    pub const DELETE_SVC_IN_SUB_ENV: ErrorCode = c(6094, "删除服务失败，待删除服务存在于子环境中");
    pub const UPDATE_RESOURCE: ErrorCode = c(6095, "更新对象资源失败");
    pub const DELETE_RESOURCE: ErrorCode = c(6096, "删除对象资源失败");
    pub const LICENSE_INVALID: ErrorCode = c(7050, "用户许可证不可用，请检查许可证后重试");
}

/// Description constants from `pkg/tool/errors/const.go`.
pub mod msg {
    pub const DUPLICATE_ENV: &str = "环境已存在";
    pub const ENV_NOT_FOUND: &str = "环境不存在";
    pub const ENV_CANT_UPDATE: &str = "环境正处于不能更新的状态";
    /// What the Mongo driver says when a `Find` matches nothing.
    pub const NO_DOCUMENTS: &str = "mongo: no documents in result";
}

/// Everything a request can fail with, each variant rendered the way Zadig
/// renders it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// An `HTTPError`: HTTP 400 for 6xxx/7xxx codes, otherwise the code
    /// itself (400, 404, 413).
    #[error("{}: {description}", code.message)]
    Zadig {
        code: ErrorCode,
        description: String,
        /// Rendered as `extra`; `{}` when empty (6094 fills it).
        extra: serde_json::Map<String, serde_json::Value>,
    },
    /// A plain Go error: HTTP 500 `{"code":500,"description":…,"message":"Internal Error: "}`.
    #[error("{0}")]
    Internal(String),
    /// A status with an empty body: the gateway's 401, the permission 403,
    /// and gin's `BindJSON` 400 (it aborts before the JSON middleware runs).
    #[error("{0}")]
    Empty(StatusCode),
    /// A `text/plain` body: gin's 404 `Invalid path` and 405 `Method not allowed`.
    #[error("{1}")]
    Text(StatusCode, String),
}

/// The result type of handlers and store operations.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// `e.ErrX.AddDesc(description)`.
    pub fn zadig(code: ErrorCode, description: impl Into<String>) -> Self {
        ApiError::Zadig { code, description: description.into(), extra: Default::default() }
    }

    /// `e.ErrInvalidParam.AddDesc(description)`: HTTP 400, code 400.
    pub fn invalid_param(description: impl Into<String>) -> Self {
        Self::zadig(codes::INVALID_PARAM, description)
    }

    /// 413 for a body over `--max-body`.
    pub fn payload_too_large() -> Self {
        Self::zadig(codes::PAYLOAD_TOO_LARGE, "request body is larger than the server's limit (--max-body)")
    }

    /// A plain Go error, rendered as HTTP 500.
    pub fn internal(description: impl Into<String>) -> Self {
        ApiError::Internal(description.into())
    }

    /// A `*multierror.Error` (go-multierror v1.1.1 `ListFormatFunc`), which
    /// is not an `HTTPError` and so renders as HTTP 500. Each item is the Go
    /// `Error()` text of one wrapped error.
    pub fn multi(items: &[String]) -> Self {
        let text = match items {
            [one] => format!("1 error occurred:\n\t* {one}\n\n"),
            many => {
                let lines: Vec<String> = many.iter().map(|e| format!("* {e}")).collect();
                format!("{} errors occurred:\n\t{}\n\n", many.len(), lines.join("\n\t"))
            }
        };
        ApiError::Internal(text)
    }

    /// The Go `Error()` text of this error, for when Zadig wraps it again:
    /// `"<message>: <description>"` for an `HTTPError`.
    pub fn go_text(&self) -> String {
        self.to_string()
    }

    /// The HTTP status this error is rendered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Zadig { code, .. } => {
                let http = if matches!(code.code / 1000, 6 | 7) { 400 } else { code.code };
                StatusCode::from_u16(http).unwrap_or(StatusCode::BAD_REQUEST)
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Empty(status) | ApiError::Text(status, _) => *status,
        }
    }
}

/// `HTTPError` as gin renders the map: keys in alphabetical order.
#[derive(Serialize)]
struct HttpErrorBody<'a> {
    code: u16,
    description: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    message: &'a str,
    r#type: &'static str,
}

/// A plain error as gin renders the map: no `type`, no `extra`.
#[derive(Serialize)]
struct InternalErrorBody<'a> {
    code: u16,
    description: &'a str,
    message: &'static str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            ApiError::Zadig { code, description, extra } => {
                let body =
                    HttpErrorBody { code: code.code, description, extra, message: code.message, r#type: "error" };
                wire::json_response(status, &body)
            }
            ApiError::Internal(description) => {
                tracing::debug!(error.description = %description, "answering with Zadig's internal error");
                let body = InternalErrorBody { code: 500, description, message: "Internal Error: " };
                wire::json_response(status, &body)
            }
            ApiError::Empty(_) => status.into_response(),
            ApiError::Text(_, text) => {
                (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text.clone()).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_thousand_codes_are_sent_as_http_400() {
        assert_eq!(ApiError::zadig(codes::DELETE_RESOURCE, "x").status(), StatusCode::BAD_REQUEST);
        assert_eq!(ApiError::zadig(codes::NOT_FOUND, "x").status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn a_multierror_of_one_item_uses_go_multierror_layout() {
        let err = ApiError::multi(&["a: b".to_string()]);
        assert_eq!(err, ApiError::Internal("1 error occurred:\n\t* a: b\n\n".into()));
        let err = ApiError::multi(&["a".to_string(), "b".to_string()]);
        assert_eq!(err, ApiError::Internal("2 errors occurred:\n\t* a\n\t* b\n\n".into()));
    }

    #[test]
    fn go_text_of_an_http_error_is_message_then_description() {
        let err = ApiError::zadig(codes::CREATE_ENV, msg::DUPLICATE_ENV);
        assert_eq!(err.go_text(), "创建环境失败: 环境已存在");
    }
}
