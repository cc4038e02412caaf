//! The outbox: one notice to deliver to the gateway, and how that has gone.

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::DeliveryStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub notice_id: i64,
    pub status: DeliveryStatus,
    /// Tries so far (a try that was claimed but never answered counts).
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A worker is delivering it until then; past it, another may.
    pub claimed_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
