//! How bytes become requests and replies become bytes, the way gin does it.
//!
//! - Replies: gin's `c.JSON` uses Go's `encoding/json`, which escapes `<`, `>`,
//!   `&`, U+2028 and U+2029, and labels the body
//!   `application/json; charset=utf-8` (aiohttp clients insist on the label).
//! - Queries: `c.Query(name)` is the first value of `name`, or `""`.
//! - Bodies: handlers read the raw body and decode it either with
//!   `json.Unmarshal` (errors become the 500 body) or with `c.BindJSON`
//!   (errors become a bare 400), see [`go_unmarshal`] and [`bind_json`].

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// The content type of every JSON reply.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Serialises `value` exactly as Go's `encoding/json` would.
pub fn to_go_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Most replies fit: growing from a small buffer copied them twice or
    // three times over.
    let mut out = Vec::with_capacity(2048);
    // Serialising our own types into memory cannot fail.
    if serde_json::to_writer(&mut out, value).is_err() {
        out.clear();
        out.extend_from_slice(b"null");
    }
    go_escape(out)
}

/// Escapes what Go's encoder escapes and serde_json does not: `<`, `>`,
/// `&`, U+2028 and U+2029. In JSON text these can only occur inside
/// strings, so escaping the finished text is the same as escaping each
/// string, and most replies hold none: one tight pass and no copy.
fn go_escape(json: Vec<u8>) -> Vec<u8> {
    // memchr's vectorised search: a byte-at-a-time test cost ten
    // instructions a byte, as much as serialising.
    if memchr::memchr3(b'<', b'>', b'&', &json).is_none() && memchr::memchr(0xE2, &json).is_none() {
        return json;
    }
    let mut out = Vec::with_capacity(json.len() + 64);
    let mut i = 0;
    while i < json.len() {
        // In UTF-8 neither ASCII bytes nor lead bytes such as E2 occur
        // inside another character's encoding, so a byte scan is exact.
        let (escaped, width): (&[u8], usize) = match (json[i], json.get(i + 1), json.get(i + 2)) {
            (b'<', _, _) => (b"\\u003c", 1),
            (b'>', _, _) => (b"\\u003e", 1),
            (b'&', _, _) => (b"\\u0026", 1),
            (0xE2, Some(0x80), Some(0xA8)) => (b"\\u2028", 3),
            (0xE2, Some(0x80), Some(0xA9)) => (b"\\u2029", 3),
            (byte, _, _) => {
                out.push(byte);
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(escaped);
        i += width;
    }
    out
}

/// A JSON reply with gin's content type.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    let mut response = (status, to_go_json(value)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}

/// A 200 JSON reply serialised in advance: built while a borrowed view of
/// the world is at hand, so that nothing needs copying out of it.
pub struct JsonBody(Vec<u8>);

impl JsonBody {
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        JsonBody(to_go_json(value))
    }
}

impl IntoResponse for JsonBody {
    fn into_response(self) -> Response {
        let mut response = (StatusCode::OK, self.0).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
        response
    }
}

/// A 200 JSON reply: what a handler returns when it sets `ctx.Resp`.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, &self.0)
    }
}

/// `{"message":"success"}`: what the Response middleware writes when a
/// handler sets no data (`pkg/middleware/gin/response.go`).
pub struct Success;

impl IntoResponse for Success {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            message: &'static str,
        }
        json_response(StatusCode::OK, &Body { message: "success" })
    }
}

/// The query string as gin reads it: `get` returns the first value or `""`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = query.unwrap_or("").as_bytes();
        QueryParams(form_urlencoded_pairs(pairs))
    }

    /// `c.Query(name)`.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// `c.Query(name)` read straight from a query string: only the keys
    /// and the value returned are decoded. `None` when absent.
    pub fn first_value(query: Option<&str>, name: &str) -> Option<String> {
        query.unwrap_or("").as_bytes().split(|b| *b == b'&').filter(|part| !part.is_empty()).find_map(|part| {
            let (key, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &[][..]),
            };
            let plain = !key.iter().any(|b| matches!(b, b'%' | b'+'));
            let matches = if plain { key == name.as_bytes() } else { percent_decode_plus(key) == name };
            matches.then(|| percent_decode_plus(value))
        })
    }

    /// Every pair, in order (for the request journal).
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

fn form_urlencoded_pairs(input: &[u8]) -> Vec<(String, String)> {
    input
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &[][..]),
            };
            (percent_decode_plus(k), percent_decode_plus(v))
        })
        .collect()
}

/// Decodes a percent-encoded path segment (`+` stays a plus sign).
pub fn percent_decode_segment(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    utf8_lossy(out)
}

