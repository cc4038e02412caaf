//! Every JSON request body is checked against its operation's schema in the served spec
//! before a handler sees it, so what the spec says is what the server accepts: a field
//! the schema does not name, a `null` where the schema does not allow one, a value of the
//! wrong type or outside its bounds — each is a 422 naming the field (`errors[]`), in
//! plain words. poem-openapi's own parsing still runs after this, unchanged.

use chrono::{DateTime, NaiveDate};
use poem::{FromRequest, IntoResponse, Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    error::ContentTypeError,
    payload::{Json, ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry},
    types::{ParseFromJSON, Type},
};
use serde_json::{Map, Value};

use domain::error::{AppError, Code, FieldError, Format};

use crate::{contract::PARSED as SPEC, error::ApiError};

/// Lists whose items are read one by one (`text::Lenient`): a malformed item is refused
/// alone by the operation, so the list is checked only for being a list.
const LENIENT_LISTS: &[(&str, &str)] = &[
    ("StudySessionBatch", "sessions"),
    ("QuestionBank", "questions"),
];

/// Every way `value` breaks the schema of `T` (an item read on its own, `text::Lenient`).
pub fn check_as<T: Type>(value: &Value) -> Vec<FieldError> {
    check(&schema_of::<T>(), value)
}

fn schema_of<T: Type>() -> Value {
    match T::schema_ref() {
        MetaSchemaRef::Reference(name) => {
            serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
        }
        MetaSchemaRef::Inline(schema) => serde_json::to_value(&*schema).unwrap_or_default(),
    }
}

/// Every way `value` breaks `schema`, each with the field's path (`courses[0].course_id`).
pub fn check(schema: &Value, value: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    Checker {
        schemas: SPEC["components"]["schemas"].as_object(),
        errors: &mut errors,
    }
    .check(schema, value, "", None);
    errors
}

struct Checker<'a> {
    schemas: Option<&'a Map<String, Value>>,
    errors: &'a mut Vec<FieldError>,
}

