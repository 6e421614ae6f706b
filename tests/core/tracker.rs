//! The live tracker: agreement with the event-log traces on the bundled log,
//! out-of-order placement, queries, eviction, snapshot/restore and threads.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use journey_core::events::{CsvOptions, EventLog, Mapping, UnknownEvents};
use journey_core::tracker::{
    DueReason, HistoryFilter, Observed, PriorityLevel, SNAPSHOT_FORMAT, Seen, Tracker,
    TrackerOptions,
};
use journey_core::{Document, Error, Journey};

fn gym() -> Document {
    common::example("gym.json")
}

fn journey(document: &Document) -> &Journey {
    document.journey("gym").unwrap()
}

fn bundled_log() -> EventLog {
    let mut log = EventLog::new();
    let options = CsvOptions {
        measures: vec!["csat".into(), "ces".into(), "nps".into()],
        ..CsvOptions::default()
    };
    log.read_csv(common::example_text("gym-events.csv").as_bytes(), &options)
        .unwrap();
    log
}

const MINUTE: i64 = 60_000;

#[test]
fn replaying_the_bundled_log_agrees_with_its_traces() {
    let document = gym();
    let journey = journey(&document);
    let log = bundled_log();
    let tracker = Tracker::new(
        journey,
        TrackerOptions {
            history: 500,
            reorder_window_ms: i64::MAX,
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    for event in log.iter() {
        let observed = tracker
            .observe(event.customer, event.name, event.timestamp)
            .unwrap();
        *outcomes.entry(format!("{observed:?}")).or_default() += 1;
    }
    let mapping = Mapping {
        unknown: UnknownEvents::Drop,
        ..Mapping::default()
    };
    let traces = log.traces(Some(journey), &mapping);
    let unknown: u64 = traces.unknown_events.values().sum();
    assert_eq!(outcomes.get("Unknown").copied().unwrap_or(0), unknown);
    assert_eq!(outcomes["Placed"], log.len() as u64 - unknown);
    assert_eq!(tracker.stats().customers, traces.traces.len() as u64);
    // Every seventh customer: position, full history and what they saw.
    for trace in traces.traces.iter().step_by(7) {
        let customer = trace.customer.as_str();
        let last = trace.steps.last().unwrap();
        let position = tracker.position(customer).unwrap();
        assert_eq!(position.touchpoint, last.touchpoint);
        assert_eq!(position.last_seen, last.timestamp);
        let stage = &journey.touchpoint(&last.touchpoint).unwrap().stage;
        assert_eq!(position.stage, stage);
        let history = tracker.history(customer, usize::MAX, &HistoryFilter::default());
        let from_tracker: Vec<(&str, i64)> = history
            .iter()
            .rev()
            .map(|v| (v.touchpoint, v.timestamp))
            .collect();
        let from_traces: Vec<(&str, i64)> = trace
            .steps
            .iter()
            .map(|s| (s.touchpoint.as_str(), s.timestamp))
            .collect();
        assert_eq!(from_tracker, from_traces, "{customer}");
        let first = &trace.steps[0];
        let count = trace
            .steps
            .iter()
            .filter(|s| s.touchpoint == first.touchpoint)
            .count();
        assert_eq!(
            tracker.seen(customer, &first.touchpoint).unwrap().count as usize,
            count
        );
    }
}

#[test]
fn events_out_of_order_are_placed_and_late_ones_counted() {
    let document = gym();
    let tracker = Tracker::new(
        journey(&document),
        TrackerOptions {
            reorder_window_ms: 10 * MINUTE,
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    let t0 = 1_767_225_600_000;
    let observe = |name: &str, minutes: i64| tracker.observe("ann", name, t0 + minutes * MINUTE);
    assert_eq!(observe("online_reviews", 0), Ok(Observed::Placed));
    assert_eq!(observe("free_trial_popup", 20), Ok(Observed::Placed));
    // Five minutes earlier than the latest: placed before it.
    assert_eq!(observe("contact_form", 15), Ok(Observed::Placed));
    // Eleven minutes earlier: outside the window.
    assert_eq!(observe("social_media_pages", 9), Ok(Observed::Late));
    assert_eq!(observe("no_such_page", 21), Ok(Observed::Unknown));
    let history: Vec<&str> = tracker
        .history("ann", 10, &HistoryFilter::default())
        .iter()
        .map(|v| v.touchpoint)
        .collect();
    assert_eq!(
        history,
        ["free_trial_popup", "contact_form", "online_reviews"]
    );
    let position = tracker.position("ann").unwrap();
    assert_eq!(position.touchpoint, "free_trial_popup");
    assert_eq!(position.stage, "consideration");
    // In consideration since the contact form, placed late but earlier.
    assert_eq!(position.stage_since, t0 + 15 * MINUTE);
    assert_eq!(position.touchpoint_since, t0 + 20 * MINUTE);
    assert_eq!(position.time_in_stage_ms, 5 * MINUTE);
    let stats = tracker.stats();
    assert_eq!(
        (stats.placed, stats.late, stats.unknown, stats.customers),
        (3, 1, 1, 1)
    );
    assert!(tracker.seen("ann", "social_media_pages").is_none());
}

#[test]
fn seen_history_filters_next_goal_probability_and_priority() {
    let document = gym();
    let journey = journey(&document);
    let tracker = Tracker::new(journey, TrackerOptions::default()).unwrap();
    let t0 = 1_000_000;
    for (minutes, name) in [
        (0, "online_reviews"),
        (5, "contact_form"),
        (60, "in_person_visit"),
        (70, "facility_tour"),
        (80, "consultation"),
        (90, "free_trial_signup"),
        (95, "orientation"),
        (100, "access_card"),
        (200, "trial_ending_email"),
    ] {
        tracker.observe("bo", name, t0 + minutes * MINUTE).unwrap();
    }
    tracker
        .observe("bo", "in_person_visit", t0 + 300 * MINUTE)
        .unwrap();
    assert_eq!(
        tracker.seen("bo", "in_person_visit"),
        Some(Seen {
            count: 2,
            first: Some(t0 + 60 * MINUTE),
            last: Some(t0 + 300 * MINUTE)
        })
    );
    assert_eq!(tracker.seen("bo", "renewal_offer"), None);
    assert_eq!(tracker.seen("nobody", "in_person_visit"), None);
    let in_person = HistoryFilter {
        channel: Some("in_person".into()),
        ..HistoryFilter::default()
    };
    let visits: Vec<&str> = tracker
        .history("bo", 3, &in_person)
        .iter()
        .map(|v| v.touchpoint)
        .collect();
    assert_eq!(visits, ["in_person_visit", "access_card", "orientation"]);
    let actions = HistoryFilter {
        kind: Some(journey_core::model::TouchpointKind::Action),
        ..HistoryFilter::default()
    };
    let visits: Vec<&str> = tracker
        .history("bo", 5, &actions)
        .iter()
        .map(|v| v.touchpoint)
        .collect();
    assert_eq!(visits, ["access_card", "free_trial_signup"]);
    // From in_person_visit the map goes to facility_tour with 0.9.
    let next = tracker.next("bo", 3);
    assert_eq!(next.len(), 1);
    assert_eq!(
        (next[0].touchpoint, next[0].probability),
        ("facility_tour", 0.9)
    );
    // From the renewal offer: three ways on, most likely first.
    tracker.observe("cy", "renewal_offer", t0).unwrap();
    let next: Vec<(&str, f64)> = tracker
        .next("cy", 2)
        .iter()
        .map(|l| (l.touchpoint, l.probability))
        .collect();
    assert_eq!(next[0], ("follow_up_call", 0.5));
    assert_eq!(next[1].1, 0.2);
    // Goal probability and priority agree with the analysis.
    let analysis = journey_core::analyze(journey, &Default::default()).unwrap();
    let expected = analysis
        .touchpoints
        .iter()
        .find(|t| t.touchpoint == "renewal_offer")
        .unwrap()
        .goal_probability;
    assert_eq!(tracker.goal_probability("cy"), Some(expected));
    let priority = tracker.priority("cy").unwrap();
    assert_eq!(priority.risk, 1.0 - expected);
    assert_eq!(priority.importance, 1.0);
    let level = match priority.score {
        s if s >= 0.75 => PriorityLevel::Urgent,
        s if s >= 0.5 => PriorityLevel::High,
        s if s >= 0.25 => PriorityLevel::Normal,
        _ => PriorityLevel::Low,
    };
    assert_eq!(priority.level, level);
    // trial_ending_email has importance 3: risk counts three times.
    tracker.observe("di", "trial_ending_email", t0).unwrap();
    let priority = tracker.priority("di").unwrap();
    assert_eq!(priority.importance, 3.0);
    assert_eq!(priority.score, priority.risk * 3.0);
    assert_eq!(priority.level, PriorityLevel::Urgent);
    assert!(tracker.priority("nobody").is_none());
}

#[test]
fn due_lists_stays_over_their_limits() {
    let document = gym();
    let day = 24 * 60 * MINUTE;
    let tracker = Tracker::new(
        journey(&document),
        TrackerOptions {
            touchpoint_limits: [("free_trial_signup".to_owned(), 7 * day)].into(),
            stage_limits: [("retention".to_owned(), 30 * day)].into(),
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    tracker.observe("a", "free_trial_signup", 0).unwrap();
    tracker.observe("b", "free_trial_signup", 5 * day).unwrap();
    tracker.observe("c", "trainer_consults", 0).unwrap();
    tracker.observe("c", "renewal_offer", 20 * day).unwrap();
    let due = tracker.due(31 * day);
    let listed: Vec<(&str, DueReason, i64)> = due
        .iter()
        .map(|d| (d.customer.as_str(), d.reason, d.overdue_ms))
        .collect();
    assert_eq!(
        listed,
        [
            ("a", DueReason::Touchpoint, 24 * day),
            ("b", DueReason::Touchpoint, 19 * day),
            ("c", DueReason::Stage, day),
        ]
    );
    assert_eq!(due[2].stage, "retention");
    assert_eq!(due[2].touchpoint, "renewal_offer");
    assert!(tracker.due(7 * day).is_empty());
}

#[test]
fn least_recently_observed_customers_are_evicted_and_idle_ones_expire() {
    let document = gym();
    let tracker = Tracker::new(
        journey(&document),
        TrackerOptions {
            max_customers: 3,
            shards: 1,
            idle_ttl_ms: Some(100),
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    for (customer, time) in [("a", 1), ("b", 2), ("c", 3), ("a", 4), ("d", 5)] {
        tracker.observe(customer, "online_reviews", time).unwrap();
    }
    // b was the least recently observed when d arrived.
    assert!(tracker.position("b").is_none());
    for customer in ["a", "c", "d"] {
        assert!(tracker.position(customer).is_some(), "{customer}");
    }
    assert_eq!(tracker.stats().evicted, 1);
    assert_eq!(tracker.expire(104), 1); // c, last seen at 3
    assert!(tracker.position("c").is_none());
    assert_eq!(tracker.stats().customers, 2);
    assert!(tracker.forget("a"));
    assert!(!tracker.forget("a"));
    assert_eq!(tracker.stats().customers, 1);
}

#[test]
fn a_restored_snapshot_continues_exactly_as_an_uninterrupted_run() {
    let document = gym();
    let journey = journey(&document);
    let log = bundled_log();
    let events: Vec<_> = log.iter().collect();
    let options = TrackerOptions {
        history: 4,
        max_customers: 120,
        shards: 4,
        ..TrackerOptions::default()
    };
    let straight = Tracker::new(journey, options.clone()).unwrap();
    let mut resumed = Tracker::new(journey, options).unwrap();
    let half = events.len() / 2;
    for (k, event) in events.iter().enumerate() {
        if k == half {
            let bytes = resumed.snapshot().unwrap();
            resumed = Tracker::restore(journey, &bytes).unwrap();
        }
        let a = straight.observe(event.customer, event.name, event.timestamp);
        let b = resumed.observe(event.customer, event.name, event.timestamp);
        assert_eq!(a, b);
    }
    assert!(straight.stats().evicted > 0);
    assert_eq!(straight.stats(), resumed.stats());
    assert_eq!(straight.snapshot().unwrap(), resumed.snapshot().unwrap());
    for event in &events {
        let customer = event.customer;
        assert_eq!(straight.position(customer), resumed.position(customer));
        assert_eq!(straight.next(customer, 3), resumed.next(customer, 3));
        assert_eq!(
            straight.history(customer, 4, &HistoryFilter::default()),
            resumed.history(customer, 4, &HistoryFilter::default())
        );
    }
    // Bad snapshots are refused with a reason.
    let bytes = straight.snapshot().unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let other = text.replace("journey-tracker/2", "journey-tracker/9");
    assert!(matches!(
        Tracker::restore(journey, other.as_bytes()),
        Err(Error::UnsupportedSchema { .. })
    ));
    assert!(matches!(
        Tracker::restore(journey, b"{not json"),
        Err(Error::UnsupportedSchema { .. })
    ));
    assert!(matches!(
        Tracker::restore(journey, &frame("{not json")),
        Err(Error::InvalidSnapshot { .. })
    ));
    let shoe = common::example("shoe.json");
    let shoe = &shoe.journeys[0];
    let other = Tracker::restore(shoe, text.as_bytes()).unwrap_err();
    assert_eq!(
        other.kind(),
        journey_core::ErrorKind::InvalidSnapshot,
        "{other}"
    );
    // A customer saved in another shard than its key's would never be
    // found again: refused.
    let mut saved: serde_json::Value = serde_json::from_str(body(&text)).unwrap();
    let shards = saved["shards"].as_array_mut().unwrap();
    let moved = shards[0]["customers"]
        .as_array_mut()
        .unwrap()
        .pop()
        .unwrap();
    shards[1]["customers"].as_array_mut().unwrap().push(moved);
    // (with the counts moved too, so only the shard is wrong)
    for (shard, change) in [(0, -1), (1, 1)] {
        let count = &mut shards[shard]["stats"]["customers"];
        *count = (count.as_i64().unwrap() + change).into();
    }
    let error = Tracker::restore(journey, &frame(&saved.to_string())).unwrap_err();
    assert!(error.to_string().contains("in another shard"), "{error}");
    assert_eq!(error.kind(), journey_core::ErrorKind::InvalidSnapshot);
}

#[test]
fn the_capacity_is_exact_however_the_customers_are_sharded() {
    let document = gym();
    for (max_customers, shards) in [(1, 16), (3, 16), (5, 7), (16, 16), (40, 64)] {
        let tracker = Tracker::new(
            journey(&document),
            TrackerOptions {
                max_customers,
                shards,
                ..TrackerOptions::default()
            },
        )
        .unwrap();
        let keys: Vec<String> = (0..200).map(|k| format!("customer{k}")).collect();
        for (time, key) in keys.iter().enumerate() {
            tracker.observe(key, "online_reviews", time as i64).unwrap();
            let held = keys
                .iter()
                .filter(|k| tracker.position(k).is_some())
                .count();
            assert_eq!(
                held,
                (time + 1).min(max_customers),
                "{max_customers} over {shards}"
            );
            // The newest customer is always kept.
            assert!(tracker.position(key).is_some());
        }
        let stats = tracker.stats();
        assert_eq!(stats.customers, max_customers as u64);
        assert_eq!(stats.evicted, (200 - max_customers) as u64);
    }
}

#[test]
fn threads_never_exceed_the_capacity_together() {
    let document = gym();
    let tracker = Arc::new(
        Tracker::new(
            journey(&document),
            TrackerOptions {
                max_customers: 10,
                shards: 16,
                ..TrackerOptions::default()
            },
        )
        .unwrap(),
    );
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let tracker = Arc::clone(&tracker);
            std::thread::spawn(move || {
                for k in 0..2_000i64 {
                    let customer = format!("t{thread}-{k}");
                    tracker.observe(&customer, "online_reviews", k).unwrap();
                    assert!(tracker.stats().customers <= 10);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let held = (0..4)
        .flat_map(|thread| (0..2_000).map(move |k| format!("t{thread}-{k}")))
        .filter(|k| tracker.position(k).is_some())
        .count();
    let stats = tracker.stats();
    assert_eq!(held, 10);
    assert_eq!(stats.customers, 10);
    assert_eq!(stats.evicted, 8_000 - 10);
}

#[test]
fn threads_observing_at_once_lose_no_event() {
    let document = gym();
    let options = TrackerOptions {
        history: 256,
        ..TrackerOptions::default()
    };
    let tracker = Arc::new(Tracker::new(journey(&document), options).unwrap());
    let names = ["online_reviews", "contact_form", "in_person_visit"];
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let tracker = Arc::clone(&tracker);
            std::thread::spawn(move || {
                for k in 0..5_000i64 {
                    // Customers shared by all threads, and one of each thread's own.
                    let customer = if k % 2 == 0 {
                        format!("shared{}", k / 2 % 50)
                    } else {
                        format!("own{thread}-{}", k / 2 % 100)
                    };
                    tracker
                        .observe(&customer, names[(k % 3) as usize], k)
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let stats = tracker.stats();
    assert_eq!(stats.placed, 20_000);
    assert_eq!(stats.customers, 50 + 4 * 100);
    let seen: u32 = names
        .iter()
        .filter_map(|name| tracker.seen("shared0", name))
        .map(|s| s.count)
        .sum();
    // shared0 is k = 0, 100, 200, … of every thread: 50 events each.
    assert_eq!(seen, 4 * 50);
}

#[test]
fn bad_options_are_refused_with_a_reason() {
    let document = gym();
    let journey = journey(&document);
    let refused = |options: TrackerOptions| Tracker::new(journey, options).unwrap_err();
    let cases = [
        TrackerOptions {
            history: 0,
            ..TrackerOptions::default()
        },
        TrackerOptions {
            shards: 0,
            ..TrackerOptions::default()
        },
        TrackerOptions {
            priority_thresholds: [0.5, 0.2, 0.9],
            ..TrackerOptions::default()
        },
        TrackerOptions {
            stage_limits: [("nowhere".to_owned(), 1)].into(),
            ..TrackerOptions::default()
        },
        TrackerOptions {
            names: [("page".to_owned(), "missing_id".to_owned())].into(),
            ..TrackerOptions::default()
        },
        // Negative durations: a stay limit, the idle time.
        TrackerOptions {
            idle_ttl_ms: Some(-1),
            ..TrackerOptions::default()
        },
        TrackerOptions {
            touchpoint_limits: [("online_reviews".to_owned(), -5)].into(),
            ..TrackerOptions::default()
        },
        TrackerOptions {
            stage_limits: [("awareness".to_owned(), -1)].into(),
            ..TrackerOptions::default()
        },
    ];
    for options in cases {
        assert_eq!(refused(options).code(), "invalid_option");
    }
    let tracker = Tracker::new(journey, TrackerOptions::default()).unwrap();
    assert_eq!(
        tracker.observe("", "online_reviews", 0).unwrap_err().code(),
        "invalid_argument"
    );
}

#[test]
fn mapped_event_names_reach_their_touchpoints() {
    let document = gym();
    let tracker = Tracker::new(
        journey(&document),
        TrackerOptions {
            names: [("/pricing".to_owned(), "free_trial_popup".to_owned())].into(),
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    assert_eq!(tracker.observe("e", "/pricing", 0), Ok(Observed::Placed));
    assert_eq!(
        tracker.position("e").unwrap().touchpoint,
        "free_trial_popup"
    );
    assert!(tracker.seen("e", "/pricing").is_some());
}

#[test]
fn seen_is_exact_beyond_the_kept_history_and_memory_stays_fixed() {
    let document = gym();
    let tracker = Tracker::new(
        journey(&document),
        TrackerOptions {
            history: 2,
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    for (minute, name) in [
        (0, "online_reviews"),
        (1, "contact_form"),
        (2, "in_person_visit"),
        (3, "facility_tour"),
    ] {
        tracker.observe("fay", name, minute * MINUTE).unwrap();
    }
    // Fell out of the two-visit ring, still known to have been seen.
    assert_eq!(
        tracker.seen("fay", "online_reviews"),
        Some(Seen {
            count: 0,
            first: None,
            last: None
        })
    );
    assert_eq!(
        tracker.seen("fay", "facility_tour"),
        Some(Seen {
            count: 1,
            first: Some(3 * MINUTE),
            last: Some(3 * MINUTE)
        })
    );
    let kept: Vec<&str> = tracker
        .history("fay", 10, &HistoryFilter::default())
        .iter()
        .map(|v| v.touchpoint)
        .collect();
    assert_eq!(kept, ["facility_tour", "in_person_visit"]);
}

/// A journey fitted to the bundled log with context of order 3: the tracker
/// predicts each customer's next step from the longest context path their
/// history ends with, exactly as the counts say, and from the map otherwise.
#[test]
fn next_steps_follow_higher_order_context() {
    use journey_core::fit::{FitOptions, fit_traces};

    let document = gym();
    let log = bundled_log();
    let mapping = Mapping {
        unknown: UnknownEvents::Drop,
        ..Mapping::default()
    };
    let traces = log.trace_table(Some(journey(&document)), &mapping);
    let options = FitOptions {
        context_order: 3,
        context_min_count: 3,
        ..FitOptions::default()
    };
    let fitted = fit_traces(Some(journey(&document)), &traces, &options).unwrap();
    assert!(
        fitted.context.len() >= 5,
        "{} context rows",
        fitted.context.len()
    );
    assert!(fitted.context.iter().any(|c| c.path.len() == 3));
    let fitted_document = document.with_journey(fitted.clone());
    let report = fitted_document.validate();
    assert!(
        report.findings.iter().all(|f| !f.path.contains(".context")),
        "{report:?}"
    );
    let json = fitted_document.to_json().unwrap();
    assert_eq!(Document::from_json(&json).unwrap(), fitted_document);

    let tracker = Tracker::new(&fitted, TrackerOptions::default()).unwrap();
    let plain = Tracker::new(journey(&document), TrackerOptions::default()).unwrap();
    for (k, row) in fitted.context.iter().enumerate() {
        let customer = format!("context-{k}");
        for (t, id) in row.path.iter().enumerate() {
            tracker.observe(&customer, id, t as i64 * MINUTE).unwrap();
        }
        let total = (row.next.values().sum::<u64>() + row.ends) as f64;
        let mut expected: Vec<(String, f64)> = row
            .next
            .iter()
            .map(|(id, &n)| (id.clone(), n as f64 / total))
            .collect();
        expected.sort_by(|a, b| b.1.total_cmp(&a.1));
        let got: Vec<(String, f64)> = tracker
            .next(&customer, 20)
            .iter()
            .map(|l| (l.touchpoint.to_owned(), l.probability))
            .collect();
        // The same probabilities in the same order (ties in either order).
        let probabilities = |v: &[(String, f64)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
        assert_eq!(
            probabilities(&got),
            probabilities(&expected),
            "{:?}",
            row.path
        );
        let mut got_sorted = got.clone();
        got_sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut expected_sorted = expected.clone();
        expected_sorted.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got_sorted, expected_sorted, "{:?}", row.path);
    }
    // A customer whose history matches no context path gets the map's next
    // steps, as a tracker without context gives.
    let current = &fitted.context[0].path.last().unwrap().clone();
    tracker.observe("alone", current, 0).unwrap();
    let fitted_plain = Tracker::new(
        &Journey {
            context: Vec::new(),
            ..fitted.clone()
        },
        TrackerOptions::default(),
    )
    .unwrap();
    fitted_plain.observe("alone", current, 0).unwrap();
    assert_eq!(tracker.next("alone", 5), fitted_plain.next("alone", 5));
    // History of one visit: no context can match.
    let short = Tracker::new(
        &fitted,
        TrackerOptions {
            history: 1,
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    let row = &fitted.context[0];
    for (t, id) in row.path.iter().enumerate() {
        short.observe("c", id, t as i64 * MINUTE).unwrap();
        fitted_plain.observe("c", id, t as i64 * MINUTE).unwrap();
    }
    assert_eq!(short.next("c", 5), fitted_plain.next("c", 5));
    drop(plain);
}

/// A tracker's key for customer `n`: short keys are kept in the record,
/// every third one is too long for that.
fn customer_key(n: usize) -> String {
    if n.is_multiple_of(3) {
        format!("customer-with-a-long-key-{n:06}")
    } else {
        format!("c{n}")
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Customers come, are observed, forgotten and evicted (least recently
    /// observed first) while the table grows, reuses removed places and is
    /// rebuilt: every customer's position, history and the counts stay those
    /// of a plain model, before and after a snapshot.
    #[test]
    fn the_table_keeps_every_customer_as_a_model_does(
        ops in proptest::collection::vec((0u8..10, 0usize..150, 0usize..40), 1..700)
    ) {
        const CAPACITY: usize = 60;
        const HISTORY: usize = 3;
        let document = gym();
        let journey = journey(&document);
        let mut ids: Vec<&str> = Vec::new();
        for touchpoint in &journey.touchpoints {
            if !ids.contains(&touchpoint.id.as_str()) {
                ids.push(&touchpoint.id);
            }
        }
        let tracker = Tracker::new(
            journey,
            TrackerOptions {
                max_customers: CAPACITY,
                history: HISTORY,
                shards: 1,
                ..TrackerOptions::default()
            },
        )
        .unwrap();
        // Least recently observed first; each customer's kept visits.
        let mut recency: Vec<String> = Vec::new();
        let mut visits: BTreeMap<String, Vec<(&str, i64)>> = BTreeMap::new();
        let mut evicted = 0;
        for (time, &(op, customer, touchpoint)) in ops.iter().enumerate() {
            let key = customer_key(customer);
            if op == 9 {
                proptest::prop_assert_eq!(tracker.forget(&key), visits.remove(&key).is_some());
                recency.retain(|k| *k != key);
                continue;
            }
            let id = ids[touchpoint % ids.len()];
            proptest::prop_assert_eq!(
                tracker.observe(&key, id, time as i64).unwrap(),
                Observed::Placed
            );
            if !visits.contains_key(&key) && visits.len() == CAPACITY {
                let oldest = recency.remove(0);
                visits.remove(&oldest);
                evicted += 1;
            }
            recency.retain(|k| *k != key);
            recency.push(key.clone());
            let kept = visits.entry(key).or_default();
            kept.push((id, time as i64));
            if kept.len() > HISTORY {
                kept.remove(0);
            }
        }
        let stats = tracker.stats();
        proptest::prop_assert_eq!(stats.customers as usize, visits.len());
        proptest::prop_assert_eq!(stats.evicted, evicted);
        let restored = Tracker::restore(journey, &tracker.snapshot().unwrap()).unwrap();
        for customer in 0..150 {
            let key = customer_key(customer);
            let expected: Vec<(&str, i64)> = visits
                .get(&key)
                .map(|v| v.iter().rev().copied().collect())
                .unwrap_or_default();
            for tracker in [&tracker, &restored] {
                let kept: Vec<(&str, i64)> = tracker
                    .history(&key, 10, &HistoryFilter::default())
                    .iter()
                    .map(|v| (v.touchpoint, v.timestamp))
                    .collect();
                proptest::prop_assert_eq!(&kept, &expected);
                proptest::prop_assert_eq!(
                    tracker.position(&key).map(|p| p.touchpoint),
                    expected.first().map(|v| v.0)
                );
            }
        }
        // The restored tracker, filled up, evicts in the same order.
        for n in visits.len()..CAPACITY {
            restored.observe(&format!("filler-{n}"), ids[0], 10_000).unwrap();
        }
        for (n, key) in recency.iter().enumerate() {
            proptest::prop_assert!(restored.position(key).is_some(), "{} gone early", key);
            restored.observe(&format!("newcomer-{n}"), ids[0], 10_000).unwrap();
            proptest::prop_assert!(restored.position(key).is_none(), "{} kept", key);
        }
    }
}

/// Touchpoints past the record's 64 seen bits are remembered through the
/// table's growth and removals, for every customer.
#[test]
fn seen_touchpoints_past_64_survive_the_table_growing() {
    let journey = journey_core::synthetic::journey(100, 42);
    let ids: Vec<&str> = journey.touchpoints.iter().map(|t| t.id.as_str()).collect();
    let tracker = Tracker::new(
        &journey,
        TrackerOptions {
            history: 2,
            shards: 2,
            ..TrackerOptions::default()
        },
    )
    .unwrap();
    let customers = 500;
    for c in 0..customers {
        for step in 0..3 {
            let id = ids[(c * 7 + step * 31) % ids.len()];
            tracker.observe(&format!("c{c}"), id, step as i64).unwrap();
        }
        if c % 5 == 4 {
            assert!(tracker.forget(&format!("c{}", c - 2)));
        }
    }
    for c in 0..customers {
        let key = format!("c{c}");
        let forgotten = c % 5 == 2 && c + 2 < customers;
        for (t, id) in ids.iter().enumerate() {
            let saw = (0..3).any(|step| (c * 7 + step * 31) % ids.len() == t);
            assert_eq!(
                tracker.seen(&key, id).is_some(),
                saw && !forgotten,
                "{key} {id}"
            );
        }
    }
    assert_eq!(
        tracker.stats().customers as usize,
        customers - customers / 5
    );
}

/// The JSON body of a snapshot (after its header line).
fn body(snapshot: &str) -> &str {
    snapshot.split_once('\n').map_or("", |(_, body)| body)
}

/// A forged snapshot: `body` with a header whose checksum holds.
fn frame(body: &str) -> Vec<u8> {
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI).checksum(body.as_bytes());
    let mut bytes =
        format!("{SNAPSHOT_FORMAT} crc32c={crc:08x} bytes={}\n", body.len()).into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// A small tracker's snapshot: three customers over two shards.
fn small_snapshot(journey: &Journey) -> Vec<u8> {
    let options = TrackerOptions {
        history: 4,
        shards: 2,
        ..TrackerOptions::default()
    };
    let tracker = Tracker::new(journey, options).unwrap();
    for (k, (customer, name)) in [
        ("ann", "online_reviews"),
        ("bo", "website_visit"),
        ("ann", "website_visit"),
        ("cy", "online_reviews"),
    ]
    .into_iter()
    .enumerate()
    {
        tracker.observe(customer, name, 1_000 * k as i64).unwrap();
    }
    tracker.snapshot().unwrap()
}

#[test]
fn every_flipped_bit_and_every_cut_of_a_snapshot_is_refused() {
    let document = gym();
    let journey = journey(&document);
    let snapshot = small_snapshot(journey);
    assert!(Tracker::restore(journey, &snapshot).is_ok());
    let mut damaged = snapshot.clone();
    for byte in 0..snapshot.len() {
        for bit in 0..8 {
            damaged[byte] ^= 1 << bit;
            let restored = Tracker::restore(journey, &damaged);
            assert!(
                restored.is_err(),
                "bit {bit} of byte {byte} flipped was accepted"
            );
            damaged[byte] ^= 1 << bit;
        }
    }
    for length in 0..snapshot.len() {
        let error = Tracker::restore(journey, &snapshot[..length]).unwrap_err();
        assert_eq!(
            error.kind(),
            journey_core::ErrorKind::InvalidSnapshot,
            "{length}: {error}"
        );
    }
    let mut padded = snapshot.clone();
    padded.push(b' ');
    assert!(Tracker::restore(journey, &padded).is_err());
}

#[test]
fn a_forged_snapshot_with_a_good_checksum_is_still_read_strictly() {
    let document = gym();
    let journey = journey(&document);
    let snapshot = String::from_utf8(small_snapshot(journey)).unwrap();
    let body = body(&snapshot);
    let refused = |body: &str| Tracker::restore(journey, &frame(body)).unwrap_err();
    // A damaged key is not a default filled in.
    let error = refused(&body.replace("\"history\"", "\"hist0ry\""));
    assert_eq!(
        error.kind(),
        journey_core::ErrorKind::InvalidSnapshot,
        "{error}"
    );
    assert!(
        error.to_string().contains("unknown field `hist0ry`"),
        "{error}"
    );
    // Another spelling of the same body (space, a repeated map key).
    let error = refused(&body.replacen(':', ": ", 1));
    assert!(
        error.to_string().contains("not as a snapshot writes it"),
        "{error}"
    );
    let error = refused(&body.replace(
        "\"names\":{}",
        "\"names\":{\"a\":\"online_reviews\",\"a\":\"online_reviews\"}",
    ));
    assert!(
        error.to_string().contains("not as a snapshot writes it"),
        "{error}"
    );
    // A count that disagrees with what it counts: a later expire would wrap.
    let mut saved: serde_json::Value = serde_json::from_str(body).unwrap();
    saved["shards"][0]["stats"]["customers"] = 1_000_000_000_000_000u64.into();
    let error = refused(&saved.to_string());
    assert!(error.to_string().contains("count of customers"), "{error}");
    // A long history in many shards: refused before anything is allocated.
    let mut saved: serde_json::Value = serde_json::from_str(body).unwrap();
    saved["options"]["history"] = 65_535.into();
    saved["options"]["shards"] = 64.into();
    let empty = serde_json::json!({"stats": {"customers": 0, "placed": 0, "late": 0, "unknown": 0, "evicted": 0}, "customers": []});
    saved["shards"] = serde_json::Value::Array(vec![empty; 64]);
    let error = refused(&saved.to_string());
    assert_eq!(
        error.kind(),
        journey_core::ErrorKind::LimitExceeded,
        "{error}"
    );
    // The snapshot of the first format, JSON without a header.
    let error = Tracker::restore(journey, body.as_bytes()).unwrap_err();
    assert_eq!(
        error.kind(),
        journey_core::ErrorKind::UnsupportedSchema,
        "{error}"
    );
}
