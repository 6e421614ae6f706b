//! `JourneyTracker`: live tracking of customers, with the `#[repr(C)]`
//! structs its hot path fills.

use crate::prelude::*;

/// Live state of many customers on one journey: where each is, what it saw,
/// what comes next.
///
/// Thread-safe: every function below may be called on one tracker from any
/// number of threads at once (customers are spread over locked shards).
/// Strings the tracker returns inside `JourneyNextStep`, `JourneyVisit`
/// and `JourneyPosition` point into the tracker: valid until
/// `journey_tracker_free()`, not NUL-terminated, never to be freed.
pub struct JourneyTracker(pub(crate) journey_core::tracker::Tracker);

/// What `journey_tracker_observe()` did with an event.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyObserved {
    /// Placed in the customer's history.
    Placed = 0,
    /// Older than the reorder window allows: counted, not used.
    Late = 1,
    /// The name is no touchpoint of the journey: counted, not used.
    Unknown = 2,
}

/// Writes what became of an event to `out`, unless it is NULL.
///
/// # Safety
/// `out` must be NULL or writable.
unsafe fn put_observed(out: *mut JourneyObserved, observed: Observed) {
    let observed = match observed {
        Observed::Placed => JourneyObserved::Placed,
        Observed::Late => JourneyObserved::Late,
        Observed::Unknown => JourneyObserved::Unknown,
    };
    if !out.is_null() {
        // SAFETY: non-NULL, and writable by the caller's contract.
        unsafe { out.write(observed) };
    }
}

/// A likely next touchpoint.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct JourneyNextStep {
    /// The touchpoint id (owned by the tracker).
    pub touchpoint: *const c_char,
    /// Its length in bytes.
    pub touchpoint_len: usize,
    /// The probability of going there next.
    pub probability: f64,
}

/// One visit of a customer's history.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct JourneyVisit {
    /// The touchpoint id (owned by the tracker).
    pub touchpoint: *const c_char,
    /// Its length in bytes.
    pub touchpoint_len: usize,
    /// When, in epoch milliseconds.
    pub timestamp_ms: i64,
}

/// Where a customer is.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct JourneyPosition {
    /// The current touchpoint id (owned by the tracker).
    pub touchpoint: *const c_char,
    /// Its length in bytes.
    pub touchpoint_len: usize,
    /// The current stage id (owned by the tracker).
    pub stage: *const c_char,
    /// Its length in bytes.
    pub stage_len: usize,
    /// Since when at this touchpoint (epoch ms).
    pub touchpoint_since_ms: i64,
    /// Since when in this stage (epoch ms).
    pub stage_since_ms: i64,
    /// Time of the latest event (epoch ms).
    pub last_seen_ms: i64,
    /// `last_seen_ms - stage_since_ms`.
    pub time_in_stage_ms: i64,
}

/// Whether and when a customer saw a touchpoint. Whether is exact while the
/// customer is tracked; count and times cover the kept history.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct JourneySeen {
    /// Whether at all (the other fields are 0 when not).
    pub seen: bool,
    /// Whether a visit is still in the kept history (`first_ms` and
    /// `last_ms` are 0 when not).
    pub in_history: bool,
    /// Visits within the kept history.
    pub count: u32,
    /// Earliest visit within the kept history (epoch ms).
    pub first_ms: i64,
    /// Latest visit within the kept history (epoch ms).
    pub last_ms: i64,
}

/// A customer's priority for routing.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct JourneyPriority {
    /// 0 low, 1 normal, 2 high, 3 urgent.
    pub level: u32,
    /// `risk * importance`.
    pub score: f64,
    /// Probability of leaving without reaching a goal from here.
    pub risk: f64,
    /// The current touchpoint's importance.
    pub importance: f64,
}

/// A tracker's counters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct JourneyTrackerStats {
    /// Customers tracked now.
    pub customers: u64,
    /// Events placed.
    pub placed: u64,
    /// Events older than the reorder window allows.
    pub late: u64,
    /// Events naming no touchpoint.
    pub unknown: u64,
    /// Customers evicted (capacity or idle).
    pub evicted: u64,
}

