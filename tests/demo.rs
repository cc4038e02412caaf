//! `xuefa demo`: the generated district is consistent with the rules, each street's
//! accounts see their own street, and it refuses to mix into a database that already
//! holds data unless told to.

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
        report.units, 94,
        "a district of three streets, each with 7 departments, 18 communities, 5 villages"
    );
    assert_eq!(report.cadres, 120, "40 per street");
    assert_eq!(report.activities, 90);
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
    assert_eq!(
        targets["roster"], 38,
        "the street's own cadres, two on long leave exempt"
    );
    assert_eq!(targets["by_unit"].as_array().unwrap().len(), 31);
    let district_hr = app.token("qu-hr", DEMO_PASSWORD).await;
    let district = app
        .get(
            &format!("/api/v1/campaigns/{}/targets", report.campaign_id),
            &district_hr,
        )
        .await
        .expect(200);
    assert_eq!(
        district["roster"],
        3 * 38,
        "the district's campaign over its streets"
    );
    let street_campaign = report
        .street_campaign_id
        .expect("a second street runs its own");
    let path = format!("/api/v1/campaigns/{street_campaign}");
    app.get(&path, &hr).await.expect(404);
    let own_hr = app.token("hjy-hr", DEMO_PASSWORD).await;
    assert_eq!(
        app.get(&path, &own_hr).await.expect(200)["owner_unit_id"],
        app.get("/api/v1/me", &own_hr).await.expect(200)["scope_unit_id"]
    );
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

    // A second run refuses, unless forced, and then adds a second district beside the first.
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
    assert_ne!(second.district, report.district);
    assert_eq!(
        entity::unit::Entity::find().count(app.db()).await.unwrap(),
        188
    );
    // Ids made by the generator leave the sequences usable for what comes after.
    let admin = app.admin_token().await;
    app.make_unit(&admin, "新单位", "other", None).await;
}
