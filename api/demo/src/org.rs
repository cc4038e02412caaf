//! The district and its streets: each street's units (the office, departments,
//! communities, villages) and accounts (HR and the judicial office scoped to the street,
//! the cadres spread over the units), and the district's own managers.

use domain::{auth::Role, error::AppResult};
use entity::{unit, unit::UnitKind, user};
use rand::{Rng, seq::IndexedRandom};
use sea_orm::Set;

use crate::{
    Gen,
    data::{COMMUNITIES, DEPARTMENTS, GIVEN, SURNAMES, VILLAGES},
    write::{bulk, next_id},
};

/// One street of the district: its name and how its units and usernames are told apart
/// from the other streets'.
pub struct Street {
    pub name: String,
    /// Put before the names of its departments, communities and villages.
    pub unit_prefix: String,
    /// Put before its usernames and employee numbers.
    pub user_prefix: String,
}

impl Street {
    /// The `n`th street (from 0) of a district whose usernames start with `tag`.
    pub fn nth(n: usize, tag: &str) -> Self {
        let (name, unit_prefix, user_prefix) = match crate::data::STREETS.get(n) {
            Some((name, units, users)) => (name.to_string(), units.to_string(), users.to_string()),
            None => (
                format!("第{}街道", n + 1),
                format!("第{}街道", n + 1),
                format!("s{}-", n + 1),
            ),
        };
        Self {
            name: format!("{tag}{name}"),
            unit_prefix: format!("{tag}{unit_prefix}"),
            user_prefix: format!("{tag}{user_prefix}"),
        }
    }
}

/// The district unit (区) the streets belong to.
pub async fn district(g: &mut Gen<'_>) -> AppResult<(i64, String)> {
    let id = next_id::<unit::Entity>(g.txn, unit::Column::Id).await?;
    let name = format!("{}新区", g.tag);
    bulk(
        g.txn,
        [unit::ActiveModel {
            id: Set(id),
            name: Set(name.clone()),
            kind: Set(UnitKind::District),
            parent_id: Set(None),
            created_at: Set(g.now),
            updated_at: Set(g.now),
        }],
    )
    .await?;
    Ok((id, name))
}

/// The units made.
pub struct Org {
    pub street_name: String,
    pub street_id: i64,
    pub departments: Vec<i64>,
    pub communities: Vec<i64>,
    pub villages: Vec<i64>,
    pub count: usize,
}

/// The street office (under `district`), its 7 departments, 18 communities and 5
/// villages.
pub async fn units(g: &mut Gen<'_>, district: i64, street: &Street) -> AppResult<Org> {
    let tag = street.unit_prefix.clone();
    let street_name = street.name.clone();
    let mut next = next_id::<unit::Entity>(g.txn, unit::Column::Id).await?;
    let street_id = next;
    let mut rows: Vec<unit::ActiveModel> = Vec::new();
    let created = g.now;
    let mut push = |name: String, kind: UnitKind, parent: Option<i64>| {
        let id = next;
        next += 1;
        rows.push(unit::ActiveModel {
            id: Set(id),
            name: Set(name),
            kind: Set(kind),
            parent_id: Set(parent),
            created_at: Set(created),
            updated_at: Set(created),
        });
        id
    };
    push(street_name.clone(), UnitKind::Street, Some(district));
    let mut children = |names: &[&str], kind: UnitKind| -> Vec<i64> {
        names
            .iter()
            .map(|n| push(format!("{tag}{n}"), kind, Some(street_id)))
            .collect()
    };
    let departments = children(&DEPARTMENTS, UnitKind::Department);
    let communities = children(&COMMUNITIES, UnitKind::Community);
    let villages = children(&VILLAGES, UnitKind::Village);
    let count = rows.len();
    bulk(g.txn, rows).await?;
    Ok(Org {
        street_name,
        street_id,
        departments,
        communities,
        villages,
        count,
    })
}

/// The accounts made: who to sign in as, and each cadre with their unit.
pub struct People {
    pub hr: String,
    pub judicial: String,
    pub cadres: Vec<(i64, i64)>,
}

