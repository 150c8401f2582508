//! The mock's data: customer tenants with their agreements, and the issued tokens.
//!
//! One mutex guards it all, so that every write (a create that checks the domain prefix is free
//! and takes the next id) is atomic: concurrent creates never lose a tenant or share an id.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crayon_tenants::types::{
    AzurePlan, CustomerTenant, CustomerTenantDetailed, CustomerTenantReference, CustomerTenantUser,
    ObjectReference, ServiceAccountAgreement, SubscriptionStatus,
};

use crate::seed;
use crate::world::World;

/// A customer tenant as the mock stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredTenant {
    /// The organization it belongs to.
    pub organization_id: i32,
    /// The tenant with its profile, company and administrator.
    pub detailed: CustomerTenantDetailed,
    /// The Microsoft agreements accepted for it.
    pub agreements: Vec<ServiceAccountAgreement>,
}

/// What identifies a new tenant: its domain prefix (a create) or the publisher's id for it (an
/// existing tenant being added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Identity {
    DomainPrefix,
    ExternalPublisherCustomerId,
}

/// Why a tenant could not be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    DomainPrefixTaken(String),
    AlreadyAdded(String),
}

/// The mock's data. Reach it through [`MockServer::state`](crate::MockServer::state) to seed and
/// inspect tenants from a test.
#[derive(Debug, Default)]
pub struct MockState {
    inner: Mutex<Store>,
    world: World,
}

#[derive(Debug, Default)]
struct Store {
    tenants: BTreeMap<i32, StoredTenant>,
    last_id: i32,
    tokens: HashMap<String, Instant>,
    /// Where a tenant moved to sort (lower first) by a [`WorldChange`]; listings are in id
    /// order otherwise.
    rank: HashMap<i32, i64>,
    /// Whether the next page after page 1 of a listing starts one item early.
    overlap_next_page: bool,
}

/// A change another administrator (or Crayon's synchronisation with a publisher) makes to an
/// organization's tenants, which the mock's faults make between two pages of a listing
/// (`listCustomerTenants:change=delete-first:times=1`): offset paging then skips or repeats
/// tenants, as it does against the real API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorldChange {
    /// The listing's first tenant is deleted: every later one moves up a place.
    DeleteFirst,
    /// A new tenant is created that sorts first: every other one moves down a place.
    InsertFirst,
    /// The listing's last tenant is renamed so that it sorts first (as in a listing ordered
    /// by name): the tenants before it move down a place; the count is kept.
    RenameLastFirst,
    /// The listing's first tenant is deleted and a new one created (it sorts last): the count,
    /// and so `TotalHits`, is kept.
    Replace,
    /// The next page after page 1 starts one tenant early, repeating the last of the page
    /// before (as pages that overlap); nothing is stored differently and `TotalHits` is kept.
    Repeat,
}

impl WorldChange {
    /// Every change, with its name in the `--fault` syntax.
    pub const ALL: [(&'static str, Self); 5] = [
        ("delete-first", Self::DeleteFirst),
        ("insert-first", Self::InsertFirst),
        ("rename-last-first", Self::RenameLastFirst),
        ("replace", Self::Replace),
        ("repeat", Self::Repeat),
    ];
}

impl MockState {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the look-ups list.
    pub(crate) fn world(&self) -> &World {
        &self.world
    }

    /// The world as a state file holds it.
    pub(crate) fn to_file(&self) -> crate::state_file::StateFile {
        let store = self.lock();
        crate::state_file::StateFile::new(store.last_id, store.tenants.values().cloned().collect())
    }

    /// A world read from a state file: the demo look-ups and the file's tenants.
    pub(crate) fn from_file(file: crate::state_file::StateFile) -> Self {
        let (last_id, tenants) = file.into_parts();
        Self::stored(World::default(), last_id, tenants)
    }

    /// A world of these look-ups and stored tenants (their ids kept, the next id after both
    /// `last_id` and theirs): read from a state file or built from a recording.
    pub(crate) fn stored(
        world: World,
        last_id: i32,
        tenants: impl IntoIterator<Item = StoredTenant>,
    ) -> Self {
        let state = Self {
            inner: Mutex::default(),
            world,
        };
        {
            let mut store = state.lock();
            store.last_id = last_id;
            for stored in tenants {
                if let Some(id) = stored.detailed.tenant.as_ref().and_then(|t| t.id) {
                    store.last_id = store.last_id.max(id);
                    store.tenants.insert(id, stored);
                }
            }
        }
        state
    }