/// Creates a tracker of one journey of a model. `options_json` (NULL for
/// the defaults) sets the history ring, capacity, idle TTL, reorder window,
/// event-name mapping, stay limits and priority thresholds, e.g.
/// `{"history":16,"max_customers":100000,"stage_limits":{"retention":2592000000}}`.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `out` writable.
/// Release `*out` with `journey_tracker_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_new(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut JourneyTracker,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (journey, options) = unsafe {
            (
                journey_arg(model, journey, journey_len)?,
                json_options::<journey_core::tracker::TrackerOptions>(
                    options_json,
                    options_len,
                    "options",
                )?,
            )
        };
        let tracker = journey_core::tracker::Tracker::new(journey, options)?;
        // SAFETY: checked above.
        unsafe { put(out, Box::into_raw(Box::new(JourneyTracker(tracker))), "out") }
    })
}

/// Releases a tracker (NULL is ignored).
///
/// # Safety
/// `tracker` must be NULL or a live tracker no other thread is using; it is
/// invalid afterwards, and so are the strings it returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_free(tracker: *mut JourneyTracker) {
    // SAFETY: the caller passes ownership of a live tracker, or NULL.
    unsafe { release(tracker) }
}

/// Records that a customer met a touchpoint (or an event name mapped to
/// one) at `unix_ms`. Events up to the reorder window older than the
/// customer's latest are placed in time order; later-arriving older ones and
/// unknown names are counted (see `journey_tracker_stats()`), not used.
/// What became of the event is written to `*out_observed` when it is not
/// NULL.
///
/// # Safety
/// `tracker` must be live; strings as in the conventions; `out_observed`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_observe(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    unix_ms: i64,
    out_observed: *mut JourneyObserved,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer, touchpoint) = unsafe {
            (
                handle(tracker, "tracker")?,
                text(customer, customer_len, "customer")?,
                text(touchpoint, touchpoint_len, "touchpoint")?,
            )
        };
        let observed = tracker.0.observe(customer, touchpoint, unix_ms)?;
        // SAFETY: NULL or writable, by the caller's contract.
        unsafe { put_observed(out_observed, observed) };
        Ok(())
    })
}

/// Like `journey_tracker_observe()`, for one event as its source system
/// sends it in JSON (a Segment `track` call, a Zendesk or Intercom event):
/// `options_json` as `JsonOptions` says where its fields are
/// (`{"preset":"segment"}`; NULL for journey's own event shape). A payload
/// without its customer, time or name fails with
/// `JOURNEY_STATUS_INVALID_ARGUMENT`, text that is not JSON with
/// `JOURNEY_STATUS_PARSE_ERROR`.
///
/// # Safety
/// `tracker` must be live; strings as in the conventions; `out_observed`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_observe_json(
    tracker: *const JourneyTracker,
    event_json: *const c_char,
    event_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out_observed: *mut JourneyObserved,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, event, options) = unsafe {
            (
                handle(tracker, "tracker")?,
                text(event_json, event_len, "event_json")?,
                json_options::<journey_core::events::JsonOptions>(
                    options_json,
                    options_len,
                    "options",
                )?,
            )
        };
        let observed = tracker.0.observe_json(event, &options)?;
        // SAFETY: NULL or writable, by the caller's contract.
        unsafe { put_observed(out_observed, observed) };
        Ok(())
    })
}

/// Forgets everything the tracker holds of one customer (a customer's right
/// to erasure): their history, what they saw, their position. Writes whether
/// the customer was tracked to `*out_forgotten` when it is not NULL.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions;
/// `out_forgotten` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_forget(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    out_forgotten: *mut bool,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe {
            (
                handle(tracker, "tracker")?,
                text(customer, customer_len, "customer")?,
            )
        };
        let forgotten = tracker.0.forget(customer);
        if !out_forgotten.is_null() {
            // SAFETY: non-NULL, and writable by the caller's contract.
            unsafe { out_forgotten.write(forgotten) };
        }
        Ok(())
    })
}

/// The tracker and customer arguments shared by the queries.
///
/// # Safety
/// `tracker` NULL or live; `customer` as in the conventions.
pub(crate) unsafe fn tracker_customer<'a>(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
) -> Result<(&'a journey_core::tracker::Tracker, &'a str), Failure> {
    // SAFETY: forwarded caller guarantees.
    unsafe {
        Ok((
            &handle(tracker, "tracker")?.0,
            text(customer, customer_len, "customer")?,
        ))
    }
}