/// HR and the judicial office (scoped to the street), and `cadres` cadres (the first
/// three leaders at the street office, the rest over the departments, communities and
/// villages; ~12% leaders).
pub async fn accounts(
    g: &mut Gen<'_>,
    (org, street): (&Org, &Street),
    cadres: u32,
    password_hash: &str,
) -> AppResult<People> {
    let mut next = next_id::<user::Entity>(g.txn, user::Column::Id).await?;
    let mut rows = Vec::new();
    let created = g.now;
    let mut make = |username: String,
                    name: String,
                    roles: &[Role],
                    (unit, scope): (i64, Option<i64>),
                    leader: bool,
                    employee_no: Option<String>| {
        let id = next;
        next += 1;
        rows.push(user::ActiveModel {
            id: Set(id),
            username: Set(username),
            password_hash: Set(password_hash.to_owned()),
            name: Set(name),
            roles: Set(Role::join(roles)),
            unit_id: Set(Some(unit)),
            is_leader: Set(leader),
            employee_no: Set(employee_no),
            // A made-up mobile number from the 139 range, one per account.
            phone: Set(Some(format!("139{:08}", 10_000_000 + id))),
            active: Set(true),
            scope_unit_id: Set(scope),
            // The demo's accounts share one published password and are never asked to
            // change it (a showcase, not a real roster).
            password_exempt: Set(true),
            password_changed_at: Set(Some(created)),
            created_at: Set(created),
            updated_at: Set(created),
            ..Default::default()
        });
        id
    };
    let tag = &street.user_prefix;
    let hr = format!("{tag}hr");
    let judicial = format!("{tag}sifa");
    let staff = [
        (&hr, "组织人事科 刘敏", Role::Hr, org.departments[1]),
        (&judicial, "司法所 陈静", Role::Judicial, org.departments[3]),
    ];
    for (username, name, role, unit) in staff {
        make(
            username.clone(),
            name.into(),
            &[role, Role::Cadre],
            (unit, Some(org.street_id)),
            false,
            None,
        );
    }
    let all_units: Vec<i64> = org
        .departments
        .iter()
        .chain(&org.communities)
        .chain(&org.villages)
        .copied()
        .collect();
    let mut made = Vec::with_capacity(cadres as usize);
    g.progress.phase("making accounts", cadres as u64);
    for i in 0..cadres {
        g.progress.advance(1);
        let unit = if i < 3 {
            org.street_id
        } else {
            all_units[i as usize % all_units.len()]
        };
        let name = format!(
            "{}{}",
            SURNAMES.choose(&mut g.rng).unwrap(),
            GIVEN.choose(&mut g.rng).unwrap()
        );
        let leader = i < 3 || g.rng.random_bool(0.12);
        let id = make(
            format!("{tag}gb{:05}", i + 1),
            name,
            &[Role::Cadre],
            (unit, None),
            leader,
            Some(format!("{tag}{:06}", 100_000 + i)),
        );
        made.push((id, unit));
    }
    g.progress.phase("writing accounts", 1);
    bulk(g.txn, rows).await?;
    Ok(People {
        hr,
        judicial,
        cadres: made,
    })
}

/// The district's own HR and judicial office (scoped to the district), working from the
/// first street's office; returns their usernames.
pub async fn district_managers(
    g: &mut Gen<'_>,
    (district, office): (i64, i64),
    password_hash: &str,
) -> AppResult<[String; 2]> {
    let mut next = next_id::<user::Entity>(g.txn, user::Column::Id).await?;
    let tag = g.tag.clone();
    let made = [
        (format!("{tag}qu-hr"), "区委组织部 王芳", Role::Hr),
        (format!("{tag}qu-sifa"), "区司法局 赵磊", Role::Judicial),
    ];
    let rows: Vec<user::ActiveModel> = made
        .iter()
        .map(|(username, name, role)| {
            let id = next;
            next += 1;
            user::ActiveModel {
                id: Set(id),
                username: Set(username.clone()),
                password_hash: Set(password_hash.to_owned()),
                name: Set((*name).into()),
                roles: Set(Role::join(&[*role])),
                unit_id: Set(Some(office)),
                is_leader: Set(false),
                employee_no: Set(None),
                phone: Set(Some(format!("139{:08}", 10_000_000 + id))),
                active: Set(true),
                scope_unit_id: Set(Some(district)),
                password_exempt: Set(true),
                password_changed_at: Set(Some(g.now)),
                created_at: Set(g.now),
                updated_at: Set(g.now),
                ..Default::default()
            }
        })
        .collect();
    bulk(g.txn, rows).await?;
    Ok([made[0].0.clone(), made[1].0.clone()])
}
