//! The contract's integer enumerations as open Rust enums.
//!
//! The API sends enumerations as integers and accepts any integer for them (its .NET models are
//! C# enums), so the server may return a value that this crate does not know yet. A closed enum
//! would fail the whole response on it, and a page of 100 tenants would be lost over one field.
//! Each enum here has an `Unknown(UnknownValue)` variant that keeps such a value (opaque: only
//! decoding or [`from_value`](CustomerTenantType::from_value) makes one, so a known value is
//! always its named variant and `Unknown` never equals one), serializes back to the
//! same integer, and is `#[non_exhaustive]` so that naming a new value later is not a breaking
//! change. `xtask/src/codegen.rs` substitutes these types for the generated ones.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What every open enum is, for the checks that treat them alike.
pub(crate) trait OpenEnum: fmt::Display + Copy + 'static {
    /// Its name in the contract.
    const NAME: &'static str;
    /// The values it names.
    const KNOWN: &'static [Self];
    /// Its wire integer.
    fn value(self) -> i32;
}

/// Why a request may not send `value` for the closed enumeration `E` (none when `E` names it):
/// the contract's request schemas take only the values it names.
pub(crate) fn refused<E: OpenEnum>(value: i64) -> Option<String> {
    let known =
        i32::try_from(value).is_ok_and(|value| E::KNOWN.iter().any(|known| known.value() == value));
    let names: Vec<String> = E::KNOWN
        .iter()
        .map(|known| format!("{} ({known})", known.value()))
        .collect();
    (!known).then(|| {
        format!(
            "{value} is not a {} a request may send (one of {})",
            E::NAME,
            names.join(", ")
        )
    })
}

/// `MicrosoftCloudAgreement` as `microsoft-cloud-agreement`.
#[cfg(feature = "clap")]
fn kebab_case(name: &str) -> String {
    name.chars()
        .enumerate()
        .fold(String::new(), |mut kebab, (index, c)| {
            if c.is_ascii_uppercase() && index > 0 {
                kebab.push('-');
            }
            kebab.push(c.to_ascii_lowercase());
            kebab
        })
}

/// An integer an open enum does not name, as the server sent it. Only the enums make one (from a
/// value none of their variants has), so it cannot hide a known value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnknownValue(i32);

impl UnknownValue {
    /// The integer, as the server sent it.
    pub const fn value(self) -> i32 {
        self.0
    }
}

