//! The mock's fixed world and its deterministic demo tenants: one consistent world, in which every
//! reference a tenant carries is something the look-ups list.
//!
//! - organizations 1 and 2 are the demo user's (2 is a subsidiary of 1), 3 is another
//!   reseller's (403);
//! - each organization has its own invoice profiles (7 and 10 of organization 1, 8 of 2, 9 of 3),
//!   and every demo tenant is billed through its organization's first one;
//! - the publishers are one list for everyone: 2 Microsoft (cloud and license programs) and
//!   3 Adobe (license programs); demo tenants are Microsoft's, every 7th Adobe's.
//!
//! Everything here is a function of its inputs: the same seed count gives the same tenants with
//! the same identifiers, so demos and snapshot tests print the same output every run.

use crayon_tenants::types::{
    AddressData, CustomerTenant, CustomerTenantAddress, CustomerTenantCompany,
    CustomerTenantContact, CustomerTenantDetailed, CustomerTenantProfile, CustomerTenantType,
    EntityStatus, InvoiceProfile, ObjectReference, Organization, ProgramType, Publisher,
};

use crate::world::World;

/// An organization of the mock's world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MockOrganization {
    /// Its `Id`.
    pub id: i32,
    /// Its `Name`.
    pub name: &'static str,
    /// Whether the API user may see it; organization 3 belongs to another reseller.
    pub visible: bool,
    /// Its `ParentId`: the organization it is a subsidiary of, 0 when none.
    pub parent_id: i32,
    /// Its `AccountNumber`.
    pub account_number: &'static str,
}

/// The organizations of the mock: the demo user may see 1 and 2; 3 belongs to someone else.
pub const ORGANIZATIONS: [MockOrganization; 3] = [
    MockOrganization {
        id: 1,
        name: "Demo Reseller AB",
        visible: true,
        parent_id: 0,
        account_number: "100001",
    },
    MockOrganization {
        id: 2,
        name: "Demo Subsidiary AB",
        visible: true,
        parent_id: 1,
        account_number: "100002",
    },
    MockOrganization {
        id: 3,
        name: "Another Reseller AB",
        visible: false,
        parent_id: 0,
        account_number: "200001",
    },
];

/// The Crayon company every organization of the mock belongs to (the documentation's value).
pub const CRAYON_COMPANY: &str = "Crayon AB";

/// An invoice profile of the mock's world; each belongs to one organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MockInvoiceProfile {
    /// Its `Id`.
    pub id: i32,
    /// Its organization's `Id`.
    pub organization_id: i32,
    /// Its `Name`.
    pub name: &'static str,
}

/// The invoice profiles, in `Id` order. The first of each organization bills its demo tenants;
/// 7 is the one the documentation's create example names.
pub const INVOICE_PROFILES: [MockInvoiceProfile; 4] = [
    MockInvoiceProfile {
        id: 7,
        organization_id: 1,
        name: "My invoice profile",
    },
    MockInvoiceProfile {
        id: 8,
        organization_id: 2,
        name: "Subsidiary invoices",
    },
    MockInvoiceProfile {
        id: 9,
        organization_id: 3,
        name: "Another reseller's invoices",
    },
    MockInvoiceProfile {
        id: 10,
        organization_id: 1,
        name: "Projects",
    },
];

/// A publisher of the mock's world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MockPublisher {
    /// Its `Id`.
    pub id: i32,
    /// Its `Name`.
    pub name: &'static str,
    /// The `ProgramType` flags of its programs (the publishers list's `programType` filter).
    pub program_types: i32,
}

/// The publisher id of Microsoft, whose tenants have an Azure plan.
pub const MICROSOFT: i32 = 2;

/// The publishers, one list for every organization.
pub const PUBLISHERS: [MockPublisher; 2] = [
    MockPublisher {
        id: MICROSOFT,
        name: "Microsoft",
        program_types: ProgramType::Cloud.value() | ProgramType::License.value(),
    },
    MockPublisher {
        id: 3,
        name: "Adobe",
        program_types: ProgramType::License.value(),
    },
];

impl MockOrganization {
    /// The organization as the API answers it.
    pub fn to_organization(&self) -> Organization {
        Organization {
            id: Some(self.id),
            name: Some(self.name.to_owned()),
            parent_id: Some(self.parent_id),
            crayon_company_name: Some(CRAYON_COMPANY.to_owned()),
            account_number: Some(self.account_number.to_owned()),
            tenant: None,
        }
    }
}

impl MockPublisher {
    /// The publisher as the API answers it.
    pub fn to_publisher(&self) -> Publisher {
        Publisher {
            id: Some(self.id),
            name: Some(self.name.to_owned()),
        }
    }
}

