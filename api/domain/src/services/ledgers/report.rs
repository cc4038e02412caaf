//! The ledgers in the annual summary: the zh-CN paragraphs of the 工作总结 and one sheet
//! each (this year beside the year before).

use super::{
    figures::LedgerFigures,
    prose::{against, joined},
};
use crate::{
    export::{Cell, Sheet},
    money::yuan,
};

/// The paragraphs for the year, each section only when it has records.
pub fn paragraphs(cur: &LedgerFigures, prev: &LedgerFigures, out: &mut Vec<String>) {
    for paragraph in [
        mediation(cur, prev),
        legal_services(cur, prev),
        screenings_and_petitions(cur, prev),
        inspections(cur, prev),
    ]
    .into_iter()
    .chain(super::law_report::paragraphs(&cur.law, &prev.law))
    {
        if !paragraph.is_empty() {
            out.push(paragraph);
        }
    }
}

/// 人民调解: cases, settled, amount, by level and by category.
fn mediation(cur: &LedgerFigures, prev: &LedgerFigures) -> String {
    let m = &cur.mediation;
    if m.cases == 0 {
        return String::new();
    }
    let mut text = format!(
        "人民调解方面，全年共调解各类矛盾纠纷{}起{}",
        m.cases,
        against(m.cases, prev.mediation.cases, "起")
    );
    if m.settled > 0 {
        text.push_str(&format!("，调解成功{}起", m.settled));
    }
    if m.amount_cents > 0 {
        text.push_str(&format!("，调解金额累计{}元", yuan(m.amount_cents)));
    }
    let levels = joined(
        m.by_level
            .0
            .iter()
            .filter(|(_, (n, _))| *n > 0)
            .map(|(level, (n, cents))| {
                if *cents > 0 {
                    format!(
                        "{}调委会调解{n}件（涉及金额{}元）",
                        level.chinese(),
                        yuan(*cents)
                    )
                } else {
                    format!("{}调委会调解{n}件", level.chinese())
                }
            }),
        "，",
    );
    text.push_str(&format!("，其中{levels}"));
    let kinds = joined(
        m.by_category
            .0
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{}纠纷{n}件", c.chinese())),
        "、",
    );
    format!("{text}；按类型分，{kinds}。")
}

/// 公共法律服务: lawyer duty by level, consultations by topic, legal aid.
fn legal_services(cur: &LedgerFigures, prev: &LedgerFigures) -> String {
    let (s, p) = (&cur.legal_services, &prev.legal_services);
    let mut parts = Vec::new();
    if s.lawyer_duty > 0 {
        let levels = joined(
            s.lawyer_duty_by_level
                .0
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(l, n)| format!("{}{n}次", l.chinese())),
            "、",
        );
        parts.push(format!(
            "安排律师值班{}次{}（{levels}）",
            s.lawyer_duty,
            against(s.lawyer_duty, p.lawyer_duty, "次")
        ));
    }
    if s.consultation > 0 {
        let topics = joined(
            s.consultation_by_topic
                .0
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(t, n)| format!("{}{n}次", t.chinese())),
            "、",
        );
        parts.push(format!(
            "提供法律咨询{}次{}（{topics}）",
            s.consultation,
            against(s.consultation, p.consultation, "次")
        ));
    }
    if s.legal_aid > 0 {
        parts.push(format!(
            "办理法律援助案件{}件{}",
            s.legal_aid,
            against(s.legal_aid, p.legal_aid, "件")
        ));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("公共法律服务方面，{}。", parts.join("；"))
}

