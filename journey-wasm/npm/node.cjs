// The Node entry (CommonJS). Ready to use on require: `init()` and
// `initSync()` exist so that code written for the browser runs unchanged.
'use strict';
const wasm = require('./node/journey_wasm.js');
const { JourneyError, addXesGzip, refuseFreed, zones } = require('./common.cjs');

wasm.__setErrorClass(JourneyError);
wasm.__setZones(zones);
refuseFreed([wasm.JourneyModel, wasm.EventLog, wasm.Tracker]);
addXesGzip(wasm.EventLog);

/** Nothing to load in Node: resolves at once. */
function init() {
  return Promise.resolve();
}

/** Nothing to load in Node. */
function initSync() {}

const api = {
  JourneyModel: wasm.JourneyModel,
  EventLog: wasm.EventLog,
  Tracker: wasm.Tracker,
  JourneyError,
  version: wasm.version,
  init,
  initSync,
};
if (wasm.__testPanic) api.__testPanic = wasm.__testPanic;
// The full build's attribution (scripts/build-wasm.sh adds its ESM exports).
if (wasm.attributePaths) api.attributePaths = wasm.attributePaths;
module.exports = api;
