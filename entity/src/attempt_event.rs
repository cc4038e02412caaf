//! One event the exam page reported for an attempt, kept once (`attempt_id, kind, at`).

use sea_orm::entity::prelude::*;

pub use crate::vocabulary::AttemptEventKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attempt_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub attempt_id: i64,
    pub kind: AttemptEventKind,
    /// When the page saw it (the device's clock).
    pub at: DateTimeUtc,
    /// When the server received it (the flood limit counts these).
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
