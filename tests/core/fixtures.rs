//! The bundled fixtures: the gym journey (as JSON and as Rust builder code)
//! and the non-linear shoe-shopper journey.

mod common;

use journey_core::{
    Channel, Code, Direction, Document, Journey, MeasureDefinition, Persona, Scale, Severity,
    Stage, Touchpoint, TouchpointKind, Transition,
};
use serde_json::{Value, json};

fn stage(id: &str, name: &str, actions: &[&str], thoughts: &[&str]) -> Stage {
    let stage = actions
        .iter()
        .fold(Stage::new(id, name), |stage, action| stage.action(*action));
    thoughts
        .iter()
        .fold(stage, |stage, thought| stage.thought(*thought))
}

fn tp(id: &str, name: &str, stage: &str, channel: Channel) -> Touchpoint {
    Touchpoint::new(id, name, stage).channel(channel)
}

fn p(from: &str, to: &str, probability: f64) -> Transition {
    Transition::new(from, to).probability(probability)
}

/// The gym journey of the domain guide, written with the builders.
fn gym_in_rust() -> Document {
    use Channel::*;
    let persona = Persona::new("fitness_beginner", "Jordan, the fitness beginner")
        .description(
            "Office worker in their thirties who wants to get fit but has never had a gym membership.",
        )
        .goal("Get health and fitness on track")
        .goal("Find classes and a trainer that fit a work schedule")
        .motivation("Gets winded climbing a flight of stairs")
        .motivation("A gym close to work makes a habit easier")
        .pain_point("Hates calling to ask questions")
        .pain_point("Cannot see class schedules without visiting")
        .preferred_channel(Web)
        .preferred_channel(Social)
        .preferred_channel(InPerson)
        .attribute("age", 34)
        .attribute("occupation", "office worker")
        .attribute("location", "city centre");
    let score = |min, max| Scale::Score { min, max };
    let journey = Journey::builder("gym", "Joining a gym")
        .description("From researching local gyms to recommending one to friends.")
        .scope(
            "Decides to get fit and looks for a gym",
            "Refers friends or gives a testimonial",
        )
        .persona("fitness_beginner")
        .stage_with(stage(
            "awareness",
            "Awareness",
            &["Researches local gyms online", "Reads reviews", "Compares membership options"],
            &[
                "I can't go up a flight of stairs without getting winded; I need to get my health and fitness on track.",
                "I wish I knew someone who could recommend this gym.",
            ],
        ))
        .stage_with(stage(
            "consideration",
            "Consideration",
            &["Views the gym's social media", "Visits the website", "Views the membership pricing page"],
            &[
                "This gym looks clean and modern from the photos.",
                "I hate calling the gym, but I'd like to learn more about personal training or class options.",
            ],
        ))
        .stage_with(stage(
            "conversion",
            "Conversion",
            &["Visits the gym for a tour", "Meets a membership consultant", "Maybe signs up for a free trial"],
            &[
                "The staff was friendly and it was easy to sign up.",
                "I wish I could see what classes they offer and weekly schedules without having to visit the gym.",
            ],
        ))
        .stage_with(stage(
            "retention",
            "Retention",
            &["Visits regularly", "Joins classes", "Works with personal trainers", "Maybe pays for membership after the trial"],
            &["Maybe I should compare options again.", "I wish I knew someone who could work out with me."],
        ))
        .stage_with(stage(
            "advocacy",
            "Loyalty and advocacy",
            &["Refers friends and coworkers", "Promotes the gym on social media", "Keeps attending classes"],
            &[
                "My coworker would love this gym since it's so close to work.",
                "I love that teacher. I'm going to try some of her other classes.",
            ],
        ))
        .touchpoint(tp("online_reviews", "Online reviews", "awareness", ReviewSite).emotion(-0.5))
        .touchpoint(tp("social_media_pages", "Social media pages", "awareness", Social).owner("Marketing").emotion(0.5))
        .touchpoint(
            tp("success_stories", "Success stories pinned on social media", "awareness", Social)
                .owner("Marketing")
                .missing()
                .opportunity("Answer \"I wish I knew someone who could recommend this gym\""),
        )
        .touchpoint(
            tp("contact_form", "Contact form", "consideration", Web)
                .owner("Front desk")
                .emotion(-1.0)
                .pain_point("Has to wait for a call back to learn about classes")
                .importance(2.0)
                .measure("ces", 5.2, Some(40)),
        )
        .touchpoint(tp("free_trial_popup", "Free-trial request pop-up", "consideration", Web).owner("Marketing").emotion(0.5))
        .touchpoint(
            tp("live_chat", "Live chat for prospects", "consideration", Chat)
                .missing()
                .opportunity("Questions answered without a phone call"),
        )
        .touchpoint(tp("in_person_visit", "In-person visit", "conversion", InPerson).owner("Front desk").emotion(1.0))
        .touchpoint(tp("facility_tour", "Facility tour", "conversion", InPerson).owner("Front desk").emotion(1.5))
        .touchpoint(
            tp("consultation", "Membership consultation", "conversion", InPerson)
                .owner("Sales")
                .emotion(1.0)
                .measure("csat", 4.4, Some(85)),
        )
        .touchpoint(
            tp("free_trial_signup", "Free-trial sign-up", "conversion", Web)
                .kind(TouchpointKind::Action)
                .owner("Sales")
                .emotion(1.5)
                .measure("csat", 4.6, Some(85)),
        )
        .touchpoint(tp("orientation", "Orientation session", "conversion", InPerson).owner("Trainers").emotion(1.0))
        .touchpoint(
            tp("access_card", "Gym access card", "conversion", InPerson)
                .kind(TouchpointKind::Action)
                .owner("Front desk")
                .emotion(0.5),
        )
        .touchpoint(
            tp("mobile_app", "Mobile app", "conversion", MobileApp)
                .missing()
                .opportunity("Progress tracking")
                .opportunity("Class schedules")
                .opportunity("Trainer booking")
                .opportunity("Recommendations"),
        )
        .touchpoint(tp("trainer_consults", "Personal trainer consults", "retention", InPerson).owner("Trainers").emotion(1.5))
        .touchpoint(
            tp("trial_ending_email", "Free trial ends reminder", "retention", Email)
                .owner("Marketing")
                .emotion(-1.0)
                .thought("Maybe I should compare options again.")
                .pain_point("Reminder arrives the day the trial ends")
                .importance(3.0)
                .measure("csat", 3.1, Some(120)),
        )
        .touchpoint(tp("renewal_offer", "Personalized renewal offer", "retention", Email).owner("Sales").emotion(0.5))
        .touchpoint(
            tp("follow_up_call", "Follow-up call", "retention", Phone)
                .owner("Sales")
                .emotion(-0.5)
                .importance(1.5)
                .measure("ces", 4.8, Some(60)),
        )
        .touchpoint(
            tp("community_events", "Community events", "retention", Event)
                .missing()
                .opportunity("Workshops and challenges: \"I wish I knew someone who could work out with me\""),
        )
        .touchpoint(
            tp("referral_program", "Referral program", "advocacy", WordOfMouth)
                .owner("Marketing")
                .emotion(1.5)
                .measure("nps", 42.0, Some(200)),
        )
        .touchpoint(tp("social_engagement", "Social media engagement", "advocacy", Social).owner("Marketing").emotion(1.0))
        .touchpoint(tp("written_review", "Written review", "advocacy", ReviewSite).emotion(1.0))
        .touchpoint(tp("testimonial", "Testimonial", "advocacy", Web).owner("Marketing").emotion(2.0))
        .touchpoint(tp("loyalty_rewards", "Loyalty rewards program", "advocacy", Web).missing())
        .transition(p("online_reviews", "contact_form", 0.3))
        .transition(p("online_reviews", "free_trial_popup", 0.4))
        .transition(p("social_media_pages", "free_trial_popup", 0.5))
        .transition(p("social_media_pages", "online_reviews", 0.2))
        .transition(p("contact_form", "in_person_visit", 0.6).duration(172_800.0))
        .transition(p("free_trial_popup", "free_trial_signup", 0.5))
        .transition(p("free_trial_popup", "contact_form", 0.2))
        .transition(p("in_person_visit", "facility_tour", 0.9))
        .transition(p("facility_tour", "consultation", 0.8))
        .transition(p("consultation", "free_trial_signup", 0.7))
        .transition(p("free_trial_signup", "orientation", 0.9))
        .transition(p("orientation", "access_card", 1.0))
        .transition(p("access_card", "trainer_consults", 0.8))
        .transition(p("access_card", "trial_ending_email", 0.2))
        .transition(p("trainer_consults", "trial_ending_email", 1.0))
        .transition(p("trial_ending_email", "renewal_offer", 0.7))
        .transition(p("trial_ending_email", "contact_form", 0.1).label("compares options again"))
        .transition(p("renewal_offer", "follow_up_call", 0.5))
        .transition(p("renewal_offer", "referral_program", 0.2))
        .transition(p("renewal_offer", "social_engagement", 0.2))
        .transition(p("follow_up_call", "social_engagement", 0.3))
        .transition(p("follow_up_call", "written_review", 0.3))
        .transition(p("follow_up_call", "renewal_offer", 0.2))
        .transition(p("social_engagement", "referral_program", 0.4))
        .transition(p("social_engagement", "written_review", 0.2))
        .transition(p("written_review", "testimonial", 0.5))
        .entry("online_reviews", 3.0)
        .entry("social_media_pages", 2.0)
        .goal("referral_program")
        .goal("testimonial")
        .build()
        .expect("the gym journey is valid");
    Document::builder()
        .persona(persona)
        .measure(
            MeasureDefinition::new("csat", "Customer satisfaction", score(1.0, 5.0)).target(4.0),
        )
        .measure(
            MeasureDefinition::new("ces", "Customer effort", score(1.0, 7.0))
                .direction(Direction::LowerIsBetter)
                .target(3.0),
        )
        .measure(
            MeasureDefinition::new("nps", "Net Promoter Score", score(-100.0, 100.0)).target(30.0),
        )
        .journey(journey)
        .build()
        .expect("the gym document is valid")
}

