//! Lists in pages: `?page=1&per_page=50` (at most 500) → `{items, total, page, per_page}`.
//! One page type and one pair of validated parameters serve every list operation.

use std::borrow::Cow;

use domain::paging::PageReq;
use poem_openapi::{
    Object,
    param::Query,
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};

/// A page of a list and the total it pages through.
#[derive(Debug, Object)]
pub struct Page<T: ParseFromJSON + ToJSON + Send + Sync> {
    pub items: Vec<T>,
    /// How many there are in all.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    pub per_page: u64,
}

impl<T: ParseFromJSON + ToJSON + Send + Sync> Page<T> {
    /// A service's page of records, each turned into its view.
    pub fn of<M>(found: domain::paging::Page<M>, view: impl FnMut(M) -> T) -> Self {
        Self {
            items: found.items.into_iter().map(view).collect(),
            total: found.total,
            page: found.page,
            per_page: found.per_page,
        }
    }
}

/// A whole number within bounds, as a query parameter (`page`, `per_page`).
macro_rules! bounded_param {
    ($(#[$meta:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub u64);

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_ref() -> MetaSchemaRef {
                let mut schema = MetaSchema::new_with_format("integer", "uint64");
                schema.minimum = Some($min as f64);
                schema.maximum = $max.map(|m: u64| m as f64);
                MetaSchemaRef::Inline(Box::new(schema))
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                let n: u64 = value.parse().map_err(ParseError::custom)?;
                let max: Option<u64> = $max;
                if n < $min || max.is_some_and(|m| n > m) {
                    return Err(ParseError::custom(match max {
                        Some(m) => format!("must be between {} and {m}", $min),
                        None => format!("must be at least {}", $min),
                    }));
                }
                Ok(Self(n))
            }
        }
    };
}

bounded_param!(
    /// A 1-based page number.
    PageNo,
    1,
    None
);
bounded_param!(
    /// Rows per page, 1 to [`PageReq::MAX_PER_PAGE`].
    PerPage,
    1,
    Some(PageReq::MAX_PER_PAGE)
);

/// `?page=`: 1-based page number.
pub type PageParam = Query<Option<PageNo>>;
/// `?per_page=`: rows per page (default 50, at most 500).
pub type PerPageParam = Query<Option<PerPage>>;

/// The page a list operation was asked for.
pub fn page_req(page: PageParam, per_page: PerPageParam) -> PageReq {
    PageReq::new(page.0.map(|p| p.0), per_page.0.map(|p| p.0))
}
