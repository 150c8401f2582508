//! What an exchange with a server shows about the contract: each place where a request or an
//! answer is not what the contract says, found as a strict consumer reads it (types, required
//! properties, `null`, formats, the list's shape) and beyond validity (a property the contract
//! does not describe, a name spelled in another case, an enumeration value it does not list, a
//! status or a content type it does not list).
//!
//! A divergence never holds a value of the exchange: what came is described by its JSON type
//! and size (`string of 7 characters`); property names, statuses, and enumeration values (small
//! integers the contract names) are kept. So a report can be pasted into an issue.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use serde_json::{Value, json};

use crate::{
    Met, effective, field_path, join, json_schema, parameter_named, query_parameters, resolve,
    walk_beside,
};

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// What the client sent.
    Request,
    /// What the server answered.
    Response,
}

/// What kind of difference from the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DivergenceKind {
    /// A status the operation does not list (or covers only by a range such as `4XX`).
    UndocumentedStatus,
    /// A content type the operation does not list for that status.
    UndocumentedContentType,
    /// A body that is not JSON where the contract has JSON.
    NotJson,
    /// A property of an answer the contract has, spelled in another case (`items` for
    /// `Items`). Not one in a request: the API binds a request's names ignoring case, as the
    /// contract says.
    NameCase,
    /// A property the contract does not describe.
    UndocumentedProperty,
    /// A query parameter the operation does not have.
    UndocumentedParameter,
    /// A request that is no operation of the contract (its method and path match none).
    UndocumentedOperation,
    /// An enumeration value the contract does not list.
    UnlistedEnumValue,
    /// A property the contract requires, absent.
    MissingRequired,
    /// `null` where the contract takes none.
    UnexpectedNull,
    /// A value of another type or format, or out of its bounds.
    Invalid,
}

/// One place where a message is not what the contract says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// Which message.
    pub direction: Direction,
    /// What kind of difference.
    pub kind: DivergenceKind,
    /// Where: the JSON path of the value (`Items[0].Id`), `$` for the body itself, the header
    /// or parameter name, or `status`.
    pub path: String,
    /// What the contract says there (`type: "integer"`, `one of 1, 2, 3`).
    pub expected: String,
    /// What came, redacted: a JSON type and size, a property name, a status, an enumeration
    /// value; never a string's content.
    pub found: String,
}

/// A message as the check reads it: the operation it belongs to, and what it carried.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// The operation's `operationId`.
    pub operation: &'a str,
    /// The answer's status (ignored for a request).
    pub status: u16,
    /// The `Content-Type` header, when there was one.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// The headers of an answer worth knowing about: `Retry-After` and the rate-limit headers
/// (`RateLimit-*`, `X-RateLimit-*`, `X-Rate-Limit-*`), whose values are numbers or times.
pub fn notable_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "retry-after"
        || ["ratelimit", "x-ratelimit", "x-rate-limit"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

/// The schema of an operation's JSON (or form) request body.
pub fn request_schema(operation: &str) -> Option<&'static Value> {
    let body = resolve(crate::operation(operation)?.get("requestBody")?);
    body["content"].as_object()?.values().next()?.get("schema")
}

/// The schema of an operation's answer with this status (or the range that covers it).
pub fn response_schema(operation: &str, status: u16) -> Option<&'static Value> {
    let responses = &crate::operation(operation)?["responses"];
    let range = format!("{}XX", status / 100);
    let response = responses
        .get(status.to_string())
        .or(responses.get(&range))
        .or(responses.get("default"))?;
    resolve(response)["content"]
        .as_object()?
        .values()
        .next()?
        .get("schema")
}

