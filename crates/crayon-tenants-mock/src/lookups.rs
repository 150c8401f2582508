//! The look-ups a create needs: organizations, invoice profiles and publishers, served from the
//! mock's world (`world.rs`: the demo world, or one built from a recording), paged as the
//! customer tenants are.

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
    let matching: Vec<Organization> = app
        .state
        .world()
        .visible_organizations()
        .filter(|organization| matches_search(name_of(&organization.name), search))
        .cloned()
        .collect();
    let (items, total) = page_of(&app, &query, DEFAULT_PAGE_SIZE, matching);
    Json(OrganizationCollection {
        items: Some(items),
        total_hits: Some(total),
    })
}

/// `GET /api/v1/organizations/{id}/`: 403 for another reseller's organization, 404 for none.
pub(crate) async fn get_organization(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<Organization>, MockError> {
    let (organization, visible) = app
        .state
        .world()
        .organization(id)
        .ok_or_else(|| not_found("Organization", id))?;
    if !visible {
        return Err(MockError::forbidden_organization(id));
    }
    Ok(Json(organization.clone()))
}

/// `GET /api/v1/invoiceprofiles/`: one organization's invoice profiles, or (without
/// `organizationId`, or with 0, the SDK's "unset") those of every organization the user may see.
pub(crate) async fn list_invoice_profiles(
    State(app): AppState,
    _: Authenticated,
    query: QueryParams,
) -> Result<Json<InvoiceProfileCollection>, MockError> {
    let organization_id = query.int("organizationId").filter(|id| *id != 0);
    let world = app.state.world();
    if let Some(organization_id) = organization_id
        && !world.is_visible(organization_id)
    {
        return Err(MockError::forbidden_organization(organization_id));
    }
    let search = query.get("search");
    let matching: Vec<InvoiceProfile> = world
        .invoice_profiles()
        .iter()
        .filter(|(organization, profile)| {
            organization_id.map_or(world.is_visible(*organization), |wanted| {
                *organization == wanted
            }) && matches_search(name_of(&profile.name), search)
        })
        .map(|(_, profile)| profile.clone())
        .collect();
    let (items, total) = page_of(&app, &query, DEFAULT_PAGE_SIZE, matching);
    Ok(Json(InvoiceProfileCollection {
        items: Some(items),
        total_hits: Some(total),
    }))
}

/// `GET /api/v1/invoiceprofiles/{id}/`: 403 for another reseller's profile, 404 for none.
pub(crate) async fn get_invoice_profile(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<InvoiceProfile>, MockError> {
    let world = app.state.world();
    let (organization, profile) = world
        .invoice_profile(id)
        .ok_or_else(|| not_found("Invoice profile", id))?;
    if !world.is_visible(*organization) {
        return Err(MockError::forbidden_organization(*organization));
    }
    Ok(Json(profile.clone()))
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
    let matching: Vec<Publisher> = app
        .state
        .world()
        .publishers()
        .iter()
        .filter(|(publisher, program_types)| {
            let name = name_of(&publisher.name);
            (names.is_empty() || names.iter().any(|wanted| wanted.eq_ignore_ascii_case(name)))
                && matches_search(name, search)
                && (program_type == 0 || program_types & program_type != 0)
        })
        .map(|(publisher, _)| publisher.clone())
        .collect();
    let (items, total) = page_of(&app, &query, DEFAULT_PUBLISHERS_PAGE_SIZE, matching);
    Json(PublisherCollection {
        items: Some(items),
        total_hits: Some(total),
    })
}

/// `GET /api/v1/publishers/{id}/`: 404 for a publisher the list does not have.
pub(crate) async fn get_publisher(
    State(app): AppState,
    _: Authenticated,
    PathId(id): PathId,
) -> Result<Json<Publisher>, MockError> {
    app.state
        .world()
        .publisher(id)
        .map(|publisher| Json(publisher.clone()))
        .ok_or_else(|| not_found("Publisher", id))
}

fn name_of(name: &Option<String>) -> &str {
    name.as_deref().unwrap_or_default()
}
