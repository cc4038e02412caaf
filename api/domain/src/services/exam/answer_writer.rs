//! Group commit of answer saves. At exam start thousands of cadres save answers within
//! seconds; one transaction (and one fsync, and on SQLite one turn of the single writer)
//! per save made the saves queue behind each other and the starts behind them. A group
//! is written with the cadres' row locks (PostgreSQL, in id order), one read of the
//! attempts' statuses, one `UPDATE` per save and one commit; a save whose attempt was
//! finished meanwhile is refused as it would be alone.

use std::collections::HashMap;

use entity::attempt;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::{AttemptStatus, Write, attempt_finished, write_choices};
use crate::{
    error::AppResult,
    services::{
        begin_write,
        group_commit::{GroupCommit, GroupWriter, WriterDb},
        lock_cadre,
    },
};

/// One save waiting for the group commit.
pub struct Job {
    user_id: i64,
    attempt_id: i64,
    writes: Vec<Write>,
}

/// Answer saves, committed in groups (see `services::group_commit`).
pub struct Saves;

impl GroupCommit for Saves {
    type Job = Job;
    type Outcome = ();
    const LIMIT: usize = 256;
    const NAME: &'static str = "answer";

    fn commit(
        db: &DatabaseConnection,
        jobs: &[Job],
    ) -> impl Future<Output = AppResult<Vec<AppResult<()>>>> + Send {
        commit_group(db, jobs)
    }
}

/// The answer-save writer.
#[derive(Clone)]
pub struct AnswerWriter(GroupWriter<Saves>);

impl AnswerWriter {
    pub async fn start(db: WriterDb) -> Result<Self, DbErr> {
        Ok(Self(GroupWriter::start(db).await?))
    }

    /// Queues checked answers for an attempt of `user_id` and waits for their commit.
    pub async fn save(&self, user_id: i64, attempt_id: i64, writes: Vec<Write>) -> AppResult<()> {
        self.0
            .submit(Job {
                user_id,
                attempt_id,
                writes,
            })
            .await
    }
}

async fn commit_group(db: &DatabaseConnection, jobs: &[Job]) -> AppResult<Vec<AppResult<()>>> {
    let txn = begin_write(db).await?;
    // Each cadre's lock, in id order, so that two writers never wait on each other.
    let mut users: Vec<i64> = jobs.iter().map(|j| j.user_id).collect();
    users.sort_unstable();
    users.dedup();
    for user_id in users {
        lock_cadre(&txn, user_id).await?;
    }
    let ids: Vec<i64> = jobs.iter().map(|j| j.attempt_id).collect();
    let status: HashMap<i64, AttemptStatus> = attempt::Entity::find()
        .select_only()
        .column(attempt::Column::Id)
        .column(attempt::Column::Status)
        .filter(attempt::Column::Id.is_in(ids))
        .into_tuple::<(i64, AttemptStatus)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        if status.get(&job.attempt_id) == Some(&AttemptStatus::Open) {
            // Saves of one attempt in one group are written in the order they came.
            write_choices(&txn, job.attempt_id, &job.writes).await?;
            outcomes.push(Ok(()));
        } else {
            outcomes.push(Err(attempt_finished()));
        }
    }
    txn.commit().await?;
    Ok(outcomes)
}