    /// Adds `count` deterministic demo tenants to an organization and returns their ids.
    pub fn seed_tenants(&self, organization_id: i32, count: usize) -> Vec<i32> {
        let mut store = self.lock();
        let first = store
            .tenants
            .values()
            .filter(|stored| stored.organization_id == organization_id)
            .count();
        (first..first + count)
            .map(|index| {
                let tenant = seed::demo_tenant(organization_id, index, &self.world);
                store.insert(organization_id, tenant, &self.world)
            })
            .collect()
    }

    /// Stores a tenant as given (assigning its `Id`) in an organization and returns it.
    pub fn insert_tenant(
        &self,
        organization_id: i32,
        tenant: CustomerTenantDetailed,
    ) -> CustomerTenantDetailed {
        let mut store = self.lock();
        let id = store.insert(organization_id, tenant, &self.world);
        store.tenants[&id].detailed.clone()
    }

    /// A stored tenant by id.
    pub fn tenant(&self, id: i32) -> Option<StoredTenant> {
        self.lock().tenants.get(&id).cloned()
    }

    /// Every stored tenant, in id order.
    pub fn tenants(&self) -> Vec<StoredTenant> {
        self.lock().tenants.values().cloned().collect()
    }

    /// The number of stored tenants, of every organization (the demo world has tenants in
    /// organizations 1, 2 and 3); [`tenant_count_in`](Self::tenant_count_in) counts one.
    pub fn tenant_count(&self) -> usize {
        self.lock().tenants.len()
    }

    /// The number of stored tenants of one organization.
    pub fn tenant_count_in(&self, organization_id: i32) -> usize {
        self.lock()
            .tenants
            .values()
            .filter(|stored| stored.organization_id == organization_id)
            .count()
    }

    /// Removes a tenant; whether it existed.
    pub fn remove_tenant(&self, id: i32) -> bool {
        self.lock().tenants.remove(&id).is_some()
    }

    /// Makes every issued token invalid, as a server-side revocation or restart would.
    pub fn revoke_tokens(&self) {
        self.lock().tokens.clear();
    }

    /// The number of tokens issued and not revoked (expired ones included).
    pub fn token_count(&self) -> usize {
        self.lock().tokens.len()
    }

    pub(crate) fn issue_token(&self, ttl: Duration) -> String {
        let mut rng = fastrand::Rng::new();
        let token: String = (0..48).map(|_| rng.alphanumeric()).collect();
        self.lock()
            .tokens
            .insert(token.clone(), Instant::now() + ttl);
        token
    }

    /// When a token expires, if it was issued here and not revoked.
    pub(crate) fn token_expiry(&self, token: &str) -> Option<Instant> {
        self.lock().tokens.get(token).copied()
    }

    /// Stores a new tenant unless its domain prefix or external id is taken. `identity` says
    /// which of the two identifies the tenant, and so which conflict is reported when both are.
    pub(crate) fn create(
        &self,
        organization_id: i32,
        detailed: CustomerTenantDetailed,
        identity: Identity,
    ) -> Result<CustomerTenantDetailed, Conflict> {
        let mut store = self.lock();
        let tenant = detailed.tenant.as_ref();
        let prefix_taken = tenant
            .and_then(|tenant| tenant.domain_prefix.as_deref())
            .filter(|prefix| store.domain_prefix_owner(prefix).is_some())
            .map(|prefix| Conflict::DomainPrefixTaken(prefix.to_owned()));
        let external_taken = tenant
            .and_then(|tenant| tenant.external_publisher_customer_id.as_deref())
            .filter(|external| store.external_id_owner(external).is_some())
            .map(|external| Conflict::AlreadyAdded(external.to_owned()));
        let conflict = match identity {
            Identity::DomainPrefix => prefix_taken.or(external_taken),
            Identity::ExternalPublisherCustomerId => external_taken.or(prefix_taken),
        };
        if let Some(conflict) = conflict {
            return Err(conflict);
        }
        let id = store.insert(organization_id, detailed, &self.world);
        Ok(store.tenants[&id].detailed.clone())
    }

