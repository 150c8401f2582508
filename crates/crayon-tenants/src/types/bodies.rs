//! Constructors for the create body, taking the fields the contract requires and leaving every
//! other one unset, so that a first create is a few typed lines:
//!
//! ```
//! use crayon_tenants::types::{
//!     NewCustomerTenant, NewCustomerTenantAddress, NewCustomerTenantContact,
//!     NewCustomerTenantDetailed,
//! };
//!
//! let body = NewCustomerTenantDetailed::new(
//!     // name, domain prefix, organization, invoice profile and publisher ids
//!     NewCustomerTenant::new("Contoso AB", "contoso", 1, 7, 2),
//!     NewCustomerTenantContact::new("Alex", "Example", "alex@contoso.example", "+46 8 000 00"),
//!     NewCustomerTenantAddress::new("Alex", "Example", "Main Street 1", "Stockholm", "Stockholm", "111 22", "SE"),
//!     "5560000000", // the company's registration number
//! );
//! assert_eq!(body.tenant.invoice_profile.id, 7);
//! ```

use super::{
    CustomerTenantType, NewCustomerTenant, NewCustomerTenantAddress, NewCustomerTenantCompany,
    NewCustomerTenantContact, NewCustomerTenantDetailed, NewCustomerTenantProfile,
    ObjectReferenceById, OrganizationReferenceById,
};

impl NewCustomerTenantDetailed {
    /// The body of `create_customer_tenant`: the tenant, its contact and address, and the
    /// company's registration number; no user (the API creates the tenant's administrator).
    pub fn new(
        tenant: NewCustomerTenant,
        contact: NewCustomerTenantContact,
        address: NewCustomerTenantAddress,
        organization_registration_number: impl Into<String>,
    ) -> Self {
        Self {
            tenant,
            profile: NewCustomerTenantProfile {
                contact,
                address,
                agreement: None,
                culture_code: None,
                language_code: None,
            },
            company: NewCustomerTenantCompany {
                organization_registration_number: organization_registration_number.into(),
            },
            user: None,
        }
    }
}

impl NewCustomerTenant {
    /// A T2 tenant (an end customer of the reseller: the default type) of the organization,
    /// billed on the invoice profile, at the publisher (ids from the look-ups, for example
    /// [`Client::find_publisher_by_name`](crate::Client::find_publisher_by_name)).
    pub fn new(
        name: impl Into<String>,
        domain_prefix: impl Into<String>,
        organization_id: i32,
        invoice_profile_id: i32,
        publisher_id: i32,
    ) -> Self {
        let reference = |id| ObjectReferenceById { id, name: None };
        Self {
            name: name.into(),
            domain_prefix: domain_prefix.into(),
            organization: OrganizationReferenceById {
                id: organization_id,
                account_number: None,
                crayon_company_name: None,
                name: None,
                parent_id: None,
            },
            invoice_profile: reference(invoice_profile_id),
            publisher: reference(publisher_id),
            customer_tenant_type: CustomerTenantType::T2,
            agreement: None,
            consumer: None,
            default_subscription_price_type: None,
            domain: None,
            entity_status: None,
            external_publisher_customer_id: None,
            id: None,
            program: None,
            publisher_customer_id: None,
            reference: None,
            reseller_markup: None,
        }
    }
}

impl NewCustomerTenantContact {
    /// The tenant's contact.
    pub fn new(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
        phone_number: impl Into<String>,
    ) -> Self {
        Self {
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            phone_number: phone_number.into(),
        }
    }
}

impl NewCustomerTenantAddress {
    /// The tenant's address; `country_code` is ISO 3166-1 alpha-2 (`SE`).
    pub fn new(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        address_line1: impl Into<String>,
        city: impl Into<String>,
        region: impl Into<String>,
        postal_code: impl Into<String>,
        country_code: impl Into<String>,
    ) -> Self {
        Self {
            first_name: first_name.into(),
            last_name: last_name.into(),
            address_line1: address_line1.into(),
            city: city.into(),
            region: region.into(),
            postal_code: postal_code.into(),
            country_code: country_code.into(),
            middle_name: None,
            address_line2: None,
            address_line3: None,
            country_name: None,
        }
    }
}
