//! The organization's tenants, listed once: what `tenants import` (their domain prefixes) and
//! `tenants apply` (the tenants) match their rows against, instead of one look-up per row. The
//! listing is verified (read until two reads agree, one request when one page holds it), so that
//! a tenant moved by someone else's change while it was read is not taken for absent and
//! created again.

use std::collections::HashMap;

use crayon_tenants::types::CustomerTenant;
use crayon_tenants::{Client, MAX_PAGE_SIZE};

use crate::failure::Failure;

/// Every tenant of the organization, verified, with the largest page the contract allows (few
/// requests); of each, what `keep` makes of it.
async fn listing<T>(
    client: &Client,
    organization_id: i32,
    keep: impl FnMut(CustomerTenant) -> T,
) -> Result<Vec<T>, Failure> {
    let paging = client
        .list_customer_tenants()
        .organization_id(organization_id)
        .paging()
        .page_size(MAX_PAGE_SIZE);
    crate::commands::reading(paging.verified_map(keep)).await
}

/// The organization's tenants' ids by domain prefix (lower case): all a create-only run needs,
/// and all it keeps of the listing.
pub async fn ids_by_prefix(
    client: &Client,
    organization_id: i32,
) -> Result<HashMap<String, i32>, Failure> {
    let kept = listing(client, organization_id, |tenant| {
        Some((tenant.domain_prefix?.to_lowercase(), tenant.id?))
    })
    .await?;
    Ok(kept.into_iter().flatten().collect())
}

/// The organization's tenants as listed, by id and by domain prefix (lower case).
pub struct Current {
    pub by_id: HashMap<i32, CustomerTenant>,
    pub id_by_prefix: HashMap<String, i32>,
}

impl Current {
    /// Lists the organization's tenants once (verified), with the largest page the contract
    /// allows.
    pub async fn list(client: &Client, organization_id: i32) -> Result<Self, Failure> {
        let mut by_id = HashMap::new();
        let mut id_by_prefix = HashMap::new();
        for tenant in listing(client, organization_id, |tenant| tenant).await? {
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