/// The `cap` most likely next touchpoints of a customer, most likely first;
/// `*written` is how many were written (0 for a customer not tracked).
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `out` valid
/// for `cap` writes; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_next(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    out: *mut JourneyNextStep,
    cap: usize,
    written: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let mut next = Vec::with_capacity(cap.min(64));
        tracker.next_into(customer, cap, &mut next);
        let items = next.iter().map(|likely| {
            let (touchpoint, touchpoint_len) = c_str(likely.touchpoint);
            JourneyNextStep {
                touchpoint,
                touchpoint_len,
                probability: likely.probability,
            }
        });
        // SAFETY: forwarded caller guarantees.
        unsafe { put_array(items, out, cap, written) }
    })
}

/// The last `cap` visits of a customer, latest first, optionally only those
/// on a channel (`channel`, NULL for any), in a stage (`stage`, NULL for any)
/// or of a kind (`kind`: -1 any, 0 communication point, 1 action).
///
/// # Safety
/// `tracker` must be live; strings as in the conventions; `out` valid for
/// `cap` writes; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_history(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    channel: *const c_char,
    channel_len: usize,
    stage: *const c_char,
    stage_len: usize,
    kind: i32,
    out: *mut JourneyVisit,
    cap: usize,
    written: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer, channel, stage) = unsafe {
            let (tracker, customer) = tracker_customer(tracker, customer, customer_len)?;
            (
                tracker,
                customer,
                text(channel, channel_len, "channel")?,
                text(stage, stage_len, "stage")?,
            )
        };
        let kind = match kind {
            -1 => None,
            0 => Some(journey_core::TouchpointKind::CommunicationPoint),
            1 => Some(journey_core::TouchpointKind::Action),
            other => return Err(invalid(format!("kind {other} is not -1, 0 or 1"))),
        };
        let filter = journey_core::tracker::HistoryFilter {
            channel: (!channel.is_empty()).then(|| channel.to_owned()),
            kind,
            stage: (!stage.is_empty()).then(|| stage.to_owned()),
        };
        let history = tracker.history(customer, cap, &filter);
        let items = history.iter().map(|visit| {
            let (touchpoint, touchpoint_len) = c_str(visit.touchpoint);
            JourneyVisit {
                touchpoint,
                touchpoint_len,
                timestamp_ms: visit.timestamp,
            }
        });
        // SAFETY: forwarded caller guarantees.
        unsafe { put_array(items, out, cap, written) }
    })
}

/// Whether and when a customer saw a touchpoint (`out->seen` false when
/// never, or for a customer not tracked).
///
/// # Safety
/// `tracker` must be live; strings as in the conventions; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_seen(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    out: *mut JourneySeen,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer, touchpoint) = unsafe {
            let (tracker, customer) = tracker_customer(tracker, customer, customer_len)?;
            (
                tracker,
                customer,
                text(touchpoint, touchpoint_len, "touchpoint")?,
            )
        };
        let seen = tracker
            .seen(customer, touchpoint)
            .map_or(JourneySeen::default(), |s| JourneySeen {
                seen: true,
                in_history: s.last.is_some(),
                count: s.count,
                first_ms: s.first.unwrap_or(0),
                last_ms: s.last.unwrap_or(0),
            });
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, seen, "out") }
    })
}

/// Where a customer is; `*tracked` is false (and `out` untouched) for a
/// customer not tracked.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `tracked` and
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_position(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    tracked: *mut bool,
    out: *mut JourneyPosition,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let position = tracker.position(customer);
        // SAFETY: forwarded caller guarantees.
        unsafe { put(tracked, position.is_some(), "tracked")? };
        if let Some(p) = position {
            let (touchpoint, touchpoint_len) = c_str(p.touchpoint);
            let (stage, stage_len) = c_str(p.stage);
            let value = JourneyPosition {
                touchpoint,
                touchpoint_len,
                stage,
                stage_len,
                touchpoint_since_ms: p.touchpoint_since,
                stage_since_ms: p.stage_since,
                last_seen_ms: p.last_seen,
                time_in_stage_ms: p.time_in_stage_ms,
            };
            // SAFETY: checked non-NULL above.
            unsafe { put(out, value, "out")? };
        }
        Ok(())
    })
}

