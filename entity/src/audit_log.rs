//! Who changed what, when.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// The acting account; `None` for the system or an anonymous caller.
    pub actor_id: Option<i64>,
    /// The actor's username at the time (or the username tried, for a failed login).
    pub actor: String,
    /// create / update / delete / import / login_failed / role_change / password_change …
    pub action: String,
    /// user / unit / …
    pub entity: String,
    pub entity_id: Option<String>,
    pub summary: String,
    /// SHA-256 (hex) over this entry's content and the previous entry's hash: an entry
    /// changed or removed afterwards breaks the chain (`xuefa audit verify`).
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
