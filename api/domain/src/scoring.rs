//! Scores and the pass rule. Scores are kept in hundredths of a point (`score_centi`,
//! an integer), so grading and comparing never round twice.

/// `100 × earned / total`, in hundredths, rounded half up, with integers only.
pub fn score_centi(earned: i64, total: i64) -> i32 {
    if total <= 0 {
        return 0;
    }
    ((20_000 * earned + total) / (2 * total)) as i32
}

/// A score in hundredths as the API shows it (`42.86`).
pub fn centi_to_score(centi: i32) -> f64 {
    centi as f64 / 100.0
}

/// The pass mark (合格线) in hundredths: a campaign's `pass_score` is whole points.
pub fn pass_mark_centi(pass_score: i32) -> i32 {
    pass_score * 100
}

/// Whether a score in hundredths passes a campaign whose pass score is `pass_score`.
pub fn passes(score_centi: i32, pass_score: i32) -> bool {
    score_centi >= pass_mark_centi(pass_score)
}

entity::keyed_enum!(
    /// A finished score's grade (成绩等级).
    Grade {
        /// At least the excellent score.
        Excellent => ("excellent", "优秀"),
        /// At least the good score.
        Good => ("good", "良好"),
        /// At least the pass score.
        Pass => ("pass", "合格"),
        Fail => ("fail", "不合格"),
    }
);

/// A campaign's grade bands in whole points: pass ≤ good ≤ excellent ≤ 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bands {
    pub pass: i32,
    pub good: i32,
    pub excellent: i32,
}

impl From<&entity::campaign::Model> for Bands {
    fn from(c: &entity::campaign::Model) -> Self {
        Bands {
            pass: c.pass_score,
            good: c.good_score,
            excellent: c.excellent_score,
        }
    }
}

/// The grade of a score in hundredths: the first band it reaches.
pub fn grade(score_centi: i32, bands: Bands) -> Grade {
    if score_centi >= pass_mark_centi(bands.excellent) {
        Grade::Excellent
    } else if score_centi >= pass_mark_centi(bands.good) {
        Grade::Good
    } else if passes(score_centi, bands.pass) {
        Grade::Pass
    } else {
        Grade::Fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_half_up_to_two_decimals() {
        assert_eq!(score_centi(3, 7), 4286); // 42.857…
        assert_eq!(score_centi(1, 3), 3333);
        assert_eq!(score_centi(2, 3), 6667);
        assert_eq!(score_centi(1, 8), 1250); // exactly 12.5
        assert_eq!(score_centi(1, 20_000), 1); // 0.005 rounds half up to 0.01
        assert_eq!(score_centi(1, 20_001), 0); // just under half of 0.01
        assert_eq!(score_centi(7, 7), 10_000);
        assert_eq!(score_centi(0, 7), 0);
        assert_eq!(score_centi(5, 0), 0);
        assert_eq!(centi_to_score(4286), 42.86);
    }

    #[test]
    fn the_pass_mark_is_inclusive() {
        assert!(passes(6000, 60));
        assert!(!passes(5999, 60));
        assert!(passes(0, 0));
        assert!(passes(10_000, 100));
        assert!(!passes(9999, 100));
    }

    #[test]
    fn grades_at_the_exact_thresholds() {
        let bands = Bands {
            pass: 60,
            good: 80,
            excellent: 90,
        };
        assert_eq!(grade(9000, bands), Grade::Excellent);
        assert_eq!(grade(8999, bands), Grade::Good);
        assert_eq!(grade(8000, bands), Grade::Good);
        assert_eq!(grade(7999, bands), Grade::Pass);
        assert_eq!(grade(6000, bands), Grade::Pass);
        assert_eq!(grade(5999, bands), Grade::Fail);
        assert_eq!(grade(10_000, bands), Grade::Excellent);
        assert_eq!(grade(0, bands), Grade::Fail);
        // Bands that coincide: the higher grade wins.
        let flat = Bands {
            pass: 80,
            good: 80,
            excellent: 80,
        };
        assert_eq!(grade(8000, flat), Grade::Excellent);
        assert_eq!(grade(7999, flat), Grade::Fail);
        assert_eq!(Grade::Good.chinese(), "良好");
    }
}