    /// Replaces a tenant's stored value, unless the new domain prefix belongs to another tenant.
    pub(crate) fn replace(
        &self,
        id: i32,
        detailed: CustomerTenantDetailed,
    ) -> Result<(), Conflict> {
        let mut store = self.lock();
        if let Some(prefix) = detailed
            .tenant
            .as_ref()
            .and_then(|t| t.domain_prefix.as_deref())
            && store
                .domain_prefix_owner(prefix)
                .is_some_and(|owner| owner != id)
        {
            return Err(Conflict::DomainPrefixTaken(prefix.to_owned()));
        }
        if let Some(stored) = store.tenants.get_mut(&id) {
            stored.detailed = detailed;
        }
        Ok(())
    }

    /// One page of the tenants of an organization that match `filter`, in id order, and how
    /// many match in all. Only the page is cloned, so a large list costs little per request.
    pub(crate) fn list_page(
        &self,
        organization_id: i32,
        filter: impl Fn(&CustomerTenant) -> bool,
        skip: usize,
        take: usize,
    ) -> (usize, Vec<CustomerTenant>) {
        let store = self.lock();
        let matches = store
            .listed(organization_id)
            .filter_map(|stored| stored.detailed.tenant.as_ref())
            .filter(|tenant| filter(tenant));
        let (mut total, mut page) = (0, Vec::new());
        for tenant in matches {
            if total >= skip && page.len() < take {
                page.push(tenant.clone());
            }
            total += 1;
        }
        (total, page)
    }

    /// Makes `change` to the tenants of an organization.
    pub fn change_world(&self, organization_id: i32, change: WorldChange) {
        let mut store = self.lock();
        let order = store.order(organization_id);
        let new_tenant = |store: &mut Store| {
            let index = store.last_id as usize + 1;
            let tenant = seed::demo_tenant(organization_id, index, &self.world);
            store.insert(organization_id, tenant, &self.world)
        };
        let first_rank = |store: &Store| store.rank.values().min().copied().unwrap_or(0).min(0) - 1;
        match change {
            WorldChange::DeleteFirst => {
                if let Some(first) = order.first() {
                    store.tenants.remove(first);
                }
            }
            WorldChange::InsertFirst => {
                let rank = first_rank(&store);
                let id = new_tenant(&mut store);
                store.rank.insert(id, rank);
            }
            WorldChange::RenameLastFirst => {
                if let Some(&last) = order.last() {
                    let rank = first_rank(&store);
                    if let Some(tenant) = store
                        .tenants
                        .get_mut(&last)
                        .and_then(|stored| stored.detailed.tenant.as_mut())
                    {
                        tenant.name = Some(format!("A {}", tenant.name.as_deref().unwrap_or("")));
                    }
                    store.rank.insert(last, rank);
                }
            }
            WorldChange::Replace => {
                if let Some(first) = order.first() {
                    store.tenants.remove(first);
                }
                new_tenant(&mut store);
            }
            WorldChange::Repeat => store.overlap_next_page = true,
        }
    }

    /// Whether this page of a listing starts one item early ([`WorldChange::Repeat`]): once,
    /// for the first page after page 1 asked for since the change.
    pub(crate) fn take_overlap(&self, page: i32) -> bool {
        let mut store = self.lock();
        let overlap = page > 1 && store.overlap_next_page;
        if overlap {
            store.overlap_next_page = false;
        }
        overlap
    }

    pub(crate) fn add_agreement(&self, id: i32, agreement: ServiceAccountAgreement) -> bool {
        match self.lock().tenants.get_mut(&id) {
            Some(stored) => {
                stored.agreements.push(agreement);
                true
            }
            None => false,
        }
    }
}

impl Store {
    /// The ids of an organization's tenants in listing order.
    fn order(&self, organization_id: i32) -> Vec<i32> {
        self.listed(organization_id)
            .filter_map(|stored| stored.detailed.tenant.as_ref()?.id)
            .collect()
    }

