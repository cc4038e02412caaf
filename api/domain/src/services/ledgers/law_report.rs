//! The rest of the 法治政府建设 report in the annual summary: its paragraphs in the
//! report's own words, and a sheet per record (this year beside the year before). A
//! sentence claims "全部" only when the records bear it out, and says what fell short.

use super::{
    ReviewResult,
    law_figures::LawFigures,
    prose::{against, joined},
};
use crate::export::{Cell, Sheet};

/// The paragraphs of the year, each only when it has records.
pub fn paragraphs(cur: &LawFigures, prev: &LawFigures) -> Vec<String> {
    [
        leadership(cur, prev),
        decisions(cur, prev),
        duties(cur, prev),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect()
}

/// Chapter one: the plan's tasks and the leaders' 述职述法.
fn leadership(cur: &LawFigures, prev: &LawFigures) -> String {
    let (t, r) = (&cur.tasks, &cur.law_reports);
    let mut parts = Vec::new();
    if t.total > 0 {
        let mut text = format!(
            "全年制定法治政府建设任务{}项{}，已完成{}项",
            t.total,
            against(t.total, prev.tasks.total, "项"),
            t.done
        );
        let open = t.total - t.done;
        if open == 0 {
            text.push_str("，全部完成");
        } else if t.overdue > 0 {
            text.push_str(&format!("，{}项已过完成时限尚未完成", t.overdue));
            if open > t.overdue {
                text.push_str(&format!("，{}项正在推进", open - t.overdue));
            }
        } else {
            text.push_str(&format!("，{open}项正在推进"));
        }
        parts.push(text);
    }
    if r.reported > 0 || r.missing > 0 {
        let mut text = format!(
            "{}名领导干部将履行推进法治建设第一责任人职责情况纳入述职述法{}",
            r.reported,
            against(r.reported, prev.law_reports.reported, "名")
        );
        if r.on_site > 0 {
            text.push_str(&format!("，其中现场述法{}名", r.on_site));
        }
        if r.missing == 0 {
            text.push_str("，领导干部述法全覆盖");
        } else {
            text.push_str(&format!("，尚有{}名领导干部未述法", r.missing));
        }
        parts.push(text);
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("法治建设组织领导方面，{}。", parts.join("；"))
}

/// Chapter two: major decisions' legality reviews, and the advisers who give them.
fn decisions(cur: &LawFigures, prev: &LawFigures) -> String {
    let (d, a) = (&cur.decisions, &cur.advisers);
    let mut parts = Vec::new();
    if d.total > 0 {
        let mut text = format!(
            "重大行政决策{}项{}",
            d.total,
            against(d.total, prev.decisions.total, "项")
        );
        if d.reviewed == d.total {
            text.push_str("，全部经合法性审查");
        } else {
            text.push_str(&format!("，经合法性审查{}项", d.reviewed));
            if d.decided_unreviewed > 0 {
                text.push_str(&format!(
                    "，{}项未经合法性审查即作出决策",
                    d.decided_unreviewed
                ));
            }
            if d.pending > 0 {
                text.push_str(&format!("，{}项正在审查", d.pending));
            }
        }
        let results = joined(
            d.by_result
                .0
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("审查认定{}{n}项", k.chinese())),
            "、",
        );
        if !results.is_empty() {
            text.push_str(&format!("，其中{results}"));
        }
        let unlawful = d
            .by_result
            .0
            .iter()
            .find(|(k, _)| *k == ReviewResult::Unlawful)
            .map_or(0, |(_, n)| *n);
        if unlawful > 0 {
            text.push_str("，不合法的决策均未进入决策程序");
        }
        if d.adopted > 0 {
            text.push_str(&format!("；经决策通过{}项", d.adopted));
        }
        parts.push(text);
    }
    if a.legal_advisers + a.public_lawyers > 0 {
        parts.push(format!(
            "聘请法律顾问{}名、配备公职律师{}名，为重大决策提供法律意见",
            a.legal_advisers, a.public_lawyers
        ));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("依法决策方面，{}。", parts.join("；"))
}

/// Chapter five: "谁执法、谁普法".
fn duties(cur: &LawFigures, prev: &LawFigures) -> String {
    let d = &cur.duties;
    if d.items == 0 {
        return String::new();
    }
    let mut text = format!(
        "落实“谁执法、谁普法”普法责任制方面，{}个单位制定普法责任清单{}项{}，已落实{}项",
        d.units,
        d.items,
        against(d.items, prev.duties.items, "项"),
        d.done
    );
    if d.cases_explained > 0 {
        text.push_str(&format!(
            "，开展以案释法{}件{}",
            d.cases_explained,
            against(d.cases_explained, prev.duties.cases_explained, "件")
        ));
    }
    format!("{text}。")
}

/// A sheet per record: each figure this year and the year before.
pub fn sheets((cur, prev): (&LawFigures, &LawFigures), headers: &[&str]) -> Vec<Sheet> {
    let sheet = |name: &str, rows: Vec<(&str, u64, u64)>| {
        let mut s = Sheet::new(name, headers);
        s.rows = rows
            .into_iter()
            .map(|(label, a, b)| vec![Cell::Text(label.to_owned()), a.into(), b.into()])
            .collect();
        s
    };
    let (t, pt) = (&cur.tasks, &prev.tasks);
    let (d, pd) = (&cur.decisions, &prev.decisions);
    let (a, pa) = (&cur.advisers, &prev.advisers);
    let (r, pr) = (&cur.law_reports, &prev.law_reports);
    let (u, pu) = (&cur.duties, &prev.duties);
    let mut decisions = sheet(
        "重大行政决策",
        vec![
            ("重大行政决策（项）", d.total, pd.total),
            ("经合法性审查（项）", d.reviewed, pd.reviewed),
            (
                "未经审查即决策（项）",
                d.decided_unreviewed,
                pd.decided_unreviewed,
            ),
            ("正在审查（项）", d.pending, pd.pending),
            ("经决策通过（项）", d.adopted, pd.adopted),
        ],
    );
    for ((k, n), (_, pn)) in d.by_result.0.iter().zip(&pd.by_result.0) {
        decisions.rows.push(vec![
            Cell::Text(format!("审查认定{}（项）", k.chinese())),
            (*n).into(),
            (*pn).into(),
        ]);
    }
    vec![
        sheet(
            "法治建设任务",
            vec![
                ("任务（项）", t.total, pt.total),
                ("已完成（项）", t.done, pt.done),
                ("逾期未完成（项）", t.overdue, pt.overdue),
            ],
        ),
        decisions,
        sheet(
            "法律顾问",
            vec![
                ("法律顾问（名）", a.legal_advisers, pa.legal_advisers),
                ("公职律师（名）", a.public_lawyers, pa.public_lawyers),
            ],
        ),
        sheet(
            "述职述法",
            vec![
                ("领导干部（名）", r.leaders, pr.leaders),
                ("已述法（名）", r.reported, pr.reported),
                ("其中现场述法（名）", r.on_site, pr.on_site),
                ("未述法（名）", r.missing, pr.missing),
            ],
        ),
        sheet(
            "普法责任清单",
            vec![
                ("制定清单的单位（个）", u.units, pu.units),
                ("责任事项（项）", u.items, pu.items),
                ("已落实（项）", u.done, pu.done),
                ("以案释法（件）", u.cases_explained, pu.cases_explained),
            ],
        ),
    ]
}
