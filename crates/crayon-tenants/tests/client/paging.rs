use std::collections::BTreeSet;

use crayon_tenants::types::CustomerTenantType;
use crayon_tenants::{Error, ListingChange};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, MockServer, Operation, WorldChange};
use futures::{StreamExt, TryStreamExt};

use crate::{answering, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_streams_every_tenant_in_order_at_any_page_size_and_concurrency() {
    let (server, client) = start(MockConfig::default().seed_tenants(1000)).await;
    for page_size in [7, 100, 333, 1000] {
        for concurrency in [1, 4, 8] {
            server.reset_requests();
            let tenants: Vec<_> = client
                .list_customer_tenants()
                .organization_id(1)
                .paging()
                .page_size(page_size)
                .concurrency(concurrency)
                .stream()
                .try_collect()
                .await
                .unwrap();
            let ids: Vec<i32> = tenants.iter().map(|tenant| tenant.id.unwrap()).collect();
            assert_eq!(
                ids,
                (1..=1000).collect::<Vec<_>>(),
                "page size {page_size}, concurrency {concurrency}"
            );
            let pages = 1000_u64.div_ceil(page_size as u64);
            assert_eq!(
                server.requests(Operation::ListCustomerTenants),
                pages,
                "one request per page, no more"
            );
        }
    }
}

#[tokio::test]
async fn list_all_passes_the_filters_on() {
    let (_server, client) = start(MockConfig::default().seed_tenants(60)).await;
    let t1: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .customer_tenant_type(CustomerTenantType::T1)
        .paging()
        .page_size(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(t1.len(), 12);
    assert!(
        t1.iter()
            .all(|tenant| tenant.customer_tenant_type == Some(CustomerTenantType::T1))
    );
    let adobe: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .publisher_id(3)
        .search("ab")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(
        !adobe.is_empty()
            && adobe
                .iter()
                .all(|tenant| tenant.publisher.as_ref().unwrap().id == Some(3))
    );
    let none: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .domain_prefix("no-such-prefix")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_page_that_fails_ends_the_stream_with_its_error() {
    let (server, client) = start(MockConfig::default().seed_tenants(300)).await;
    let mut stream = client
        .list_customer_tenants()
        .organization_id(1)
        .paging()
        .page_size(100)
        .concurrency(1)
        .stream();
    let mut received = 0;
    for _ in 0..100 {
        stream.next().await.unwrap().unwrap();
        received += 1;
    }
    // Page 1 is in; page 2 now fails with a status that is not retried.
    server.add_fault(FaultRule::new(
        Operation::ListCustomerTenants,
        Fault::Status {
            status: 500,
            retry_after: None,
        },
    ));
    let error = stream
        .next()
        .await
        .expect("the error is yielded")
        .expect_err("page 2 failed");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(matches!(error, Error::Api(_)));
    assert!(stream.next().await.is_none(), "nothing after the error");
    assert_eq!(received, 100);
}

#[tokio::test]
async fn a_first_page_that_fails_is_the_only_item() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(
        FaultRule::new(
            Operation::ListCustomerTenants,
            Fault::HtmlPage { status: 502 },
        )
        .times(1),
    );
    let results: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .into_stream()
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]
            .as_ref()
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(502)
    );
    let forbidden: Vec<_> = client
        .list_customer_tenants()
        .organization_id(3)
        .into_stream()
        .collect()
        .await;
    assert_eq!(
        forbidden[0]
            .as_ref()
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(403)
    );
}

/// The issue's world: 30 tenants, 10 a page, the change made once page 1 is answered.
async fn changing(change: WorldChange) -> (MockServer, crayon_tenants::Client) {
    start(
        MockConfig::default()
            .seed_tenants(30)
            .fault(FaultRule::new(Operation::ListCustomerTenants, Fault::Change(change)).times(1)),
    )
    .await
}

fn ids_of(tenants: &[crayon_tenants::types::CustomerTenant]) -> Vec<i32> {
    tenants.iter().map(|tenant| tenant.id.unwrap()).collect()
}

/// The ids of organization 1's tenants now.
fn stored_ids(server: &MockServer) -> BTreeSet<i32> {
    server
        .state()
        .tenants()
        .into_iter()
        .filter(|stored| stored.organization_id == 1)
        .filter_map(|stored| stored.detailed.tenant?.id)
        .collect()
}