/// Every divergence of an answer from what the operation's contract says.
pub fn check_response(answer: Message<'_>) -> Vec<Divergence> {
    let mut found = Vec::new();
    let Some(operation) = crate::operation(answer.operation) else {
        return found;
    };
    let responses = &operation["responses"];
    let status = answer.status.to_string();
    let range = format!("{}XX", status.chars().next().unwrap_or('0'));
    let listed: Vec<&str> = responses
        .as_object()
        .into_iter()
        .flatten()
        .map(|(code, _)| code.as_str())
        .filter(|code| code.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let response = match responses.get(&status) {
        Some(response) => resolve(response),
        None => {
            let covered = responses.get(&range).or(responses.get("default"));
            found.push(Divergence {
                direction: Direction::Response,
                kind: DivergenceKind::UndocumentedStatus,
                path: "status".to_owned(),
                expected: format!(
                    "one of {}{}",
                    listed.join(", "),
                    if covered.is_some() {
                        format!(" ({range} only as a range)")
                    } else {
                        String::new()
                    }
                ),
                found: status,
            });
            match covered {
                Some(response) => resolve(response),
                None => return found,
            }
        }
    };
    check_body(Direction::Response, response, answer, &mut found);
    found
}

/// Every divergence of a request from the operation's contract: its query parameters (`query`,
/// as `name=value` pairs) and its body.
pub fn check_request(request: Message<'_>, query: &[(String, String)]) -> Vec<Divergence> {
    let mut found = Vec::new();
    let Some(operation) = crate::operation(request.operation) else {
        return found;
    };
    let parameters = query_parameters(request.operation);
    // A parameter given more than once (`names=A&names=B`) is one array.
    let mut given: Vec<(&str, Vec<&str>)> = Vec::new();
    for (name, value) in query {
        match given.iter_mut().find(|(known, _)| *known == name) {
            Some((_, values)) => values.push(value),
            None => given.push((name, vec![value])),
        }
    }
    for (name, values) in given {
        match parameter_named(&parameters, name) {
            Some(parameter) => {
                let schema = &parameter["schema"];
                let value = match effective(schema)["type"].as_str() {
                    Some("array") => {
                        let item = &effective(schema)["items"];
                        Value::Array(values.iter().map(|value| typed(value, item)).collect())
                    }
                    _ => typed(values.last().copied().unwrap_or_default(), schema),
                };
                check_value(Direction::Request, &value, schema, name, &mut found);
            }
            None => found.push(Divergence {
                direction: Direction::Request,
                kind: DivergenceKind::UndocumentedParameter,
                path: name.to_owned(),
                expected: parameters
                    .iter()
                    .filter_map(|parameter| parameter["name"].as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                found: describe_text(values.last().copied().unwrap_or_default()),
            }),
        }
    }
    if let Some(body) = operation.get("requestBody") {
        check_body(Direction::Request, resolve(body), request, &mut found);
    }
    found
}

/// A query parameter's text as the JSON value of its schema's type (an integer, a boolean),
/// or as a string when it is not one.
fn typed(text: &str, schema: &Value) -> Value {
    let schema = effective(schema);
    let kind = schema["type"]
        .as_str()
        .or(schema.get("enum").map(|_| "integer"));
    match kind {
        Some("integer") => text
            .parse::<i64>()
            .map_or_else(|_| json!(text), |number| json!(number)),
        Some("boolean") => text
            .parse::<bool>()
            .map_or_else(|_| json!(text), |flag| json!(flag)),
        _ => json!(text),
    }
}

/// The content type and the body of a message against a response or request body object.
fn check_body(
    direction: Direction,
    documented: &Value,
    message: Message<'_>,
    found: &mut Vec<Divergence>,
) {
    let content = &documented["content"];
    let Some(types) = content.as_object().filter(|types| !types.is_empty()) else {
        return;
    };
    if message.body.is_empty() {
        return;
    }
    let media_type = message
        .content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    let schema_of = types
        .iter()
        .find(|(name, _)| Some(name.as_str()) == media_type.as_deref());
    let (name, media) = match schema_of {
        Some(found) => found,
        None => {
            found.push(Divergence {
                direction,
                kind: DivergenceKind::UndocumentedContentType,
                path: "Content-Type".to_owned(),
                expected: types.keys().cloned().collect::<Vec<_>>().join(", "),
                found: media_type.unwrap_or_else(|| "none".to_owned()),
            });
            match types.iter().next() {
                Some(first) => first,
                None => return,
            }
        }
    };
    let value = if name == "application/x-www-form-urlencoded" {
        Value::Object(
            form_urlencoded_pairs(message.body)
                .into_iter()
                .map(|(key, value)| (key, Value::String(value)))
                .collect(),
        )
    } else {
        match serde_json::from_slice::<Value>(message.body) {
            Ok(value) => value,
            Err(_) => {
                found.push(Divergence {
                    direction,
                    kind: DivergenceKind::NotJson,
                    path: "$".to_owned(),
                    expected: "JSON".to_owned(),
                    found: format!("{} bytes that are not JSON", message.body.len()),
                });
                return;
            }
        }
    };
    check_value(direction, &value, &media["schema"], "", found);
}

/// `key=value&...` as pairs (`+` a space, `%XX` a byte).
fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let text = text.replace('+', " ");
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut index = 0;
        while index < bytes.len() {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            match (bytes[index], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    index += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    index += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// A value (at `path`) against a schema: names, properties and enumeration values by walking
/// both, then everything else by the validator, on the value with its names folded to the
/// contract's spelling (so that a name in another case is reported once, not also as missing).
fn check_value(
    direction: Direction,
    value: &Value,
    schema: &Value,
    path: &str,
    found: &mut Vec<Divergence>,
) {
    let mut folded = value.clone();
    crate::fold_case(&mut folded, schema);
    walk(direction, value, schema, path, found);
    let Some(strict) = strict(schema) else {
        return;
    };
    let (document, validator) = &*strict;
    use jsonschema::error::ValidationErrorKind;
    for error in validator.iter_errors(&folded) {
        let at = as_sent(value, error.instance_path().as_str());
        let at = match (path.is_empty(), at.is_empty()) {
            (false, false) => join(path, &at),
            (false, true) => path.to_owned(),
            _ => at,
        };
        let expected = keyword_value(document, error.schema_path().as_str());
        let (kind, at, expected, came) = match error.kind() {
            // Reported by the walk, with the value kept.
            ValidationErrorKind::Enum { .. } => continue,
            ValidationErrorKind::Required { property } => (
                DivergenceKind::MissingRequired,
                join(&at, property.as_str().unwrap_or_default()),
                "present".to_owned(),
                "absent".to_owned(),
            ),
            _ if error.instance().is_null() => (
                DivergenceKind::UnexpectedNull,
                at,
                expected,
                "null".to_owned(),
            ),
            _ => (
                DivergenceKind::Invalid,
                at,
                expected,
                describe(error.instance()),
            ),
        };
        found.push(Divergence {
            direction,
            kind,
            path: if at.is_empty() { "$".to_owned() } else { at },
            expected,
            found: came,
        });
    }
}

/// The strict validator of a schema of the contract (formats validated), with the JSON Schema
/// document it was built from (whose keywords a divergence quotes): built once per schema, not
/// once per message checked.
fn strict(schema: &Value) -> Option<Arc<(Value, jsonschema::Validator)>> {
    type Built = HashMap<String, Arc<(Value, jsonschema::Validator)>>;
    static BUILT: OnceLock<Mutex<Built>> = OnceLock::new();
    let key = schema.to_string();
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = built.get(&key) {
        return Some(found.clone());
    }
    let document = json_schema(schema);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&document)
        .ok()?;
    let strict = Arc::new((document, validator));
    built.insert(key, strict.clone());
    Some(strict)
}

/// The dotted path of a pointer into the value with its names folded, spelled as the value
/// spelled them (`/Items/0/Name` in `{"items": [{"name": ..}]}` is `items[0].name`).
fn as_sent(value: &Value, pointer: &str) -> String {
    let mut current = Some(value);
    let mut spelled = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let (name, next) = match current {
            Some(Value::Array(items)) => {
                let index = segment.parse::<usize>().ok();
                (
                    format!("/{segment}"),
                    index.and_then(|index| items.get(index)),
                )
            }
            Some(Value::Object(members)) => match members.get_key_value(&segment).or_else(|| {
                members
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&segment))
            }) {
                Some((name, member)) => (
                    format!("/{}", name.replace('~', "~0").replace('/', "~1")),
                    Some(member),
                ),
                None => (format!("/{segment}"), None),
            },
            _ => (format!("/{segment}"), None),
        };
        spelled.push_str(&name);
        current = next;
    }
    field_path(&spelled)
}

