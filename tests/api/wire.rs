//! The wire contract shared by every route (real-behaviour.md §0, §3, §4, §5):
//! the gateway's auth, gin's 404/405 texts, envelopes byte for byte, and
//! what arrives on the wire in unusual shapes.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

async fn raw(app: &TestApp, request: reqwest::RequestBuilder) -> (u16, String, String) {
    let _ = app;
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn a_request_without_a_token_is_401_with_an_empty_body() {
    let app = TestApp::spawn().await;

    let (status, _, body) =
        raw(&app, app.client.get(format!("{}/openapi/environments?projectKey=simple-demo", app.address))).await;

    assert_eq!((status, body.as_str()), (401, ""));
}

#[tokio::test]
async fn the_gateway_checks_the_token_before_routing() {
    // An unknown /openapi path without a token is 401, not 404.
    let app = TestApp::spawn().await;

    let (status, _, _) = raw(&app, app.client.get(format!("{}/openapi/no/such/route", app.address))).await;

    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_authorization_header_must_have_exactly_two_parts() {
    let app = TestApp::spawn().await;
    let url = format!("{}/openapi/environments?projectKey=simple-demo", app.address);

    for header in ["Bearer", "Bearer  two-spaces", "Bearer a b"] {
        let (status, _, body) = raw(&app, app.client.get(&url).header("Authorization", header)).await;
        assert_eq!((status, body.as_str()), (401, ""), "header {header:?}");
    }
    // The scheme word is not checked.
    let (status, _, _) = raw(&app, app.client.get(&url).header("Authorization", "Token abc")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_token_in_the_query_is_accepted_and_wins_over_the_header() {
    let app = TestApp::spawn_with(Options { tokens: vec!["good".into()], ..Default::default() }).await;
    let base = format!("{}/openapi/environments?projectKey=simple-demo", app.address);

    let (status, _, _) =
        raw(&app, app.client.get(format!("{base}&token=good")).header("Authorization", "Bearer bad")).await;
    assert_eq!(status, 200);
    let (status, _, _) =
        raw(&app, app.client.get(format!("{base}&token=bad")).header("Authorization", "Bearer good")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn with_configured_tokens_only_those_are_accepted() {
    let app = TestApp::spawn_with(Options { tokens: vec!["one".into(), "two".into()], ..Default::default() }).await;
    let url = format!("{}/openapi/environments?projectKey=simple-demo", app.address);

    let (ok, _, _) = raw(&app, app.client.get(&url).bearer_auth("two")).await;
    let (denied, _, _) = raw(&app, app.client.get(&url).bearer_auth(TOKEN)).await;

    assert_eq!((ok, denied), (200, 401));
}

#[tokio::test]
async fn healthz_answers_without_auth() {
    let app = TestApp::spawn().await;

    let response = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();

    assert_eq!(json(response, 200).await, json!({"status": "ok"}));
}

#[tokio::test]
async fn an_unknown_path_is_gins_plain_text_404() {
    let app = TestApp::spawn().await;

    let (status, content_type, body) =
        raw(&app, app.request(Method::GET, "/openapi/environments/dev/nothing/here")).await;

    assert_eq!(status, 404);
    assert_eq!(content_type, "text/plain; charset=utf-8");
    assert_eq!(body, "Invalid path: /openapi/environments/dev/nothing/here");
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_is_gins_plain_text_405() {
    // e.g. GET service/yaml: only POST and DELETE exist there in v3.4.0 (§1.3).
    let app = TestApp::spawn().await;

    let (status, content_type, body) = raw(&app, app.request(Method::GET, "/openapi/environments/service/yaml")).await;

    assert_eq!(status, 405);
    assert_eq!(content_type, "text/plain; charset=utf-8");
    assert_eq!(body, "Method not allowed: GET /openapi/environments/service/yaml");
}

#[tokio::test]
async fn the_httperror_envelope_keeps_gins_sorted_key_order() {
    let app = TestApp::spawn().await;

    let (status, content_type, body) = raw(&app, app.request(Method::GET, "/openapi/environments")).await;

    assert_eq!(status, 400);
    assert_eq!(content_type, "application/json; charset=utf-8");
    assert_eq!(
        body,
        r#"{"code":400,"description":"projectKey is empty","extra":{},"message":"Bad Request","type":"error"}"#
    );
}

#[tokio::test]
async fn the_internal_envelope_has_no_type_and_no_extra() {
    let app = TestApp::spawn().await;

    let (status, _, body) =
        raw(&app, app.request(Method::GET, "/openapi/environments/nope?projectKey=simple-demo")).await;

    assert_eq!(status, 500);
    assert_eq!(body, r#"{"code":500,"description":"mongo: no documents in result","message":"Internal Error: "}"#);
}

#[tokio::test]
async fn list_items_keep_go_declaration_order() {
    let app = TestApp::spawn().await;

    let (_, _, body) =
        raw(&app, app.request(Method::GET, "/openapi/environments/production?projectKey=simple-demo")).await;

    assert!(body.starts_with(r#"[{"envName":"prod","env_key":"prod","cluster_id":"#), "{body}");
}

#[tokio::test]
async fn chunked_request_bodies_are_accepted() {
    let app = TestApp::spawn().await;
    let chunks: Vec<Result<&'static str, std::io::Error>> = vec![
        Ok("{\"env_key\":\"chunky\",\"cluster_id\":\"c\","),
        Ok("\"namespace\":\"chunky\",\"registry_id\":\"r\"}"),
    ];
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));

    let response =
        app.request(Method::POST, "/openapi/environments?projectKey=simple-demo").body(body).send().await.unwrap();

    assert_success(response).await;
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_and_the_server_stays_up() {
    let app = TestApp::spawn_with(Options { max_body: 1024, ..Default::default() }).await;
    let big = format!("{{\"env_key\":\"{}\"}}", "x".repeat(4096));

    let response =
        app.request(Method::POST, "/openapi/environments?projectKey=simple-demo").body(big).send().await.unwrap();

    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(json(app.list_envs("simple-demo").await, 200).await.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn percent_encoded_path_segments_are_decoded() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("a b");
    body["namespace"] = json!("ab");
    assert_success(app.create_env("simple-demo", &body).await).await;

    let detail = json(app.get("/openapi/environments/a%20b?projectKey=simple-demo").await, 200).await;

    assert_eq!(detail["env_key"], "a b");
}

#[tokio::test]
async fn unknown_body_fields_are_ignored() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("extra");
    body["is_public"] = json!(true);
    body["sub_env"] = json!({"enable": true, "base_env": "dev"});

    assert_success(app.create_env("simple-demo", &body).await).await;
}

#[tokio::test]
async fn strings_are_escaped_as_gos_encoder_escapes_them() {
    let app = TestApp::spawn().await;
    let mut body = new_env_body("<b>&");
    body["namespace"] = json!("html");
    assert_success(app.create_env("simple-demo", &body).await).await;

    let (_, _, text) = raw(&app, app.request(Method::GET, "/openapi/environments?projectKey=simple-demo")).await;

    assert!(text.contains(r#""env_key":"\u003cb\u003e\u0026""#), "{text}");
}

#[tokio::test]
async fn head_is_not_get_it_is_405_as_in_gin() {
    let app = TestApp::spawn().await;

    let response = app.request(Method::HEAD, "/openapi/environments?projectKey=simple-demo").send().await.unwrap();

    assert_eq!(response.status().as_u16(), 405);
}

#[tokio::test]
async fn a_405_carries_no_allow_header_as_in_gin_1_9() {
    let app = TestApp::spawn().await;

    let response = app.request(Method::PATCH, "/openapi/environments/dev").send().await.unwrap();

    assert_eq!(response.status().as_u16(), 405);
    assert!(response.headers().get("allow").is_none());
}

#[tokio::test]
async fn a_trailing_slash_is_redirected_like_gins_redirect_trailing_slash() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let send =
        |method: Method, path: &str| client.request(method, format!("{}{path}", app.address)).bearer_auth(TOKEN).send();

    let get = send(Method::GET, "/openapi/environments/?projectKey=simple-demo").await.unwrap();
    let post = send(Method::POST, "/openapi/environments/dev/envcfgs/?projectKey=simple-demo").await.unwrap();
    let miss = send(Method::GET, "/openapi/nothing/").await.unwrap();

    assert_eq!(get.status().as_u16(), 301);
    assert_eq!(get.headers()["location"], "/openapi/environments?projectKey=simple-demo");
    assert_eq!(post.status().as_u16(), 307);
    assert_eq!(post.headers()["location"], "/openapi/environments/dev/envcfgs?projectKey=simple-demo");
    assert_eq!(miss.status().as_u16(), 404);
}

#[tokio::test]
async fn a_trailing_slash_without_a_token_is_still_401() {
    let app = TestApp::spawn().await;

    let (status, _, _) = raw(&app, app.client.get(format!("{}/openapi/environments/", app.address))).await;

    assert_eq!(status, 401);
}
