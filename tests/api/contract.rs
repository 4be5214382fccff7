//! The OpenAPI document as a test oracle: which operation a request hit,
//! and whether a reply's body matches what the document promises for it.
//! `helpers::json` runs [`check_reply`] on every JSON body a test reads, so
//! the document cannot drift from what the server sends.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

/// The document, parsed once.
pub fn document() -> &'static Value {
    zadig_mock::api::openapi::document().expect("the embedded OpenAPI document parses")
}

/// The methods an OpenAPI path item can hold.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The documented path template that serves `path`, chosen as the router
/// chooses: segment by segment, a literal beats a `{parameter}`.
pub fn documented_path(path: &str) -> Option<&'static str> {
    let wanted: Vec<&str> = path.split('/').collect();
    let paths = document()["paths"].as_object()?;
    paths
        .keys()
        .filter_map(|template| {
            let segments: Vec<&str> = template.split('/').collect();
            let fits =
                segments.len() == wanted.len() && segments.iter().zip(&wanted).all(|(t, w)| is_parameter(t) || t == w);
            // Literal positions, most significant first: the router's preference.
            fits.then(|| (segments.iter().map(|s| !is_parameter(s)).collect::<Vec<bool>>(), template.as_str()))
        })
        .max()
        .map(|(_, template)| template)
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Follows a local `$ref` (`#/components/…`) in the document.
pub fn resolve(value: &'static Value) -> &'static Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) => resolve(
            document()
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("OpenAPI document: dangling $ref {pointer}")),
        ),
        None => value,
    }
}

/// The JSON schema the document gives a reply: the response's own
/// `application/json` schema, or, for a response documented without one
/// (a 400 that may be empty), the envelope every error of that status uses.
fn reply_schema(operation: &'static Value, status: u16) -> Result<Value, String> {
    let responses = &operation["responses"];
    let response = responses.get(status.to_string()).or_else(|| responses.get("default"));
    let Some(response) = response.map(resolve) else {
        return Err(format!("status {status} is not documented"));
    };
    if let Some(schema) = response.pointer("/content/application~1json/schema") {
        return Ok(schema.clone());
    }
    match status {
        400 | 404 | 413 => Ok(json!({"$ref": "#/components/schemas/HTTPError"})),
        500 => Ok(json!({"$ref": "#/components/schemas/InternalError"})),
        _ => Err(format!("status {status} is documented without a JSON body")),
    }
}

type Validators = Mutex<HashMap<(String, String, u16), Arc<jsonschema::Validator>>>;

/// A compiled validator for one documented reply, cached.
fn validator(path: &'static str, method: &str, status: u16) -> Result<Arc<jsonschema::Validator>, String> {
    static CACHE: OnceLock<Validators> = OnceLock::new();
    let key = (path.to_string(), method.to_string(), status);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().expect("validator cache").get(&key) {
        return Ok(found.clone());
    }
    let operation = document()["paths"][path]
        .get(method)
        .ok_or_else(|| format!("{} {path} is not documented", method.to_uppercase()))?;
    let schema = reply_schema(operation, status)?;
    // The schema's `$ref`s point into the document, so the document's
    // components travel with it.
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document()["components"],
        "allOf": [schema],
    });
    let compiled = Arc::new(jsonschema::validator_for(&root).map_err(|e| format!("schema does not compile: {e}"))?);
    cache.lock().expect("validator cache").insert(key, compiled.clone());
    Ok(compiled)
}

fn violations(path: &'static str, method: &str, status: u16, body: &Value) -> Result<(), String> {
    let validator = validator(path, method, status)?;
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("; ")),
    }
}

type MethodsByUrl = Mutex<HashMap<String, BTreeSet<String>>>;

fn methods_by_url() -> &'static MethodsByUrl {
    static MAP: OnceLock<MethodsByUrl> = OnceLock::new();
    MAP.get_or_init(Default::default)
}

/// Notes that `url` was requested with `method` (the harness calls it for
/// every request it builds; each test server has its own port).
pub fn remember_method(url: &str, method: &reqwest::Method) {
    let Ok(url) = reqwest::Url::parse(url) else { return };
    let mut map = methods_by_url().lock().expect("method map");
    map.entry(url.to_string()).or_default().insert(method.as_str().to_lowercase());
}

/// The methods `url` was requested with; empty when unknown (then every
/// operation of the path may have answered).
pub fn methods_of(url: &reqwest::Url) -> Vec<String> {
    let map = methods_by_url().lock().expect("method map");
    map.get(url.as_str()).map(|m| m.iter().cloned().collect()).unwrap_or_default()
}

/// Checks a JSON reply against the document: it must match what one of
/// `methods` (all the path's operations when empty) documents for `status`.
/// Panics with the differences when it does not.
#[track_caller]
pub fn check_reply(methods: &[String], path: &str, status: u16, body: &Value) {
    let template = documented_path(path);
    let documented = |m: &str| template.is_some_and(|t| document()["paths"][t].get(m).is_some());
    let routing_miss = match template {
        None => status == 404,
        Some(_) => status == 405 && !methods.is_empty() && !methods.iter().any(|m| documented(m)),
    };
    if routing_miss {
        return check_routing_miss(path, status, body);
    }
    let Some(template) = template else {
        panic!("OpenAPI drift: no documented path serves {path} (openapi/zadig-mock.yaml)");
    };
    let methods: Vec<String> = match methods.is_empty() {
        false => methods.to_vec(),
        true => METHODS.iter().filter(|m| documented(m)).map(|m| m.to_string()).collect(),
    };
    let outcomes: Vec<Result<(), String>> = methods.iter().map(|m| violations(template, m, status, body)).collect();
    if outcomes.iter().any(Result::is_ok) {
        return;
    }
    let reasons: Vec<String> = methods.iter().zip(outcomes).map(|(m, r)| format!("{m}: {}", r.unwrap_err())).collect();
    panic!(
        "OpenAPI drift: the {status} reply to {path} ({template}) does not match openapi/zadig-mock.yaml: \
         {reasons:?}\nbody: {body}"
    );
}

/// A routing miss answered in JSON (404: no route, 405: no such method) is
/// the control API's error; the emulated API answers those in plain text.
#[track_caller]
fn check_routing_miss(path: &str, status: u16, body: &Value) {
    let schema = resolve(&document()["components"]["schemas"]["ControlError"]);
    let root = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": [schema]});
    let valid = jsonschema::validator_for(&root).map(|v| v.is_valid(body)).unwrap_or(false);
    assert!(
        path.starts_with("/_mock/") && valid,
        "OpenAPI drift: the {status} routing reply to {path} is not the control API's error: {body}"
    );
}
