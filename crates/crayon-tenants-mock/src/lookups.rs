//! The look-ups a create needs: organizations, invoice profiles and publishers, served from the
//! mock's fixed world (`seed.rs`), paged as the customer tenants are.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use crayon_tenants::types::{
    InvoiceProfile, InvoiceProfileCollection, Organization, OrganizationCollection, Publisher,
    PublisherCollection,
};

use crate::app::App;
use crate::auth::Authenticated;
use crate::error::MockError;
use crate::request::{PathId, QueryParams};
use crate::seed::{self, INVOICE_PROFILES, ORGANIZATIONS, PUBLISHERS};

type AppState = State<Arc<App>>;

/// Page size of the organizations and invoice-profiles lists when the request gives none, and
/// of the publishers list: the defaults of the SDK's filters.
const DEFAULT_PAGE_SIZE: i32 = 50;
const DEFAULT_PUBLISHERS_PAGE_SIZE: i32 = 1000;

fn not_found(what: &str, id: i32) -> MockError {
    MockError::new(StatusCode::NOT_FOUND, format!("{what} {id} was not found."))
        .parameter("Id", id.to_string())
}

/// One page of `items` as the request's `page` and `pageSize` (or `default_size`) ask, within
/// the mock's page-size cap; and the number of all of them.
fn page_of<T>(app: &App, query: &QueryParams, default_size: i32, items: Vec<T>) -> (Vec<T>, i64) {
    let total = items.len() as i64;
    let page = query.int("page").unwrap_or(1).max(1);
    let size = query.int("pageSize").unwrap_or(default_size).max(1);
    let size = app.page_size_cap.map_or(size, |cap| size.min(cap)) as usize;
    let skip = first_index(page, size);
    (items.into_iter().skip(skip).take(size).collect(), total)
}

/// The index of the first item of page `page` (from 1) of pages of `size` items.
pub(crate) fn first_index(page: i32, size: usize) -> usize {
    usize::try_from(page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(size)
}

/// Whether `name` contains `search` (absent: everything), ignoring case.
fn matches_search(name: &str, search: Option<&str>) -> bool {
    search.is_none_or(|search| name.to_lowercase().contains(&search.to_lowercase()))
}

/// `GET /api/v1/organizations/`: the organizations the demo user may see.
pub(crate) async fn list_organizations(
    State(app): AppState,
    _: Authenticated,
    query: QueryParams,
) -> Json<OrganizationCollection> {
    let search = query.get("search");
    let matching: Vec<Organization> = ORGANIZATIONS
        .iter()
        .filter(|organization| organization.visible && matches_search(organization.name, search))
        .map(seed::MockOrganization::to_organization)
        .collect();
    let (items, total) = page_of(&app, &query, DEFAULT_PAGE_SIZE, matching);
    Json(OrganizationCollection {
        items: Some(items),
        total_hits: Some(total),
    })
}

/// `GET /api/v1/organizations/{id}/`: 403 for another reseller's organization, 404 for none.
pub(crate) async fn get_organization(
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<Organization>, MockError> {
    let organization = seed::organization(id).ok_or_else(|| not_found("Organization", id))?;
    if !organization.visible {
        return Err(MockError::forbidden_organization(id));
    }
    Ok(Json(organization.to_organization()))
}

/// `GET /api/v1/invoiceprofiles/`: one organization's invoice profiles, or (without
/// `organizationId`, or with 0, the SDK's "unset") those of every organization the user may see.
pub(crate) async fn list_invoice_profiles(
    State(app): AppState,
    _: Authenticated,
    query: QueryParams,
) -> Result<Json<InvoiceProfileCollection>, MockError> {
    let organization_id = query.int("organizationId").filter(|id| *id != 0);
    if let Some(organization_id) = organization_id
        && !seed::is_visible(organization_id)
    {
        return Err(MockError::forbidden_organization(organization_id));
    }
    let search = query.get("search");
    let matching: Vec<InvoiceProfile> = INVOICE_PROFILES
        .iter()
        .filter(|profile| {
            organization_id.map_or(seed::is_visible(profile.organization_id), |wanted| {
                profile.organization_id == wanted
            }) && matches_search(profile.name, search)
        })
        .map(seed::MockInvoiceProfile::to_invoice_profile)
        .collect();
    let (items, total) = page_of(&app, &query, DEFAULT_PAGE_SIZE, matching);
    Ok(Json(InvoiceProfileCollection {
        items: Some(items),
        total_hits: Some(total),
    }))
}

/// `GET /api/v1/invoiceprofiles/{id}/`: 403 for another reseller's profile, 404 for none.
pub(crate) async fn get_invoice_profile(
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<InvoiceProfile>, MockError> {
    let profile = seed::invoice_profile(id).ok_or_else(|| not_found("Invoice profile", id))?;
    if !seed::is_visible(profile.organization_id) {
        return Err(MockError::forbidden_organization(profile.organization_id));
    }
    Ok(Json(profile.to_invoice_profile()))
}

/// `GET /api/v1/publishers/`: `names` matches a whole name ignoring case, `search` a part of
/// it, `programType` any of the publisher's program flags (0: no filter).
pub(crate) async fn list_publishers(
    State(app): AppState,
    _: Authenticated,
    query: QueryParams,
) -> Json<PublisherCollection> {
    let names = query.all("names");
    let search = query.get("search");
    let program_type = query.int("programType").unwrap_or_default();
    let matching: Vec<Publisher> = PUBLISHERS
        .iter()
        .filter(|publisher| {
            (names.is_empty()
                || names
                    .iter()
                    .any(|name| name.eq_ignore_ascii_case(publisher.name)))
                && matches_search(publisher.name, search)
                && (program_type == 0 || publisher.program_types & program_type != 0)
        })
        .map(seed::MockPublisher::to_publisher)
        .collect();
    let (items, total) = page_of(&app, &query, DEFAULT_PUBLISHERS_PAGE_SIZE, matching);
    Json(PublisherCollection {
        items: Some(items),
        total_hits: Some(total),
    })
}

/// `GET /api/v1/publishers/{id}/`: 404 for a publisher the list does not have.
pub(crate) async fn get_publisher(
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<Publisher>, MockError> {
    seed::publisher(id)
        .map(|publisher| Json(publisher.to_publisher()))
        .ok_or_else(|| not_found("Publisher", id))
}
