//! `/courses`: what there is to study.

use chrono::{DateTime, Utc};
use entity::course;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::views::{
    material::MaterialView,
    paging::{Page, PageParam, PerPageParam, page_req},
    text::{self, Text},
};
use domain::{
    policy::{self, Action},
    services::{
        self,
        courses::{CourseChanges, CourseInput},
    },
    state::AppState,
};

use crate::{auth::BearerAuth, error::ApiResult, validate::Checked};

pub struct CoursesApi;

/// A course: one video or text on one law.
#[derive(Debug, Object)]
pub struct CourseView {
    pub id: i64,
    pub title: String,
    /// The law it covers, e.g. 中华人民共和国民法典.
    pub law: String,
    /// Full length in minutes; study credit on it is capped at this.
    pub minutes: i32,
    pub description: String,
    /// What there is to study (`null`: nothing yet); set with
    /// `PUT /courses/{id}/material`.
    pub material: Option<MaterialView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<course::Model> for CourseView {
    fn from(m: course::Model) -> Self {
        Self {
            material: MaterialView::of(&m),
            id: m.id,
            title: m.title,
            law: m.law,
            minutes: m.minutes,
            description: m.description,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new course.
#[derive(Debug, Object)]
pub struct CreateCourse {
    /// 1 to 200 characters.
    #[oai(validator(max_length = 200))]
    pub title: Text,
    #[oai(default, validator(max_length = 200))]
    pub law: Text,
    /// 1 to 1440.
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub minutes: i32,
    #[oai(default, validator(max_length = 5000))]
    pub description: Text,
}

/// Changes to a course; absent fields stay. A new length re-credits every campaign using it.
#[derive(Debug, Object)]
pub struct UpdateCourse {
    #[oai(validator(max_length = 200))]
    pub title: Option<Text>,
    #[oai(validator(max_length = 200))]
    pub law: Option<Text>,
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub minutes: Option<i32>,
    #[oai(validator(max_length = 5000))]
    pub description: Option<Text>,
}

#[derive(ApiResponse)]
pub enum CourseResponse {
    /// The course.
    #[oai(status = 200)]
    Ok(Json<CourseView>),
    /// The course was created.
    #[oai(status = 201)]
    Created(Json<CourseView>),
}

#[derive(ApiResponse)]
pub enum CourseList {
    /// A page of courses, by id.
    #[oai(status = 200)]
    Ok(Json<Page<CourseView>>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Courses")]
impl CoursesApi {
    /// List courses (any signed-in account).
    #[oai(path = "/courses", method = "get", operation_id = "listCourses")]
    async fn list_courses(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Part of the title or the law.
        q: Query<Option<String>>,
        page: PageParam,
        per_page: PerPageParam,
    ) -> ApiResult<CourseList> {
        policy::authorize(&auth.0, Action::ReadCatalogue)?;
        let found = services::courses::list(&state.db, q.0, page_req(page, per_page)).await?;
        Ok(CourseList::Ok(Json(Page::of(found, CourseView::from))))
    }

    /// Create a course (admin, hr).
    #[oai(path = "/courses", method = "post", operation_id = "createCourse")]
    async fn create_course(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Checked<CreateCourse>,
    ) -> ApiResult<CourseResponse> {
        policy::authorize(&auth.0, Action::ManageCourses)?;
        let b = body.0;
        let input = CourseInput {
            title: b.title.into(),
            law: b.law.into(),
            minutes: b.minutes,
            description: b.description.into(),
        };
        let course =
            services::courses::create(&state.db, &auth.0, input, state.clock.now()).await?;
        Ok(CourseResponse::Created(Json(course.into())))
    }

    /// One course (any signed-in account).
    #[oai(path = "/courses/:id", method = "get", operation_id = "getCourse")]
    async fn get_course(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> ApiResult<CourseResponse> {
        policy::authorize(&auth.0, Action::ReadCatalogue)?;
        Ok(CourseResponse::Ok(Json(
            services::courses::get(&state.db, id.0).await?.into(),
        )))
    }

    /// Change a course (admin, hr).
    #[oai(path = "/courses/:id", method = "patch", operation_id = "updateCourse")]
    async fn update_course(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Checked<UpdateCourse>,
    ) -> ApiResult<CourseResponse> {
        let scope = policy::authorize_in_scope(&state.db, &auth.0, Action::ManageCourses).await?;
        let b = body.0;
        let changes = CourseChanges {
            title: text::opt(b.title),
            law: text::opt(b.law),
            minutes: b.minutes,
            description: text::opt(b.description),
        };
        let course =
            services::courses::update(&state.db, &auth.0, &scope, id.0, changes, state.clock.now())
                .await?;
        Ok(CourseResponse::Ok(Json(course.into())))
    }
}