#[tokio::test]
async fn a_listing_that_changes_between_pages_is_read_again_and_yields_each_tenant_once() {
    for change in [
        WorldChange::DeleteFirst,
        WorldChange::InsertFirst,
        WorldChange::Repeat,
        WorldChange::RenameLastFirst,
    ] {
        let (server, client) = changing(change).await;
        let before = stored_ids(&server);
        let tenants: Vec<_> = client
            .list_customer_tenants()
            .organization_id(1)
            .page_size(10)
            .into_stream()
            .try_collect()
            .await
            .unwrap_or_else(|error| panic!("{change:?}: {error}"));
        let ids = ids_of(&tenants);
        let yielded: BTreeSet<i32> = ids.iter().copied().collect();
        assert_eq!(
            yielded.len(),
            ids.len(),
            "{change:?}: each at most once: {ids:?}"
        );
        let after = stored_ids(&server);
        let throughout: BTreeSet<i32> = before.intersection(&after).copied().collect();
        assert!(
            throughout.is_subset(&yielded),
            "{change:?}: missing {:?}",
            throughout.difference(&yielded).collect::<Vec<_>>()
        );
        assert!(
            yielded.is_subset(&before.union(&after).copied().collect()),
            "{change:?}: only tenants that existed"
        );
        // One read of 3 pages, a sign of change, one more read (4 pages after an insert).
        let requests = server.requests(Operation::ListCustomerTenants);
        assert!(
            (4..=8).contains(&requests),
            "{change:?}: {requests} requests"
        );
    }
}

#[tokio::test]
async fn a_change_that_keeps_the_count_is_caught_only_by_the_verified_listing() {
    let (server, client) = changing(WorldChange::Replace).await;
    let before = stored_ids(&server);
    // One read cannot see it: tenant 11 moved onto page 1 after page 1 was read.
    let plain: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .page_size(10)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(plain.len(), 30);
    assert!(!ids_of(&plain).contains(&11), "the limit of one read");

    let (server, client) = changing(WorldChange::Replace).await;
    let verified = client
        .list_customer_tenants()
        .organization_id(1)
        .page_size(10)
        .paging()
        .verified()
        .await
        .unwrap();
    let ids: BTreeSet<i32> = ids_of(&verified).into_iter().collect();
    assert_eq!(ids, stored_ids(&server), "the listing as it is now");
    assert_eq!(ids.len(), verified.len());
    assert_ne!(ids, before);
    // Three reads: the changed one, one that differs from it, one that agrees.
    assert_eq!(server.requests(Operation::ListCustomerTenants), 9);
}

