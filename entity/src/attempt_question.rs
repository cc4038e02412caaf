//! A question as one attempt showed it: its position, the order its options were shown
//! in, and the cadre's choices (as original option indices).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attempt_questions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub attempt_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub question_id: i64,
    /// JSON array: shown option i is original option `option_order[i]`.
    pub option_order: String,
    /// JSON array of chosen original indices; `None` when unanswered.
    pub choices: Option<String>,
    /// What the question is worth in this attempt (its paper rule's points); `None` on
    /// rows from before papers, which use the question's own points.
    pub points: Option<i32>,
    /// Set when the attempt is graded.
    pub correct: Option<bool>,
    /// Marked by the cadre for review (答题卡).
    pub flagged: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::question::Entity",
        from = "Column::QuestionId",
        to = "super::question::Column::Id",
        on_delete = "Restrict"
    )]
    Question,
}

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Question.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
