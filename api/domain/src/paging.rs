//! Lists come in pages: `?page=1&per_page=50`, at most 500 a page.

use crate::error::AppResult;

/// A page request: 1-based page, at most 500 per page.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: u64,
    pub per_page: u64,
}

impl PageReq {
    pub const MAX_PER_PAGE: u64 = 500;

    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// Every row at once: for exports, which are never paged.
    pub fn all() -> Self {
        Self {
            page: 1,
            per_page: u64::MAX / 2,
        }
    }

    /// The rows to skip, kept within what the databases accept (a signed 64-bit value).
    /// `items` as this page of `total`.
    pub fn of<T>(&self, items: Vec<T>, total: u64) -> Page<T> {
        Page {
            items,
            total,
            page: self.page,
            per_page: self.per_page,
        }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1)
            .saturating_mul(self.per_page)
            .min(i64::MAX as u64)
    }
}

/// A list's order as a client asks for it: `name` (ascending) or `-name` (descending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortReq {
    pub key: String,
    pub descending: bool,
}

impl SortReq {
    /// `None` for an absent or empty parameter.
    pub fn parse(raw: Option<&str>) -> Option<SortReq> {
        let raw = raw?.trim();
        let (key, descending) = match raw.strip_prefix('-') {
            Some(key) => (key, true),
            None => (raw, false),
        };
        (!key.is_empty()).then(|| SortReq {
            key: key.to_owned(),
            descending,
        })
    }
}

/// Orders `query` by the column `keys` names for `sort`, else by `default` (ascending),
/// then by `id` so that pages never overlap; a key the list does not sort by is a 422
/// naming the keys it does.
pub fn sorted<Q: sea_orm::QueryOrder>(
    query: Q,
    sort: Option<&SortReq>,
    keys: &[(&str, sea_orm::sea_query::SimpleExpr)],
    id: sea_orm::sea_query::SimpleExpr,
) -> AppResult<Q> {
    use sea_orm::Order;
    let Some(sort) = sort else {
        return Ok(query.order_by(id, Order::Asc));
    };
    let Some((_, column)) = keys.iter().find(|(key, _)| *key == sort.key) else {
        let allowed: Vec<String> = keys
            .iter()
            .flat_map(|(k, _)| [k.to_string(), format!("-{k}")])
            .collect();
        let message = format!("must be one of: {}", allowed.join(", "));
        return Err(crate::error::AppError::invalid(
            crate::error::FieldError::new("sort", crate::error::Code::UnknownValue, message)
                .with(|p| p.allowed = Some(allowed)),
        ));
    };
    let order = if sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    Ok(query
        .order_by(column.clone(), order.clone())
        .order_by(id, order))
}

/// A page of results and the total count.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// One page of `query` (already filtered and ordered) and the total it pages through.
pub async fn fetch_page<E>(
    db: &impl sea_orm::ConnectionTrait,
    query: sea_orm::Select<E>,
    page: PageReq,
) -> AppResult<Page<E::Model>>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    let total = query.clone().count(db).await?;
    let items = query
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(page.of(items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let p = PageReq::new(None, None);
        assert_eq!((p.page, p.per_page, p.offset()), (1, 50, 0));
        let p = PageReq::new(Some(0), Some(0));
        assert_eq!((p.page, p.per_page), (1, 1));
        let p = PageReq::new(Some(3), Some(10_000));
        assert_eq!((p.per_page, p.offset()), (PageReq::MAX_PER_PAGE, 1000));
    }

    #[test]
    fn a_huge_page_stays_within_a_signed_64_bit_offset() {
        let p = PageReq::new(Some(u64::MAX), Some(500));
        assert_eq!(p.offset(), i64::MAX as u64);
    }
}
