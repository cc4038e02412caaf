//! Every closed list of values with the Chinese name a person reads, from the enums that
//! own them (`entity::vocabulary`, the domain's `Role`, `Target`, `Grade`…). The console
//! reads its words from here, so a name is written once.

use entity::vocabulary::{self as v, Keyed};
use poem_openapi::{Object, OpenApi, payload::Json};

use super::ApiTags;
use domain::{
    auth::Role,
    scoring::Grade,
    services::{activities, ledgers, targets::Target},
};

pub struct VocabulariesApi;

/// One value of a vocabulary.
#[derive(Debug, Object)]
pub struct Term {
    /// As the API spells it.
    pub key: String,
    /// As a person reads it.
    pub name: String,
}

/// Each field is the vocabulary of the schema of the same name (`unit_kind` →
/// `UnitKind`), its values in the spec's order.
#[derive(Debug, Object)]
pub struct Vocabularies {
    pub role: Vec<Term>,
    pub unit_kind: Vec<Term>,
    pub target: Vec<Term>,
    /// What the missing list of each target is called (keys as `target`).
    pub missing: Vec<Term>,
    pub grade: Vec<Term>,
    pub attempt_status: Vec<Term>,
    pub attempt_kind: Vec<Term>,
    pub paper_audience: Vec<Term>,
    pub question_kind: Vec<Term>,
    pub question_pool: Vec<Term>,
    pub activity_kind: Vec<Term>,
    /// 法律"六进": the name is the place (a report writes 进 before it).
    pub venue: Vec<Term>,
    pub theme: Vec<Term>,
    pub audience: Vec<Term>,
    pub organizer_level: Vec<Term>,
    pub group_by: Vec<Term>,
    /// A ledger record's level.
    pub level: Vec<Term>,
    pub mediation_category: Vec<Term>,
    pub mediation_result: Vec<Term>,
    pub legal_service_kind: Vec<Term>,
    pub legal_topic: Vec<Term>,
    pub inspection_field: Vec<Term>,
    pub delivery_status: Vec<Term>,
}

fn terms<E: Keyed>() -> Vec<Term> {
    terms_named(E::chinese)
}

fn terms_named<E: Keyed>(name: fn(E) -> &'static str) -> Vec<Term> {
    E::ALL
        .iter()
        .map(|&e| Term {
            key: e.key().into(),
            name: name(e).into(),
        })
        .collect()
}

impl Vocabularies {
    fn build() -> Self {
        Vocabularies {
            role: terms::<Role>(),
            unit_kind: terms::<v::UnitKind>(),
            target: terms::<Target>(),
            missing: terms_named(Target::shortfall),
            grade: terms::<Grade>(),
            attempt_status: terms::<v::AttemptStatus>(),
            attempt_kind: terms::<v::AttemptKind>(),
            paper_audience: terms::<v::PaperAudience>(),
            question_kind: terms::<v::QuestionKind>(),
            question_pool: terms::<v::QuestionPool>(),
            activity_kind: terms::<v::ActivityKind>(),
            venue: terms::<v::Venue>(),
            theme: terms::<v::Theme>(),
            audience: terms::<v::Audience>(),
            organizer_level: terms::<activities::OrganizerLevel>(),
            group_by: terms::<activities::GroupBy>(),
            level: terms::<ledgers::Level>(),
            mediation_category: terms::<v::MediationCategory>(),
            mediation_result: terms::<v::MediationResult>(),
            legal_service_kind: terms::<v::LegalServiceKind>(),
            legal_topic: terms::<v::LegalTopic>(),
            inspection_field: terms::<v::InspectionField>(),
            delivery_status: terms::<v::DeliveryStatus>(),
        }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Vocabularies")]
impl VocabulariesApi {
    /// Every vocabulary with its Chinese names; no sign-in needed (the sign-in and
    /// certificate pages read it too).
    #[oai(
        path = "/vocabularies",
        method = "get",
        operation_id = "listVocabularies"
    )]
    async fn vocabularies(&self) -> Json<Vocabularies> {
        Json(Vocabularies::build())
    }
}