#[tokio::test]
async fn a_verified_listing_reads_twice_or_once_when_one_page_holds_it() {
    let (server, client) = start(MockConfig::default().seed_tenants(30)).await;
    let listing = || client.list_customer_tenants().organization_id(1);
    let twice = listing().page_size(10).paging().verified().await.unwrap();
    assert_eq!(ids_of(&twice), (1..=30).collect::<Vec<_>>());
    assert_eq!(server.requests(Operation::ListCustomerTenants), 6);
    server.reset_requests();
    let once = listing().page_size(30).paging().verified().await.unwrap();
    assert_eq!(once, twice);
    assert_eq!(server.requests(Operation::ListCustomerTenants), 1);
    // Keeping only what is needed of each tenant.
    let ids = listing()
        .page_size(10)
        .paging()
        .verified_map(|tenant| tenant.id)
        .await
        .unwrap();
    assert_eq!(ids, (1..=30).map(Some).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_listing_that_never_holds_still_ends_with_listing_changed() {
    // Every page answered deletes a tenant: no two reads agree, no read is whole.
    let (_server, client) = start(MockConfig::default().seed_tenants(60).fault(FaultRule::new(
        Operation::ListCustomerTenants,
        Fault::Change(WorldChange::DeleteFirst),
    )))
    .await;
    let results: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .page_size(10)
        .into_stream()
        .collect()
        .await;
    let error = results.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(
            error,
            Error::ListingChanged {
                reads: 3,
                change: ListingChange::TotalHits { .. }
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("the listing changed while it was read"),
        "{error}"
    );
    let ids: Vec<i32> = results.iter().filter_map(|r| r.as_ref().ok()?.id).collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<BTreeSet<_>>().len(),
        "each at most once"
    );

    // Without re-reads, the first sign ends it.
    let (_server, client) = changing(WorldChange::Repeat).await;
    let results: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .paging()
        .page_size(10)
        .max_rereads(0)
        .stream()
        .collect()
        .await;
    assert!(
        matches!(
            results.last(),
            Some(Err(Error::ListingChanged {
                reads: 1,
                change: ListingChange::Repeated { id: 10, page: 2 }
            }))
        ),
        "{:?}",
        results.last()
    );
}

#[tokio::test]
async fn pages_that_stay_short_of_total_hits_end_with_incomplete_listing() {
    let listing = |body: &'static str| async move {
        let client = crayon_tenants::Client::builder()
            .base_url(answering("HTTP/1.1 200 OK\r\ncontent-type: application/json", body).await)
            .bearer_token("token")
            .build()
            .unwrap();
        client
            .list_customer_tenants()
            .organization_id(1)
            .paging()
            .page_size(2)
            .stream()
            .collect::<Vec<_>>()
            .await
    };
    // TotalHits promises 3, every read's page 1 is empty: the same in two reads, so the
    // server's pages do not add up; the listing is not changing.
    let results = listing(r#"{"Items":[],"TotalHits":3}"#).await;
    assert!(
        matches!(
            results[..],
            [Err(Error::IncompleteListing {
                received: 0,
                total: 3
            })]
        ),
        "{results:?}"
    );
    // A server that answers every page alike repeats ids: a change, read after read.
    let results = listing(r#"{"Items":[{"Id":1},{"Id":2}],"TotalHits":5}"#).await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(
        matches!(
            results[2],
            Err(Error::ListingChanged {
                reads: 3,
                change: ListingChange::Repeated { id: 1, page: 2 }
            })
        ),
        "{:?}",
        results[2]
    );
}

#[tokio::test]
async fn a_server_that_caps_the_page_size_still_yields_every_tenant() {
    let (server, client) = start(MockConfig::default().seed_tenants(25).page_size_cap(3)).await;
    for concurrency in [1, 4] {
        server.reset_requests();
        let tenants: Vec<_> = client
            .list_customer_tenants()
            .organization_id(1)
            .paging()
            .page_size(10)
            .concurrency(concurrency)
            .stream()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<i32> = tenants.iter().map(|tenant| tenant.id.unwrap()).collect();
        assert_eq!(
            ids,
            (1..=25).collect::<Vec<_>>(),
            "concurrency {concurrency}"
        );
        assert_eq!(
            server.requests(Operation::ListCustomerTenants),
            25_u64.div_ceil(3),
            "pages of the size the server gives"
        );
    }
}

#[tokio::test]
async fn the_stream_is_static_and_runs_in_a_task_of_its_own() {
    let (_server, client) = start(MockConfig::default().seed_tenants(30)).await;
    let stream = client
        .list_customer_tenants()
        .organization_id(1)
        .search("a")
        .into_stream();
    drop(client); // the stream owns what it needs
    let task = tokio::spawn(async move {
        let mut stream = stream;
        let mut names = Vec::new();
        while let Some(tenant) = stream.try_next().await.unwrap() {
            names.push(tenant.name.unwrap_or_default());
        }
        (names, stream.total())
    });
    let (names, total) = task.await.unwrap();
    assert!(!names.is_empty());
    assert_eq!(total, Some(names.len() as i64));
    assert!(names.iter().all(|name| name.to_lowercase().contains('a')));
}

#[tokio::test]
async fn without_total_hits_a_page_bound_stops_a_server_that_never_ends() {
    let client = crayon_tenants::Client::builder()
        // List pages without `TotalHits` that never come back short.
        .base_url(
            answering(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json",
                // Items without an Id: nothing tells a page from the one before.
                r#"{"Items":[{"Name":"a"},{"Name":"b"}]}"#,
            )
            .await,
        )
        .bearer_token("token")
        .build()
        .unwrap();
    let results: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .paging()
        .page_size(2)
        .max_pages(5)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 5 * 2 + 1);
    assert!(results[..10].iter().all(Result::is_ok));
    assert!(
        matches!(results[10], Err(Error::PageBoundReached { pages: 5 })),
        "{:?}",
        results[10]
    );
}

#[tokio::test]
async fn the_builder_s_page_size_is_the_stream_s_and_one_out_of_bounds_is_refused_before_sending() {
    let (server, client) = start(MockConfig::default().seed_tenants(20)).await;
    let tenants: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .page_size(7)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(tenants.len(), 20);
    assert_eq!(
        server.requests(Operation::ListCustomerTenants),
        3,
        "pages of 7"
    );

    // Set on the paging, it wins over the builder's.
    server.reset_requests();
    let again: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .page_size(7)
        .paging()
        .page_size(10)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(again.len(), 20);
    assert_eq!(
        server.requests(Operation::ListCustomerTenants),
        2,
        "pages of 10"
    );

    server.reset_requests();
    let mut refused = client
        .list_customer_tenants()
        .organization_id(1)
        .page_size(5000)
        .into_stream();
    let error = refused.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(error.to_string().contains("5000"), "{error}");
    assert!(refused.next().await.is_none());
    assert_eq!(server.requests(Operation::ListCustomerTenants), 0);
}
