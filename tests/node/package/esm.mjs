// Imports the installed package as an ES module in Node.
import { readFileSync } from 'node:fs';
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
console.log(`esm: journey-wasm ${version()} ok`);