impl Checker<'_> {
    fn fail(&mut self, field: &str, code: Code, message: impl Into<String>) {
        self.push(FieldError::new(field, code, message));
    }

    fn push(&mut self, error: FieldError) {
        let error = if error.field.is_empty() {
            error.named("body")
        } else {
            error
        };
        self.errors.push(error);
    }

    fn wrong_type(&mut self, field: &str, expected: Format, message: &str) {
        self.push(
            FieldError::new(field, Code::WrongType, message).with(|p| p.expected = Some(expected)),
        );
    }

    /// `name` is the component the schema came from (for the lenient lists).
    fn check(&mut self, schema: &Value, value: &Value, field: &str, name: Option<&str>) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let component = reference.rsplit('/').next().unwrap_or_default();
            if let Some(target) = self.schemas.and_then(|s| s.get(component)) {
                self.check(target, value, field, Some(component));
            }
            return;
        }
        if let Some(branches) = schema["anyOf"].as_array() {
            // Valid when one branch takes it; otherwise the first branch's complaints.
            let mut first = None;
            for branch in branches {
                let mut errors = Vec::new();
                Checker {
                    schemas: self.schemas,
                    errors: &mut errors,
                }
                .check(branch, value, field, name);
                if errors.is_empty() {
                    return;
                }
                first.get_or_insert(errors);
            }
            self.errors.extend(first.unwrap_or_default());
            return;
        }
        if value.is_null() {
            let allowed = schema.get("nullable") == Some(&Value::Bool(true))
                || schema["enum"]
                    .as_array()
                    .is_some_and(|e| e.contains(&Value::Null));
            if !allowed {
                self.fail(field, Code::Required, "must not be null");
            }
            return;
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.check(part, value, field, name);
        }
        if let Some(values) = schema["enum"].as_array()
            && !values.contains(value)
        {
            let words: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let message = format!("must be one of: {}", words.join(", "));
            self.push(
                FieldError::new(field, Code::UnknownValue, message)
                    .with(|p| p.allowed = Some(words)),
            );
            return;
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") => self.object(schema, value, field, name),
            Some("array") => self.array(schema, value, field),
            Some("string") => self.string(schema, value, field),
            Some("integer") => self.number(schema, value, field, true),
            Some("number") => self.number(schema, value, field, false),
            Some("boolean") if !value.is_boolean() => {
                self.wrong_type(field, Format::Boolean, "must be true or false")
            }
            _ => {}
        }
    }

    fn object(&mut self, schema: &Value, value: &Value, field: &str, name: Option<&str>) {
        let Some(map) = value.as_object() else {
            self.wrong_type(field, Format::Object, "must be an object");
            return;
        };
        let properties = schema["properties"].as_object();
        for required in schema["required"].as_array().into_iter().flatten() {
            if let Some(key) = required.as_str()
                && !map.contains_key(key)
            {
                self.fail(&join(field, key), Code::Required, "is required");
            }
        }
        for (key, item) in map {
            let path = join(field, key);
            match properties.and_then(|p| p.get(key)) {
                None if properties.is_some() => {
                    self.fail(&path, Code::UnknownField, "is not a field of this body")
                }
                None => {}
                Some(_) if LENIENT_LISTS.contains(&(name.unwrap_or_default(), key.as_str())) => {
                    if item.is_null() {
                        self.fail(&path, Code::Required, "must not be null");
                    } else if !item.is_array() {
                        self.wrong_type(&path, Format::List, "must be a list");
                    }
                }
                Some(property) => self.check(property, item, &path, None),
            }
        }
    }

    fn array(&mut self, schema: &Value, value: &Value, field: &str) {
        let Some(items) = value.as_array() else {
            self.wrong_type(field, Format::List, "must be a list");
            return;
        };
        let count = items.len() as i64;
        let min = schema["minItems"].as_i64();
        let max = schema["maxItems"].as_i64();
        if min.is_some_and(|min| count < min) || max.is_some_and(|max| count > max) {
            self.push(FieldError::bounded(field, Code::CountOutOfRange, min, max));
        }
        for (i, item) in items.iter().enumerate() {
            self.check(&schema["items"], item, &format!("{field}[{i}]"), None);
        }
    }

    fn string(&mut self, schema: &Value, value: &Value, field: &str) {
        let Some(text) = value.as_str() else {
            self.wrong_type(field, Format::Text, "must be a string");
            return;
        };
        let length = text.chars().count() as u64;
        if let Some(max) = schema["maxLength"].as_u64()
            && length > max
        {
            self.push(FieldError::too_long(field, max as usize));
        }
        if let Some(min) = schema["minLength"].as_u64()
            && length < min
        {
            self.push(FieldError::too_short(field, min as usize));
        }
        let well_formed = match schema["format"].as_str() {
            Some("date") => NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            Some("date-time") => DateTime::parse_from_rfc3339(text).is_ok(),
            Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
            _ => true,
        };
        if !well_formed {
            let error = match schema["format"].as_str() {
                Some("date") => {
                    FieldError::new(field, Code::NotADate, "must be a date (YYYY-MM-DD)")
                }
                Some("date-time") => FieldError::bad_format(
                    field,
                    Format::DateTime,
                    "must be an RFC 3339 timestamp with an offset",
                ),
                _ => FieldError::bad_format(field, Format::Uuid, "must be a UUID"),
            };
            self.push(error);
        }
    }

    fn number(&mut self, schema: &Value, value: &Value, field: &str, whole: bool) {
        let Some(n) = value.as_f64() else {
            self.wrong_type(field, Format::Number, "must be a number");
            return;
        };
        if whole && !(value.is_i64() || value.is_u64()) {
            self.wrong_type(field, Format::Integer, "must be a whole number");
            return;
        }
        let (mut min, mut max) = (schema["minimum"].as_f64(), schema["maximum"].as_f64());
        if whole && schema["format"] == "int32" {
            min = min.or(Some(i32::MIN.into()));
            max = max.or(Some(i32::MAX.into()));
        }
        if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
            let (min, max) = (min.map(|b| b.ceil() as i64), max.map(|b| b.floor() as i64));
            self.push(FieldError::bounded(field, Code::OutOfRange, min, max));
        }
    }
}

fn join(field: &str, key: &str) -> String {
    if field.is_empty() {
        key.to_owned()
    } else {
        format!("{field}.{key}")
    }
}

/// A JSON body checked against its schema in the spec (see the module docs) and then
/// parsed as `T`. Use it instead of `Json<T>` for request bodies; being a body, it is
/// extracted after the bearer token, so a caller without one still gets 401 first.
#[derive(Debug, Clone)]
pub struct Checked<T>(pub T);

impl<T> std::ops::Deref for Checked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for Checked<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        Json::<T>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + ParseFromJSON> ParsePayload for Checked<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value: Value = serde_json::from_slice(&data).map_err(|err| {
            poem::Error::from_response(
                ApiError::from(AppError::BadRequest(format!("the body is not JSON: {err}")))
                    .into_response(),
            )
        })?;
        let errors = check_as::<T>(&value);
        if !errors.is_empty() {
            return Err(poem::Error::from_response(
                ApiError::from(AppError::invalid_many(errors)).into_response(),
            ));
        }
        T::parse_from_json(Some(value)).map(Checked).map_err(|err| {
            poem::Error::from_response(
                ApiError::from(AppError::invalid(FieldError::new(
                    "body",
                    Code::BadFormat,
                    err.into_message(),
                )))
                .into_response(),
            )
        })
    }
}

impl<'a, T: Type + ParseFromJSON> ApiExtractor<'a> for Checked<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ContentTypeError::NotSupported {
                content_type: content_type.to_string(),
            }
            .into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}
