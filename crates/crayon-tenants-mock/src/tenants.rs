//! The customer-tenant operations: list, create, add existing, get, get detailed, update,
//! delete, Azure plan, and agreements.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use crayon_tenants::types::{
    AzurePlan, CustomerTenant, CustomerTenantCollection, CustomerTenantDetailed,
    CustomerTenantDetailedInput, CustomerTenantType, CustomerTenantUser, EntityStatus,
    ExistingCustomerTenantDetailed, NewCustomerTenantDetailed, ObjectReference,
    ServiceAccountAgreement, ServiceAccountAgreementCollection, ServiceAccountAgreementInput,
    SubscriptionPriceType,
};
use serde_json::Value;

use crate::app::App;
use crate::auth::Authenticated;
use crate::error::MockError;
use crate::request::{JsonBody, PathId, QueryParams};
use crate::seed::{self, MICROSOFT};
use crate::state::{Conflict, Identity, StoredTenant};

/// Page size when the request gives none: the SDK's default, which the contract assumes the
/// server uses too. The largest page size is the contract's (`pageSize`'s `maximum`).
pub const DEFAULT_PAGE_SIZE: i32 = 50;

type AppState = State<Arc<App>>;

/// A stored tenant the user may see: 404 when there is none, 403 when it belongs to an
/// organization the user may not see.
fn visible_tenant(app: &App, id: i32) -> Result<StoredTenant, MockError> {
    let stored = app
        .state
        .tenant(id)
        .ok_or_else(|| MockError::tenant_not_found(id))?;
    if !app.state.world().is_visible(stored.organization_id) {
        return Err(MockError::forbidden_organization(stored.organization_id));
    }
    Ok(stored)
}

fn require_visible_organization(app: &App, organization_id: i32) -> Result<(), MockError> {
    if app.state.world().is_visible(organization_id) {
        Ok(())
    } else {
        Err(MockError::forbidden_organization(organization_id))
    }
}

fn conflict_error(conflict: Conflict) -> MockError {
    match conflict {
        Conflict::DomainPrefixTaken(prefix) => {
            MockError::bad_request("The domain prefix is already in use")
                .code("DomainPrefixTaken")
                .parameter("DomainPrefix", prefix)
        }
        Conflict::AlreadyAdded(external_id) => {
            MockError::bad_request("This customer tenant has already been added")
                .code("CustomerTenantAlreadyExists")
                .parameter("ExternalPublisherCustomerId", external_id)
        }
    }
}

/// FNV-1a: a stable hash, so that what the mock derives from a domain prefix is the same every run.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `GET /api/v1/customertenants/`
pub(crate) async fn list(
    State(app): AppState,
    _: Authenticated,
    query: QueryParams,
) -> Result<Json<CustomerTenantCollection>, MockError> {
    // The contract check (`request.rs`) has refused a query without `organizationId`, a value
    // of the wrong type, a page below 1 and a page size out of its bounds.
    let organization_id = query.int("organizationId").unwrap_or_default();
    require_visible_organization(&app, organization_id)?;
    let page = query.int("page").unwrap_or(1);
    let page_size = query.int("pageSize").unwrap_or(DEFAULT_PAGE_SIZE);
    let page_size = app
        .page_size_cap
        .map_or(page_size, |cap| page_size.min(cap));
    // The SDK sends every integer filter, 0 when unset, so 0 means "no filter".
    let int_filter = |name: &str| query.int(name).filter(|value| *value != 0);
    let search = query.get("search").map(str::to_lowercase);
    let domain_prefix = query.get("domainPrefix");
    let domain = query.get("domain");
    let publisher_id = int_filter("publisherId");
    let tenant_type = int_filter("customerTenantType").map(CustomerTenantType::from);
    let program_id = int_filter("programId");
    let consumer_id = int_filter("consumerId");
    let invoice_profile_id = int_filter("invoiceProfileId");

    let reference_is = |reference: &Option<ObjectReference>, wanted: Option<i32>| {
        wanted.is_none_or(|wanted| reference.as_ref().and_then(|r| r.id) == Some(wanted))
    };
    let text_is = |value: &Option<String>, wanted: Option<&str>| {
        wanted.is_none_or(|wanted| {
            value
                .as_deref()
                .is_some_and(|value| value.eq_ignore_ascii_case(wanted))
        })
    };
    let contains = |value: &Option<String>, needle: &str| {
        value
            .as_deref()
            .is_some_and(|v| v.to_lowercase().contains(needle))
    };
    let skip = crate::lookups::first_index(page, page_size as usize);
    // A `repeat` fault: this page starts one tenant early.
    let skip = skip.saturating_sub(usize::from(app.state.take_overlap(page)));
    let (total, items) = app.state.list_page(
        organization_id,
        |tenant: &CustomerTenant| {
            search.as_deref().is_none_or(|needle| {
                contains(&tenant.name, needle) || contains(&tenant.reference, needle)
            }) && text_is(&tenant.domain_prefix, domain_prefix)
                && text_is(&tenant.domain, domain)
                && reference_is(&tenant.publisher, publisher_id)
                && reference_is(&tenant.program, program_id)
                && reference_is(&tenant.consumer, consumer_id)
                && reference_is(&tenant.invoice_profile, invoice_profile_id)
                && tenant_type.is_none_or(|wanted| tenant.customer_tenant_type == Some(wanted))
        },
        skip,
        page_size as usize,
    );
    let total_hits = total as i64;
    Ok(Json(CustomerTenantCollection {
        items: Some(items),
        total_hits: Some(total_hits),
    }))
}

