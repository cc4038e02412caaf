//! Group commit: one writer task takes every job that queued while the previous group was
//! committing and commits them together, so one transaction (one fsync, and on SQLite one
//! turn of the single writer) serves many requests. Each job keeps its own outcome (a job
//! refused by the rules never fails its neighbours), and nobody is answered before the
//! commit that holds their write is durable. Study uploads and answer saves use it.

use std::future::Future;

use sea_orm::{DatabaseConnection, DbBackend, DbErr};
use tokio::sync::{mpsc, oneshot};

use crate::error::{AppError, AppResult};

/// What a writer commits: its jobs, and how one group of them is written.
pub trait GroupCommit: Send + Sync + 'static {
    type Job: Send + Sync + 'static;
    type Outcome: Clone + Send + 'static;
    /// The most jobs one commit carries.
    const LIMIT: usize;
    const NAME: &'static str;

    /// Writes `jobs` in one transaction: an outcome per job, in order, or an error that
    /// fails them all (nothing of the group is stored then).
    fn commit(
        db: &DatabaseConnection,
        jobs: &[Self::Job],
    ) -> impl Future<Output = AppResult<Vec<AppResult<Self::Outcome>>>> + Send;
}

type Queued<G> = (
    <G as GroupCommit>::Job,
    oneshot::Sender<AppResult<<G as GroupCommit>::Outcome>>,
);

/// The queue of a group-commit writer and the task that drains it.
pub struct GroupWriter<G: GroupCommit> {
    queue: mpsc::Sender<Queued<G>>,
}

impl<G: GroupCommit> Clone for GroupWriter<G> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

/// Where a writer commits.
pub enum WriterDb {
    /// A pool of one connection that the writer opens at this URL, on its own thread: its
    /// answers wake the writer there directly (a PostgreSQL socket is watched by the
    /// runtime that opened it), and on SQLite its page cache is the writer's alone.
    Own(String),
    /// A connection the caller opened: an in-memory SQLite database, which only the pool
    /// that created it can see.
    Shared(DatabaseConnection),
}

impl WriterDb {
    /// A connection of its own for the writer of the database at `url`. On SQLite a
    /// connection's page cache is dropped whenever another connection has written, so a
    /// writer that took whichever pooled connection was free re-read its pages from the
    /// file on nearly every commit (a profile of the upload rush showed it); writers still
    /// take turns with every other writer of the file (`db::begin_write`). An in-memory
    /// SQLite database is seen only through the pool that created it: `shared`.
    pub fn for_database(url: &str, shared: &DatabaseConnection) -> Self {
        if shared.get_database_backend() == DbBackend::Sqlite
            && (url.contains(":memory:") || url.contains("mode=memory"))
        {
            Self::Shared(shared.clone())
        } else {
            Self::Own(url.to_owned())
        }
    }

    async fn open(self) -> Result<DatabaseConnection, DbErr> {
        match self {
            Self::Own(url) => crate::db::connect(&url, 1).await,
            Self::Shared(db) => Ok(db),
        }
    }
}