impl MockInvoiceProfile {
    /// The invoice profile as the API answers it, with addresses derived from its organization.
    pub fn to_invoice_profile(&self) -> InvoiceProfile {
        let organization = organization(self.organization_id);
        let company = organization.map_or("", |organization| organization.name);
        let street = format!("Demo Street {}", self.organization_id);
        let address = AddressData {
            ax_address_id: Some(i64::from(self.organization_id) * 1000 + 1),
            name: Some(company.to_owned()),
            complete_address: Some(format!("{company}, {street}, 111 22 Stockholm, Sweden")),
            street: Some(street),
            zip_code: Some("111 22".to_owned()),
            city: Some("Stockholm".to_owned()),
            county: Some(String::new()),
            state: Some(String::new()),
            country_code: Some("SE".to_owned()),
        };
        InvoiceProfile {
            id: Some(self.id),
            organization: Some(ObjectReference {
                id: Some(self.organization_id),
                name: Some(company.to_owned()),
            }),
            name: Some(self.name.to_owned()),
            invoice_reference: Some(format!("INV-{}", self.id)),
            customer_reference: None,
            requisition_number: None,
            invoice_address_id: Some(i64::from(self.organization_id) * 1000 + 1),
            delivery_address_id: None,
            delivery_address: None,
            invoice_address: Some(address),
            consumer_id: None,
            contact_person_id: None,
        }
    }
}

/// An organization of the demo world by id.
fn organization(id: i32) -> Option<MockOrganization> {
    ORGANIZATIONS
        .into_iter()
        .find(|organization| organization.id == id)
}

fn country_name(code: &str) -> Option<&'static str> {
    Some(match code.to_ascii_uppercase().as_str() {
        "US" => "United States",
        "SE" => "Sweden",
        "NO" => "Norway",
        "DK" => "Denmark",
        "FI" => "Finland",
        "GB" => "United Kingdom",
        "DE" => "Germany",
        "NL" => "Netherlands",
        _ => return None,
    })
}