/// The probability that a customer reaches a goal from where they are;
/// `*tracked` false for a customer not tracked.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `tracked` and
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_goal_probability(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    tracked: *mut bool,
    out: *mut f64,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let probability = tracker.goal_probability(customer);
        // SAFETY: forwarded caller guarantees.
        unsafe {
            put(tracked, probability.is_some(), "tracked")?;
            put(out, probability.unwrap_or(0.0), "out")
        }
    })
}

/// A customer's priority (level from risk × importance against the
/// tracker's thresholds); `*tracked` false for a customer not tracked.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `tracked` and
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_priority(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    tracked: *mut bool,
    out: *mut JourneyPriority,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let priority = tracker.priority(customer);
        let value = priority.map_or(JourneyPriority::default(), |p| JourneyPriority {
            level: p.level as u32,
            score: p.score,
            risk: p.risk,
            importance: p.importance,
        });
        // SAFETY: forwarded caller guarantees.
        unsafe {
            put(tracked, priority.is_some(), "tracked")?;
            put(out, value, "out")
        }
    })
}

/// Customers whose stay at their touchpoint or in their stage exceeds its
/// limit at `now_ms`, as a JSON array, most overdue first.
///
/// # Safety
/// `tracker` must be live; `out` writable; `out_len` NULL or writable.
/// Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_due(
    tracker: *const JourneyTracker,
    now_ms: i64,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let due = tracker.0.due(now_ms);
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &json(&due)?) }
    })
}

/// Evicts customers idle for longer than the tracker's `idle_ttl_ms` at
/// `now_ms`; `*evicted` is how many.
///
/// # Safety
/// `tracker` must be live; `evicted` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_expire(
    tracker: *const JourneyTracker,
    now_ms: i64,
    evicted: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(evicted, "evicted")?;
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let count = tracker.0.expire(now_ms);
        // SAFETY: checked above.
        unsafe { put(evicted, count, "evicted") }
    })
}

/// The tracker's counters.
///
/// # Safety
/// `tracker` must be live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_stats(
    tracker: *const JourneyTracker,
    out: *mut JourneyTrackerStats,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let s = tracker.0.stats();
        let value = JourneyTrackerStats {
            customers: s.customers,
            placed: s.placed,
            late: s.late,
            unknown: s.unknown,
            evicted: s.evicted,
        };
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, value, "out") }
    })
}

/// The whole state as bytes to persist (text: a header line with the
/// format, the body's length and its CRC-32C, then JSON); restore it with
/// `journey_tracker_restore()`.
///
/// # Safety
/// `tracker` must be live; `out` writable; `out_len` NULL or writable.
/// Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_snapshot(
    tracker: *const JourneyTracker,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let bytes = tracker.0.snapshot()?;
        let text = String::from_utf8(bytes)
            .map_err(|e| Failure(JourneyStatus::Internal, e.to_string()))?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &text) }
    })
}

/// A tracker of one journey of a model in the state a snapshot saved.
/// A damaged or forged snapshot (cut, a bit changed, counts that disagree)
/// is `JOURNEY_STATUS_INVALID_SNAPSHOT`; one of another format
/// `JOURNEY_STATUS_UNSUPPORTED_SCHEMA`; one whose tracker would take more
/// memory than restoring allows `JOURNEY_STATUS_LIMIT_EXCEEDED`.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `snapshot` valid for
/// `snapshot_len` bytes; `out` writable. Release `*out` with
/// `journey_tracker_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_restore(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    snapshot: *const c_char,
    snapshot_len: usize,
    out: *mut *mut JourneyTracker,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (journey, bytes) = unsafe {
            (
                journey_arg(model, journey, journey_len)?,
                text(snapshot, snapshot_len, "snapshot")?,
            )
        };
        let tracker = journey_core::tracker::Tracker::restore(journey, bytes.as_bytes())?;
        // SAFETY: checked above.
        unsafe { put(out, Box::into_raw(Box::new(JourneyTracker(tracker))), "out") }
    })
}
