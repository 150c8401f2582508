use std::collections::HashSet;

use futures::future::join_all;
use reqwest::{Method, StatusCode};

use crate::support::{Api, create_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_creates_make_a_thousand_distinct_tenants() {
    let api = Api::default().await;
    let creates = (0..1000).map(|n| {
        api.call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(create_body(&format!("concurrent{n}"))),
        )
    });
    let replies = join_all(creates).await;
    let mut ids = HashSet::new();
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK);
        ids.insert(reply.json()["Tenant"]["Id"].as_i64().unwrap());
    }
    assert_eq!(ids.len(), 1000, "every create got its own id");
    assert_eq!(api.server.state().tenant_count(), 30 + 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_domain_prefix_make_exactly_one_tenant() {
    let api = Api::default().await;
    let creates = (0..50).map(|_| {
        api.call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(create_body("contested")),
        )
    });
    let statuses: Vec<StatusCode> = join_all(creates)
        .await
        .into_iter()
        .map(|reply| reply.status)
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == StatusCode::OK)
            .count(),
        1
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == StatusCode::BAD_REQUEST)
            .count(),
        49
    );
    assert_eq!(api.server.state().tenant_count(), 31);
}