/// `POST /api/v1/customertenants/`: every required field was checked by [`JsonBody`]; the
/// server assigns the identifiers, fills in names, and generates the administrator.
pub(crate) async fn create(
    State(app): AppState,
    _: Authenticated,
    JsonBody(body): JsonBody<NewCustomerTenantDetailed>,
) -> Result<Json<CustomerTenantDetailed>, MockError> {
    let organization_id = body.tenant.organization.id;
    require_visible_organization(&app, organization_id)?;
    let mut detailed: CustomerTenantDetailed = convert(&body)?;
    let prefix = body.tenant.domain_prefix.clone();
    let hash = stable_hash(&prefix.to_ascii_lowercase());
    let tenant = detailed.tenant.get_or_insert_with(Default::default);
    tenant.id = None;
    tenant.publisher_customer_id = Some(seed::guid(hash));
    tenant
        .external_publisher_customer_id
        .get_or_insert_with(|| seed::guid(hash ^ 1));
    tenant.entity_status = Some(EntityStatus::None);
    if body.tenant.publisher.id == MICROSOFT {
        tenant.domain = Some(format!("{prefix}.onmicrosoft.com"));
    }
    detailed.user = Some(CustomerTenantUser {
        user_name: Some(format!("admin@{prefix}.onmicrosoft.com")),
        password: Some(format!("Mock-{}!", &seed::guid(hash ^ 2)[..13])),
    });
    if let Some(profile) = &mut detailed.profile {
        profile
            .culture_code
            .get_or_insert_with(|| "en-US".to_owned());
        profile.language_code.get_or_insert_with(|| "en".to_owned());
        seed::fill_profile(profile);
    }
    app.state
        .create(organization_id, detailed, Identity::DomainPrefix)
        .map(Json)
        .map_err(conflict_error)
}

/// `POST /api/v1/customertenants/existing/`: adds a tenant the publisher already has, found by
/// `Tenant.ExternalPublisherCustomerId`; what the body does not give is taken "from the
/// publisher" (derived from the external id).
pub(crate) async fn create_existing(
    State(app): AppState,
    _: Authenticated,
    // Checked by the contract (`syncFromPublisher` is a boolean) and not read further: the mock
    // derives what the publisher would have from the external id either way.
    _: QueryParams,
    JsonBody(body): JsonBody<ExistingCustomerTenantDetailed>,
) -> Result<Json<CustomerTenantDetailed>, MockError> {
    let external_id = body.tenant.external_publisher_customer_id.clone();
    let mut detailed: CustomerTenantDetailed = convert(&body)?;
    let tenant = detailed.tenant.get_or_insert_with(Default::default);
    let organization_id = tenant.organization.as_ref().and_then(|o| o.id).unwrap_or(1);
    require_visible_organization(&app, organization_id)?;
    let hash = stable_hash(&external_id);
    let short: String = external_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    tenant.id = None;
    tenant
        .name
        .get_or_insert_with(|| format!("Customer {short}"));
    tenant
        .domain_prefix
        .get_or_insert_with(|| format!("customer{short}"));
    tenant.publisher.get_or_insert(ObjectReference {
        id: Some(MICROSOFT),
        name: None,
    });
    tenant.publisher_customer_id = Some(seed::guid(hash));
    // Absent, or the SDK's 0 ("not specified"): the type the publisher has, T2 here.
    if matches!(
        tenant.customer_tenant_type,
        None | Some(CustomerTenantType::None)
    ) {
        tenant.customer_tenant_type = Some(CustomerTenantType::T2);
    }
    tenant.entity_status = Some(EntityStatus::None);
    detailed.user = None;
    if let Some(profile) = &mut detailed.profile {
        seed::fill_profile(profile);
    }
    app.state
        .create(
            organization_id,
            detailed,
            Identity::ExternalPublisherCustomerId,
        )
        .map(Json)
        .map_err(conflict_error)
}

