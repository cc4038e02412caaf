//! How the annual summary's paragraphs put figures into words, shared by the ledgers'
//! paragraphs and the rest of the report's.

/// The change against the year before, as a 工作总结 states it, with last year's figure
/// and its measure word; nothing when the year before has no such records.
pub(super) fn against(current: u64, previous: u64, unit: &str) -> String {
    if previous == 0 {
        return String::new();
    }
    let change = (current as f64 - previous as f64) / previous as f64 * 100.0;
    let amount = format!("{:.1}", change.abs());
    let amount = amount.trim_end_matches(".0");
    match current.cmp(&previous) {
        std::cmp::Ordering::Greater => format!("，比上年（{previous}{unit}）增长{amount}%"),
        std::cmp::Ordering::Less => format!("，比上年（{previous}{unit}）下降{amount}%"),
        std::cmp::Ordering::Equal => format!("，与上年（{previous}{unit}）持平"),
    }
}

/// Non-empty parts joined with `sep`.
pub(super) fn joined(parts: impl IntoIterator<Item = String>, sep: &str) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::against;

    #[test]
    fn the_change_against_last_year_reads_as_a_report_writes_it() {
        assert_eq!(against(576, 512, "起"), "，比上年（512起）增长12.5%");
        assert_eq!(against(90, 100, "件"), "，比上年（100件）下降10%");
        assert_eq!(against(5, 5, "次"), "，与上年（5次）持平");
        assert_eq!(against(5, 0, "次"), "");
    }
}
