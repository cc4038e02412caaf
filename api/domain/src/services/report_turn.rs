//! Turns for whole-roster reports.

/// How many whole-roster reports (the targets, the missing lists, the annual summary) are
/// computed at once: half the cores, at least one. A report is CPU work over every member;
/// during the year-end upload rush a dashboard refreshed by several officers at once
/// would otherwise take every core from the cadres' uploads. The others wait their turn
/// (a few milliseconds each on an office's roster), holding no connection and no lock.
static REPORT_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(report_slots()));

fn report_slots() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores / 2).max(1)
}

/// A turn to compute a whole-roster report, held until dropped. Every whole-roster report
/// ([`annual_summary`], [`campaign_targets`], [`missing`]) asks for one
/// as an argument, so the compiler sees that it was taken; a report that calls another
/// passes its own turn on (taking a second one inside the first could wait forever).
///
/// [`annual_summary`]: super::reports::annual_summary
/// [`campaign_targets`]: super::targets::campaign_targets
/// [`missing`]: super::targets::missing
pub struct ReportTurn {
    _permit: tokio::sync::SemaphorePermit<'static>,
}

impl ReportTurn {
    /// Waits for a turn (holding no connection and no lock meanwhile).
    pub async fn take() -> Self {
        Self {
            _permit: REPORT_SLOTS
                .acquire()
                .await
                .expect("the report semaphore is never closed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reports_beyond_the_slots_wait_for_a_turn() {
        let mut held = Vec::new();
        for _ in 0..report_slots() {
            held.push(ReportTurn::take().await);
        }
        let waiting = tokio::spawn(ReportTurn::take());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "a report beyond the slots ran at once"
        );
        held.pop();
        let _turn = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .expect("a freed slot goes to the waiting report")
            .expect("the waiting report's task");
    }
}