/// `GET /api/v1/customertenants/{id}/`
pub(crate) async fn get(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<CustomerTenant>, MockError> {
    let stored = visible_tenant(&app, id)?;
    Ok(Json(stored.detailed.tenant.unwrap_or_default()))
}

/// `GET /api/v1/customertenants/{id}/detailed/`
pub(crate) async fn get_detailed(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<CustomerTenantDetailed>, MockError> {
    Ok(Json(visible_tenant(&app, id)?.detailed_without_password()))
}

/// `PUT /api/v1/customertenants/{id}/`: the properties the body has are changed (a `null`
/// counts as absent, since the SDK sends `null` for every property it does not set), the others
/// are kept; the identifiers, the organization, the status and the administrator never change
/// here. The SDK's defaults for what its caller did not set, `CustomerTenantType: 0` ("not
/// specified") and `DefaultSubscriptionPriceType: 0` ("not set"), keep the stored values too,
/// as the contract says.
pub(crate) async fn update(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
    JsonBody(body): JsonBody<CustomerTenantDetailedInput>,
) -> Result<Json<CustomerTenantDetailed>, MockError> {
    // The path names the tenant; a `Tenant.Id` in the body is not read (the contract's
    // assumption: the SDK builds the path from it, so the two agree).
    let stored = visible_tenant(&app, id)?;
    let mut merged = serde_json::to_value(&stored.detailed).map_err(internal)?;
    merge(&mut merged, serde_json::to_value(&body).map_err(internal)?);
    let mut updated: CustomerTenantDetailed = serde_json::from_value(merged).map_err(internal)?;
    let (old, new) = (
        stored.detailed.tenant.clone().unwrap_or_default(),
        updated.tenant.get_or_insert_with(Default::default),
    );
    new.id = Some(id);
    new.publisher_customer_id = old.publisher_customer_id;
    new.entity_status = old.entity_status;
    let sent = body.tenant.as_ref();
    if sent.and_then(|tenant| tenant.customer_tenant_type) == Some(CustomerTenantType::None) {
        new.customer_tenant_type = old.customer_tenant_type;
    }
    if sent.and_then(|tenant| tenant.default_subscription_price_type)
        == Some(SubscriptionPriceType::NotSet)
    {
        new.default_subscription_price_type = old.default_subscription_price_type;
    }
    seed::fill_reference_names(new, stored.organization_id, app.state.world());
    updated.user = stored.detailed.user.clone();
    if let Some(profile) = &mut updated.profile {
        seed::fill_profile(profile);
    }
    app.state.replace(id, updated).map_err(conflict_error)?;
    Ok(Json(visible_tenant(&app, id)?.detailed_without_password()))
}

/// `DELETE /api/v1/customertenants/{id}/`: 200 with no body.
pub(crate) async fn delete(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
) -> Result<StatusCode, MockError> {
    visible_tenant(&app, id)?;
    app.state.remove_tenant(id);
    Ok(StatusCode::OK)
}

/// `GET /api/v1/customertenants/{id}/azurePlan/`: Microsoft tenants have one; others 404.
pub(crate) async fn azure_plan(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<AzurePlan>, MockError> {
    visible_tenant(&app, id)?
        .azure_plan()
        .map(Json)
        .ok_or_else(|| {
            MockError::new(
                StatusCode::NOT_FOUND,
                format!("Customer tenant {id} has no Azure plan."),
            )
            .parameter("Id", id.to_string())
        })
}

/// `GET /api/v1/customertenants/{id}/agreements/`
pub(crate) async fn list_agreements(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
    query: QueryParams,
) -> Result<Json<ServiceAccountAgreementCollection>, MockError> {
    let stored = visible_tenant(&app, id)?;
    let wanted = query.int("agreementTypeConsent");
    let items: Vec<_> = stored
        .agreements
        .into_iter()
        .filter(|agreement| {
            wanted.is_none_or(|wanted| agreement.agreement_type.map(i32::from) == Some(wanted))
        })
        .collect();
    Ok(Json(ServiceAccountAgreementCollection {
        total_hits: Some(items.len() as i64),
        items: Some(items),
    }))
}

/// `POST /api/v1/customertenants/{id}/agreements/`
pub(crate) async fn create_agreement(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
    JsonBody(agreement): JsonBody<ServiceAccountAgreementInput>,
) -> Result<Json<ServiceAccountAgreement>, MockError> {
    visible_tenant(&app, id)?;
    let agreement: ServiceAccountAgreement = convert(&agreement)?;
    if !app.state.add_agreement(id, agreement.clone()) {
        return Err(MockError::tenant_not_found(id));
    }
    Ok(Json(agreement))
}

/// Converts between two contract types of the same shape (a create body into a tenant).
fn convert<T: serde::Serialize, U: serde::de::DeserializeOwned>(value: &T) -> Result<U, MockError> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(internal)
}

fn internal(error: serde_json::Error) -> MockError {
    MockError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("The mock could not convert a value: {error}"),
    )
}

/// Merges `patch` into `target`: objects member by member, `null` members ignored, anything
/// else replaced.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    continue;
                }
                match target.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_changes_present_members_and_keeps_absent_and_null_ones() {
        let mut target = json!({"Tenant": {"Name": "Old", "Reference": "R", "Publisher": {"Id": 2, "Name": "Microsoft"}}});
        merge(
            &mut target,
            json!({"Tenant": {"Name": "New", "Reference": null, "Publisher": {"Id": 3}}}),
        );
        assert_eq!(
            target,
            json!({"Tenant": {"Name": "New", "Reference": "R", "Publisher": {"Id": 3, "Name": "Microsoft"}}})
        );
    }

    #[test]
    fn stable_hash_is_fnv1a() {
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
