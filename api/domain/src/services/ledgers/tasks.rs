//! The 自查 notes on a task of the 任务分解表: how it stood on a day, kept in order, so
//! that the office can "及时汇总工作情况、梳理工作进度".

use chrono::{DateTime, NaiveDate, Utc};
use entity::{law_task, law_task_note};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{LawTasks, check_past, get};
use crate::{
    auth::Actor,
    error::{AppError, AppResult},
    policy::Scope,
    services::{audit, courses::check_text, write},
};

/// A new note: the day it speaks of (not in the future) and what was found.
pub struct NewNote {
    pub on: NaiveDate,
    pub text: String,
}

/// Adds a note to a task in scope (any other is 404), counted on the task.
pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    task_id: i64,
    note: NewNote,
    (today, now): (NaiveDate, DateTime<Utc>),
) -> AppResult<law_task_note::Model> {
    let mut errors = Vec::new();
    check_past(&mut errors, "on", note.on, today);
    let text = check_text(&mut errors, "text", &note.text, true, 2000);
    write(db, async |db| {
        let task = get::<LawTasks>(db, scope, task_id).await?.model;
        if !errors.is_empty() {
            return Err(AppError::invalid_many(errors));
        }
        let stored = law_task_note::ActiveModel {
            task_id: Set(task_id),
            noted_on: Set(note.on),
            text: Set(text),
            created_by: Set(Some(actor.id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        law_task::ActiveModel {
            id: Set(task_id),
            note_count: Set(task.note_count + 1),
            last_note_on: Set(Some(task.last_note_on.map_or(note.on, |d| d.max(note.on)))),
            ..Default::default()
        }
        .update(db)
        .await?;
        audit::record(
            db,
            Some(actor),
            now,
            audit::AuditAction::Create,
            "law_task_note",
            Some(stored.id.to_string()),
            format!("task={task_id} {}", note.on),
        )
        .await?;
        Ok(stored)
    })
    .await
}

/// A task's notes, the latest day first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    task_id: i64,
) -> AppResult<Vec<law_task_note::Model>> {
    get::<LawTasks>(db, scope, task_id).await?;
    Ok(law_task_note::Entity::find()
        .filter(law_task_note::Column::TaskId.eq(task_id))
        .order_by_desc(law_task_note::Column::NotedOn)
        .order_by_desc(law_task_note::Column::Id)
        .all(db)
        .await?)
}
