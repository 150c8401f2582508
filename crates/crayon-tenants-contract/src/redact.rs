//! Bodies and parameters made safe to keep: every value the contract marks as a secret
//! (`x-secret`) or as personal (`x-personal`), and every string at a place the contract does
//! not describe (it may be anything), replaced by a placeholder of the same kind: a redacted
//! e-mail address is still an e-mail address, a domain prefix still a domain prefix, so that a
//! recording still satisfies the contract and can seed a mock. The same value gets the same
//! placeholder within one [`Redactor`], so that what refers to it still does.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::{collect_shape, resolve};

/// The placeholder of a secret.
pub const SECRET: &str = "<redacted>";

/// What the contract says a value is, when it is not to be kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sensitivity {
    /// A password or a token (`x-secret: true`).
    Secret,
    /// A person's or a customer's data (`x-personal`), with its kind: `text`, `email`,
    /// `domain`, `domain-prefix`.
    Personal(String),
}

/// What a property's or a parameter's schema (or the parameter object) marks it as.
pub fn sensitivity(schema: &Value) -> Option<Sensitivity> {
    let schema = resolve(schema);
    if schema.get("x-secret") == Some(&Value::Bool(true)) {
        return Some(Sensitivity::Secret);
    }
    schema
        .get("x-personal")
        .and_then(Value::as_str)
        .map(|kind| Sensitivity::Personal(kind.to_owned()))
}

/// Replaces values with placeholders, the same value with the same placeholder.
#[derive(Debug, Default)]
pub struct Redactor {
    seen: HashMap<(String, String), usize>,
}

impl Redactor {
    /// A redactor with nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The placeholder of `value`, a value of the given kind.
    pub fn placeholder(&mut self, sensitivity: &Sensitivity, value: &str) -> String {
        let Sensitivity::Personal(kind) = sensitivity else {
            return SECRET.to_owned();
        };
        if value.is_empty() {
            return String::new();
        }
        let next = self.seen.len() + 1;
        let number = *self
            .seen
            .entry((kind.clone(), value.to_owned()))
            .or_insert(next);
        match kind.as_str() {
            "email" => format!("person{number}@example.com"),
            "domain" => format!("customer{number}.onmicrosoft.com"),
            "domain-prefix" => format!("customer{number}"),
            _ => format!("redacted {number}"),
        }
    }

    /// Replaces, in a body read by `schema` (an OpenAPI schema of the contract), every string
    /// the contract marks and every string at a place it does not describe. Names match the
    /// contract's ignoring case, as the API binds them.
    pub fn body(&mut self, value: &mut Value, schema: Option<&Value>) {
        let unknown = Sensitivity::Personal("text".to_owned());
        let Some(schema) = schema else {
            return self.everything(value, &unknown);
        };
        if let Some(sensitivity) = sensitivity(schema) {
            return self.everything(value, &sensitivity);
        }
        let mut properties = Map::new();
        let mut items = None;
        collect_shape(schema, &mut properties, &mut items);
        match value {
            Value::Object(members) if !properties.is_empty() => {
                for (name, member) in members.iter_mut() {
                    let property = properties
                        .iter()
                        .find(|(known, _)| known.eq_ignore_ascii_case(name))
                        .map(|(_, property)| property);
                    self.body(member, property);
                }
            }
            // A map (`ApiError.Parameters`): its keys are the contract's, its values anything.
            Value::Object(members) => {
                for member in members.values_mut() {
                    self.body(member, None);
                }
            }
            Value::Array(elements) => {
                for element in elements {
                    self.body(element, items.as_ref());
                }
            }
            Value::String(_) if properties.is_empty() && items.is_none() => {}
            Value::String(_) => self.everything(value, &unknown),
            _ => {}
        }
    }

    /// Every string inside `value`, replaced.
    fn everything(&mut self, value: &mut Value, sensitivity: &Sensitivity) {
        match value {
            Value::String(text) => *text = self.placeholder(sensitivity, text),
            Value::Array(elements) => elements
                .iter_mut()
                .for_each(|element| self.everything(element, sensitivity)),
            Value::Object(members) => members
                .values_mut()
                .for_each(|member| self.everything(member, sensitivity)),
            _ => {}
        }
    }

