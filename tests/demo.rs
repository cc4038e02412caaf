//! `xuefa demo`: the generated street is consistent with the rules, and it refuses to
//! mix into a database that already holds data unless told to.

use demo::{DEMO_PASSWORD, DemoOptions, load};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::common::{TestApp, test_now};

#[tokio::test]
async fn demo_data_follow_the_rules_and_show_in_the_reports() {
    let app = TestApp::new().await;
    let tz = app.state.config.tz;
    let options = DemoOptions {
        cadres: 40,
        sessions_per_cadre: 6,
        activities: 30,
        questions_per_attempt: 10,
        ..Default::default()
    };
    let report = load(app.db(), &options, test_now(), tz)
        .await
        .expect("the demo loads");
    assert_eq!(
        report.units, 31,
        "a street, 7 departments, 18 communities, 5 villages"
    );
    assert_eq!(report.cadres, 40);
    assert_eq!(report.activities, 30);
    assert!(report.sessions > 100);

    // The running totals are what the rules give from the generated sessions.
    let before: Vec<entity::enrollment::Model> = entity::enrollment::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    domain::services::credit::recompute_campaign(app.db(), report.campaign_id)
        .await
        .unwrap();
    let after: Vec<entity::enrollment::Model> = entity::enrollment::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(
        before, after,
        "credited minutes and study completion match the sessions"
    );
    let sessions = entity::study_session::Entity::find()
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(
        sessions as i32,
        before.iter().map(|e| e.session_count).sum::<i32>()
    );
    assert!(before.iter().any(|e| e.study_complete) && before.iter().any(|e| !e.study_complete));

    // The generated accounts work and see the figures.
    let hr = app.token("hr", DEMO_PASSWORD).await;
    let targets = app
        .get(
            &format!("/api/v1/campaigns/{}/targets", report.campaign_id),
            &hr,
        )
        .await
        .expect(200);
    assert_eq!(targets["roster"], 38, "two cadres on long leave are exempt");
    assert_eq!(targets["by_unit"].as_array().unwrap().len(), 31);
    let sifa = app.token("sifa", DEMO_PASSWORD).await;
    let stats = app
        .get(
            &format!(
                "/api/v1/activities/stats?year={}&group_by=kind",
                report.year
            ),
            &sifa,
        )
        .await
        .expect(200);
    assert_eq!(stats["total"]["events"], 30);
    app.get(&format!("/api/v1/reports/annual/{}", report.year), &sifa)
        .await
        .expect(200);

    // A second run refuses, unless forced, and then adds a second street beside the first.
    assert!(load(app.db(), &options, test_now(), tz).await.is_err());
    let second = load(
        app.db(),
        &DemoOptions {
            force: true,
            ..options
        },
        test_now(),
        tz,
    )
    .await
    .expect("forced");
    assert_ne!(second.street, report.street);
    assert_eq!(
        entity::unit::Entity::find().count(app.db()).await.unwrap(),
        62
    );
    // Ids made by the generator leave the sequences usable for what comes after.
    let admin = app.admin_token().await;
    app.make_unit(&admin, "新单位", "other", None).await;
}
