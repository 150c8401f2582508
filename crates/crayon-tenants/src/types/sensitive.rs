//! The contract's types that carry secrets, written by hand so that their `Debug` redacts them.
//!
//! Generated types always derive `Debug`, which would print a password or a bearer token into
//! any log line that formats a request builder, a response or a tenant. These types are
//! substituted for the generated ones by `xtask/src/codegen.rs`; their wire format is the
//! contract's (`openapi/crayon-tenants.yaml`), and the insta snapshots of their JSON Schemas hold
//! them to it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What `Debug` prints in place of a secret that is present.
pub(crate) const REDACTED: &str = "<redacted>";

/// Formats an optional secret as `Some("<redacted>")` or `None`, never its value.
fn redact(secret: &Option<String>) -> Option<&'static str> {
    secret.as_ref().map(|_| REDACTED)
}

/// A bearer token, the response of `getUserToken`. `access_token` is what every other
/// operation needs; it expires after `expires_in` seconds. `refresh_token` and `identity_token`
/// are null in practice: fetch a new token when this one expires.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Token {
    /// Token used to call the API (a JWT). Secret.
    #[serde(
        rename = "AccessToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_token: Option<String>,
    /// OpenID Connect identity token (null for the password grant). Secret.
    #[serde(
        rename = "IdentityToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub identity_token: Option<String>,
    /// Error message if the token was not issued.
    #[serde(rename = "Error", default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Lifetime of the token in seconds from when it was issued (3600 in practice).
    #[serde(rename = "ExpiresIn", default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    /// Type of the token, `Bearer`.
    #[serde(rename = "TokenType", default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Refresh token (null in practice). Secret.
    #[serde(
        rename = "RefreshToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<String>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &redact(&self.access_token))
            .field("identity_token", &redact(&self.identity_token))
            .field("error", &self.error)
            .field("expires_in", &self.expires_in)
            .field("token_type", &self.token_type)
            .field("refresh_token", &redact(&self.refresh_token))
            .finish()
    }
}

/// The form of `getUserToken`: the OAuth 2.0 resource owner password grant.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TokenRequest {
    /// Always `password`, the only grant the API documents.
    pub grant_type: String,
    /// User name of the API user.
    pub username: String,
    /// Password of the API user. Secret.
    pub password: String,
    /// Space-separated scopes; `CustomerApi` for this API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl TokenRequest {
    /// The scope every customer-tenant operation needs.
    pub const DEFAULT_SCOPE: &'static str = "CustomerApi";

    /// A password grant for an API user, with the `CustomerApi` scope.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            grant_type: "password".to_owned(),
            username: username.into(),
            password: password.into(),
            scope: Some(Self::DEFAULT_SCOPE.to_owned()),
        }
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("username", &self.username)
            .field("password", &REDACTED)
            .field("scope", &self.scope)
            .finish()
    }
}

/// The administrator account of a tenant. After a create it carries the user name and the
/// generated password of the administrator the publisher made: both are credentials.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CustomerTenantUser {
    /// User name of the tenant's administrator.
    #[serde(rename = "UserName", default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Initial password of the tenant's administrator. Secret.
    #[serde(rename = "Password", default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl fmt::Debug for CustomerTenantUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerTenantUser")
            .field("user_name", &self.user_name)
            .field("password", &redact(&self.password))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_secret() {
        let token = Token {
            access_token: Some("access-secret".into()),
            identity_token: Some("identity-secret".into()),
            refresh_token: Some("refresh-secret".into()),
            expires_in: Some(3600),
            ..Default::default()
        };
        let request = TokenRequest::password("api.user", "password-secret");
        let user = CustomerTenantUser {
            user_name: Some("admin".into()),
            password: Some("admin-secret".into()),
        };
        let printed = format!("{token:?} {token:#?} {request:?} {user:?}");
        for secret in [
            "access-secret",
            "identity-secret",
            "refresh-secret",
            "password-secret",
            "admin-secret",
        ] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
        assert!(
            printed.contains("3600") && printed.contains("api.user") && printed.contains("admin")
        );
    }

    #[test]
    fn token_request_encodes_as_the_documented_form() {
        let form = serde_urlencoded_form(&TokenRequest::password("a@b.c", "p&w"));
        assert_eq!(
            form,
            "grant_type=password&username=a%40b.c&password=p%26w&scope=CustomerApi"
        );
    }

    fn serde_urlencoded_form(request: &TokenRequest) -> String {
        let http = reqwest::Client::new();
        let builder = http.post("http://localhost/").form(request);
        let request = builder.build().unwrap();
        String::from_utf8(request.body().unwrap().as_bytes().unwrap().to_vec()).unwrap()
    }
}
