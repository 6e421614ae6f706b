// The Node entry (CommonJS). Ready to use on require: no init step.
'use strict';
const wasm = require('./node/journey_wasm.js');

/** The error every failing call throws; `code` tells what kind of failure. */
class JourneyError extends Error {
  constructor(message, code, problems) {
    super(message);
    this.name = 'JourneyError';
    this.code = code;
    if (problems !== undefined) this.problems = problems;
  }
}

wasm.__setErrorClass(JourneyError);

module.exports = {
  JourneyModel: wasm.JourneyModel,
  EventLog: wasm.EventLog,
  Tracker: wasm.Tracker,
  attributePaths: wasm.attributePaths,
  JourneyError,
  version: wasm.version,
  __testPanic: wasm.__testPanic,
};
