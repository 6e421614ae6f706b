//! Property tests: lossless round trip, and no panic on arbitrary documents
//! or arbitrary text.

use journey_core::{
    Channel, Direction, Document, Entry, Journey, MeasureDefinition, MeasureValue, Persona, Scale,
    Stage, Status, Touchpoint, TouchpointKind, Transition,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Ids from a small alphabet, so that references often hit and sometimes dangle.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => (0u8..6).prop_map(|n| format!("n{n}")),
        1 => "[a-z_]{0,3}",
    ]
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -3.0f64..3.0,
        1 => prop::num::f64::NORMAL,
        1 => Just(0.0),
        1 => Just(1.0),
    ]
}

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![
        (0usize..16).prop_map(|i| Channel::BUILT_IN[i].clone()),
        "[a-z]{1,6}".prop_map(|name| Channel::parse(&name)),
    ]
}

fn extra() -> impl Strategy<Value = journey_core::Extra> {
    prop::collection::btree_map(
        "x_[a-z]{1,4}",
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            "[ -~]{0,8}".prop_map(Value::from),
            Just(json!({"nested": [1, "two", null]})),
        ],
        0..2,
    )
}

fn touchpoint() -> impl Strategy<Value = Touchpoint> {
    (
        (
            id(),
            "[ -~]{0,10}",
            id(),
            channel(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            prop::option::of(number()),
            prop::option::of(number()),
            prop::collection::btree_map(
                "csat|nps|ces|q",
                (number(), prop::option::of(0u64..1000)),
                0..3,
            ),
            prop::collection::vec("[ -~]{0,12}", 0..2),
            extra(),
        ),
    )
        .prop_map(
            |(
                (id, name, stage, channel, action, missing),
                (emotion, importance, measures, pains, extra),
            )| {
                let mut touchpoint = Touchpoint::new(id, name, stage).channel(channel);
                if action {
                    touchpoint = touchpoint.kind(TouchpointKind::Action);
                }
                if missing {
                    touchpoint.status = Status::Missing;
                }
                touchpoint.emotion = emotion;
                touchpoint.importance = importance;
                touchpoint.pain_points = pains;
                for (key, (value, sample_size)) in measures {
                    touchpoint.measures.insert(
                        key,
                        MeasureValue {
                            value,
                            sample_size,
                            extra: Default::default(),
                        },
                    );
                }
                touchpoint.extra = extra;
                touchpoint
            },
        )
}

fn transition() -> impl Strategy<Value = Transition> {
    (
        id(),
        id(),
        prop::option::of(prop_oneof![0.0f64..1.0, number()]),
        prop::option::of(0u64..50),
        prop::option::of(0.0f64..1e6),
        prop::option::of("[a-z ]{0,8}"),
    )
        .prop_map(
            |(from, to, probability, count, duration, label)| Transition {
                from,
                to,
                probability,
                count,
                duration,
                label,
                extra: Default::default(),
            },
        )
}

fn journey() -> impl Strategy<Value = Journey> {
    (
        id(),
        prop::collection::vec(id(), 0..4),
        prop::collection::vec(touchpoint(), 0..8),
        prop::collection::vec(transition(), 0..14),
        prop::collection::vec((id(), prop_oneof![Just(1.0), 0.0f64..5.0, number()]), 0..3),
        prop::collection::vec(id(), 0..3),
        prop::collection::vec(id(), 0..2),
        extra(),
    )
        .prop_map(
            |(id, stages, touchpoints, transitions, entries, goals, personas, extra)| Journey {
                id,
                name: "generated".into(),
                stages: stages
                    .into_iter()
                    .map(|s| Stage::new(s.clone(), s))
                    .collect(),
                touchpoints,
                transitions,
                entries: entries
                    .into_iter()
                    .map(|(touchpoint, weight)| Entry {
                        touchpoint,
                        weight,
                        extra: Default::default(),
                    })
                    .collect(),
                goals,
                personas,
                extra,
                ..Default::default()
            },
        )
}

fn measure() -> impl Strategy<Value = MeasureDefinition> {
    (
        "csat|nps|ces|q",
        prop_oneof![
            (number(), number()).prop_map(|(min, max)| Scale::Score { min, max }),
            Just(Scale::Ratio),
            Just(Scale::Duration),
            Just(Scale::Count),
        ],
        any::<bool>(),
        prop::option::of(number()),
    )
        .prop_map(|(key, scale, lower, target)| {
            let mut measure = MeasureDefinition::new(key.clone(), key, scale);
            if lower {
                measure = measure.direction(Direction::LowerIsBetter);
            }
            measure.target = target;
            measure
        })
}

fn document() -> impl Strategy<Value = Document> {
    (
        prop::collection::vec(
            (id(), prop::collection::vec(channel(), 0..2), extra()).prop_map(
                |(id, channels, extra)| {
                    let mut persona = Persona::new(id, "someone").attribute("age", 30);
                    persona.preferred_channels = channels;
                    persona.extra = extra;
                    persona
                },
            ),
            0..3,
        ),
        prop::collection::vec(measure(), 0..3),
        prop::collection::vec(journey(), 0..3),
        extra(),
    )
        .prop_map(|(personas, measures, journeys, extra)| Document {
            personas,
            measures,
            journeys,
            extra,
            ..Document::new()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_serialize_parse_is_the_identity(document in document()) {
        let text = document.to_json().unwrap();
        let parsed = Document::from_json(&text).unwrap();
        prop_assert_eq!(&parsed, &document);
        prop_assert_eq!(parsed.to_json().unwrap(), text);
    }

    #[test]
    fn validate_never_panics_and_is_deterministic(document in document()) {
        let report = document.validate();
        prop_assert_eq!(&report, &document.validate());
        for finding in &report.findings {
            prop_assert!(!finding.message.is_empty());
            prop_assert!(!finding.path.is_empty());
        }
    }

    #[test]
    fn the_builder_never_yields_an_invalid_journey(journey in journey()) {
        let mut builder = Journey::builder(journey.id.clone(), journey.name.clone());
        for stage in journey.stages { builder = builder.stage_with(stage); }
        for touchpoint in journey.touchpoints { builder = builder.touchpoint(touchpoint); }
        for transition in journey.transitions { builder = builder.transition(transition); }
        for entry in journey.entries { builder = builder.entry(entry.touchpoint, entry.weight); }
        for goal in journey.goals { builder = builder.goal(goal); }
        if let Ok(built) = builder.build() {
            prop_assert!(journey_core::validate::validate_journey(&built).is_valid());
        }
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = Document::from_json(&text);
    }

    #[test]
    fn parsing_mangled_documents_never_panics(cut in 0usize..4000, insert in "[\\[\\]{}\",:0-9a-z]{0,4}") {
        let text = include_str!("../../examples/data/shoe.json");
        let cut = cut.min(text.len());
        if text.is_char_boundary(cut) {
            let mangled = format!("{}{}{}", &text[..cut], insert, &text[cut..]);
            if let Ok(document) = Document::from_json(&mangled) {
                let _ = document.validate();
            }
        }
    }
}