/// Go's `url.QueryUnescape`-like decoding: `+` is a space, `%XX` a byte;
/// a malformed escape is kept literally rather than failing the request.
fn percent_decode_plus(raw: &[u8]) -> String {
    // Most keys and values have nothing to decode: copy them whole.
    if !raw.iter().any(|b| matches!(b, b'%' | b'+')) {
        return utf8_lossy(raw.to_vec());
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    utf8_lossy(out)
}

/// The bytes as text, replacing invalid sequences; valid text (nearly
/// always) is taken over without a copy.
fn utf8_lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryParams::parse(parts.uri.query()))
    }
}

/// The raw request body (`c.GetRawData()`), bounded by the body-size limit.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(RawBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::payload_too_large()),
            Err(rejection) => Err(ApiError::invalid_param(rejection.body_text())),
        }
    }
}

/// `json.Unmarshal(data, &args)` with the error returned as a plain error
/// (HTTP 500). `go_type` names the target as Go's messages do, e.g.
/// `service.OpenAPICreateEnvArgs`.
pub fn go_unmarshal<T: DeserializeOwned + Default>(body: &[u8], go_type: &str) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ApiError::internal(go_syntax_error(body, &e)))?;
    from_go_value(value, go_type).map_err(ApiError::internal)
}

/// `c.BindJSON(&args)`: decodes the first JSON value of the body (trailing
/// bytes are ignored, as with a `json.Decoder`) and answers any failure,
/// an empty body included, with a bare HTTP 400.
pub fn bind_json<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    let mut values = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    match values.next() {
        Some(Ok(value)) => from_go_value(value, "struct").map_err(|_| ApiError::Empty(StatusCode::BAD_REQUEST)),
        _ => Err(ApiError::Empty(StatusCode::BAD_REQUEST)),
    }
}

/// `json.NewDecoder(body).Decode(&v)`, as gin's `ShouldBindJSON` runs it:
/// the first JSON value of the body (what follows is never read), or the
/// decoder's error text: `EOF` for an empty body, `unexpected EOF` for a
/// truncated one. Decoding into the target type is left to the caller.
pub fn go_decode_first(body: &[u8]) -> Result<Value, String> {
    let mut values = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    match values.next() {
        None => Err("EOF".to_string()),
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) if e.is_eof() => Err("unexpected EOF".to_string()),
        Some(Err(e)) => Err(go_syntax_error(body, &e)),
    }
}

/// The kind of a JSON value as Go's `UnmarshalTypeError` names it.
pub fn go_json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Go's decoder leaves a field at its zero value when the JSON says `null`,
/// and treats a top-level `null` as "nothing to do". Dropping nulls first
/// gives serde the same behaviour without annotating every field.
fn from_go_value<T: DeserializeOwned + Default>(mut value: Value, go_type: &str) -> Result<T, String> {
    match value {
        Value::Null => return Ok(T::default()),
        Value::Object(_) => {}
        // Every body these handlers decode is a Go struct.
        ref other => {
            return Err(format!("json: cannot unmarshal {} into Go value of type {go_type}", go_json_kind(other)));
        }
    }
    strip_nulls(&mut value);
    serde_path_to_error::deserialize(&value).map_err(|e| go_type_error(&value, go_type, &e))
}

/// `json.UnmarshalTypeError`'s text: `json: cannot unmarshal <json kind>
/// into Go struct field <Struct>.<json path> of type <go type>`. The struct
/// named is the request's root struct; Go names the innermost one, which
/// only differs for errors inside nested objects.
fn go_type_error(original: &Value, go_type: &str, err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let segments: Vec<String> = err
        .path()
        .iter()
        .filter_map(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            _ => None,
        })
        .collect();
    let found = value_at(original, err.path()).map(go_json_kind).unwrap_or("value");
    let expected = go_type_name(&err.inner().to_string());
    let root = go_type.rsplit('.').next().unwrap_or(go_type);
    if segments.is_empty() {
        format!("json: cannot unmarshal {found} into Go value of type {go_type}")
    } else {
        format!("json: cannot unmarshal {found} into Go struct field {root}.{} of type {expected}", segments.join("."))
    }
}

fn value_at<'a>(root: &'a Value, path: &serde_path_to_error::Path) -> Option<&'a Value> {
    path.iter().try_fold(root, |v, segment| match segment {
        serde_path_to_error::Segment::Map { key } => v.get(key),
        serde_path_to_error::Segment::Seq { index } => v.get(index),
        _ => Some(v),
    })
}

