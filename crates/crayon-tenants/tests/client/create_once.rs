//! Creating once: looked up first, created at most once, and after a failed create looked up
//! again instead of sent twice, whatever the failure.

use crayon_tenants::CreatedOnce;
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, Operation, new_tenant_body};

use crate::start;

/// The next create is answered with this status and nothing is done, as a gateway would.
fn create_answers_once(status: u16) -> FaultRule {
    FaultRule::new(
        Operation::CreateCustomerTenant,
        Fault::Status {
            status,
            retry_after: None,
        },
    )
    .times(1)
}

#[tokio::test]
async fn a_free_prefix_is_created_and_a_second_call_finds_it() {
    let (server, client) = start(MockConfig::default().seed_tenants(3)).await;
    let first = client
        .create_customer_tenant_once(new_tenant_body(1, "once-new"))
        .await
        .unwrap();
    let CreatedOnce::Created(created) = &first else {
        panic!("expected Created, got {first:?}");
    };
    assert!(
        created
            .user
            .as_ref()
            .and_then(|u| u.password.as_ref())
            .is_some()
    );
    let again = client
        .create_customer_tenant_once(new_tenant_body(1, "ONCE-NEW"))
        .await
        .unwrap();
    assert!(matches!(again, CreatedOnce::Existing(_)), "{again:?}");
    assert_eq!(again.id(), first.id());
    assert!(!again.was_created() && first.was_created());
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 1);
    assert_eq!(server.state().tenant_count_in(1), 3 + 1);
}

#[tokio::test]
async fn the_look_up_is_exact_and_ignores_case() {
    let (_server, client) = start(MockConfig::default().seed_tenants(3)).await;
    let found = client
        .find_customer_tenant_by_domain_prefix(1, "CONTOSO1")
        .await
        .unwrap();
    assert_eq!(
        found.and_then(|t| t.domain_prefix).as_deref(),
        Some("contoso1")
    );
    for near in ["contoso", "contoso12", "ontoso1"] {
        let found = client
            .find_customer_tenant_by_domain_prefix(1, near)
            .await
            .unwrap();
        assert!(found.is_none(), "{near} found {found:?}");
    }
    // Another organization's tenant is not this organization's.
    assert!(
        client
            .find_customer_tenant_by_domain_prefix(2, "contoso1")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_gateway_error_that_created_nothing_is_the_create_s_error_and_is_not_repeated() {
    let (server, client) = start(MockConfig::default().seed_tenants(3)).await;
    server.add_fault(create_answers_once(502));
    let error = client
        .create_customer_tenant_once(new_tenant_body(1, "gateway"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 1);
    // Looked up before and after the failed create.
    assert_eq!(server.requests(Operation::ListCustomerTenants), 2);
    assert_eq!(server.state().tenant_count_in(1), 3);
}

#[tokio::test]
async fn a_lost_answer_is_found_and_reported_created_without_a_second_create() {
    let (server, client) = start(MockConfig::default().seed_tenants(3)).await;
    server.add_fault(
        FaultRule::new(Operation::CreateCustomerTenant, Fault::DropAfterRunning).times(1),
    );
    let outcome = client
        .create_customer_tenant_once(new_tenant_body(1, "lost-answer"))
        .await
        .unwrap();
    let CreatedOnce::CreatedAnswerLost(tenant) = &outcome else {
        panic!("expected CreatedAnswerLost, got {outcome:?}");
    };
    assert_eq!(tenant.domain_prefix.as_deref(), Some("lost-answer"));
    assert!(outcome.id().is_some() && outcome.was_created());
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 1);
    assert_eq!(server.state().tenant_count_in(1), 3 + 1);
}

#[tokio::test]
async fn a_lost_race_is_recognised_by_the_look_up_not_by_an_error_code() {
    let (server, client) = start(MockConfig::default().seed_tenants(3)).await;
    // The caller listed before someone else created the tenant: the create is refused. The
    // refusal here carries no error code at all (a bare 400), as a real server's may not.
    server.add_fault(create_answers_once(400));
    let outcome = client
        .create_customer_tenant_once(new_tenant_body(1, "contoso1"))
        .known_absent()
        .await
        .unwrap();
    assert!(matches!(outcome, CreatedOnce::Existing(_)), "{outcome:?}");
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 1);
    assert_eq!(
        server.requests(Operation::ListCustomerTenants),
        1,
        "no look-up before"
    );
    assert_eq!(server.state().tenant_count_in(1), 3);
}

#[tokio::test]
async fn a_refused_create_whose_prefix_is_free_is_the_create_s_error() {
    let (server, client) = start(MockConfig::default().seed_tenants(3)).await;
    server.add_fault(create_answers_once(400));
    let error = client
        .create_customer_tenant_once(new_tenant_body(1, "refused"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 1);
    assert_eq!(server.state().tenant_count_in(1), 3);
}
