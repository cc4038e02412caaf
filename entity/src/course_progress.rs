//! The running total of study seconds of one enrollment on one course (uncapped; the cap
//! is applied when crediting, so a change of course length needs no re-scan).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course_progress")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enrollment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: i64,
    pub seconds: i64,
    /// Of `seconds`, those timed live by the server.
    pub live_seconds: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::enrollment::Entity",
        from = "Column::EnrollmentId",
        to = "super::enrollment::Column::Id",
        on_delete = "Cascade"
    )]
    Enrollment,
}

impl Related<super::enrollment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrollment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
