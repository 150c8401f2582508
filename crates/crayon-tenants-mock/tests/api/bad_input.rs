use crayon_tenants_mock::MAX_BODY_BYTES;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Api, create_body};

/// Bad bodies on every operation that takes one: each is a clear 400, never a 500.
#[tokio::test]
async fn malformed_wrongly_typed_and_oversized_bodies_are_400_api_errors() {
    let api = Api::default().await;
    let huge = format!(
        "{{\"Tenant\": {{\"Name\": \"{}\"}}}}",
        "x".repeat(MAX_BODY_BYTES + 1)
    );
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "not JSON",
            "application/json",
            "{\"Tenant\": ".to_owned(),
            "not valid JSON",
        ),
        (
            "a JSON array",
            "application/json",
            "[1, 2]".to_owned(),
            "must be a JSON object",
        ),
        (
            "form body",
            "application/x-www-form-urlencoded",
            "Tenant=1".to_owned(),
            "Content-Type: application/json",
        ),
        (
            "text body",
            "text/plain",
            "{}".to_owned(),
            "Content-Type: application/json",
        ),
        ("oversized", "application/json", huge, "larger than"),
    ];
    let mut wrongly_typed = create_body("typed");
    wrongly_typed["Tenant"]["DomainPrefix"] = json!(1);
    wrongly_typed["Tenant"]["ExternalPublisherCustomerId"] = json!("an-external-id");
    let targets = [
        ("POST", "/api/v1/customertenants/", wrongly_typed.clone()),
        (
            "POST",
            "/api/v1/customertenants/existing/",
            wrongly_typed.clone(),
        ),
        ("PUT", "/api/v1/customertenants/1/", wrongly_typed),
        (
            "POST",
            "/api/v1/customertenants/1/agreements/",
            json!({"FirstName": 5}),
        ),
    ];
    for (method, path, wrong_type) in targets {
        let wrong_type = (
            "wrong type",
            "application/json",
            wrong_type.to_string(),
            "is not of type",
        );
        for (case, content_type, body, message) in cases.iter().chain([&wrong_type]) {
            let request = api
                .http
                .request(method.parse().unwrap(), api.url(path))
                .bearer_auth(&api.token)
                .header("content-type", *content_type)
                .body(body.clone());
            let reply = api.send(request).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{method} {path}: {case}"
            );
            let text = reply.json().to_string();
            assert!(text.contains(message), "{method} {path}: {case}: {text}");
        }
    }
    assert_eq!(api.server.state().tenant_count(), 30);
}

#[tokio::test]
async fn a_wrongly_typed_field_is_named_by_its_path() {
    let api = Api::default().await;
    let mut body = create_body("typed");
    body["Tenant"]["Publisher"]["Id"] = json!("two");
    let reply = api
        .call(
            reqwest::Method::POST,
            "/api/v1/customertenants/",
            Some(body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.object_error_fields(), ["Tenant.Publisher.Id"]);
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let api = Api::default().await;
    let mut body = create_body("unknowns");
    body["Tenant"]["FutureField"] = json!({"deep": [1, {"x": null}]});
    body["Extra"] = json!(42);
    let reply = api
        .call(
            reqwest::Method::POST,
            "/api/v1/customertenants/",
            Some(body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
    assert!(reply.json()["Tenant"].get("FutureField").is_none());
}

#[tokio::test]
async fn an_empty_integer_or_boolean_parameter_is_refused_an_empty_string_filters_nothing() {
    let api = Api::default().await;
    for (path, parameter) in [
        ("/api/v1/publishers/?page=", "page"),
        ("/api/v1/publishers/?pageSize=", "pageSize"),
        ("/api/v1/publishers/?programType=", "programType"),
        ("/api/v1/organizations/?page=", "page"),
        (
            "/api/v1/invoiceprofiles/?organizationId=1&pageSize=",
            "pageSize",
        ),
        ("/api/v1/customertenants/?organizationId=1&page=", "page"),
        (
            "/api/v1/customertenants/?organizationId=1&publisherId=",
            "publisherId",
        ),
    ] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(reply.json()["Parameters"]["Parameter"], parameter, "{path}");
    }
    let all = api.get("/api/v1/publishers/").await.json();
    for path in ["/api/v1/publishers/?search=", "/api/v1/publishers/?names="] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.json(), all, "{path}");
    }
}
