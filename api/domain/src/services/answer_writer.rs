//! Group commit of answer saves. At exam start thousands of cadres save answers within
//! seconds; one transaction (and one fsync, and on SQLite one turn of the single writer)
//! per save made the saves queue behind each other and the starts behind them. One
//! writer task takes every save that queued while the previous group was committing and
//! writes them together: the cadres' row locks (PostgreSQL, in id order), one read of
//! the attempts' statuses, one `UPDATE` per save, one commit. Nobody is answered before
//! the commit that holds their answers is durable; a save whose attempt was finished
//! meanwhile is refused as it would be alone.

use std::collections::HashMap;

use entity::attempt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::{mpsc, oneshot};

use super::{
    begin_write,
    exam::{AttemptStatus, Write, attempt_finished, write_choices},
    lock_cadre,
};
use crate::error::{AppError, AppResult};

/// One save waiting for the group commit.
struct Job {
    user_id: i64,
    attempt_id: i64,
    writes: Vec<Write>,
    reply: oneshot::Sender<AppResult<()>>,
}

/// The most saves one commit carries.
const GROUP_LIMIT: usize = 256;

/// The queue of answer saves and the task that commits them.
#[derive(Clone)]
pub struct AnswerWriter {
    queue: mpsc::Sender<Job>,
}

impl AnswerWriter {
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, mut jobs) = mpsc::channel::<Job>(8192);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(GROUP_LIMIT);
            while let Some(first) = jobs.recv().await {
                group.push(first);
                while group.len() < GROUP_LIMIT {
                    match jobs.try_recv() {
                        Ok(job) => group.push(job),
                        Err(_) => break,
                    }
                }
                let outcomes = commit_group(&db, &group).await;
                for (i, job) in group.drain(..).enumerate() {
                    let outcome = match &outcomes {
                        Ok(each) => each[i].clone(),
                        Err(e) => Err(e.clone()),
                    };
                    // The client may have gone; the answers are stored all the same.
                    let _ = job.reply.send(outcome);
                }
            }
        });
        Self { queue }
    }

    /// Queues checked answers for an attempt of `user_id` and waits for their commit.
    pub async fn save(&self, user_id: i64, attempt_id: i64, writes: Vec<Write>) -> AppResult<()> {
        let stopped = || AppError::Internal("the answer writer stopped".into());
        let (reply, answer) = oneshot::channel();
        let job = Job {
            user_id,
            attempt_id,
            writes,
            reply,
        };
        self.queue.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
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
