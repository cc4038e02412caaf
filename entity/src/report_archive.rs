//! A frozen annual summary (年度总结存档): what was filed, as it was served.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_archives")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    /// The unit summarised (its subtree); `None` = the whole installation.
    pub unit_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub created_by: Option<i64>,
    /// The archive's JSON, byte for byte as `GET /reports/archives/{id}` serves it.
    pub body: String,
    /// Hex SHA-256 of `body`.
    pub sha256: String,
    /// The zh-CN narrative at the time.
    pub narrative: String,
    pub csv: Vec<u8>,
    pub xlsx: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
