//! A year of publicity events and trainings across every theme, venue and audience;
//! themed days fall on their dates once those have come this year.

use chrono::{Duration, NaiveDate};
use domain::{
    error::AppResult,
    services::activities::{ActivityKind, Audience, Theme, Venue},
};
use entity::{activity, activity_attendee, activity_theme};
use rand::{Rng, seq::IndexedRandom};
use sea_orm::Set;

use crate::{
    Gen,
    org::Org,
    write::{bulk, new_year, next_id},
};

const THEMED_DAYS: [(Theme, u32, u32); 6] = [
    (Theme::NationalSecurityDay, 4, 15),
    (Theme::AntiDrugDay, 6, 26),
    (Theme::SafetyMonth, 6, 16),
    (Theme::FireSafety, 11, 9),
    (Theme::ConstitutionDay, 12, 4),
    (Theme::StabilityMonth, 5, 20),
];

#[derive(Default)]
struct Rows {
    activities: Vec<activity::ActiveModel>,
    themes: Vec<activity_theme::ActiveModel>,
    attendees: Vec<activity_attendee::ActiveModel>,
}

/// `count` activities: one in five a training, one in three organised at street level.
/// Returns how many were made.
pub async fn activities(
    g: &mut Gen<'_>,
    org: &Org,
    cadres: &[(i64, i64)],
    count: u32,
) -> AppResult<usize> {
    let mut id = next_id::<activity::Entity>(g.txn, activity::Column::Id).await?;
    let mut rows = Rows::default();
    for i in 0..count {
        one(g, org, cadres, i, id, &mut rows);
        id += 1;
    }
    let made = rows.activities.len();
    bulk(g.txn, rows.activities).await?;
    bulk(g.txn, rows.themes).await?;
    bulk(g.txn, rows.attendees).await?;
    Ok(made)
}

fn organizer(g: &mut Gen<'_>, org: &Org, street_level: bool) -> i64 {
    if street_level {
        if g.rng.random_bool(0.5) {
            org.street_id
        } else {
            *org.departments.choose(&mut g.rng).expect("departments")
        }
    } else if g.rng.random_bool(0.8) {
        *org.communities.choose(&mut g.rng).expect("communities")
    } else {
        *org.villages.choose(&mut g.rng).expect("villages")
    }
}

/// The theme and the day: a themed day on its date when it has come, else 民法典 or
/// another theme on a day so far this year.
fn theme_and_day(g: &mut Gen<'_>, i: u32) -> (Theme, NaiveDate) {
    match THEMED_DAYS.get(i as usize % 8) {
        Some((theme, m, d))
            if NaiveDate::from_ymd_opt(g.year, *m, *d).is_some_and(|day| day <= g.today) =>
        {
            (
                *theme,
                NaiveDate::from_ymd_opt(g.year, *m, *d).expect("a date"),
            )
        }
        _ => {
            let theme = if g.rng.random_bool(0.5) {
                Theme::CivilCode
            } else {
                Theme::Other
            };
            let days_so_far = (g.today - new_year(g.year)).num_days().max(1);
            let day = new_year(g.year) + Duration::days(g.rng.random_range(0..days_so_far));
            (theme, day)
        }
    }
}

fn audience(g: &mut Gen<'_>, training: bool, venue: Option<Venue>) -> Audience {
    if training {
        *[
            Audience::Cadres,
            Audience::Cadres,
            Audience::EnforcementStaff,
            Audience::Mediators,
            Audience::LegalWorkers,
            Audience::Students,
        ]
        .choose(&mut g.rng)
        .expect("audiences")
    } else if venue == Some(Venue::School) {
        Audience::Students
    } else {
        Audience::Public
    }
}

fn one(g: &mut Gen<'_>, org: &Org, cadres: &[(i64, i64)], i: u32, id: i64, rows: &mut Rows) {
    let training = i % 5 == 4;
    let organizer = organizer(g, org, i.is_multiple_of(3));
    let (theme, held_on) = theme_and_day(g, i);
    let venue = Venue::ALL.get(i as usize % 7).copied();
    let audience = audience(g, training, venue);
    let mut attendees: Vec<i64> = Vec::new();
    if training && audience == Audience::Cadres {
        attendees = cadres
            .choose_multiple(&mut g.rng, 15.min(cadres.len()))
            .map(|(id, _)| *id)
            .collect();
        attendees.sort_unstable();
    }
    let attendance = g.rng.random_range(20..260).max(attendees.len() as i32);
    let materials = if training {
        0
    } else {
        g.rng.random_range(30..400)
    };
    let (kind, title) = if training {
        (
            ActivityKind::Training,
            format!("{}专题法治培训", theme.chinese()),
        )
    } else {
        (
            ActivityKind::Publicity,
            format!("{}普法宣传活动", theme.chinese()),
        )
    };
    rows.activities.push(activity::ActiveModel {
        id: Set(id),
        kind: Set(kind),
        title: Set(title),
        held_on: Set(held_on),
        organizer_unit_id: Set(organizer),
        venue: Set(venue),
        audience: Set(audience),
        attendance: Set(attendance),
        materials: Set(materials),
        notes: Set(String::new()),
        created_by: Set(None),
        created_at: Set(g.now),
        updated_at: Set(g.now),
        deleted_at: Set(None),
    });
    rows.themes.push(activity_theme::ActiveModel {
        activity_id: Set(id),
        theme: Set(theme),
    });
    // 12·4 events also teach the Civil Code, and so do some others.
    if theme == Theme::ConstitutionDay || (i.is_multiple_of(11) && theme != Theme::CivilCode) {
        rows.themes.push(activity_theme::ActiveModel {
            activity_id: Set(id),
            theme: Set(Theme::CivilCode),
        });
    }
    for a in attendees {
        rows.attendees.push(activity_attendee::ActiveModel {
            activity_id: Set(id),
            user_id: Set(a),
        });
    }
}
