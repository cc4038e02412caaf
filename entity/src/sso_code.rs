//! A one-time code the console exchanges for xuefa's own tokens after a provider signed the
//! person in (stored only as a hash, single-use, 60 seconds). `mfa`: the provider said it
//! used a second factor, and that is trusted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code_hash: String,
    pub user_id: i64,
    pub provider: String,
    pub mfa: bool,
    pub created_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
