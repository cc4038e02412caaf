//! A strict JSON string. poem-openapi's `String` also accepts JSON numbers and booleans
//! (`{"password": 0}` would parse as "0"); request fields use [`Text`] so that a value
//! of the wrong type is refused as an invalid field.

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{MaybeUndefined, ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Type for Text {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        String::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }

    fn register(registry: &mut Registry) {
        String::register(registry)
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl ParseFromJSON for Text {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Text(s)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Text {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0
    }
}

/// `Option<Text>` → `Option<String>`.
pub fn opt(t: Option<Text>) -> Option<String> {
    t.map(String::from)
}

/// A list item read on its own: a malformed item is kept (with the reason) instead of
/// failing the whole list, so it can be refused alone. Documented as a `T`.
#[derive(Debug, Clone)]
pub struct Lenient<T> {
    pub raw: Value,
    pub parsed: Result<T, String>,
}

impl<T: Type + ParseFromJSON + ToJSON> Type for Lenient<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl<T: Type + ParseFromJSON + ToJSON> ParseFromJSON for Lenient<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let raw = value.clone().unwrap_or_default();
        let parsed = T::parse_from_json(value).map_err(|e| e.into_message());
        Ok(Lenient { raw, parsed })
    }
}

impl<T: Type + ParseFromJSON + ToJSON> ToJSON for Lenient<T> {
    fn to_json(&self) -> Option<Value> {
        Some(self.raw.clone())
    }
}

/// A PATCH field that `null` clears: absent → keep, `null` → clear, a value → set. The
/// spec marks it nullable; every other optional PATCH field refuses `null`.
#[derive(Debug, Clone, Default)]
pub struct Clearable<T>(pub MaybeUndefined<T>);

impl<T: Type> Type for Clearable<T> {
    const IS_REQUIRED: bool = false;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        format!("nullable_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        match T::schema_ref() {
            MetaSchemaRef::Inline(schema) => MetaSchemaRef::Inline(Box::new(MetaSchema {
                nullable: true,
                ..*schema
            })),
            reference => MetaSchemaRef::Inline(Box::new(MetaSchema {
                nullable: true,
                all_of: vec![reference],
                ..MetaSchema::ANY
            })),
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry)
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        match &self.0 {
            MaybeUndefined::Value(v) => v.as_raw_value(),
            _ => None,
        }
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            MaybeUndefined::Value(v) => v.raw_element_iter(),
            _ => Box::new(std::iter::empty()),
        }
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Clearable<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        MaybeUndefined::parse_from_json(value)
            .map(Clearable)
            .map_err(ParseError::propagate)
    }
}

impl<T: ToJSON> ToJSON for Clearable<T> {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

impl<T> Clearable<T> {
    /// Absent → keep (`None`), `null` → clear (`Some(None)`), a value → set.
    pub fn into_change(self) -> Option<Option<T>> {
        match self.0 {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        }
    }
}

/// Why an item read on its own (`Lenient`) was refused: each field named in plain words
/// when the item breaks its schema, else the parser's `reason`.
pub fn item_error<T: Type>(raw: &Value, reason: String) -> domain::error::AppError {
    match crate::validate::check_as::<T>(raw) {
        errors if errors.is_empty() => domain::error::AppError::invalid(
            domain::error::FieldError::new("item", domain::error::Code::BadFormat, reason),
        ),
        errors => domain::error::AppError::invalid_many(errors),
    }
}
