//! The OpenAPI document as a test oracle: which operation a request hit,
//! and whether a reply's body matches what the document promises for it.
//! `helpers::json` runs [`check_reply`] on every JSON body a test reads, so
//! the document cannot drift from what the server sends.

use std::collections::HashMap;
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

/// Checks a JSON reply against the document. `method` is `None` when the
/// request did not say (then any operation of the path may have sent it).
/// Panics with the differences when it does not match.
#[track_caller]
pub fn check_reply(method: Option<&str>, path: &str, status: u16, body: &Value) {
    let Some(template) = documented_path(path) else {
        // The control API is documented as it is built; until then its
        // replies are not checked.
        if path.starts_with("/_mock/") {
            return;
        }
        panic!("OpenAPI drift: no documented path serves {path} (openapi/zadig-mock.yaml)");
    };
    let methods: Vec<String> = match method {
        Some(m) => vec![m.to_lowercase()],
        None => {
            METHODS.iter().filter(|m| document()["paths"][template].get(**m).is_some()).map(|m| m.to_string()).collect()
        }
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
