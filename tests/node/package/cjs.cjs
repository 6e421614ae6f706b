// Requires the installed package from CommonJS in Node.
const { readFileSync } = require('node:fs');
const { JourneyModel, version } = require('journey-wasm');

const model = JourneyModel.fromJson(readFileSync(process.argv[2], 'utf8'));
if (model.stages('gym').length !== 5) throw new Error('wrong stages');
const full = require('journey-wasm/full');
const log = new full.EventLog();
const read = log.readJson('{"userId":"u1","event":"Signed Up","timestamp":"2026-01-01T00:00:00Z"}\n', { preset: 'segment' });
if (read.rows_used !== 1 || log.length !== 1) throw new Error('wrong JSON read');
if (full.attributePaths('path,total_conversions\na,1\n').conversions !== 1) throw new Error('wrong attribution');
if ('attributePaths' in require('journey-wasm')) throw new Error('attribution in the default build');
console.log(`cjs: journey-wasm ${version()} ok, journey-wasm/full ok`);
