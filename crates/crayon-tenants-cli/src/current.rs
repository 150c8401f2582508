//! The organization's tenants, listed once: what `tenants import` and `tenants apply` match
//! their rows against, instead of one look-up per row.

use std::collections::HashMap;

use crayon_tenants::types::CustomerTenant;
use crayon_tenants::{Client, MAX_PAGE_SIZE};
use futures_util::TryStreamExt as _;

use crate::failure::Failure;

/// The organization's tenants as listed, by id and by domain prefix (lower case).
pub struct Current {
    pub by_id: HashMap<i32, CustomerTenant>,
    pub id_by_prefix: HashMap<String, i32>,
}

impl Current {
    /// Lists the organization's tenants once, with the largest page the contract allows.
    pub async fn list(client: &Client, organization_id: i32) -> Result<Self, Failure> {
        let mut tenants = client
            .list_customer_tenants()
            .organization_id(organization_id)
            .paging()
            .page_size(MAX_PAGE_SIZE)
            .stream();
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