    /// An organization's tenants in listing order: by rank (moved tenants first), then by id;
    /// read as they are stored (in id order) until a tenant was moved, so that a listing costs
    /// no sort and no copy of the list while it holds the lock.
    fn listed(&self, organization_id: i32) -> Box<dyn Iterator<Item = &StoredTenant> + '_> {
        let of_organization =
            move |stored: &&StoredTenant| stored.organization_id == organization_id;
        if self.rank.is_empty() {
            return Box::new(self.tenants.values().filter(of_organization));
        }
        let mut listed: Vec<&StoredTenant> =
            self.tenants.values().filter(of_organization).collect();
        listed.sort_by_key(|stored| {
            let id = stored
                .detailed
                .tenant
                .as_ref()
                .and_then(|t| t.id)
                .unwrap_or(0);
            (self.rank.get(&id).copied().unwrap_or(0), id)
        });
        Box::new(listed.into_iter())
    }

    fn insert(
        &mut self,
        organization_id: i32,
        mut detailed: CustomerTenantDetailed,
        world: &World,
    ) -> i32 {
        self.last_id += 1;
        let id = self.last_id;
        let tenant = detailed.tenant.get_or_insert_with(Default::default);
        tenant.id = Some(id);
        seed::fill_reference_names(tenant, organization_id, world);
        self.tenants.insert(
            id,
            StoredTenant {
                organization_id,
                detailed,
                agreements: Vec::new(),
            },
        );
        id
    }

    fn external_id_owner(&self, external_id: &str) -> Option<i32> {
        self.tenants.iter().find_map(|(id, stored)| {
            let stored_id = stored
                .detailed
                .tenant
                .as_ref()?
                .external_publisher_customer_id
                .as_deref()?;
            (stored_id == external_id).then_some(*id)
        })
    }

    fn domain_prefix_owner(&self, prefix: &str) -> Option<i32> {
        self.tenants.iter().find_map(|(id, stored)| {
            let stored_prefix = stored.detailed.tenant.as_ref()?.domain_prefix.as_deref()?;
            stored_prefix.eq_ignore_ascii_case(prefix).then_some(*id)
        })
    }
}

impl StoredTenant {
    /// The tenant's Azure plan: Microsoft tenants have one, derived from the tenant.
    pub fn azure_plan(&self) -> Option<AzurePlan> {
        let tenant = self.detailed.tenant.as_ref()?;
        if tenant.publisher.as_ref()?.id != Some(seed::MICROSOFT) {
            return None;
        }
        let id = tenant.id?;
        Some(AzurePlan {
            id: Some(100_000 + id),
            name: Some("Azure plan".to_owned()),
            publisher_subscription_id: Some(seed::guid(0xa2u64 << 32 | id as u64)),
            status: Some(SubscriptionStatus::Active),
            registered_for_reserved_instance: Some(false),
            organization: Some(ObjectReference {
                id: Some(self.organization_id),
                name: tenant
                    .organization
                    .as_ref()
                    .and_then(|organization| organization.name.clone()),
            }),
            customer_tenant: Some(CustomerTenantReference { id: Some(id) }),
        })
    }

    /// The tenant as the detailed operations return it: the administrator's password is only
    /// ever shown in the response to the create.
    pub(crate) fn detailed_without_password(&self) -> CustomerTenantDetailed {
        let mut detailed = self.detailed.clone();
        if let Some(user) = &mut detailed.user {
            *user = CustomerTenantUser {
                user_name: user.user_name.clone(),
                password: None,
            };
        }
        detailed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_is_deterministic_and_ids_are_sequential() {
        let (a, b) = (MockState::default(), MockState::default());
        assert_eq!(a.seed_tenants(1, 30), (1..=30).collect::<Vec<_>>());
        b.seed_tenants(1, 30);
        assert_eq!(a.tenants(), b.tenants());
        let prefixes: std::collections::HashSet<_> = a
            .tenants()
            .into_iter()
            .map(|t| t.detailed.tenant.unwrap().domain_prefix.unwrap())
            .collect();
        assert_eq!(prefixes.len(), 30, "demo domain prefixes are unique");
    }

    #[test]
    fn create_refuses_a_taken_domain_prefix_case_insensitively() {
        let state = MockState::default();
        let tenant = |prefix: &str| CustomerTenantDetailed {
            tenant: Some(CustomerTenant {
                domain_prefix: Some(prefix.to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(
            state
                .create(1, tenant("contoso"), Identity::DomainPrefix)
                .is_ok()
        );
        assert_eq!(
            state.create(2, tenant("CONTOSO"), Identity::DomainPrefix),
            Err(Conflict::DomainPrefixTaken("CONTOSO".into()))
        );
        assert_eq!(state.tenant_count(), 1);
    }
}