/// Defines an open integer enum: its variants, `Unknown(UnknownValue)`, the conversions to and from
/// `i32`, serde as a bare integer, `Display`, and the JSON Schema the contract gives it.
macro_rules! open_enum {
    (
        $(#[doc = $doc:literal])+
        $name:ident {
            $( $(#[doc = $variant_doc:literal])+ $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[doc = $variant_doc])+ $variant, )+
            /// A value this version of the crate does not name, kept as the server sent it.
            Unknown(UnknownValue),
        }

        impl $name {
            /// Every value this version of the crate names, in the contract's order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),+];

            /// The integer sent on the wire.
            pub const fn value(self) -> i32 {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Unknown(value) => value.0,
                }
            }

            /// The variant for a wire integer; values without a name become `Unknown`.
            pub const fn from_value(value: i32) -> Self {
                match value {
                    $($value => Self::$variant,)+
                    other => Self::Unknown(UnknownValue(other)),
                }
            }
        }

        impl OpenEnum for $name {
            const NAME: &'static str = stringify!($name);
            const KNOWN: &'static [Self] = Self::KNOWN;
            fn value(self) -> i32 {
                self.value()
            }
        }

        /// The values it names, as command-line values in kebab case (`t2`, `microsoft-cloud-agreement`).
        #[cfg(feature = "clap")]
        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                Self::KNOWN
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                let (name, help): (&str, &str) = match self {
                    $(Self::$variant => (stringify!($variant), concat!($($variant_doc),+)),)+
                    Self::Unknown(_) => return None,
                };
                Some(clap::builder::PossibleValue::new(kebab_case(name)).help(help.trim()))
            }
        }

        impl From<i32> for $name {
            fn from(value: i32) -> Self {
                Self::from_value(value)
            }
        }

        impl From<$name> for i32 {
            fn from(value: $name) -> Self {
                value.value()
            }
        }

        impl fmt::Display for $name {
            /// The variant's name, or the bare integer for an unknown value.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Self::$variant => f.write_str(stringify!($variant)),)+
                    Self::Unknown(value) => write!(f, "{}", value.0),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.value())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(Self::from_value(i32::deserialize(deserializer)?))
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }

            fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
                use schemars::schema::{InstanceType, Metadata, SchemaObject};
                SchemaObject {
                    metadata: Some(Box::new(Metadata {
                        description: Some([$($doc.trim()),+].join(" ")),
                        ..Default::default()
                    })),
                    instance_type: Some(InstanceType::Integer.into()),
                    format: Some("int32".to_owned()),
                    enum_values: Some(vec![$($value.into()),+]),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

open_enum! {
    /// Kind of customer tenant. The documentation lists T1 and T2; the SDK and the Swashbuckle
    /// export add None.
    CustomerTenantType {
        /// 0: not specified.
        None = 0,
        /// 1: a T1 customer tenant.
        T1 = 1,
        /// 2: the default customer type, an end customer that belongs to a reseller.
        T2 = 2,
    }
}

open_enum! {
    /// Status of a record.
    EntityStatus {
        /// 0: active.
        None = 0,
        /// 1: removed.
        Removed = 1,
    }
}

open_enum! {
    /// Microsoft agreement type.
    AgreementTypeConsent {
        /// 0: Microsoft Cloud Agreement.
        MicrosoftCloudAgreement = 0,
        /// 1: Microsoft Customer Agreement.
        MicrosoftCustomerAgreement = 1,
    }
}

open_enum! {
    /// Price basis of a tenant's subscriptions. Crayon's SDK names 1, 2 and 3, but sends 0 for a
    /// tenant whose caller chose none (its property is not nullable): the contract names that 0
    /// `NotSet`, and an update that sends it keeps the stored price basis.
    SubscriptionPriceType {
        /// 0: not set (the SDK's default; an update keeps the stored value).
        NotSet = 0,
        /// 1: purchase price (standard).
        PurchasePrice = 1,
        /// 2: list price.
        ListPrice = 2,
        /// 3: fixed price.
        FixedPrice = 3,
    }
}

open_enum! {
    /// Status flags of a subscription. The values are flags; combinations other than Inactive and
    /// All arrive as `Unknown` with their integer.
    SubscriptionStatus {
        /// 0: none.
        None = 0,
        /// 1: active.
        Active = 1,
        /// 2: suspended.
        Suspended = 2,
        /// 4: deleted.
        Deleted = 4,
        /// 8: cancelled by the customer.
        CustomerCancellation = 8,
        /// 16: converted.
        Converted = 16,
        /// 30: inactive (suspended, deleted, cancelled by the customer, or converted).
        Inactive = 30,
        /// 31: all (active or inactive).
        All = 31,
        /// 32: expired.
        Expired = 32,
        /// 64: pending.
        Pending = 64,
        /// 128: cancelled.
        Cancelled = 128,
        /// 256: disabled.
        Disabled = 256,
    }
}

open_enum! {
    /// Kind of publisher program, a filter of the publishers list (flags in the SDK).
    ProgramType {
        /// 0: none (no filter).
        None = 0,
        /// 1: license programs.
        License = 1,
        /// 2: report programs.
        Report = 2,
        /// 4: cloud programs.
        Cloud = 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_as_integers() {
        for variant in CustomerTenantType::KNOWN {
            let json = serde_json::to_string(variant).unwrap();
            assert_eq!(json, variant.value().to_string());
            let back: CustomerTenantType = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *variant);
        }
        assert_eq!(serde_json::to_string(&CustomerTenantType::T2).unwrap(), "2");
    }

    #[test]
    fn unknown_value_is_kept_and_written_back_unchanged() {
        let status: SubscriptionStatus = serde_json::from_str("6").unwrap();
        assert!(matches!(status, SubscriptionStatus::Unknown(value) if value.value() == 6));
        assert_eq!(serde_json::to_string(&status).unwrap(), "6");
        let price: SubscriptionPriceType = serde_json::from_str("7").unwrap();
        assert!(matches!(price, SubscriptionPriceType::Unknown(value) if value.value() == 7));
        let unset: SubscriptionPriceType = serde_json::from_str("0").unwrap();
        assert_eq!(unset, SubscriptionPriceType::NotSet);
    }

    #[test]
    fn non_integer_is_a_typed_error_not_a_panic() {
        let error = serde_json::from_str::<EntityStatus>("\"Removed\"").unwrap_err();
        assert!(error.is_data(), "{error}");
        assert!(serde_json::from_str::<EntityStatus>("1.5").is_err());
        assert!(serde_json::from_str::<EntityStatus>("4294967296").is_err());
    }

    #[test]
    fn a_known_value_is_always_its_named_variant() {
        for value in -3..300 {
            let status = SubscriptionStatus::from_value(value);
            assert_eq!(status.value(), value);
            let named = SubscriptionStatus::KNOWN
                .iter()
                .any(|known| known.value() == value);
            assert_eq!(
                !matches!(status, SubscriptionStatus::Unknown(_)),
                named,
                "{value}"
            );
        }
        assert_eq!(CustomerTenantType::from(1), CustomerTenantType::T1);
    }

    #[test]
    fn display_names_known_values_and_prints_unknown_integers() {
        assert_eq!(CustomerTenantType::T1.to_string(), "T1");
        assert_eq!(CustomerTenantType::from(9).to_string(), "9");
    }
}