#[test]
fn gym_json_equals_gym_built_in_rust() {
    let from_json = common::example("gym.json");
    let from_rust = gym_in_rust();
    assert_eq!(from_json, from_rust);
    // And they serialize to the same bytes.
    assert_eq!(from_json.to_json().unwrap(), from_rust.to_json().unwrap());
}

#[test]
fn gym_reports_its_five_missing_touchpoints() {
    let document = common::example("gym.json");
    let report = document.validate();
    assert!(report.is_valid(), "{:?}", report.findings);
    let journey = document.journey("gym").unwrap();
    let missing: Vec<&str> = journey
        .missing_touchpoints()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(
        missing,
        [
            "success_stories",
            "live_chat",
            "mobile_app",
            "community_events",
            "loyalty_rewards"
        ]
    );
    // One per stage, as in the guide.
    for stage in &journey.stages {
        assert_eq!(
            journey
                .missing_touchpoints()
                .filter(|t| t.stage == stage.id)
                .count(),
            1,
            "stage {}",
            stage.id
        );
    }
}

#[test]
fn shoe_journey_validates_without_errors_and_is_non_linear() {
    let document = common::example("shoe.json");
    let report = document.validate();
    assert_eq!(report.errors().count(), 0, "{:?}", report.findings);
    let journey = document.journey("shoe").unwrap();
    let graph = journey_core::JourneyGraph::new(journey);
    let back_jumps: Vec<(String, String)> = graph
        .stage_graph()
        .into_iter()
        .filter(|edge| edge.step == journey_core::StageStep::Back)
        .map(|edge| (edge.from, edge.to))
        .collect();
    assert_eq!(
        back_jumps,
        [
            ("purchase".to_owned(), "consideration".to_owned()),
            ("post_purchase".to_owned(), "consideration".to_owned())
        ]
    );
    assert_eq!(document.personas[0].attributes["age"], json!(36));
}

