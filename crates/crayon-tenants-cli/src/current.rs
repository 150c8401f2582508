//! The organization's tenants, listed once: what `tenants import` (their domain prefixes) and
//! `tenants apply` (the tenants) match their rows against, instead of one look-up per row.

use std::collections::HashMap;

use crayon_tenants::types::CustomerTenant;
use crayon_tenants::{Client, ItemStream, MAX_PAGE_SIZE};
use futures_util::TryStreamExt as _;

use crate::failure::Failure;

/// Every tenant of the organization, with the largest page the contract allows (few requests).
pub fn listing(client: &Client, organization_id: i32) -> ItemStream<CustomerTenant> {
    client
        .list_customer_tenants()
        .organization_id(organization_id)
        .paging()
        .page_size(MAX_PAGE_SIZE)
        .stream()
}

/// The organization's tenants' ids by domain prefix (lower case): all a create-only run needs.
pub async fn ids_by_prefix(
    client: &Client,
    organization_id: i32,
) -> Result<HashMap<String, i32>, Failure> {
    let mut tenants = listing(client, organization_id);
    let mut ids = HashMap::new();
    while let Some(tenant) = tenants.try_next().await? {
        if let (Some(prefix), Some(id)) = (tenant.domain_prefix, tenant.id) {
            ids.insert(prefix.to_lowercase(), id);
        }
    }
    Ok(ids)
}

/// The organization's tenants as listed, by id and by domain prefix (lower case).
pub struct Current {
    pub by_id: HashMap<i32, CustomerTenant>,
    pub id_by_prefix: HashMap<String, i32>,
}

impl Current {
    /// Lists the organization's tenants once, with the largest page the contract allows.
    pub async fn list(client: &Client, organization_id: i32) -> Result<Self, Failure> {
        let mut tenants = listing(client, organization_id);
        let mut by_id = HashMap::new();
        let mut id_by_prefix = HashMap::new();
        while let Some(tenant) = tenants.try_next().await? {
            let Some(id) = tenant.id else { continue };
            if let Some(prefix) = &tenant.domain_prefix {
                id_by_prefix.insert(prefix.to_lowercase(), id);
            }
            by_id.insert(id, tenant);
        }
        Ok(Self {
            by_id,
            id_by_prefix,
        })
    }
}
