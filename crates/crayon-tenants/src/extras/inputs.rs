//! Responses turned into request bodies: read a tenant, change it, send it back.
//!
//! The contract gives requests their own schemas (`CustomerTenantDetailedInput`, ...), because a
//! client may send only the enumeration values the contract names while a server may answer any
//! integer. The Rust enums are the same type on both sides, so a response converts into the
//! matching request body field by field, through serde, the one description of both shapes.
//! What a response may carry and a request may not send (an enumeration value the contract does
//! not name, such as a `CustomerTenantType` of 9) fails the conversion with an [`InputError`]
//! that names the field, before anything is sent; nulls and properties the crate does not know
//! convert (the first as absent, the second dropped). To change one property of such a tenant,
//! send a partial body with only that property instead.

use std::fmt;

use crate::types;

/// Why a response could not become a request body: the field (`Tenant.CustomerTenantType`) and
/// what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    field: String,
    message: String,
}

impl InputError {
    /// The JSON path of the field, as the contract spells it (`Tenant.CustomerTenantType`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong with its value.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for InputError {}

macro_rules! request_body_from_response {
    ($($response:ident => $request:ident),+ $(,)?) => {$(
        impl TryFrom<types::$response> for types::$request {
            type Error = InputError;

            #[doc = concat!("The `", stringify!($request), "` that sends back what a `", stringify!($response), "` holds; an enumeration value a request may not send is an [`InputError`] naming its field.")]
            fn try_from(response: types::$response) -> Result<Self, Self::Error> {
                convert(&response)
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

fn convert<T: serde::Serialize, U: serde::Serialize + serde::de::DeserializeOwned>(
    response: &T,
) -> Result<U, InputError> {
    let failed = |field: String, message: String| InputError { field, message };
    let value = serde_json::to_value(response)
        .map_err(|error| failed("(body)".to_owned(), error.to_string()))?;
    let request: U = serde_path_to_error::deserialize(value).map_err(
        |error: serde_path_to_error::Error<serde_json::Error>| {
            failed(error.path().to_string(), error.into_inner().to_string())
        },
    )?;
    // What the request would send, checked against the closed enumerations of its schema.
    let sent = serde_json::to_value(&request)
        .map_err(|error| failed("(body)".to_owned(), error.to_string()))?;
    match refused(&sent, "") {
        Some((field, message)) => Err(failed(field, message)),
        None => Ok(request),
    }
}

/// The first property of `value` (at `path`) whose integer its closed enumeration does not name.
fn refused(value: &serde_json::Value, path: &str) -> Option<(String, String)> {
    let at = |name: &dyn std::fmt::Display| match path {
        "" => name.to_string(),
        _ => format!("{path}.{name}"),
    };
    match value {
        serde_json::Value::Object(object) => object.iter().find_map(|(name, inner)| match inner {
            serde_json::Value::Number(number) => number
                .as_i64()
                .and_then(|number| crate::generated::refused_in_request(name, number))
                .map(|why| (at(name), why)),
            _ => refused(inner, &at(name)),
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| refused(item, &format!("{path}[{index}]"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_detailed_response_becomes_an_update_body_with_every_field() {
        let response: types::CustomerTenantDetailed = serde_json::from_value(json!({
            "Tenant": {"Id": 7, "Name": "Contoso", "CustomerTenantType": 1,
                       "DefaultSubscriptionPriceType": 0,
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

    #[test]
    fn nulls_and_unknown_properties_convert() {
        let response: types::CustomerTenantDetailed = serde_json::from_value(json!({
            "Tenant": {"Id": 7, "Name": null, "Publisher": null, "Organization": null,
                       "InvoiceProfile": {"Id": null, "Name": null}, "agreement": null,
                       "SomethingNew": {"x": 1}},
            "Profile": null, "User": null, "Company": null, "Extra": [1, 2]
        }))
        .unwrap();
        let input = types::CustomerTenantDetailedInput::try_from(response).unwrap();
        assert_eq!(input.tenant.unwrap().id, Some(7));
    }

    #[test]
    fn a_value_a_request_may_not_send_is_refused_naming_its_field() {
        let response: types::CustomerTenantDetailed = serde_json::from_value(json!({
            "Tenant": {"Id": 7, "CustomerTenantType": 9}
        }))
        .unwrap();
        let error = types::CustomerTenantDetailedInput::try_from(response).unwrap_err();
        assert_eq!(error.field(), "Tenant.CustomerTenantType");
        assert_eq!(
            error.to_string(),
            "Tenant.CustomerTenantType: 9 is not a CustomerTenantType a request may send (one of 0 (None), 1 (T1), 2 (T2))"
        );
        let agreement: types::CustomerTenant =
            serde_json::from_value(json!({"agreement": {"AgreementType": 5}})).unwrap();
        let error = types::CustomerTenantInput::try_from(agreement).unwrap_err();
        assert_eq!(error.field(), "agreement.AgreementType");
    }

    #[test]
    fn decoding_is_open_again_after_a_refused_conversion() {
        let response: types::CustomerTenant =
            serde_json::from_value(json!({"EntityStatus": 4})).unwrap();
        assert!(types::CustomerTenantInput::try_from(response).is_err());
        let again: types::CustomerTenant =
            serde_json::from_value(json!({"EntityStatus": 4})).unwrap();
        assert_eq!(again.entity_status.map(i32::from), Some(4));
    }
}
