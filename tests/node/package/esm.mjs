// Imports the installed package as an ES module in Node.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JourneyModel, JourneyError, version } from 'journey-wasm';

const model = JourneyModel.fromJson(readFileSync(process.argv[2], 'utf8'));
const analysis = model.analyze('gym');
if (Math.abs(analysis.goal_probability - 4014234 / 37999375) > 1e-12) throw new Error('wrong goal probability');
try {
  model.analyze('pool');
  throw new Error('expected a JourneyError');
} catch (error) {
  if (!(error instanceof JourneyError) || error.code !== 'not_found') throw error;
}
// The full build, at its own subpath: XES and JSON events.
const full = await import('journey-wasm/full');
await full.default();
const log = new full.EventLog();
const xes = readFileSync(join(dirname(process.argv[2]), 'xes/running-example.xes'), 'utf8');
if (log.readXes(xes).rows_used !== 42) throw new Error('wrong XES read');
if (log.discover(undefined, 1).traces !== 6) throw new Error('wrong XES discovery');
// Attribution is the full build's: its entry exports it, the default's does not.
const credit = full.attributePaths('path,total_conversions\na > b,1\n');
if (credit.heuristics[0].shapley !== 0.5) throw new Error('wrong Shapley credit');
if ('attributePaths' in (await import('journey-wasm'))) throw new Error('attribution in the default build');
console.log(`esm: journey-wasm ${version()} ok, journey-wasm/full ok`);