impl<G: GroupCommit> GroupWriter<G> {
    /// Starts the writer on a thread and runtime of its own. Each statement of a group is
    /// a round trip to the database (SQLite's own thread, or the socket); an answer woken
    /// onto the request workers' runtime waited there behind the requests those workers
    /// were serving, and the writer's wait is every upload's. Fails if its connection
    /// cannot be opened.
    pub async fn start(db: WriterDb) -> Result<Self, DbErr> {
        let (queue, jobs) = mpsc::channel::<Queued<G>>(8192);
        let (ready, opened) = oneshot::channel();
        crate::metrics::declare_writer(G::NAME);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbErr::Custom(format!("a runtime for the {} writer: {e}", G::NAME)))?;
        std::thread::Builder::new()
            .name(format!("{}-writer", G::NAME))
            .spawn(move || {
                runtime.block_on(async move {
                    match db.open().await {
                        Ok(db) => {
                            let _ = ready.send(Ok(()));
                            drain::<G>(db, jobs).await;
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                        }
                    }
                })
            })
            .map_err(|e| DbErr::Custom(format!("a thread for the {} writer: {e}", G::NAME)))?;
        opened
            .await
            .map_err(|_| DbErr::Custom(format!("the {} writer did not start", G::NAME)))??;
        Ok(Self { queue })
    }

    /// Queues one job and waits for the commit that holds it.
    pub async fn submit(&self, job: G::Job) -> AppResult<G::Outcome> {
        let stopped = || AppError::Internal(format!("the {} writer stopped", G::NAME));
        let (reply, answer) = oneshot::channel();
        self.queue.send((job, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Takes every job that queued while the previous group committed, commits them together
/// and answers each, until every sender is gone.
async fn drain<G: GroupCommit>(db: DatabaseConnection, mut jobs: mpsc::Receiver<Queued<G>>) {
    let mut group: Vec<G::Job> = Vec::with_capacity(G::LIMIT);
    let mut replies = Vec::with_capacity(G::LIMIT);
    while let Some((job, reply)) = jobs.recv().await {
        group.push(job);
        replies.push(reply);
        while group.len() < G::LIMIT {
            match jobs.try_recv() {
                Ok((job, reply)) => {
                    group.push(job);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let outcomes = match G::commit(&db, &group).await {
            // A group that failed as a whole (a deadlock with another instance,
            // a constraint one job broke) must not fail its neighbours: each job
            // is committed again on its own. Not when the database is away —
            // every retry would wait out the pool again.
            Err(e) if group.len() > 1 && !matches!(e, AppError::Unavailable { .. }) => {
                tracing::warn!(error = %e, jobs = group.len(), writer = G::NAME,
                    "a group commit failed; committing its jobs one by one");
                let mut each = Vec::with_capacity(group.len());
                for job in &group {
                    each.push(match G::commit(&db, std::slice::from_ref(job)).await {
                        Ok(mut one) => one.remove(0),
                        Err(e) => Err(e),
                    });
                }
                Ok(each)
            }
            other => other,
        };
        crate::metrics::observe_group(G::NAME, group.len(), started.elapsed().as_secs_f64());
        for (i, reply) in replies.drain(..).enumerate() {
            let outcome = match &outcomes {
                Ok(each) => each[i].clone(),
                Err(e) => Err(e.clone()),
            };
            // The client may have gone; its write is stored all the same.
            let _ = reply.send(outcome);
        }
        group.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doubles each job; a group holding 13 fails as a whole (as a deadlock would), and
    /// 13 alone is refused.
    struct Picky;

    impl GroupCommit for Picky {
        type Job = i32;
        type Outcome = i32;
        const LIMIT: usize = 64;
        const NAME: &'static str = "picky";

        fn commit(
            _db: &DatabaseConnection,
            jobs: &[i32],
        ) -> impl Future<Output = AppResult<Vec<AppResult<i32>>>> + Send {
            let jobs = jobs.to_vec();
            async move {
                if jobs == [0] {
                    // The first group takes a while, so the others queue up behind it.
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                if jobs.len() > 1 && jobs.contains(&13) {
                    return Err(AppError::Internal("deadlock detected".into()));
                }
                Ok(jobs
                    .iter()
                    .map(|j| match j {
                        13 => Err(AppError::conflict(crate::error::Clash::Overlap, "13")),
                        j => Ok(j * 2),
                    })
                    .collect())
            }
        }
    }

    #[tokio::test]
    async fn a_group_that_fails_as_a_whole_is_committed_job_by_job() {
        let (groups_before, seconds_before) = crate::metrics::groups_committed("picky");
        let writer = GroupWriter::<Picky>::start(WriterDb::Shared(DatabaseConnection::default()))
            .await
            .unwrap();
        let first = tokio::spawn({
            let w = writer.clone();
            async move { w.submit(0).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let rest: Vec<_> = (1..20)
            .map(|i| {
                let w = writer.clone();
                tokio::spawn(async move { (i, w.submit(i).await) })
            })
            .collect();
        assert_eq!(first.await.unwrap().unwrap(), 0);
        for job in rest {
            let (i, outcome) = job.await.unwrap();
            match (i, outcome) {
                (13, Err(AppError::Conflict { code, .. })) => {
                    assert_eq!(code, crate::error::Clash::Overlap)
                }
                (i, Ok(doubled)) => assert_eq!(doubled, i * 2),
                (i, other) => panic!("job {i}: {other:?}"),
            }
        }
        // The first group alone, the other nineteen together: each commit timed.
        let (groups, seconds) = crate::metrics::groups_committed("picky");
        assert!(
            groups - groups_before >= 2,
            "{groups_before} -> {groups} groups"
        );
        assert!(
            seconds - seconds_before >= 0.1,
            "the first group took 100 ms"
        );
    }

    /// Answers with the name of the thread that committed it.
    struct WhereAmI;

    impl GroupCommit for WhereAmI {
        type Job = ();
        type Outcome = Option<String>;
        const LIMIT: usize = 8;
        const NAME: &'static str = "where";

        fn commit(
            _db: &DatabaseConnection,
            jobs: &[()],
        ) -> impl Future<Output = AppResult<Vec<AppResult<Option<String>>>>> + Send {
            let here = std::thread::current().name().map(str::to_owned);
            let n = jobs.len();
            async move { Ok(vec![Ok(here); n]) }
        }
    }

    #[tokio::test]
    async fn the_writer_commits_on_a_thread_of_its_own() {
        let writer =
            GroupWriter::<WhereAmI>::start(WriterDb::Shared(DatabaseConnection::default()))
                .await
                .unwrap();
        let on = writer.submit(()).await.unwrap();
        assert_eq!(on.as_deref(), Some("where-writer"));
        assert_ne!(on, std::thread::current().name().map(str::to_owned));
    }

    #[tokio::test]
    async fn a_writer_whose_database_cannot_be_reached_does_not_start() {
        let url = "postgres://postgres@127.0.0.1:1/nowhere".to_owned();
        let started = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            GroupWriter::<WhereAmI>::start(WriterDb::Own(url)),
        )
        .await
        .expect("the start gave up within the pool's timeout");
        assert!(started.is_err());
    }
}