/// The Go type serde expected, from its "expected …" wording.
fn go_type_name(serde_message: &str) -> &'static str {
    let expected = serde_message.rsplit("expected ").next().unwrap_or("");
    match expected {
        e if e.starts_with("a string") => "string",
        e if e.starts_with("a boolean") => "bool",
        e if e.starts_with("a sequence") => "[]interface {}",
        e if e.starts_with("i") || e.starts_with("u") => "int",
        e if e.starts_with("f") => "float64",
        _ => "struct",
    }
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The text Go's `encoding/json` gives for malformed input, as closely as a
/// serde error allows: the common cases (empty or truncated body, a stray
/// character) read exactly as Go's do.
fn go_syntax_error(body: &[u8], err: &serde_json::Error) -> String {
    if err.is_eof() || body.iter().all(u8::is_ascii_whitespace) {
        return "unexpected end of JSON input".to_string();
    }
    let offset = line_column_to_offset(body, err.line(), err.column());
    let text = String::from_utf8_lossy(&body[offset.min(body.len())..]);
    match text.chars().next() {
        Some(ch) if err.to_string().starts_with("trailing characters") => {
            format!("invalid character '{ch}' after top-level value")
        }
        Some(ch) => format!("invalid character '{ch}' looking for beginning of value"),
        None => "unexpected end of JSON input".to_string(),
    }
}

/// serde reports 1-based lines and the column of the offending byte.
fn line_column_to_offset(body: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line {
        match body[offset..].iter().position(|b| *b == b'\n') {
            Some(i) => offset += i + 1,
            None => break,
        }
    }
    offset + column.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct Args {
        env_key: String,
    }

    #[test]
    fn go_json_escapes_html_characters() {
        assert_eq!(to_go_json("a<b>&c"), br#""a\u003cb\u003e\u0026c""#.to_vec());
    }

    #[test]
    fn go_json_escapes_line_and_paragraph_separators_among_other_characters() {
        let text = "中\u{2028}é\u{2029}—<x>\u{2027}";
        assert_eq!(to_go_json(text), "\"中\\u2028é\\u2029—\\u003cx\\u003e\u{2027}\"".as_bytes().to_vec());
    }

    #[test]
    fn an_empty_body_reads_as_gos_end_of_input_error() {
        let err = go_unmarshal::<Args>(b"", "service.X").unwrap_err();
        assert_eq!(err, ApiError::internal("unexpected end of JSON input"));
    }

    #[test]
    fn a_stray_character_is_named_as_go_names_it() {
        let err = go_unmarshal::<Args>(b"{\"env_key\": x}", "service.X").unwrap_err();
        assert_eq!(err, ApiError::internal("invalid character 'x' looking for beginning of value"));
    }

    #[test]
    fn a_top_level_array_cannot_fill_a_struct() {
        let err = go_unmarshal::<Args>(b"[]", "service.X").unwrap_err();
        assert_eq!(err, ApiError::internal("json: cannot unmarshal array into Go value of type service.X"));
    }

    #[test]
    fn a_wrong_field_type_reads_like_gos_unmarshal_type_error() {
        let err = go_unmarshal::<Args>(b"{\"env_key\": 7}", "service.X").unwrap_err();
        assert_eq!(
            err,
            ApiError::internal("json: cannot unmarshal number into Go struct field X.env_key of type string")
        );
    }

    #[test]
    fn nulls_leave_fields_at_their_zero_value() {
        let args: Args = go_unmarshal(b"{\"env_key\": null}", "service.X").unwrap();
        assert_eq!(args.env_key, "");
    }

    #[test]
    fn bind_json_ignores_trailing_bytes_and_rejects_empty_bodies() {
        let args: Args = bind_json(b"{\"env_key\":\"dev\"} trailing").unwrap();
        assert_eq!(args.env_key, "dev");
        assert_eq!(bind_json::<Args>(b"").unwrap_err(), ApiError::Empty(StatusCode::BAD_REQUEST));
    }

    #[test]
    fn the_decoder_reads_the_first_value_and_names_an_empty_body_eof() {
        assert_eq!(go_decode_first(b"[1] trailing"), Ok(serde_json::json!([1])));
        assert_eq!(go_decode_first(b"  "), Err("EOF".to_string()));
        assert_eq!(go_decode_first(b"[{\"a\":"), Err("unexpected EOF".to_string()));
        assert_eq!(go_decode_first(b"[x]"), Err("invalid character 'x' looking for beginning of value".to_string()));
    }

    #[test]
    fn query_values_are_percent_decoded_and_first_wins() {
        let q = QueryParams::parse(Some("projectKey=a%20b&projectKey=c&x=1+2&bad=%zz"));
        assert_eq!(q.get("projectKey"), "a b");
        assert_eq!(q.get("x"), "1 2");
        assert_eq!(q.get("bad"), "%zz");
        assert_eq!(QueryParams::parse(Some("x=%FFa")).get("x"), "\u{FFFD}a");
        let raw = Some("a=1&to%6Ben=t+1&token=t2&x");
        assert_eq!(QueryParams::first_value(raw, "token").as_deref(), Some("t 1"));
        assert_eq!(QueryParams::first_value(raw, "x").as_deref(), Some(""));
        assert_eq!(QueryParams::first_value(raw, "missing"), None);
        assert_eq!(q.get("missing"), "");
    }
}
