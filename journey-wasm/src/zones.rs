//! Time-zone names in the WebAssembly build, which carries no tz database:
//! the JS engine's (`Intl.DateTimeFormat`, through the entry modules'
//! `zones` in `common.js`), given to core as its zone lookup when the
//! package loads.

use std::cell::RefCell;
use std::sync::Arc;

use journey_core::events::ZoneRules;

use crate::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The entry modules' `zones` (`common.js`).
    pub type Engine;
    /// Whether the engine knows the zone.
    #[wasm_bindgen(method)]
    fn known(this: &Engine, zone: &str) -> bool;
    /// The zone's offset east of UTC (seconds) at an instant (epoch
    /// seconds); `NaN` when the engine cannot say.
    #[wasm_bindgen(method)]
    fn offset(this: &Engine, zone: &str, seconds: f64) -> f64;
}

thread_local! {
    /// The engine's time zones, as the entry module registered them.
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// A zone of the engine's tz database, by name.
struct EngineZone {
    name: String,
}

impl ZoneRules for EngineZone {
    fn offset_at(&self, epoch_seconds: i64) -> Option<i64> {
        let offset = ENGINE.with(|engine| {
            Some(
                engine
                    .borrow()
                    .as_ref()?
                    .offset(&self.name, epoch_seconds as f64),
            )
        })?;
        offset.is_finite().then_some(offset as i64)
    }
}

/// Core's zone lookup in this build: the engine's tz database.
fn lookup(name: &str) -> Option<Arc<dyn ZoneRules>> {
    let known = ENGINE.with(|engine| engine.borrow().as_ref().is_some_and(|e| e.known(name)));
    known.then(|| {
        Arc::new(EngineZone {
            name: name.to_owned(),
        }) as Arc<dyn ZoneRules>
    })
}

/// Registers the entry modules' `zones` (the package's entries do this
/// when they load; applications never need to) and gives core the
/// engine's tz database through them.
#[wasm_bindgen(js_name = "__setZones", skip_typescript)]
pub fn set_zones(engine: Engine) {
    ENGINE.with(|slot| *slot.borrow_mut() = Some(engine));
    journey_core::events::set_zone_lookup(lookup);
}