/// A GUID-shaped identifier derived from a number, the same every run.
pub(crate) fn guid(seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let value = rng.u128(..);
    let hex = format!("{value:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Fills in the names of a tenant's references, as the real API does in its responses: a
/// publisher's or invoice profile's from the look-ups (none for an id they do not list), and the
/// organization as `getOrganization` answers it.
pub(crate) fn fill_reference_names(
    tenant: &mut CustomerTenant,
    organization_id: i32,
    world: &World,
) {
    fn named(reference: &mut Option<ObjectReference>, name: impl FnOnce(i32) -> Option<String>) {
        if let Some(reference) = reference
            && let Some(id) = reference.id
        {
            reference.name = name(id);
        }
    }
    named(&mut tenant.publisher, |id| {
        world
            .publisher(id)
            .and_then(|publisher| publisher.name.clone())
    });
    named(&mut tenant.invoice_profile, |id| {
        world
            .invoice_profile(id)
            .and_then(|(_, profile)| profile.name.clone())
    });
    named(&mut tenant.consumer, |id| Some(format!("Consumer {id}")));
    named(&mut tenant.program, |id| Some(format!("Program {id}")));
    tenant.organization = Some(world.organization(organization_id).map_or_else(
        || Organization {
            id: Some(organization_id),
            ..Default::default()
        },
        |(organization, _)| organization.clone(),
    ));
}

/// Fills in what the server derives in a profile: the country's name.
pub(crate) fn fill_profile(profile: &mut CustomerTenantProfile) {
    if let Some(address) = &mut profile.address {
        address.country_name = address
            .country_code
            .as_deref()
            .and_then(country_name)
            .map(str::to_owned);
    }
}

const COMPANIES: [&str; 25] = [
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Adventure Works",
    "Tailspin Toys",
    "Wingtip Toys",
    "Litware",
    "Proseware",
    "Woodgrove Bank",
    "Alpine Ski House",
    "Coho Winery",
    "Fourth Coffee",
    "Lamna Healthcare",
    "Margie's Travel",
    "Relecloud",
    "Trey Research",
    "VanArsdel",
    "Wide World Importers",
    "Humongous Insurance",
    "Blue Yonder Airlines",
    "City Power & Light",
    "Graphic Design Institute",
    "Lucerne Publishing",
    "Nod Publishers",
    "School of Fine Art",
];

/// The `index`-th demo tenant of an organization (without its `Id`, which the store assigns).
pub(crate) fn demo_tenant(
    organization_id: i32,
    index: usize,
    world: &World,
) -> CustomerTenantDetailed {
    let company = COMPANIES[index % COMPANIES.len()];
    let round = index / COMPANIES.len();
    let name = if round == 0 {
        format!("{company} AB")
    } else {
        format!("{company} {} AB", round + 1)
    };
    let stem: String = company
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let domain_prefix = format!(
        "{stem}{}{}",
        organization_id,
        if round == 0 {
            String::new()
        } else {
            format!("x{round}")
        }
    );
    let publisher = if index % 7 == 6 { 3 } else { MICROSOFT };
    let seed = (organization_id as u64) << 32 | index as u64;
    let mut tenant = CustomerTenant {
        name: Some(name),
        publisher: Some(ObjectReference {
            id: Some(publisher),
            name: None,
        }),
        publisher_customer_id: Some(guid(seed)),
        external_publisher_customer_id: Some(guid(seed ^ 0xffff)),
        domain: Some(format!("{domain_prefix}.onmicrosoft.com")),
        domain_prefix: Some(domain_prefix),
        reference: Some(format!("REF-{organization_id}-{index:04}")),
        customer_tenant_type: Some(if index % 5 == 4 {
            CustomerTenantType::T1
        } else {
            CustomerTenantType::T2
        }),
        entity_status: Some(EntityStatus::None),
        invoice_profile: world
            .default_invoice_profile(organization_id)
            .map(|id| ObjectReference {
                id: Some(id),
                name: None,
            }),
        ..Default::default()
    };
    fill_reference_names(&mut tenant, organization_id, world);
    let mut profile = CustomerTenantProfile {
        culture_code: Some("en-US".to_owned()),
        language_code: Some("en".to_owned()),
        contact: Some(CustomerTenantContact {
            first_name: Some("Alex".to_owned()),
            last_name: Some("Example".to_owned()),
            email: Some(format!("alex@{stem}.example")),
            phone_number: Some("000-12345689".to_owned()),
        }),
        address: Some(CustomerTenantAddress {
            first_name: Some("Alex".to_owned()),
            last_name: Some("Example".to_owned()),
            address_line1: Some(format!("Main Street {}", index + 1)),
            city: Some("Stockholm".to_owned()),
            region: Some(String::new()),
            postal_code: Some("111 22".to_owned()),
            country_code: Some("SE".to_owned()),
            ..Default::default()
        }),
        agreement: None,
    };
    fill_profile(&mut profile);
    CustomerTenantDetailed {
        tenant: Some(tenant),
        user: None,
        profile: Some(profile),
        company: Some(CustomerTenantCompany {
            organization_registration_number: Some(format!("556{index:07}")),
        }),
    }
}

/// A create body the mock accepts: a tenant named after `domain_prefix`, of the organization,
/// billed through the organization's first invoice profile ([`INVOICE_PROFILES`]; 7 for
/// organization 1), of Microsoft ([`MICROSOFT`]), with a complete profile and company. For the
/// tests of a program that onboards tenants: the body is what a caller would send, nothing of
/// it is specific to the mock. An organization the world does not have gets invoice profile 0,
/// which the look-ups do not list.
///
/// ```
/// let body = crayon_tenants_mock::new_tenant_body(1, "contoso-new");
/// assert_eq!(body.tenant.domain_prefix, "contoso-new");
/// assert_eq!(body.tenant.invoice_profile.id, 7);
/// ```
pub fn new_tenant_body(
    organization_id: i32,
    domain_prefix: &str,
) -> crayon_tenants::types::NewCustomerTenantDetailed {
    let body = serde_json::json!({
        "Tenant": {
            "Name": format!("{domain_prefix} AB"),
            "DomainPrefix": domain_prefix,
            "Publisher": { "Id": MICROSOFT },
            "Organization": { "Id": organization_id },
            "InvoiceProfile": { "Id": World::default().default_invoice_profile(organization_id).unwrap_or(0) },
            "CustomerTenantType": 2
        },
        "Profile": {
            "Contact": {
                "FirstName": "Alex", "LastName": "Example",
                "Email": format!("alex@{domain_prefix}.example"), "PhoneNumber": "000-12345689"
            },
            "Address": {
                "FirstName": "Alex", "LastName": "Example", "AddressLine1": "Main Street 1",
                "City": "Stockholm", "Region": "Stockholm", "PostalCode": "111 22",
                "CountryCode": "SE"
            }
        },
        "Company": { "OrganizationRegistrationNumber": "5560000000" }
    });
    // Every required field is above with its type (the unit test sends it through the
    // contract's schema), so this cannot fail whatever the arguments.
    serde_json::from_value(body).expect("a complete create body")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_create_body_for_tests_is_valid_under_the_contract_for_every_organization() {
        let validator = crayon_tenants_contract::validator(&crayon_tenants_contract::schema_ref(
            "NewCustomerTenantDetailed",
        ));
        for (organization, invoice_profile) in [(1, 7), (2, 8), (3, 9), (99, 0)] {
            let body = new_tenant_body(organization, "a-prefix");
            assert_eq!(body.tenant.invoice_profile.id, invoice_profile);
            assert_eq!(body.tenant.organization.id, organization);
            let value = serde_json::to_value(&body).unwrap();
            let problems: Vec<String> = validator
                .iter_errors(&value)
                .map(|error| error.to_string())
                .collect();
            assert!(problems.is_empty(), "{problems:?}");
        }
    }
}