/// What the contract says at a validator's keyword location (`/definitions/X/properties/Id/type`):
/// `type: "integer"`.
fn keyword_value(document: &Value, location: &str) -> String {
    let keyword = location.rsplit('/').next().unwrap_or_default();
    match document.pointer(location) {
        Some(value) => format!("{keyword}: {value}"),
        None => keyword.to_owned(),
    }
}

/// The walk beside the validator: members against the schema's properties (a name in another
/// case, a property the contract lacks) and enumeration values against their lists.
fn walk(
    direction: Direction,
    value: &Value,
    schema: &Value,
    path: &str,
    found: &mut Vec<Divergence>,
) {
    walk_beside(value, schema, path, &mut |met| match met {
        // The API binds a request's names ignoring case, as the contract says; a strict
        // reader of an answer does not.
        Met::OtherCase {
            path,
            spelled,
            sent,
        } if direction == Direction::Response => found.push(Divergence {
            direction,
            kind: DivergenceKind::NameCase,
            path: path.to_owned(),
            expected: spelled.to_owned(),
            found: sent.to_owned(),
        }),
        Met::Unknown { path, value, known } => found.push(Divergence {
            direction,
            kind: DivergenceKind::UndocumentedProperty,
            path: path.to_owned(),
            expected: format!(
                "one of {}",
                known.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            found: describe(value),
        }),
        Met::Leaf {
            path,
            value: value @ Value::Number(number),
            schema,
        } => {
            let listed = effective(schema).get("enum").and_then(Value::as_array);
            if let Some(listed) = listed
                && !listed.contains(value)
            {
                found.push(Divergence {
                    direction,
                    kind: DivergenceKind::UnlistedEnumValue,
                    path: if path.is_empty() {
                        "$".to_owned()
                    } else {
                        path.to_owned()
                    },
                    expected: format!(
                        "one of {}",
                        listed
                            .iter()
                            .map(Value::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    found: number.to_string(),
                });
            }
        }
        _ => {}
    });
}

/// A value by its JSON type and size, never its content: `string of 7 characters`, `integer`,
/// `object with 3 members`.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(_) => "boolean".to_owned(),
        Value::Number(number) if number.is_f64() => "number".to_owned(),
        Value::Number(_) => "integer".to_owned(),
        Value::String(text) => describe_text(text),
        Value::Array(items) => format!("array of {} items", items.len()),
        Value::Object(members) => format!("object with {} members", members.len()),
    }
}

fn describe_text(text: &str) -> String {
    format!("string of {} characters", text.chars().count())
}

/// The operation of a request: its `operationId` and path parameters, found by its method and
/// path as the API routes them (case-insensitive, trailing slash optional).
pub fn find_operation(method: &str, path: &str) -> Option<(&'static str, Vec<(String, String)>)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    crate::operations().find_map(|(template, operation_method, operation)| {
        if !operation_method.eq_ignore_ascii_case(method) {
            return None;
        }
        let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
        if parts.len() != segments.len() {
            return None;
        }
        let mut parameters = Vec::new();
        for (part, segment) in parts.iter().zip(&segments) {
            match part
                .strip_prefix('{')
                .and_then(|part| part.strip_suffix('}'))
            {
                Some(name) => parameters.push((name.to_owned(), (*segment).to_owned())),
                None if part.eq_ignore_ascii_case(segment) => {}
                None => return None,
            }
        }
        Some((operation["operationId"].as_str()?, parameters))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(operation: &str, status: u16, body: &Value) -> Vec<Divergence> {
        let body = body.to_string();
        check_response(Message {
            operation,
            status,
            content_type: Some("application/json; charset=utf-8"),
            body: body.as_bytes(),
        })
    }

    fn at(found: &[Divergence], kind: DivergenceKind, path: &str) -> Divergence {
        found
            .iter()
            .find(|divergence| divergence.kind == kind && divergence.path == path)
            .unwrap_or_else(|| panic!("no {kind:?} at {path} in {found:#?}"))
            .clone()
    }

    fn tenant() -> Value {
        json!({"Id": 7, "Name": "Contoso Pharma", "DomainPrefix": "contosopharma",
               "Publisher": {"Id": 2, "Name": "Microsoft"}, "Organization": {"Id": 1, "Name": "Northwind Traders"},
               "CustomerTenantType": 1, "EntityStatus": 1, "ResellerMarkup": 0.0,
               "DefaultSubscriptionPriceType": 0})
    }

    #[test]
    fn an_answer_as_the_contract_says_holds() {
        let found = answer(
            "listCustomerTenants",
            200,
            &json!({"Items": [tenant()], "TotalHits": 1}),
        );
        assert_eq!(found, []);
    }

    #[test]
    fn each_way_the_public_sources_disagree_is_reported_at_its_path() {
        let mut camel = tenant();
        let name = camel.as_object_mut().unwrap().remove("Name").unwrap();
        camel["name"] = name;
        let mut extra = tenant();
        extra["Notes"] = json!("call Jane on Monday");
        let mut unlisted = tenant();
        unlisted["CustomerTenantType"] = json!(9);
        let mut as_string = tenant();
        as_string["Id"] = json!("7");
        let body = json!({"items": [camel, extra, unlisted, as_string], "TotalHits": 4});
        let found = answer("listCustomerTenants", 200, &body);
        assert_eq!(
            at(&found, DivergenceKind::NameCase, "items").expected,
            "Items"
        );
        assert_eq!(
            at(&found, DivergenceKind::NameCase, "items[0].name").found,
            "name"
        );
        let extra = at(
            &found,
            DivergenceKind::UndocumentedProperty,
            "items[1].Notes",
        );
        assert_eq!(extra.found, "string of 19 characters");
        let unlisted = at(
            &found,
            DivergenceKind::UnlistedEnumValue,
            "items[2].CustomerTenantType",
        );
        assert_eq!(unlisted.found, "9");
        assert!(unlisted.expected.starts_with("one of "), "{unlisted:?}");
        let string = at(&found, DivergenceKind::Invalid, "items[3].Id");
        assert_eq!(string.found, "string of 1 characters");
        assert!(string.expected.contains("integer"), "{string:?}");
        assert_eq!(found.len(), 5, "{found:#?}");
        // No value of the body in any divergence.
        let text = serde_json::to_string(&found).unwrap();
        for value in ["Contoso", "contosopharma", "Jane", "Microsoft", "Northwind"] {
            assert!(!text.contains(value), "{value} in {text}");
        }
    }

    #[test]
    fn a_bare_array_an_undocumented_status_and_content_type_are_reported() {
        let found = answer("listCustomerTenants", 200, &json!([tenant()]));
        let shape = at(&found, DivergenceKind::Invalid, "$");
        assert_eq!(shape.found, "array of 1 items");
        assert_eq!(shape.expected, "type: \"object\"");
        let found = answer(
            "getCustomerTenant",
            418,
            &json!({"Message": "short and stout"}),
        );
        let status = at(&found, DivergenceKind::UndocumentedStatus, "status");
        assert_eq!(status.found, "418");
        assert!(
            status.expected.contains("4XX only as a range"),
            "{status:?}"
        );
        let found = answer("getCustomerTenant", 302, &json!({}));
        assert_eq!(
            at(&found, DivergenceKind::UndocumentedStatus, "status").found,
            "302"
        );
        let html = check_response(Message {
            operation: "getCustomerTenant",
            status: 502,
            content_type: Some("text/html"),
            body: b"<html>Bad gateway</html>",
        });
        assert_eq!(
            at(
                &html,
                DivergenceKind::UndocumentedContentType,
                "Content-Type"
            )
            .found,
            "text/html"
        );
        at(&html, DivergenceKind::NotJson, "$");
    }

    #[test]
    fn requests_are_checked_by_their_parameters_and_body() {
        let body = json!({"Tenant": {"Name": "Contoso", "CustomerTenantType": 9, "Colour": "red"}});
        let body = body.to_string();
        let found = check_request(
            Message {
                operation: "updateCustomerTenant",
                status: 0,
                content_type: Some("application/json"),
                body: body.as_bytes(),
            },
            &[],
        );
        at(
            &found,
            DivergenceKind::UnlistedEnumValue,
            "Tenant.CustomerTenantType",
        );
        at(
            &found,
            DivergenceKind::UndocumentedProperty,
            "Tenant.Colour",
        );
        // The contract's responses require nothing; a create requires its tenant's fields.
        let body = json!({"Tenant": {"Name": "Contoso", "Publisher": {"Id": 2}}, "Profile": {}, "Company": {}});
        let body = body.to_string();
        let found = check_request(
            Message {
                operation: "createCustomerTenant",
                status: 0,
                content_type: Some("application/json"),
                body: body.as_bytes(),
            },
            &[],
        );
        let missing = at(
            &found,
            DivergenceKind::MissingRequired,
            "Tenant.DomainPrefix",
        );
        assert_eq!(
            (missing.expected.as_str(), missing.found.as_str()),
            ("present", "absent")
        );
        at(&found, DivergenceKind::MissingRequired, "Profile.Contact");
        let query = [
            ("organizationId".to_owned(), "x".to_owned()),
            ("Sort".to_owned(), "Name".to_owned()),
        ];
        let found = check_request(
            Message {
                operation: "listCustomerTenants",
                status: 0,
                content_type: None,
                body: b"",
            },
            &query,
        );
        assert_eq!(
            at(&found, DivergenceKind::Invalid, "organizationId").found,
            "string of 1 characters"
        );
        at(&found, DivergenceKind::UndocumentedParameter, "Sort");
        // A repeated parameter is an array; an enumeration's value an integer.
        let query = [
            ("names".to_owned(), "Microsoft".to_owned()),
            ("names".to_owned(), "Adobe".to_owned()),
            ("programType".to_owned(), "1".to_owned()),
        ];
        let publishers = Message {
            operation: "listPublishers",
            status: 0,
            content_type: None,
            body: b"",
        };
        assert_eq!(check_request(publishers, &query), []);
        let query = [("agreementTypeConsent".to_owned(), "1".to_owned())];
        let agreements = Message {
            operation: "listCustomerTenantAgreements",
            status: 0,
            content_type: None,
            body: b"",
        };
        assert_eq!(check_request(agreements, &query), []);
        // As Crayon's SDK sends them: PascalCase parameters and body names bind.
        let query = [
            ("OrganizationId".to_owned(), "1".to_owned()),
            ("PageSize".to_owned(), "50".to_owned()),
        ];
        let tenants = Message {
            operation: "listCustomerTenants",
            status: 0,
            content_type: None,
            body: b"",
        };
        assert_eq!(check_request(tenants, &query), []);
        let body = br#"{"tenant": {"reference": "PO-7"}}"#;
        let update = Message {
            operation: "updateCustomerTenant",
            status: 0,
            content_type: Some("application/json"),
            body,
        };
        assert_eq!(check_request(update, &[]), []);
    }

    #[test]
    fn operations_are_found_as_the_api_routes_them() {
        assert_eq!(
            find_operation("GET", "/api/v1/CustomerTenants/5").map(|(id, _)| id),
            Some("getCustomerTenant")
        );
        let (id, parameters) =
            find_operation("get", "/api/v1/customertenants/5/detailed/").unwrap();
        assert_eq!(id, "getCustomerTenantDetailed");
        assert_eq!(parameters, [("id".to_owned(), "5".to_owned())]);
        assert_eq!(
            find_operation("POST", "/api/v1/connect/token").map(|(id, _)| id),
            Some("getUserToken")
        );
        assert_eq!(find_operation("PATCH", "/api/v1/customertenants/5/"), None);
    }
}