/// 矛盾纠纷排查 and 信访.
fn screenings_and_petitions(cur: &LedgerFigures, prev: &LedgerFigures) -> String {
    let (s, p) = (&cur.screenings, &cur.petitions);
    let mut parts = Vec::new();
    if s.events > 0 {
        let mut text = format!(
            "开展矛盾纠纷排查{}次{}",
            s.events,
            against(s.events, prev.screenings.events, "次")
        );
        if s.issues_found > 0 {
            text.push_str(&format!(
                "，排查出矛盾纠纷{}件{}，化解{}件",
                s.issues_found,
                against(s.issues_found, prev.screenings.issues_found, "件"),
                s.issues_resolved
            ));
        }
        parts.push(text);
    }
    if p.cases > 0 || p.visitors > 0 {
        let mut text = format!(
            "受理信访案件{}件{}",
            p.cases,
            against(p.cases, prev.petitions.cases, "件")
        );
        if p.visitors > 0 {
            text.push_str(&format!(
                "，接待来访群众{}人次{}",
                p.visitors,
                against(p.visitors, prev.petitions.visitors, "人次")
            ));
        }
        parts.push(text);
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("矛盾纠纷排查化解方面，{}。", parts.join("；"))
}

/// 行政执法检查: the totals, then each field.
fn inspections(cur: &LedgerFigures, prev: &LedgerFigures) -> String {
    let i = &cur.inspections;
    if i.events == 0 {
        return String::new();
    }
    let results = |i: &super::figures::Inspection| {
        joined(
            [
                if i.hazards_found > 0 {
                    format!("发现隐患{}处", i.hazards_found)
                } else {
                    String::new()
                },
                if i.hazards_fixed > 0 {
                    format!("整改隐患{}处", i.hazards_fixed)
                } else {
                    String::new()
                },
                if i.penalties > 0 {
                    format!("处罚{}家", i.penalties)
                } else {
                    String::new()
                },
                if i.fines_cents > 0 {
                    format!("罚款{}元", yuan(i.fines_cents))
                } else {
                    String::new()
                },
            ],
            "，",
        )
    };
    let fields = joined(
        cur.inspections_by_field
            .0
            .iter()
            .filter(|(_, f)| f.events > 0)
            .map(|(k, f)| {
                joined(
                    [
                        format!(
                            "{}检查{}次、{}家次",
                            k.chinese(),
                            f.events,
                            f.entities_checked
                        ),
                        results(f),
                    ],
                    "，",
                )
            }),
        "；",
    );
    let totals = joined(
        [
            format!(
                "行政执法检查方面，全年开展检查{}次，检查企业{}家次{}",
                i.events,
                i.entities_checked,
                against(
                    i.entities_checked,
                    prev.inspections.entities_checked,
                    "家次"
                )
            ),
            results(i),
        ],
        "，",
    );
    format!("{totals}；其中{fields}。")
}

/// One sheet per ledger: each figure this year and the year before.
pub fn sheets(cur: &LedgerFigures, prev: &LedgerFigures) -> Vec<Sheet> {
    let this_year = format!("{}年", cur.year);
    let last_year = format!("{}年", prev.year);
    let headers = ["项目", this_year.as_str(), last_year.as_str()];
    let row = |label: String, a: Cell, b: Cell| vec![Cell::Text(label), a, b];
    let count = |label: &str, a: u64, b: u64| row(label.to_owned(), a.into(), b.into());

    let mut mediation = Sheet::new("人民调解", &headers);
    let (m, pm) = (&cur.mediation, &prev.mediation);
    mediation.rows = vec![
        count("调解纠纷（起）", m.cases, pm.cases),
        count("调解成功（起）", m.settled, pm.settled),
        row(
            "涉及金额（元）".into(),
            Cell::Money(m.amount_cents),
            Cell::Money(pm.amount_cents),
        ),
    ];
    for ((level, (n, cents)), (_, (pn, pcents))) in m.by_level.0.iter().zip(&pm.by_level.0) {
        mediation.rows.push(count(
            &format!("{}调委会调解（件）", level.chinese()),
            *n,
            *pn,
        ));
        mediation.rows.push(row(
            format!("{}调委会涉及金额（元）", level.chinese()),
            Cell::Money(*cents),
            Cell::Money(*pcents),
        ));
    }
    for ((category, n), (_, pn)) in m.by_category.0.iter().zip(&pm.by_category.0) {
        mediation
            .rows
            .push(count(&format!("{}纠纷（件）", category.chinese()), *n, *pn));
    }

    let mut legal = Sheet::new("公共法律服务", &headers);
    let (s, ps) = (&cur.legal_services, &prev.legal_services);
    legal
        .rows
        .push(count("律师值班（次）", s.lawyer_duty, ps.lawyer_duty));
    for ((level, n), (_, pn)) in s
        .lawyer_duty_by_level
        .0
        .iter()
        .zip(&ps.lawyer_duty_by_level.0)
    {
        legal
            .rows
            .push(count(&format!("其中{}（次）", level.chinese()), *n, *pn));
    }
    legal
        .rows
        .push(count("法律咨询（次）", s.consultation, ps.consultation));
    for ((topic, n), (_, pn)) in s
        .consultation_by_topic
        .0
        .iter()
        .zip(&ps.consultation_by_topic.0)
    {
        legal
            .rows
            .push(count(&format!("其中{}（次）", topic.chinese()), *n, *pn));
    }
    legal
        .rows
        .push(count("法律援助（件）", s.legal_aid, ps.legal_aid));

    let mut screenings = Sheet::new("矛盾纠纷排查", &headers);
    screenings.rows = vec![
        count("排查（次）", cur.screenings.events, prev.screenings.events),
        count(
            "排查出矛盾纠纷（件）",
            cur.screenings.issues_found,
            prev.screenings.issues_found,
        ),
        count(
            "化解（件）",
            cur.screenings.issues_resolved,
            prev.screenings.issues_resolved,
        ),
    ];
    let mut petitions = Sheet::new("信访", &headers);
    petitions.rows = vec![
        count("信访案件（件）", cur.petitions.cases, prev.petitions.cases),
        count(
            "来访群众（人次）",
            cur.petitions.visitors,
            prev.petitions.visitors,
        ),
    ];

    let mut inspections = Sheet::new("行政执法检查", &headers);
    let all = std::iter::once(("合计", cur.inspections, prev.inspections)).chain(
        cur.inspections_by_field
            .0
            .iter()
            .zip(&prev.inspections_by_field.0)
            .map(|((k, a), (_, b))| (k.chinese(), *a, *b)),
    );
    for (label, a, b) in all {
        inspections.rows.extend([
            count(&format!("{label}：检查（次）"), a.events, b.events),
            count(
                &format!("{label}：检查（家次）"),
                a.entities_checked,
                b.entities_checked,
            ),
            count(
                &format!("{label}：发现隐患（处）"),
                a.hazards_found,
                b.hazards_found,
            ),
            count(
                &format!("{label}：整改隐患（处）"),
                a.hazards_fixed,
                b.hazards_fixed,
            ),
            count(&format!("{label}：处罚（家）"), a.penalties, b.penalties),
            row(
                format!("{label}：罚款（元）"),
                Cell::Money(a.fines_cents),
                Cell::Money(b.fines_cents),
            ),
        ]);
    }
    let mut all = vec![mediation, legal, screenings, petitions, inspections];
    all.extend(super::law_report::sheets((&cur.law, &prev.law), &headers));
    all
}
