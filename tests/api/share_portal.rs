//! Portal services of shared environments (real-behaviour.md §2.18):
//! their errors, the `GET` that answers success, and the Gateway kept in
//! the world.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn portals_of_an_environment_that_does_not_share_are_refused_with_a_literal_percent_s() {
    let app = TestApp::spawn().await;
    // Vendor quirk: `AddDesc` does not format (share_env.go:724 and :816).
    let text = "%s doesn't enable share environment or is not base environment";

    let get = app.get_portal("simple-demo", "dev", "service1").await;
    let set = app.set_portal("simple-demo", "dev", "service1", &json!([])).await;

    assert_zadig_error(get, 400, 6079, "获取入口服务配置失败", text).await;
    assert_zadig_error(set, 400, 6079, "设置入口服务失败", text).await;
}

#[tokio::test]
async fn portals_of_an_unknown_environment_are_6079_with_the_query_error() {
    let app = TestApp::spawn().await;
    let text = "failed to query env nope of product simple-demo: mongo: no documents in result";

    let get = app.get_portal("simple-demo", "nope", "service1").await;
    let set = app.set_portal("simple-demo", "nope", "service1", &json!([])).await;

    assert_zadig_error(get, 400, 6079, "获取入口服务配置失败", text).await;
    assert_zadig_error(set, 400, 6079, "设置入口服务失败", text).await;
}

#[tokio::test]
async fn getting_a_portal_answers_success_not_its_servers() {
    // Arrange
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let servers = json!([{"host": "shop.example.com", "port_number": 80, "port_protocol": "HTTP"}]);
    assert_success(app.set_portal("simple-demo", "dev", "service1", &servers).await).await;

    // Act
    let response = app.get_portal("simple-demo", "dev", "service1").await;

    // Assert: the handler never assigns `ctx.Resp` (env/handler/openapi.go:1650-1661).
    assert_success(response).await;
    let stored = app.store.with(|w| w.portal_service("simple-demo", "dev", "service1").expect("shared"));
    assert_eq!(serde_json::to_value(stored).expect("JSON"), servers);
}

#[tokio::test]
async fn a_portal_for_a_service_not_in_the_environment_fails_after_the_gateway_is_made() {
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let servers = json!([{"host": "x.example.com", "port_number": 8080, "port_protocol": "HTTP"}]);

    let response = app.set_portal("simple-demo", "dev", "nope", &servers).await;
    let cleanup = app.set_portal("simple-demo", "dev", "nope", &json!([])).await;

    let text = "failed to parse k8s project services, err: can't find nope in env dev";
    assert_zadig_error(response, 400, 6079, "设置入口服务失败", text).await;
    // The Gateway was created before the service lookup failed, so it can be deleted.
    assert_zadig_error(cleanup, 400, 6079, "设置入口服务失败", text).await;
}

#[tokio::test]
async fn an_empty_server_list_deletes_the_gateway_which_must_exist() {
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let servers = json!([{"host": "shop.example.com", "port_number": 80, "port_protocol": "HTTP"}]);

    let missing = app.set_portal("simple-demo", "dev", "service1", &json!([])).await;
    assert_success(app.set_portal("simple-demo", "dev", "service1", &servers).await).await;
    let deleted = app.set_portal("simple-demo", "dev", "service1", &json!([])).await;

    let text = "failed to clean istio ingress gateway service, err: failed to delete gateway zadig-gateway-service1 in namespace simple-demo-env-dev, err: gateways.networking.istio.io \"zadig-gateway-service1\" not found";
    assert_zadig_error(missing, 400, 6079, "设置入口服务失败", text).await;
    assert_success(deleted).await;
}

#[tokio::test]
async fn a_bad_portal_body_is_a_400_with_the_decoders_error() {
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let path = "/openapi/environments/dev/share/portal/service1?projectKey=simple-demo";
    let cases: [(&'static str, &str); 5] = [
        ("", "EOF"),
        ("[{\"host\":", "unexpected EOF"),
        ("{}", "json: cannot unmarshal object into Go value of type []handler.OpenAPISetPortalServiceRequest"),
        (
            "[{\"port_number\":\"80\"}]",
            "json: cannot unmarshal string into Go struct field OpenAPISetPortalServiceRequest.port_number of type uint32",
        ),
        (
            "[{\"port_number\":-1}]",
            "json: cannot unmarshal number -1 into Go struct field OpenAPISetPortalServiceRequest.port_number of type uint32",
        ),
    ];

    for (body, text) in cases {
        let response = app.send_raw(Method::POST, path, body).await;
        assert_zadig_error(response, 400, 400, "Bad Request", text).await;
    }
}

#[tokio::test]
async fn portal_keys_match_case_insensitively_as_in_go() {
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let body = json!([{"HOST": "a.example.com", "Port_Number": 81, "port_protocol": "HTTP", "extra": 1}]);

    assert_success(app.set_portal("simple-demo", "dev", "service1", &body).await).await;

    let stored = app.store.with(|w| w.portal_service("simple-demo", "dev", "service1").expect("shared"));
    assert_eq!(
        serde_json::to_value(stored).expect("JSON"),
        json!([{"host": "a.example.com", "port_number": 81, "port_protocol": "HTTP"}])
    );
}

#[tokio::test]
async fn disabling_removes_the_portal_gateways() {
    let app = TestApp::spawn().await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let servers = json!([{"host": "shop.example.com", "port_number": 80, "port_protocol": "HTTP"}]);
    assert_success(app.set_portal("simple-demo", "dev", "service1", &servers).await).await;

    assert_success(app.disable_share("simple-demo", "dev").await).await;
    assert_success(app.enable_share("simple-demo", "dev").await).await;
    let response = app.set_portal("simple-demo", "dev", "service1", &json!([])).await;

    assert_eq!(response.status().as_u16(), 400, "the Gateway is gone, so deleting it fails");
}
