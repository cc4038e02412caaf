//! Money on the wire: a JSON number of yuan with at most two decimals (`1234.50`), read
//! from the number's own digits and written back the same way — never through a binary
//! float (serde_json keeps a number's text with its `arbitrary_precision` feature).

use std::borrow::Cow;

use domain::money;
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde_json::Value;

use crate::error::AppError;

/// An amount in yuan, kept as whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Money(pub i64);

impl Type for Money {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "number(money)".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some("yuan (元), at least 0, at most two decimals; exact"),
            minimum: Some(0.0),
            ..MetaSchema::new("number")
        }))
    }

    fn register(_registry: &mut Registry) {}

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromJSON for Money {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let amount = Amount::parse_from_json(value).map_err(ParseError::propagate)?;
        money::parse_cents(&amount.0)
            .map(Money)
            .map_err(ParseError::custom)
    }
}

impl ToJSON for Money {
    fn to_json(&self) -> Option<Value> {
        // `yuan` writes plain digits with two decimals, which is always a JSON number.
        serde_json::from_str(&money::yuan(self.0)).ok()
    }
}

/// An amount in a request: the JSON number's own text, checked by [`Amount::cents`] so
/// that an error names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount(pub String);

impl Default for Amount {
    fn default() -> Self {
        Amount("0".into())
    }
}

impl Amount {
    /// The amount in cents, or a 422 naming `field`.
    pub fn cents(&self, field: &str) -> Result<i64, AppError> {
        money::parse_field(field, &self.0).map_err(AppError::invalid)
    }
}

impl Type for Amount {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        Money::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        Money::schema_ref()
    }

    fn register(_registry: &mut Registry) {}

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromJSON for Amount {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::Number(n) => Ok(Amount(n.to_string())),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Amount {
    fn to_json(&self) -> Option<Value> {
        serde_json::from_str(&self.0).ok()
    }
}
