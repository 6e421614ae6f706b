//! `Tracker`: live tracking of customers.

use crate::model::JourneyModel;
use crate::prelude::*;

/// Live state of many customers on one journey, for helpdesks: where each
/// customer is, what they saw, what comes next, who needs attention.
///
/// Call `free()` when done, or let it be garbage-collected.
#[wasm_bindgen]
pub struct Tracker {
    tracker: journey_core::tracker::Tracker,
}

#[wasm_bindgen]
impl Tracker {
    /// A tracker of one journey of a model. Throws `not_found` for an
    /// unknown journey and `invalid_option` for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        model: &JourneyModel,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        options: Option<TrackerOptionsArg>,
    ) -> Result<Tracker, JsValue> {
        let journey = &string(journey, "journey")?;
        let journey = model.journey_by_id(journey)?;
        let options = optional(options.map(JsValue::from))?;
        let tracker = journey_core::tracker::Tracker::new(journey, options).map_err(to_js_error)?;
        Ok(Tracker { tracker })
    }

    /// A tracker in the state `snapshot()` saved, for the same journey. A
    /// damaged or forged snapshot throws `invalid_snapshot`, one of another
    /// format `unsupported_schema`.
    pub fn restore(
        model: &JourneyModel,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        snapshot: &[u8],
    ) -> Result<Tracker, JsValue> {
        let journey = &string(journey, "journey")?;
        let journey = model.journey_by_id(journey)?;
        let tracker =
            journey_core::tracker::Tracker::restore(journey, snapshot).map_err(to_js_error)?;
        Ok(Tracker { tracker })
    }

    /// Records that a customer met a touchpoint (or mapped event name) at
    /// `time` (epoch ms): `"placed"`, `"late"` or `"unknown"`.
    #[wasm_bindgen(unchecked_return_type = "Observed")]
    pub fn observe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] touchpoint: JsValue,
        time: f64,
    ) -> Result<JsValue, JsValue> {
        let customer = &string(customer, "customer")?;
        let touchpoint = &string(touchpoint, "touchpoint")?;
        let observed = self
            .tracker
            .observe(customer, touchpoint, epoch_ms(time, "time")?)
            .map_err(to_js_error)?;
        to_js(&observed)
    }

    /// Where the customer is, or `undefined` when not tracked.
    #[wasm_bindgen(unchecked_return_type = "Position | undefined")]
    pub fn position(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
    ) -> Result<JsValue, JsValue> {
        let customer = &string(customer, "customer")?;
        to_js_or_undefined(self.tracker.position(customer))
    }

    /// The customer's last `n` visits passing `filter`, latest first.
    #[wasm_bindgen(unchecked_return_type = "Visit[]")]
    pub fn history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
        n: f64,
        filter: Option<HistoryFilterArg>,
    ) -> Result<JsValue, JsValue> {
        let customer = &string(customer, "customer")?;
        let n = count(n, "n")?;
        let filter = optional(filter.map(JsValue::from))?;
        to_js(&self.tracker.history(customer, n, &filter))
    }

    /// Whether and when the customer saw a touchpoint: `undefined` when never.
    #[wasm_bindgen(unchecked_return_type = "Seen | undefined")]
    pub fn seen(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] touchpoint: JsValue,
    ) -> Result<JsValue, JsValue> {
        let customer = &string(customer, "customer")?;
        let touchpoint = &string(touchpoint, "touchpoint")?;
        to_js_or_undefined(self.tracker.seen(customer, touchpoint))
    }

    /// The `k` most likely next touchpoints, most likely first.
    #[wasm_bindgen(unchecked_return_type = "Likely[]")]
    pub fn next(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
        k: f64,
    ) -> Result<JsValue, JsValue> {
        let customer = &string(customer, "customer")?;
        let k = count(k, "k")?;
        to_js(&self.tracker.next(customer, k))
    }

    /// Probability of reaching a goal from where the customer is.
    #[wasm_bindgen(js_name = goalProbability)]
    pub fn goal_probability(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
    ) -> Result<Option<f64>, JsValue> {
        Ok(self
            .tracker
            .goal_probability(&string(customer, "customer")?))
    }

    /// The customer's priority, or `undefined` when not tracked.
    #[wasm_bindgen(unchecked_return_type = "Priority | undefined")]
    pub fn priority(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
    ) -> Result<JsValue, JsValue> {
        let customer = &string(customer, "customer")?;
        to_js_or_undefined(self.tracker.priority(customer))
    }

    /// Customers over their stay limits at `now` (epoch ms), most overdue first.
    #[wasm_bindgen(unchecked_return_type = "Due[]")]
    pub fn due(&self, now: f64) -> Result<JsValue, JsValue> {
        to_js(&self.tracker.due(epoch_ms(now, "now")?))
    }

    /// Evicts customers idle longer than `idle_ttl_ms` at `now`; how many.
    pub fn expire(&self, now: f64) -> Result<usize, JsValue> {
        Ok(self.tracker.expire(epoch_ms(now, "now")?))
    }

    /// Forgets a customer; whether it was tracked.
    pub fn forget(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] customer: JsValue,
    ) -> Result<bool, JsValue> {
        Ok(self.tracker.forget(&string(customer, "customer")?))
    }

    /// Counters: customers, placed, late, unknown, evicted.
    #[wasm_bindgen(unchecked_return_type = "TrackerStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(&self.tracker.stats())
    }

    /// The whole state as bytes (versioned JSON) to persist.
    pub fn snapshot(&self) -> Result<Vec<u8>, JsValue> {
        self.tracker.snapshot().map_err(to_js_error)
    }
}

/// The event payloads of the `journey-wasm/full` build.
#[cfg(feature = "full")]
#[wasm_bindgen]
impl Tracker {
    /// `observe` of one event as its source system sends it (a Segment
    /// `track` call, a Zendesk or Intercom event, …), as JSON text or as
    /// the parsed object, its fields found as `EventLog.readJson` finds
    /// them. A payload without its customer, time or name is refused with
    /// `invalid_argument`.
    #[wasm_bindgen(js_name = observeJson, unchecked_return_type = "Observed")]
    pub fn observe_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | object")] event: JsValue,
        options: Option<JsonOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let event = if event.is_string() {
            string(event, "event")?
        } else {
            json_text(&event, "event")?
        };
        let options: journey_core::events::JsonOptions = optional(options.map(JsValue::from))?;
        let observed = self.tracker.observe_json(&event, &options);
        to_js(&observed.map_err(to_js_error)?)
    }
}
