// Requires the installed package from CommonJS in Node.
const { readFileSync } = require('node:fs');
const { JourneyModel, version } = require('journey-wasm');

const model = JourneyModel.fromJson(readFileSync(process.argv[2], 'utf8'));
if (model.stages('gym').length !== 5) throw new Error('wrong stages');
console.log(`cjs: journey-wasm ${version()} ok`);
