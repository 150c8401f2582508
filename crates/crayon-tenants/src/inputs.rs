//! Responses turned into request bodies: read a tenant, change it, send it back.
//!
//! The contract gives requests their own schemas (`CustomerTenantDetailedInput`, ...), because a
//! client may send only the enumeration values the contract names while a server may answer any
//! integer. The Rust enums are the same type on both sides, so a response converts into the
//! matching request body field by field; the conversion goes through serde, the one description
//! of both shapes, and fails (never panics) if the two ever stop matching.

use crate::generated::types;

macro_rules! request_body_from_response {
    ($($response:ident => $request:ident),+ $(,)?) => {$(
        impl TryFrom<types::$response> for types::$request {
            type Error = serde_json::Error;

            #[doc = concat!("The `", stringify!($request), "` that sends back what a `", stringify!($response), "` holds.")]
            fn try_from(response: types::$response) -> Result<Self, Self::Error> {
                serde_json::to_value(response).and_then(serde_json::from_value)
            }
        }
    )+};
}

request_body_from_response! {
    CustomerTenantDetailed => CustomerTenantDetailedInput,
    CustomerTenant => CustomerTenantInput,
    CustomerTenantProfile => CustomerTenantProfileInput,
    ServiceAccountAgreement => ServiceAccountAgreementInput,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_detailed_response_becomes_an_update_body_with_every_field() {
        let response: types::CustomerTenantDetailed = serde_json::from_value(json!({
            "Tenant": {"Id": 7, "Name": "Contoso", "CustomerTenantType": 9,
                       "agreement": {"AgreementType": 1, "Accepted": true}},
            "Profile": {"Agreement": {"AgreementType": 0}, "Contact": {"Email": "a@b.c"}},
            "User": {"UserName": "admin"}
        }))
        .unwrap();
        let expected = serde_json::to_value(&response).unwrap();
        let input = types::CustomerTenantDetailedInput::try_from(response).unwrap();
        assert_eq!(serde_json::to_value(&input).unwrap(), expected);
        assert_eq!(input.tenant.unwrap().id, Some(7));
    }
}