    /// Replaces the values of an operation's query parameters that the contract marks, and of
    /// every parameter it does not have.
    pub fn query(&mut self, operation: Option<&str>, pairs: &mut [(String, String)]) {
        let parameters = operation.map(crate::query_parameters).unwrap_or_default();
        for (name, value) in pairs.iter_mut() {
            let parameter = crate::parameter_named(&parameters, name);
            let sensitivity = match parameter {
                Some(parameter) => sensitivity(parameter),
                None => Some(Sensitivity::Personal("text".to_owned())),
            };
            if let Some(sensitivity) = sensitivity {
                *value = self.placeholder(&sensitivity, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema_ref;
    use serde_json::json;

    #[test]
    fn marked_and_unknown_strings_become_placeholders_of_their_kind() {
        let mut redactor = Redactor::new();
        let mut body = json!({
            "Tenant": {"Id": 7, "Name": "Contoso", "DomainPrefix": "contoso",
                       "Publisher": {"Id": 2, "Name": "Contoso"}, "CustomerTenantType": 1,
                       "Extra": "secret plan"},
            "User": {"UserName": "admin@contoso.onmicrosoft.com", "Password": "Pa55word!"},
            "Profile": {"Contact": {"email": "jane@contoso.com", "PhoneNumber": "555-0100"},
                        "CultureCode": "en-US"},
        });
        redactor.body(&mut body, Some(&schema_ref("CustomerTenantDetailed")));
        assert_eq!(body["Tenant"]["Id"], 7);
        let placeholder = |path: &str| {
            body.pointer(path)
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
        };
        assert!(placeholder("/Tenant/Name").starts_with("redacted "));
        assert_eq!(
            placeholder("/Tenant/Publisher/Name"),
            placeholder("/Tenant/Name"),
            "same value, same placeholder"
        );
        assert!(placeholder("/Tenant/DomainPrefix").starts_with("customer"));
        assert!(
            placeholder("/Tenant/Extra").starts_with("redacted "),
            "a place the contract lacks"
        );
        assert_eq!(body["User"]["Password"], SECRET);
        assert!(
            placeholder("/User/UserName").starts_with("person")
                && placeholder("/User/UserName").ends_with("@example.com")
        );
        assert!(
            placeholder("/Profile/Contact/email").ends_with("@example.com"),
            "any case"
        );
        assert_ne!(
            placeholder("/Profile/Contact/email"),
            placeholder("/User/UserName")
        );
        assert_eq!(
            body["Profile"]["CultureCode"], "en-US",
            "not personal: kept"
        );
        let text = body.to_string();
        for value in [
            "Contoso",
            "contoso",
            "Pa55word",
            "jane",
            "555-0100",
            "secret plan",
        ] {
            assert!(!text.contains(value), "{value} in {text}");
        }
        // A list that came as a bare array: nothing is known there, every string goes.
        let mut bare = json!([{"Name": "Contoso", "Id": 1}]);
        redactor.body(&mut bare, Some(&schema_ref("CustomerTenantCollection")));
        assert_eq!(bare[0]["Name"], placeholder("/Tenant/Name"));
        assert_eq!(bare[0]["Id"], 1);
    }

    #[test]
    fn marked_and_unknown_parameters_are_replaced() {
        let mut pairs = vec![
            ("search".to_owned(), "Contoso".to_owned()),
            ("organizationId".to_owned(), "1".to_owned()),
            ("Who".to_owned(), "Jane".to_owned()),
            ("OrganizationId".to_owned(), "1".to_owned()),
            ("Search".to_owned(), "Contoso".to_owned()),
        ];
        Redactor::new().query(Some("listCustomerTenants"), &mut pairs);
        assert_eq!(pairs[0].1, "redacted 1");
        assert_eq!(pairs[1].1, "1");
        assert_eq!(pairs[2].1, "redacted 2");
        assert_eq!(pairs[3].1, "1", "any case");
        assert_eq!(pairs[4].1, "redacted 1");
    }
}
