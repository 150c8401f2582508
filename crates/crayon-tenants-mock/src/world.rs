//! What the look-ups list: the organizations (and which the user may see), their invoice
//! profiles, and the publishers. The demo world (`seed.rs`), or one built from a recording
//! ([`MockConfig::seed_from`](crate::MockConfig::seed_from)): the organizations, invoice
//! profiles, publishers and tenants the recorded answers held, with the placeholders the
//! recording put in place of personal values.

use std::collections::BTreeMap;

use crayon_tenants::types::{
    CustomerTenant, CustomerTenantCollection, CustomerTenantDetailed, InvoiceProfile,
    InvoiceProfileCollection, ObjectReference, Organization, OrganizationCollection, Publisher,
    PublisherCollection, ServiceAccountAgreement, ServiceAccountAgreementCollection,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::seed::{CRAYON_COMPANY, INVOICE_PROFILES, ORGANIZATIONS, PUBLISHERS};
use crate::state::StoredTenant;

/// The look-ups of a mock.
#[derive(Clone, Debug)]
pub(crate) struct World {
    /// Each organization, and whether the API user may see it.
    organizations: Vec<(Organization, bool)>,
    /// Each invoice profile, with its organization's id.
    invoice_profiles: Vec<(i32, InvoiceProfile)>,
    /// Each publisher, with the `ProgramType` flags of its programs.
    publishers: Vec<(Publisher, i32)>,
}

impl Default for World {
    /// The demo world.
    fn default() -> Self {
        Self {
            organizations: ORGANIZATIONS
                .iter()
                .map(|organization| (organization.to_organization(), organization.visible))
                .collect(),
            invoice_profiles: INVOICE_PROFILES
                .iter()
                .map(|profile| (profile.organization_id, profile.to_invoice_profile()))
                .collect(),
            publishers: PUBLISHERS
                .iter()
                .map(|publisher| (publisher.to_publisher(), publisher.program_types))
                .collect(),
        }
    }
}

impl World {
    /// The organizations the user may see, in id order.
    pub(crate) fn visible_organizations(&self) -> impl Iterator<Item = &Organization> {
        self.organizations
            .iter()
            .filter(|(_, visible)| *visible)
            .map(|(organization, _)| organization)
    }

    /// An organization, and whether the user may see it.
    pub(crate) fn organization(&self, id: i32) -> Option<(&Organization, bool)> {
        self.organizations
            .iter()
            .find(|(organization, _)| organization.id == Some(id))
            .map(|(organization, visible)| (organization, *visible))
    }

    pub(crate) fn is_visible(&self, organization_id: i32) -> bool {
        self.organization(organization_id)
            .is_some_and(|(_, visible)| visible)
    }

    /// Every invoice profile with its organization's id.
    pub(crate) fn invoice_profiles(&self) -> &[(i32, InvoiceProfile)] {
        &self.invoice_profiles
    }

    pub(crate) fn invoice_profile(&self, id: i32) -> Option<&(i32, InvoiceProfile)> {
        self.invoice_profiles
            .iter()
            .find(|(_, profile)| profile.id == Some(id))
    }

    /// The first invoice profile of an organization: the one its demo tenants are billed
    /// through.
    pub(crate) fn default_invoice_profile(&self, organization_id: i32) -> Option<i32> {
        self.invoice_profiles
            .iter()
            .find(|(organization, _)| *organization == organization_id)
            .and_then(|(_, profile)| profile.id)
    }

    /// Every publisher with its program flags.
    pub(crate) fn publishers(&self) -> &[(Publisher, i32)] {
        &self.publishers
    }

    pub(crate) fn publisher(&self, id: i32) -> Option<&Publisher> {
        self.publishers
            .iter()
            .map(|(publisher, _)| publisher)
            .find(|publisher| publisher.id == Some(id))
    }

    /// The world and the tenants that recorded answers (`operationId`, path parameters, body)
    /// hold. An answer that does not read as its operation's model (after names are brought to
    /// the contract's case) is left out. The user may see every organization recorded (it was
    /// answered to them); a publisher is taken to have every program type.
    pub(crate) fn from_recording(
        answers: &crate::recording::RecordedAnswers,
    ) -> (Self, Vec<StoredTenant>) {
        let mut world = Self {
            organizations: Vec::new(),
            invoice_profiles: Vec::new(),
            publishers: Vec::new(),
        };
        let mut tenants: BTreeMap<i32, StoredTenant> = BTreeMap::new();
        let mut agreements: BTreeMap<i32, Vec<ServiceAccountAgreement>> = BTreeMap::new();
        for (operation, parameters, body) in answers {
            let id = parameters
                .iter()
                .find(|(name, _)| name == "id")
                .and_then(|(_, id)| id.parse::<i32>().ok());
            match operation.as_str() {
                "listOrganizations" => {
                    read::<OrganizationCollection>(body, "OrganizationCollection")
                        .and_then(|list| list.items)
                        .into_iter()
                        .flatten()
                        .for_each(|organization| world.add_organization(organization))
                }
                "getOrganization" => {
                    if let Some(organization) = read::<Organization>(body, "Organization") {
                        world.add_organization(organization);
                    }
                }
                "listInvoiceProfiles" => {
                    read::<InvoiceProfileCollection>(body, "InvoiceProfileCollection")
                        .and_then(|list| list.items)
                        .into_iter()
                        .flatten()
                        .for_each(|profile| world.add_invoice_profile(profile))
                }
                "getInvoiceProfile" => {
                    if let Some(profile) = read::<InvoiceProfile>(body, "InvoiceProfile") {
                        world.add_invoice_profile(profile);
                    }
                }
                "listPublishers" => read::<PublisherCollection>(body, "PublisherCollection")
                    .and_then(|list| list.items)
                    .into_iter()
                    .flatten()
                    .for_each(|publisher| world.add_publisher(publisher)),
                "getPublisher" => {
                    if let Some(publisher) = read::<Publisher>(body, "Publisher") {
                        world.add_publisher(publisher);
                    }
                }
                "listCustomerTenants" => {
                    read::<CustomerTenantCollection>(body, "CustomerTenantCollection")
                        .and_then(|list| list.items)
                        .into_iter()
                        .flatten()
                        .for_each(|tenant| add_tenant(&mut tenants, tenant, None))
                }
                "getCustomerTenant" => {
                    if let Some(tenant) = read::<CustomerTenant>(body, "CustomerTenant") {
                        add_tenant(&mut tenants, tenant, None);
                    }
                }
                "getCustomerTenantDetailed"
                | "createCustomerTenant"
                | "createExistingCustomerTenant"
                | "updateCustomerTenant" => {
                    if let Some(mut detailed) =
                        read::<CustomerTenantDetailed>(body, "CustomerTenantDetailed")
                        && let Some(tenant) = detailed.tenant.take()
                    {
                        // The administrator's password was not recorded; the mock shows none.
                        detailed.user = None;
                        add_tenant(&mut tenants, tenant, Some(detailed));
                    }
                }
                "listCustomerTenantAgreements" => {
                    if let Some(id) = id {
                        let items = read::<ServiceAccountAgreementCollection>(
                            body,
                            "ServiceAccountAgreementCollection",
                        )
                        .and_then(|list| list.items)
                        .unwrap_or_default();
                        agreements.insert(id, items);
                    }
                }
                _ => {}
            }
        }
        for (id, recorded) in &mut tenants {
            if let Some(found) = agreements.remove(id) {
                recorded.agreements = found;
            }
            // An organization a tenant names that no look-up answered: the user saw the tenant,
            // so they may see its organization.
            let organization = recorded
                .detailed
                .tenant
                .as_ref()
                .and_then(|t| t.organization.clone());
            if world.organization(recorded.organization_id).is_none() {
                world.add_organization(organization.unwrap_or(Organization {
                    id: Some(recorded.organization_id),
                    ..Default::default()
                }));
            }
        }
        (world, tenants.into_values().collect())
    }

    fn add_organization(&mut self, mut organization: Organization) {
        let Some(id) = organization.id else { return };
        if self.organization(id).is_none() {
            organization
                .crayon_company_name
                .get_or_insert_with(|| CRAYON_COMPANY.to_owned());
            self.organizations.push((organization, true));
            self.organizations
                .sort_by_key(|(organization, _)| organization.id);
        }
    }

    fn add_invoice_profile(&mut self, profile: InvoiceProfile) {
        let Some(id) = profile.id else { return };
        if self.invoice_profile(id).is_none() {
            let organization = profile
                .organization
                .as_ref()
                .and_then(|reference: &ObjectReference| reference.id)
                .unwrap_or_default();
            self.invoice_profiles.push((organization, profile));
            self.invoice_profiles.sort_by_key(|(_, profile)| profile.id);
        }
    }

    fn add_publisher(&mut self, publisher: Publisher) {
        if let Some(id) = publisher.id
            && self.publisher(id).is_none()
        {
            self.publishers.push((publisher, !0));
            self.publishers.sort_by_key(|(publisher, _)| publisher.id);
        }
    }
}

/// A tenant recorded (from a list, a get, or with its profile from a detailed answer), merged
/// with what was recorded of it before.
fn add_tenant(
    tenants: &mut BTreeMap<i32, StoredTenant>,
    tenant: CustomerTenant,
    detailed: Option<CustomerTenantDetailed>,
) {
    let Some(id) = tenant.id else { return };
    let organization = tenant
        .organization
        .as_ref()
        .and_then(|organization| organization.id)
        .unwrap_or_default();
    let entry = tenants.entry(id).or_insert_with(|| StoredTenant {
        organization_id: organization,
        detailed: CustomerTenantDetailed::default(),
        agreements: Vec::new(),
    });
    if let Some(detailed) = detailed {
        entry.detailed = detailed;
    }
    entry.detailed.tenant = Some(tenant);
}

/// A recorded body as the model of `schema`, its names first brought to the contract's case.
fn read<T: DeserializeOwned>(body: &Value, schema: &str) -> Option<T> {
    let mut body = body.clone();
    crayon_tenants_contract::fold_case(&mut body, &crayon_tenants_contract::schema_ref(schema));
    match serde_json::from_value(body) {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::warn!(schema, %error, "a recorded answer was left out of the world");
            None
        }
    }
}
