//! A course of study: one video or text on one law, `minutes` long, with its material.

use sea_orm::entity::prelude::*;

use crate::vocabulary::MaterialKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "courses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The law the course covers (e.g. 中华人民共和国民法典).
    pub law: String,
    /// Full length; credit on the course is capped at this.
    pub minutes: i32,
    pub description: String,
    /// What there is to study: an article, an uploaded PDF or video, or a link.
    pub material_kind: Option<MaterialKind>,
    pub material_title: Option<String>,
    /// An article's Markdown.
    pub material_text: Option<String>,
    /// A link's address (an intranet page or video).
    pub material_url: Option<String>,
    /// An uploaded file: its chunks in `material_chunks`, its type, length and SHA-256.
    pub material_file_id: Option<String>,
    pub material_content_type: Option<String>,
    pub material_size: Option<i64>,
    pub material_sha256: Option<String>,
    pub material_updated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