/// Applies a JSON edit to the gym document.
fn broken_gym(edit: impl FnOnce(&mut Value)) -> Document {
    let mut value: Value = serde_json::from_str(&common::example_text("gym.json")).unwrap();
    edit(&mut value);
    Document::from_json(&value.to_string()).unwrap()
}

#[test]
fn gym_broken_four_ways_reports_all_four_with_locations() {
    let document = broken_gym(|doc| {
        let journey = &mut doc["journeys"][0];
        // 1. a dangling stage reference
        journey["touchpoints"][7]["stage"] = json!("onboarding");
        // 2. a probability of 1.7
        journey["transitions"][0]["probability"] = json!(1.7);
        // 3. an emotion of 9
        journey["touchpoints"][0]["emotion"] = json!(9);
        // 4. a duplicated touchpoint id
        journey["touchpoints"][4]["id"] = json!("contact_form");
    });
    let report = document.validate();
    let errors: Vec<(Code, &str)> = report.errors().map(|f| (f.code, f.path.as_str())).collect();
    for expected in [
        (
            Code::DanglingReference,
            "journeys[gym].touchpoints[facility_tour].stage",
        ),
        (
            Code::ProbabilityOutOfRange,
            "journeys[gym].transitions[0].probability",
        ),
        (
            Code::EmotionOutOfRange,
            "journeys[gym].touchpoints[online_reviews].emotion",
        ),
        (Code::DuplicateId, "journeys[gym].touchpoints[4].id"),
    ] {
        assert!(
            errors.contains(&expected),
            "{expected:?} not in {errors:#?}"
        );
    }
    assert!(report.findings.iter().all(|f| !f.message.is_empty()));
    assert!(matches!(
        report.into_result(),
        Err(journey_core::Error::Invalid { .. })
    ));
}

#[test]
fn findings_carry_severity_and_stable_codes() {
    let document = broken_gym(|doc| {
        // The testimonial becomes an ordinary touchpoint with no way out.
        doc["journeys"][0]["goals"] = json!(["referral_program"]);
    });
    let report = document.validate();
    assert!(report.is_valid());
    let dead_end = report
        .warnings()
        .find(|f| f.code == Code::DeadEnd)
        .expect("a dead-end warning");
    assert_eq!(dead_end.severity, Severity::Warning);
    assert_eq!(dead_end.path, "journeys[gym].touchpoints[testimonial]");
    assert_eq!(dead_end.code.as_str(), "dead_end");
}
